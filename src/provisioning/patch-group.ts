// PATCH and PUT /Groups/{id}: the group read under its row lock, If-Match checked, the changes
// applied by applyGroupChanges. PUT replaces displayName, and externalId and members when sent
// (a PUT without `members` keeps them: an omitted list is not an empty one).
import { type GroupChange, parseGroupPatch } from '../scim/group/parse-group-patch.ts';
import type { ScimGroupInput } from '../scim/group/scim-group.ts';
import type { Repositories, Store } from '../store/store.ts';
import { type AppliedGroupChanges, applyGroupChanges } from './apply-group-changes.ts';
import type { ProvisioningContext } from './context.ts';
import { preconditionFailed } from './errors.ts';
import { groupNotFound } from './get-group.ts';
import { matchesIfMatch } from './load-member-for-update.ts';

async function loadGroupForUpdate(
  tx: Repositories,
  ctx: ProvisioningContext,
  id: string,
  ifMatch: string | undefined,
) {
  const row = await tx.groups.getById(ctx.organizationId, id, { forUpdate: true });
  if (!row) throw groupNotFound(id);
  if (!matchesIfMatch(ifMatch, row.version)) throw preconditionFailed();
  return row;
}

export function patchGroup(
  store: Store,
  ctx: ProvisioningContext,
  id: string,
  body: unknown,
  ifMatch?: string,
): Promise<AppliedGroupChanges> {
  const changes = parseGroupPatch(body);
  return store.transaction(async (tx) =>
    applyGroupChanges(tx, ctx, await loadGroupForUpdate(tx, ctx, id, ifMatch), changes),
  );
}

export function replaceGroup(
  store: Store,
  ctx: ProvisioningContext,
  id: string,
  input: ScimGroupInput,
  ifMatch?: string,
): Promise<AppliedGroupChanges> {
  const changes: GroupChange[] = [{ kind: 'displayName', value: input.displayName }];
  if (input.externalId !== undefined) changes.push({ kind: 'externalId', value: input.externalId });
  if (input.memberIds !== undefined) changes.push({ kind: 'replaceMembers', ids: input.memberIds });
  return store.transaction(async (tx) =>
    applyGroupChanges(tx, ctx, await loadGroupForUpdate(tx, ctx, id, ifMatch), changes),
  );
}
