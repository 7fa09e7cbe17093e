// DELETE /Groups/{id} (Okta: an admin unlinks a pushed group, or deletes it with "Delete the group
// in the target app"): the group and its membership rows go, with the access the group gave; the
// people stay.
import { recordAudit } from '../audit/record-audit.ts';
import { groupResource } from '../events/event-resources.ts';
import { recordEvent } from '../events/record-event.ts';
import { SETTLE_BATCH, settleGroupMembers } from '../membership/effective-access.ts';
import type { Store } from '../store/store.ts';
import type { ProvisioningContext } from './context.ts';
import { preconditionFailed } from './errors.ts';
import { groupNotFound } from './get-group.ts';
import { matchesIfMatch } from './load-member-for-update.ts';

export function deleteGroup(
  store: Store,
  ctx: ProvisioningContext,
  id: string,
  ifMatch?: string,
): Promise<void> {
  return store.transaction(async (tx) => {
    const row = await tx.groups.getById(ctx.organizationId, id, { forUpdate: true });
    if (!row) throw groupNotFound(id);
    if (!matchesIfMatch(ifMatch, row.version)) throw preconditionFailed();
    // A mapped group's members lose what it gave them, a batch at a time (its rows go first, so
    // that what remains is each member's other sources).
    const workspaces = await tx.groups.workspacesOf(row.id);
    const roleMayChange = row.role === 'admin';
    if (workspaces.length > 0 || roleMayChange) {
      const cause = { kind: 'group', groupId: row.id, groupName: row.display_name } as const;
      for (;;) {
        const batch = await tx.groups.memberIdsAfter(row.id, null, SETTLE_BATCH);
        if (batch.length === 0) break;
        await tx.groups.removeMembers(row.id, batch);
        await settleGroupMembers(tx, ctx, batch, { cause, gained: [], lost: workspaces, roleMayChange });
      }
    }
    await tx.groups.delete(row.id);
    await recordAudit(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: 'group.deleted',
      target: { type: 'group', id: row.id, label: row.display_name },
      before: { displayName: row.display_name, externalId: row.external_id, members: row.member_count },
      requestId: ctx.requestId,
    });
    // The group as it was when deleted, with the member count it had.
    await recordEvent(tx, {
      type: 'group.deleted',
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      data: groupResource(row),
    });
  });
}
