// The one path by which a member's IdP view and status change (PUT, PATCH, dashboard edits):
// email/userName changes by the organization's setting, deactivation/reactivation semantics,
// optimistic versioning and the audit trail, all inside the caller's transaction.
import { recordAudit } from '../audit/record-audit.ts';
import { profileColumns, profileEmails } from '../membership/member-row.ts';
import {
  type IdentityChange,
  identityChanges,
  immutabilityError,
  keepStoredIdentity,
} from '../scim/resource/assert-immutable-unchanged.ts';
import type { ScimUserDocument } from '../scim/resource/scim-user.ts';
import { ScimError } from '../scim/scim-error.ts';
import { now } from '../store/ids.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { Repositories } from '../store/store.ts';
import type { ProvisioningContext } from './context.ts';
import { lastAdminError } from './errors.ts';
import { memberDocument } from './member-resource.ts';

/** What the audit log keeps of a member: its IdP view, status and role. */
export function auditSnapshot(row: MemberRow): Record<string, unknown> {
  return { ...memberDocument(row), role: row.role, previousRole: row.previous_role, status: row.status };
}

/**
 * An email or userName change the request asked for and Roster did not store, and why: the
 * organization refuses such changes, the new value is another member's, or it removes the value.
 */
export interface RefusedChange extends IdentityChange {
  reason: 'refused_by_setting' | 'taken' | 'removed';
}

export interface SavedMember {
  row: MemberRow;
  /** Empty unless the request deactivated (or left deactivated) the member: see `settleIdentity`. */
  refused: RefusedChange[];
}

function identityTakenError(change: IdentityChange): ScimError {
  return new ScimError(
    409,
    `"${change.after}" is already the userName or an email of another member of this organization`,
    'uniqueness',
  );
}

function identityRemovedError(change: IdentityChange): ScimError {
  return new ScimError(
    400,
    `${change.attribute === 'email' ? 'The email address' : 'userName'} cannot be removed (it is "${change.before}")`,
    'mutability',
  );
}

/**
 * Decides a request's email/userName changes by the organization's setting (docs/scim.md, "Email
 * and userName changes"). `follow`: they are stored unless the new value is another member's (409
 * `uniqueness`) or removes it (400). `refuse`: 400 `mutability`. Either way, a request that leaves
 * the member deactivated is never refused for them — a leaver must not stay active because their
 * email changed on the way out: the stored values are kept, the rest of the request applies, and
 * what was not stored is returned to be audited and shown on the SCIM page.
 */
async function settleIdentity(
  tx: Repositories,
  ctx: ProvisioningContext,
  before: MemberRow,
  requested: ScimUserDocument,
): Promise<{ after: ScimUserDocument; refused: RefusedChange[] }> {
  const stored = memberDocument(before);
  const changes = identityChanges(stored, requested);
  if (changes.length === 0) return { after: requested, refused: [] };
  const organization = await tx.organizations.getById(ctx.organizationId);
  const refused: RefusedChange[] = [];
  if (organization?.email_changes === 'follow') {
    // Serializes with every other writer of the organization's members (creates take this row's
    // lock through nextMemberSeq), so two members cannot both move to the same free address.
    await tx.organizations.lock(ctx.organizationId);
    for (const change of changes) {
      if (change.after === null) refused.push({ ...change, reason: 'removed' });
      else if (await tx.members.identityTaken(ctx.organizationId, before.id, change.after))
        refused.push({ ...change, reason: 'taken' });
    }
  } else {
    refused.push(...changes.map((change) => ({ ...change, reason: 'refused_by_setting' as const })));
  }
  const [first] = refused;
  if (first === undefined) return { after: requested, refused };
  if (requested.active !== false) {
    if (first.reason === 'taken') throw identityTakenError(first);
    if (first.reason === 'removed') throw identityRemovedError(first);
    throw immutabilityError(first);
  }
  return { after: keepStoredIdentity(stored, requested, refused), refused };
}

/**
 * Stores `requested` (the member's complete new IdP view, `active` included) over `before`, which
 * the caller read in this transaction (with its row lock). Returns the stored row; an unchanged
 * document stores nothing and returns `before`, so an IdP re-sending a user is not a change.
 */
export async function saveMember(
  tx: Repositories,
  ctx: ProvisioningContext,
  before: MemberRow,
  requested: ScimUserDocument,
): Promise<SavedMember> {
  const { after, refused } = await settleIdentity(tx, ctx, before, requested);
  const at = now();
  const columns = profileColumns(after);
  const wasActive = before.status === 'active';
  const active = after.active ?? wasActive;

  let status: Pick<MemberRow, 'status' | 'role' | 'previous_role' | 'deactivated_at'> = {
    status: before.status,
    role: before.role,
    previous_role: before.previous_role,
    deactivated_at: before.deactivated_at,
  };
  if (wasActive && !active) {
    if (before.role === 'admin') {
      await tx.organizations.lock(ctx.organizationId);
      if ((await tx.members.countActiveAdmins(ctx.organizationId)) <= 1)
        throw lastAdminError(before.user_name);
    }
    status = { status: 'deactivated', role: null, previous_role: before.role, deactivated_at: at };
  } else if (!wasActive && active) {
    const organization = await tx.organizations.getById(ctx.organizationId);
    const role = before.previous_role ?? organization?.default_role ?? 'member';
    status = { status: 'active', role, previous_role: null, deactivated_at: null };
  }

  const statusChanged = status.status !== before.status;
  const profileChanged = columns.profile !== before.profile || columns.user_name !== before.user_name;
  let row = before;
  if (statusChanged || profileChanged) {
    const beforeEmails = JSON.stringify(profileEmails(memberDocument(before)));
    const emails = profileEmails(after);
    row = { ...before, ...columns, ...status, version: before.version + 1, updated_at: at };
    await tx.members.update(row, before, JSON.stringify(emails) === beforeEmails ? undefined : emails);
  }

  const target = { type: 'member', id: row.id, label: row.user_name };
  const base = { organizationId: ctx.organizationId, actor: ctx.actor, requestId: ctx.requestId, target };
  if (profileChanged) {
    await recordAudit(tx, {
      ...base,
      action: 'member.updated',
      before: auditSnapshot(before),
      after: auditSnapshot(row),
    });
  }
  if (statusChanged) {
    if (!active) await tx.sessions.deleteForMembership(row.id);
    await recordAudit(tx, {
      ...base,
      action: active ? 'member.reactivated' : 'member.deactivated',
      before: { status: before.status, role: before.role, previousRole: before.previous_role },
      after: { status: row.status, role: row.role, previousRole: row.previous_role },
    });
  }
  if (refused.length > 0) {
    await recordAudit(tx, {
      ...base,
      action: 'member.email_change_refused',
      before: Object.fromEntries(refused.map((change) => [change.attribute, change.before])),
      after: {
        ...Object.fromEntries(refused.map((change) => [change.attribute, change.after])),
        reasons: Object.fromEntries(refused.map((change) => [change.attribute, change.reason])),
      },
    });
  }
  return { row, refused };
}
