// PATCH /Users/{id}: the operations applied to the member's IdP view (scim/patch/apply-patch.ts),
// then stored by applyIdpView.
import { memberDocument } from '../membership/loaded-member.ts';
import { applyPatch } from '../scim/patch/apply-patch.ts';
import type { Store } from '../store/store.ts';
import { type AppliedIdpView, applyIdpView } from './apply-idp-view.ts';
import type { ProvisioningContext } from './context.ts';
import { withUniquenessErrors } from './errors.ts';
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
      return applyIdpView(tx, ctx, before, applyPatch(memberDocument(before), patchBody));
    }),
  );
}
