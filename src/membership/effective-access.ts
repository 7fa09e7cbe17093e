// A member's effective access, from its sources (docs/scim.md, "Groups and access"):
//
//   role       = Admin if the direct role is Admin, or a group the member is in is mapped to Admin,
//                or the IdP assigned the Admin role (an entitlement); else Member. Null while
//                deactivated: the sources stay, and reactivation recomputes from them.
//   workspaces = direct grants ∪ the workspaces of the member's groups ∪ workspace entitlements
//                (Admins reach every workspace besides).
//
// `memberships.role` stores the effective role, so that tokens, sign-in, claims and the last-Admin
// rule read one column; `settleRole` keeps it true after any change of a source, with the audit
// entry and the event that say what caused it. Effective workspaces are computed when read
// (`accessOf`, `workspaceAccessOf`); a change of a source announces the workspaces it gave or took.
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { memberReference, memberResource } from '../events/event-resources.ts';
import { recordEvent } from '../events/record-event.ts';
import { now } from '../store/ids.ts';
import type { AccessSourceKind, AccessSourceRow } from '../store/repos/access.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { Role } from '../store/schema.ts';
import type { Repositories } from '../store/store.ts';
import { enforceLastAdminRule } from './last-admin-rule.ts';

/** What changed a source of a member's access. */
export type AccessCause =
  | { kind: 'direct' }
  | { kind: 'group'; groupId: string; groupName: string }
  | { kind: 'entitlement' };

/** Who changes a source, for which organization, under which request. */
export interface AccessChangeContext {
  organizationId: string;
  actor: Actor;
  requestId?: string | null;
}

/** Where one piece of access comes from, as every surface shows it. */
export interface AccessSource {
  kind: AccessSourceKind;
  /** For kind `group`. */
  group?: { id: string; displayName: string };
}

export interface MemberAccess {
  /** The effective role (null while deactivated) and what gives it. */
  role: { value: Role | null; sources: AccessSource[] };
  /** The role granted in Roster itself: the one piece of the role Roster can change. */
  directRole: Role;
  /** Admins reach every workspace of the organization, whatever the list below says. */
  allWorkspaces: boolean;
  /** Each workspace the member's sources give, with every source that gives it. */
  workspaces: { id: string; name: string; sources: AccessSource[] }[];
}

/** A member's effective workspaces: workspace id → name. */
export type WorkspaceAccess = Map<string, string>;

function sourceOf(row: Pick<AccessSourceRow, 'kind' | 'groupId' | 'groupName'>): AccessSource {
  return row.kind === 'group' && row.groupId !== null
    ? { kind: 'group', group: { id: row.groupId, displayName: row.groupName ?? '' } }
    : { kind: row.kind };
}

/** The cause as events carry it: `cause` is the kind (as before groups existed), `causeGroup` the group. */
export function causeAttributes(cause: AccessCause): Record<string, unknown> {
  return cause.kind === 'group'
    ? { cause: 'group', causeGroup: { id: cause.groupId, displayName: cause.groupName } }
    : { cause: cause.kind };
}

/** The cause as the audit log keeps it. */
function auditedCause(cause: AccessCause): Record<string, unknown> {
  return cause.kind === 'group'
    ? { kind: 'group', groupId: cause.groupId, groupName: cause.groupName }
    : { kind: cause.kind };
}

/** The role an active member's sources give, `directRole` standing for its direct role. */
export async function effectiveRoleOf(
  tx: Repositories,
  membershipId: string,
  directRole: Role,
): Promise<Role> {
  if (directRole === 'admin') return 'admin';
  return (await tx.access.adminSources([membershipId])).length > 0 ? 'admin' : 'member';
}

/**
 * Recomputes and stores `before`'s effective role after a change of one of its sources (and
 * stores `change.directRole`, the direct role an Admin gives, with it). `before` was read in this
 * transaction, with its row lock. A change writes `member.role_changed` to the audit log with its
 * cause, and the public event when the effective role moved.
 *
 * Losing Admin: an Admin's direct change to the organization's last active Admin is refused (409,
 * as always). A change from the IdP (a group, an entitlement) is not: the request succeeds and the
 * member keeps Admin as a direct grant, audited as `member.admin_kept`, so that the organization
 * never loses its last Admin to a group change.
 */
