// PUT /Users/{id}: the body replaces the member's IdP view, merged the way real IdPs need
// (scim/resource/merge-replace.ts), then stored by applyIdpView.
import { memberDocument } from '../membership/loaded-member.ts';
import { mergeReplace } from '../scim/resource/merge-replace.ts';
import type { ScimUserInput } from '../scim/resource/scim-user.ts';
import type { Store } from '../store/store.ts';
import { type AppliedIdpView, applyIdpView } from './apply-idp-view.ts';
import type { ProvisioningContext } from './context.ts';
import { withUniquenessErrors } from './errors.ts';
import { loadMemberForUpdate } from './load-member-for-update.ts';

export function replaceMember(
  store: Store,
  ctx: ProvisioningContext,
  id: string,
  input: ScimUserInput,
  ifMatch?: string,
): Promise<AppliedIdpView> {
  return withUniquenessErrors(() =>
    store.transaction(async (tx) => {
      const before = await loadMemberForUpdate(tx, ctx, id, ifMatch);
      return applyIdpView(tx, ctx, before, mergeReplace(memberDocument(before), input));
    }),
  );
}
