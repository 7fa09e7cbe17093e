// POST and PUT /Groups bodies → ScimGroupInput (RFC 7643 §4.2). `id`, `meta` and `schemas` are
// the server's and ignored (RFC 7644 §3.3), as are unknown attributes. `members` omitted from a
// PUT leaves the members as they are: only a `members` list (possibly empty) replaces them.
import { badRequest } from '../scim-error.ts';
import { displayNameOf, externalIdOf, hasKey, isObject, memberIdsOf, memberOf } from './member-values.ts';
import type { ScimGroupInput } from './scim-group.ts';

export function normalizeGroupInput(body: unknown): ScimGroupInput {
  if (!isObject(body)) throw badRequest('The request body must be a Group JSON object', 'invalidSyntax');
  if (!hasKey(body, 'displayName')) throw badRequest('displayName is required');
  return {
    displayName: displayNameOf(memberOf(body, 'displayName'), 'displayName'),
    externalId: hasKey(body, 'externalId')
      ? externalIdOf(memberOf(body, 'externalId'), 'externalId')
      : undefined,
    memberIds: hasKey(body, 'members') ? memberIdsOf(memberOf(body, 'members'), 'members') : undefined,
  };
}
