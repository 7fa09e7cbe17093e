// PUT and PATCH /Users/{id}: read under lock, compute the new IdP view, save through saveMember.
import { applyPatch } from '../scim/patch/apply-patch.ts';
import { mergeReplace } from '../scim/resource/merge-replace.ts';
import type { ScimUserDocument, ScimUserInput } from '../scim/resource/scim-user.ts';
import { UniqueViolationError } from '../store/errors.ts';
import type { Store } from '../store/store.ts';
import type { ProvisioningContext } from './context.ts';
import { memberNotFound, preconditionFailed, uniquenessError } from './errors.ts';
import { etagOf, memberDocument } from './member-resource.ts';
import { type SavedMember, saveMember } from './save-member.ts';

/** RFC 7232 If-Match against the member's weak ETag; `*` matches any existing resource. */
export function matchesIfMatch(ifMatch: string | undefined, version: number): boolean {
  if (ifMatch === undefined || ifMatch.trim() === '*') return true;
  const current = etagOf(version);
  return ifMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === current || `W/${t}` === current;
  });
}

async function updateMember(
  store: Store,
  ctx: ProvisioningContext,
  id: string,
  ifMatch: string | undefined,
  change: (current: ScimUserDocument) => ScimUserDocument,
): Promise<SavedMember> {
  try {
    return await store.transaction(async (tx) => {
      const before = await tx.members.getById(ctx.organizationId, id, { forUpdate: true });
      if (!before) throw memberNotFound(id);
      if (!matchesIfMatch(ifMatch, before.version)) throw preconditionFailed();
      return saveMember(tx, ctx, before, change(memberDocument(before)));
    });
  } catch (error) {
    if (error instanceof UniqueViolationError) throw uniquenessError(error);
    throw error;
  }
}

export function replaceMember(
  store: Store,
  ctx: ProvisioningContext,
  id: string,
  input: ScimUserInput,
  ifMatch?: string,
): Promise<SavedMember> {
  return updateMember(store, ctx, id, ifMatch, (current) => mergeReplace(current, input));
}

export function patchMember(
  store: Store,
  ctx: ProvisioningContext,
  id: string,
  patchBody: unknown,
  ifMatch?: string,
): Promise<SavedMember> {
  return updateMember(store, ctx, id, ifMatch, (current) => applyPatch(current, patchBody));
}
