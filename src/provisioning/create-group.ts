// POST /Groups: a new group of this organization, with the members the body lists (Okta pushes a
// group with `members: []` and adds people by PATCH; Entra's reference tests do the same).
import type { ScimGroupInput } from '../scim/group/scim-group.ts';
import { newId, now } from '../store/ids.ts';
import type { Store } from '../store/store.ts';
import { type AppliedGroupChanges, applyGroupChanges } from './apply-group-changes.ts';
import type { ProvisioningContext } from './context.ts';

export function createGroup(
  store: Store,
  ctx: ProvisioningContext,
  input: ScimGroupInput,
): Promise<AppliedGroupChanges> {
  return store.transaction(async (tx) => {
    const at = now();
    const row = {
      id: newId(),
      organization_id: ctx.organizationId,
      display_name: input.displayName,
      external_id: input.externalId ?? null,
      role: null,
      member_count: 0,
      version: 1,
      created_at: at,
      updated_at: at,
    };
    await tx.groups.insert(row);
    const changes = input.memberIds ? [{ kind: 'addMembers' as const, ids: input.memberIds }] : [];
    // The audit event and the public event of the creation are written there, with the group as
    // the whole request leaves it.
    return applyGroupChanges(tx, ctx, row, changes, { created: true });
  });
}
