// The one path by which a group and its members change (POST, PUT, PATCH /Groups): the changes are
// applied in order inside the caller's transaction, the group's row is written once with its new
// count and version, and the audit log and the public events say what changed. Members are added
// and removed by id: the cost follows the number of members named, never the size of the group.
import { recordAudit } from '../audit/record-audit.ts';
import { RosterError } from '../errors.ts';
import { groupMembersResource, groupResource } from '../events/event-resources.ts';
import { recordEvent } from '../events/record-event.ts';
import { settleGroupMembers } from '../membership/effective-access.ts';
import type { GroupChange } from '../scim/group/parse-group-patch.ts';
import { now } from '../store/ids.ts';
import type { GroupRow } from '../store/repos/groups.ts';
import type { Repositories } from '../store/store.ts';
import type { ProvisioningContext } from './context.ts';

export interface AppliedGroupChanges {
  row: GroupRow;
  added: string[];
  removed: string[];
  changed: boolean;
}

/** Audit events name at most this many members; `count` says how many there were. */
const AUDITED_IDS = 100;

/** Every id an add or replace names must be a member of this organization (deactivated ones too). */
async function assertMembersOfOrganization(
  tx: Repositories,
  organizationId: string,
  changes: readonly GroupChange[],
) {
  const named = changes.flatMap((change) =>
    change.kind === 'addMembers' || change.kind === 'replaceMembers' ? change.ids : [],
  );
  if (named.length === 0) return;
  const known = await tx.groups.existingMembers(organizationId, named);
  const unknown = named.find((id) => !known.has(id));
  if (unknown !== undefined) {
    throw new RosterError('invalid_value', `members: no User with id "${unknown}" in this organization`);
  }
}

function auditedMembers(ids: readonly string[]) {
  return { count: ids.length, members: ids.slice(0, AUDITED_IDS) };
}

/**
 * The access the group gives goes to the members it gained and from the members it lost: their
 * role is settled and each workspace they gained or lost announced (a group with no mapping
 * changes nobody's access). The cost follows the members named and the group's workspaces.
 */
async function settleMembersOf(
  tx: Repositories,
  ctx: ProvisioningContext,
  group: GroupRow,
  added: readonly string[],
  removed: readonly string[],
): Promise<void> {
  if (added.length === 0 && removed.length === 0) return;
  const workspaces = await tx.groups.workspacesOf(group.id);
  const roleMayChange = group.role === 'admin';
  if (workspaces.length === 0 && !roleMayChange) return;
  const cause = { kind: 'group', groupId: group.id, groupName: group.display_name } as const;
  await settleGroupMembers(tx, ctx, added, { cause, gained: workspaces, lost: [], roleMayChange });
  await settleGroupMembers(tx, ctx, removed, { cause, gained: [], lost: workspaces, roleMayChange });
}

export async function applyGroupChanges(
  tx: Repositories,
  ctx: ProvisioningContext,
  before: GroupRow,
  changes: readonly GroupChange[],
  options: { created?: boolean } = {},
): Promise<AppliedGroupChanges> {
  await assertMembersOfOrganization(tx, ctx.organizationId, changes);
  const at = now();
  const row: GroupRow = { ...before };
  // The net effect, so that "add x, remove x" in one request audits nothing for x.
  const added = new Set<string>();
  const removed = new Set<string>();
  const markAdded = (ids: readonly string[]) => {
    for (const id of ids) if (!removed.delete(id)) added.add(id);
    row.member_count += ids.length;
  };
  const markRemoved = (ids: readonly string[]) => {
    for (const id of ids) if (!added.delete(id)) removed.add(id);
    row.member_count -= ids.length;
  };
  for (const change of changes) {
    switch (change.kind) {
      case 'displayName':
        row.display_name = change.value;
        break;
      case 'externalId':
        row.external_id = change.value;
        break;
      case 'addMembers':
        markAdded(await tx.groups.addMembers(row.id, change.ids, at));
        break;
      case 'removeMembers':
        markRemoved(await tx.groups.removeMembers(row.id, change.ids));
        break;
      case 'removeAllMembers':
        markRemoved(await tx.groups.removeAllMembers(row.id));
        break;
      case 'replaceMembers': {
        // Only the difference is written: members in both lists keep their rows.
        const wanted = new Set(change.ids);
        const current = await tx.groups.memberIds(row.id);
        markRemoved(
          await tx.groups.removeMembers(
            row.id,
            current.filter((id) => !wanted.has(id)),
          ),
        );
        markAdded(await tx.groups.addMembers(row.id, change.ids, at));
        break;
      }
    }
  }
  const renamed = row.display_name !== before.display_name || row.external_id !== before.external_id;
  const changed = renamed || added.size > 0 || removed.size > 0;
  if (!changed && !options.created) return { row: before, added: [], removed: [], changed: false };

  // A new group keeps version 1 and its creation time; a changed one moves on.
  const written: GroupRow = options.created ? row : { ...row, version: before.version + 1, updated_at: at };
  if (changed) await tx.groups.update(written, before.version);
  const audit = {
    organizationId: ctx.organizationId,
    actor: ctx.actor,
    target: { type: 'group', id: row.id, label: row.display_name },
    requestId: ctx.requestId,
  };
  // Every event of one request carries the group as that request leaves it (its row is written
  // once): a new group's `group.created` already counts the members its body listed, which
  // `group.members_added` then names.
  const event = { organizationId: ctx.organizationId, actor: ctx.actor };
  if (options.created) {
    await recordAudit(tx, {
      ...audit,
      action: 'group.created',
      after: { displayName: row.display_name, externalId: row.external_id },
    });
    await recordEvent(tx, { ...event, type: 'group.created', data: groupResource(written) });
  } else if (renamed) {
    await recordAudit(tx, {
      ...audit,
      action: 'group.updated',
      before: { displayName: before.display_name, externalId: before.external_id },
      after: { displayName: row.display_name, externalId: row.external_id },
    });
    await recordEvent(tx, {
      ...event,
      type: 'group.updated',
      data: groupResource(written),
      previous: { displayName: before.display_name, externalId: before.external_id },
    });
  }
  if (added.size > 0) {
    await recordAudit(tx, { ...audit, action: 'group.members_added', after: auditedMembers([...added]) });
    await recordEvent(tx, {
      ...event,
      type: 'group.members_added',
      data: groupMembersResource(written, [...added]),
    });
  }
  if (removed.size > 0) {
    await recordAudit(tx, {
      ...audit,
      action: 'group.members_removed',
      before: auditedMembers([...removed]),
    });
    await recordEvent(tx, {
      ...event,
      type: 'group.members_removed',
      data: groupMembersResource(written, [...removed]),
    });
  }
  await settleMembersOf(tx, ctx, written, [...added], [...removed]);
  return {
    row: written,
    added: [...added],
    removed: [...removed],
    changed: changed || options.created === true,
  };
}
