// What a group gives its members: the Admin role and/or workspaces. The identity provider owns a
// group's name and members; an Admin of the organization owns its mapping (dashboard, API, CLI).
// Changing a mapping settles every member of the group, a batch at a time, each change audited and
// announced with the group as its cause.
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { RosterError } from '../errors.ts';
import { SETTLE_BATCH, settleGroupMembers } from '../membership/effective-access.ts';
import { now } from '../store/ids.ts';
import type { GroupRow } from '../store/repos/groups.ts';
import type { Role } from '../store/schema.ts';
import type { Store } from '../store/store.ts';

export interface GroupMapping {
  /** `admin`: the group makes its members Admins; null: it gives no role. */
  role: Extract<Role, 'admin'> | null;
  /** The workspaces the group gives its members. */
  workspaceIds: string[];
}

export interface MapGroupInput {
  organizationId: string;
  groupId: string;
  mapping: GroupMapping;
  actor: Actor;
  requestId?: string | null;
}

export interface MappedGroup {
  group: GroupRow;
  workspaces: { id: string; name: string }[];
  /** False when the mapping was already so (nothing stored). */
  changed: boolean;
}

export function groupNotFoundError(id: string): RosterError {
  return new RosterError('not_found', `no group "${id}" in this organization`);
}

/** Parses a mapping from outside (API, CLI): `role` "admin" or null/"none", workspace ids. */
export function parseGroupMapping(role: unknown, workspaceIds: unknown): GroupMapping {
  if (role !== null && role !== 'admin' && role !== 'none') {
    throw new RosterError('invalid_value', 'role must be "admin" or null (no role)');
  }
  if (!Array.isArray(workspaceIds) || !workspaceIds.every((id) => typeof id === 'string')) {
    throw new RosterError('invalid_value', 'workspaceIds must be a list of workspace ids');
  }
  return { role: role === 'admin' ? 'admin' : null, workspaceIds: [...new Set(workspaceIds as string[])] };
}

/** Sets what the group gives its members and settles every member of the group. */
export async function mapGroup(store: Store, input: MapGroupInput): Promise<MappedGroup> {
  return store.transaction(async (tx) => {
    const before = await tx.groups.getById(input.organizationId, input.groupId, { forUpdate: true });
    if (!before) throw groupNotFoundError(input.groupId);
    const all = await tx.workspaces.list(input.organizationId);
    const byId = new Map(all.map((w) => [w.id, { id: w.id, name: w.name }]));
    const unknown = input.mapping.workspaceIds.find((id) => !byId.has(id));
    if (unknown !== undefined) {
      throw new RosterError('invalid_value', `no workspace with id ${unknown} in this organization`);
    }
    const workspaces = input.mapping.workspaceIds
      .map((id) => byId.get(id))
      .filter((w) => w !== undefined)
      .sort((a, b) => a.name.localeCompare(b.name));
    const previous = await tx.groups.workspacesOf(before.id);
    const wanted = new Set(workspaces.map((w) => w.id));
    const had = new Set(previous.map((w) => w.id));
    const gained = workspaces.filter((w) => !had.has(w.id));
    const lost = previous.filter((w) => !wanted.has(w.id));
    const roleMayChange = before.role !== input.mapping.role;
    if (gained.length === 0 && lost.length === 0 && !roleMayChange) {
      return { group: before, workspaces: previous, changed: false };
    }

    const at = now();
    const group: GroupRow = {
      ...before,
      role: input.mapping.role,
      version: before.version + 1,
      updated_at: at,
    };
    await tx.groups.update(group, before.version);
    await tx.groups.setWorkspaces(group.id, [...wanted], at);
    const context = {
      organizationId: input.organizationId,
      actor: input.actor,
      requestId: input.requestId ?? null,
    };
    await recordAudit(tx, {
      ...context,
      action: 'group.mapping_changed',
      target: { type: 'group', id: group.id, label: group.display_name },
      before: { role: before.role, workspaces: previous.map((w) => w.name) },
      after: { role: group.role, workspaces: workspaces.map((w) => w.name), members: group.member_count },
    });
    // Every member, a batch at a time through the group's key: memory holds one batch, whatever
    // the size of the group.
    const cause = { kind: 'group', groupId: group.id, groupName: group.display_name } as const;
    let after: string | null = null;
    for (;;) {
      const batch = await tx.groups.memberIdsAfter(group.id, after, SETTLE_BATCH);
      if (batch.length === 0) break;
      await settleGroupMembers(tx, context, batch, { cause, gained, lost, roleMayChange });
      after = batch.at(-1) ?? null;
    }
    return { group, workspaces, changed: true };
  });
}
