// PATCH /Users/{id}: the operations applied to the member's IdP view with its assignments
// (scim/patch/apply-patch.ts), then stored by applyIdpView and applyAssignments.
import { applyPatch } from '../scim/patch/apply-patch.ts';
import type { Store } from '../store/store.ts';
import { type AppliedIdpView, applyIdpView } from './apply-idp-view.ts';
import type { ProvisioningContext } from './context.ts';
import { withUniquenessErrors } from './errors.ts';
import { applyAssignments, idpView, requestedAssignments } from './idp-assignments.ts';
import { loadMemberForUpdate } from './load-member-for-update.ts';

export function patchMember(
  store: Store,
  ctx: ProvisioningContext,
  id: string,
  patchBody: unknown,
  ifMatch?: string,
): Promise<AppliedIdpView> {
  return withUniquenessErrors(() =>
    store.transaction(async (tx) => {
      const before = await loadMemberForUpdate(tx, ctx, id, ifMatch);
      const { document, held } = await idpView(tx, before);
      const requested = applyPatch(document, patchBody);
      const assignments = await requestedAssignments(tx, ctx.organizationId, requested);
      const applied = await applyIdpView(tx, ctx, before, requested);
      return { ...applied, member: await applyAssignments(tx, ctx, applied.member, held, assignments) };
    }),
  );
}