export async function settleRole(
  tx: Repositories,
  ctx: AccessChangeContext,
  before: MemberRow,
  cause: AccessCause,
  change: { directRole?: Role } = {},
): Promise<MemberRow> {
  let directRole = change.directRole ?? before.direct_role;
  const active = before.status === 'active';
  let role = active ? await effectiveRoleOf(tx, before.id, directRole) : null;
  let keptAdmin = false;
  if (active && before.role === 'admin' && role !== 'admin') {
    if (cause.kind === 'direct') {
      await enforceLastAdminRule(tx, before, 'demotion');
    } else {
      await tx.organizations.lock(before.organization_id);
      if ((await tx.members.countActiveAdmins(before.organization_id)) <= 1) {
        keptAdmin = true;
        directRole = 'admin';
        role = 'admin';
      }
    }
  }
  if (role === before.role && directRole === before.direct_role) return before;

  const row: MemberRow = {
    ...before,
    role,
    direct_role: directRole,
    version: before.version + 1,
    updated_at: now(),
  };
  await tx.members.update(row, before);
  const target = { type: 'member', id: row.id, label: row.user_name };
  const audit = {
    organizationId: ctx.organizationId,
    actor: ctx.actor,
    requestId: ctx.requestId ?? null,
    target,
  };
  if (keptAdmin) {
    await recordAudit(tx, {
      ...audit,
      action: 'member.admin_kept',
      before: { role: before.role, directRole: before.direct_role },
      after: {
        role: row.role,
        directRole: row.direct_role,
        reason: 'last active Admin',
        cause: auditedCause(cause),
      },
    });
  } else {
    await recordAudit(tx, {
      ...audit,
      action: 'member.role_changed',
      before: { role: before.role, directRole: before.direct_role },
      after: { role: row.role, directRole: row.direct_role, cause: auditedCause(cause) },
    });
  }
  if (row.role !== before.role) {
    await recordEvent(tx, {
      type: 'member.role_changed',
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      data: { ...memberResource(row), ...causeAttributes(cause) },
      previous: { role: before.role },
    });
  }
  return row;
}

/** The effective workspaces of each of `membershipIds` (ids with none are absent). */
export async function workspaceAccessOf(
  tx: Repositories,
  membershipIds: readonly string[],
): Promise<Map<string, WorkspaceAccess>> {
  const access = new Map<string, WorkspaceAccess>();
  for (const row of await tx.access.workspaceSources(membershipIds)) {
    let workspaces = access.get(row.membershipId);
    if (!workspaces) {
      workspaces = new Map();
      access.set(row.membershipId, workspaces);
    }
    workspaces.set(row.workspaceId, row.workspaceName);
  }
  return access;
}

/**
 * Announces what a change of sources did to an active member's effective workspaces: one
 * `workspace_access.granted` or `.revoked` event for each workspace gained or lost, with its cause,
 * and (unless the caller audits the change itself, as an Admin's direct grant does) its audit entry.
 * A deactivated member reaches nothing before or after: nothing to announce.
 */
export async function announceWorkspaceChanges(
  tx: Repositories,
  ctx: AccessChangeContext,
  member: Pick<MemberRow, 'id' | 'user_name' | 'status'>,
  before: WorkspaceAccess | undefined,
  after: WorkspaceAccess | undefined,
  cause: AccessCause,
  options: { audit?: boolean } = {},
): Promise<void> {
  if (member.status !== 'active') return;
  const changes: { id: string; name: string; granted: boolean }[] = [];
  for (const [id, name] of after ?? []) if (!before?.has(id)) changes.push({ id, name, granted: true });
  for (const [id, name] of before ?? []) if (!after?.has(id)) changes.push({ id, name, granted: false });
  for (const { id, name, granted } of changes) {
    if (options.audit !== false) {
      await recordAudit(tx, {
        organizationId: ctx.organizationId,
        actor: ctx.actor,
        action: granted ? 'workspace.access_granted' : 'workspace.access_revoked',
        target: { type: 'member', id: member.id, label: member.user_name },
        before: { workspace: name, access: !granted },
        after: { workspace: name, workspaceId: id, access: granted, cause: auditedCause(cause) },
        requestId: ctx.requestId ?? null,
      });
    }
    await recordEvent(tx, {
      type: granted ? 'workspace_access.granted' : 'workspace_access.revoked',
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      data: {
        object: 'workspace_access',
        id: `${member.id}:${id}`,
        member: memberReference(member),
        workspace: { id, name },
        granted,
        ...causeAttributes(cause),
      },
    });
  }
}

/** Where each piece of the member's access comes from: what every surface shows. */
export async function accessOf(tx: Repositories, member: MemberRow): Promise<MemberAccess> {
  const access = (await accessOfMembers(tx, [member])).get(member.id);
  if (!access) throw new Error(`no access computed for ${member.id}`);
  return access;
}

