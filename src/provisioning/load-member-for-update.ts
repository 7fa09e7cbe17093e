// What PUT and PATCH /Users/{id} do first: read the member under its row lock, check If-Match.
import { type LoadedMember, loadMember } from '../membership/loaded-member.ts';
import type { Repositories } from '../store/store.ts';
import type { ProvisioningContext } from './context.ts';
import { memberNotFound, preconditionFailed } from './errors.ts';
import { etagOf } from './member-resource.ts';

/** RFC 7232 If-Match against the member's weak ETag; `*` matches any existing resource. */
export function matchesIfMatch(ifMatch: string | undefined, version: number): boolean {
  if (ifMatch === undefined || ifMatch.trim() === '*') return true;
  const current = etagOf(version);
  return ifMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === current || `W/${t}` === current;
  });
}

/** The member `id`, locked for this transaction: 404 when unknown, 412 when If-Match does not match. */
export async function loadMemberForUpdate(
  tx: Repositories,
  ctx: ProvisioningContext,
  id: string,
  ifMatch: string | undefined,
): Promise<LoadedMember> {
  const row = await tx.members.getById(ctx.organizationId, id, { forUpdate: true });
  if (!row) throw memberNotFound(id);
  if (!matchesIfMatch(ifMatch, row.version)) throw preconditionFailed();
  return loadMember(row);
}
