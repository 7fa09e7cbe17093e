// PUT /Users/{id}: the body replaces the member's IdP view, merged the way real IdPs need
// (scim/resource/merge-replace.ts), then stored by applyIdpView. A replacement must carry
// `userName` (RFC 7643 §4.1.1: required): a body without it is refused before anything is read,
// as Microsoft's reference collection checks (docs/idp-requests.md).
import { memberDocument } from '../membership/loaded-member.ts';
import { mergeReplace } from '../scim/resource/merge-replace.ts';
import { requireUserName } from '../scim/resource/normalize-user.ts';
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
  requireUserName(input);
  return withUniquenessErrors(() =>
    store.transaction(async (tx) => {
      const before = await loadMemberForUpdate(tx, ctx, id, ifMatch);
      return applyIdpView(tx, ctx, before, mergeReplace(memberDocument(before), input));
    }),
  );
}