/** `accessOf` for a page of members: two queries, whatever the number of members. */
export async function accessOfMembers(
  tx: Repositories,
  members: readonly Pick<MemberRow, 'id' | 'role' | 'direct_role'>[],
): Promise<Map<string, MemberAccess>> {
  const ids = members.map((m) => m.id);
  const [adminSources, workspaceSources] = await Promise.all([
    tx.access.adminSources(ids),
    tx.access.workspaceSources(ids),
  ]);
  const out = new Map<string, MemberAccess>();
  for (const member of members) {
    const roleSources: AccessSource[] = [];
    if (member.role === 'admin') {
      if (member.direct_role === 'admin') roleSources.push({ kind: 'direct' });
      roleSources.push(...adminSources.filter((s) => s.membershipId === member.id).map(sourceOf));
    } else if (member.role === 'member') {
      roleSources.push({ kind: 'direct' });
    }
    out.set(member.id, {
      role: { value: member.role, sources: roleSources },
      directRole: member.direct_role,
      allWorkspaces: member.role === 'admin',
      workspaces: [],
    });
  }
  for (const row of workspaceSources) {
    const workspaces = out.get(row.membershipId)?.workspaces;
    if (!workspaces) continue;
    const last = workspaces.at(-1);
    if (last?.id === row.workspaceId) last.sources.push(sourceOf(row));
    else workspaces.push({ id: row.workspaceId, name: row.workspaceName, sources: [sourceOf(row)] });
  }
  return out;
}

/** What a change of a group (its members, or its mapping) may do to the access of its members. */
export interface GroupAccessChange {
  /** The cause: the group, with its name as the change leaves it. */
  cause: Extract<AccessCause, { kind: 'group' }>;
  /** Workspaces the group now gives these members (a member who had one already gains nothing). */
  gained: readonly { id: string; name: string }[];
  /** Workspaces the group no longer gives them (a member who has one another way keeps it). */
  lost: readonly { id: string; name: string }[];
  /** Whether the Admin role the group gives changed for them. */
  roleMayChange: boolean;
}

/** Members settled per batch: rows read, locked and announced together. */
export const SETTLE_BATCH = 500;

/**
 * Settles members whose group sources changed (already stored): joined or left a mapped group, or
 * were in a group whose mapping changed. At most SETTLE_BATCH at a time; each member costs a
 * constant number of index reads and writes, whatever the size of the group.
 */
export async function settleGroupMembers(
  tx: Repositories,
  ctx: AccessChangeContext,
  membershipIds: readonly string[],
  change: GroupAccessChange,
): Promise<void> {
  const touchesWorkspaces = change.gained.length > 0 || change.lost.length > 0;
  if (!touchesWorkspaces && !change.roleMayChange) return;
  for (let i = 0; i < membershipIds.length; i += SETTLE_BATCH) {
    const batch = membershipIds.slice(i, i + SETTLE_BATCH);
    const rows = await tx.members.getManyById(ctx.organizationId, batch, { forUpdate: true });
    if (touchesWorkspaces) {
      // Every source each member now has for each workspace: a gained workspace is new when this
      // group is its only source; a lost one is gone when nothing gives it any more.
      const sources = new Map<string, AccessSourceRow[]>();
      for (const row of await tx.access.workspaceSources(batch)) {
        const key = `${row.membershipId}:${row.workspaceId}`;
        sources.set(key, [...(sources.get(key) ?? []), row]);
      }
      for (const member of rows) {
        const before: WorkspaceAccess = new Map();
        const after: WorkspaceAccess = new Map();
        for (const workspace of change.gained) {
          const held = sources.get(`${member.id}:${workspace.id}`) ?? [];
          const others = held.filter((s) => !(s.kind === 'group' && s.groupId === change.cause.groupId));
          if (held.length > 0 && others.length === 0) after.set(workspace.id, workspace.name);
        }
        for (const workspace of change.lost) {
          if (!sources.has(`${member.id}:${workspace.id}`)) before.set(workspace.id, workspace.name);
        }
        await announceWorkspaceChanges(tx, ctx, member, before, after, change.cause);
      }
    }
    if (change.roleMayChange) {
      for (const member of rows) await settleRole(tx, ctx, member, change.cause);
    }
  }
}

/** A member who kept Admin as the last active Admin when a group or entitlement took it away. */
export interface KeptAdmin {
  member: MemberRow;
  at: string;
  /** The group whose change it was, when a group's. */
  groupName: string | null;
}

/**
 * The member who last kept Admin because the identity provider's change would have left the
 * organization without an active Admin, while that is still so: they are still the only active
 * Admin and hold it only directly. What the dashboard warns about, until another member is Admin.
 */
export async function adminKeptAsLast(
  tx: Repositories,
  organizationId: string,
  membershipId?: string,
): Promise<KeptAdmin | null> {
  const [event] = await tx.audit.search({
    organizationId,
    action: 'member.admin_kept',
    limit: 1,
    ...(membershipId === undefined ? {} : { target: membershipId }),
  });
  if (!event?.target_id) return null;
  const member = await tx.members.getById(organizationId, event.target_id);
  if (member?.role !== 'admin' || member.direct_role !== 'admin') return null;
  if ((await tx.members.countActiveAdmins(organizationId)) !== 1) return null;
  if ((await tx.access.adminSources([member.id])).length > 0) return null;
  const after = JSON.parse(event.after ?? '{}') as { cause?: { groupName?: string } };
  return { member, at: event.occurred_at, groupName: after.cause?.groupName ?? null };
}
