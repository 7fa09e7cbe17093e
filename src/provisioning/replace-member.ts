// PUT /Users/{id}: the body replaces the member's IdP view, merged the way real IdPs need
// (scim/resource/merge-replace.ts), then stored by applyIdpView. A replacement must carry
// `userName` (RFC 7643 §4.1.1: required): a body without it is refused before anything is read,
// as Microsoft's reference collection checks (docs/idp-requests.md). `roles` and `entitlements`, when
// sent, replace the IdP's assignments (an empty list clears them); omitted, they are kept, as every
// omitted attribute is.
import { mergeReplace } from '../scim/resource/merge-replace.ts';
import { requireUserName } from '../scim/resource/normalize-user.ts';
import type { ScimUserInput } from '../scim/resource/scim-user.ts';
import type { Store } from '../store/store.ts';
import { type AppliedIdpView, applyIdpView } from './apply-idp-view.ts';
import type { ProvisioningContext } from './context.ts';
import { withUniquenessErrors } from './errors.ts';
import { applyAssignments, idpView, requestedAssignments } from './idp-assignments.ts';
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
      const { document, held } = await idpView(tx, before);
      const requested = mergeReplace(document, input);
      const assignments = await requestedAssignments(tx, ctx.organizationId, requested);
      const applied = await applyIdpView(tx, ctx, before, requested);
      return { ...applied, member: await applyAssignments(tx, ctx, applied.member, held, assignments) };
    }),
  );
}
