// PUT semantics in Roster (RFC 7644 §3.5.1, made safe for real IdPs):
// - attributes present in the body replace the stored ones;
// - single-valued complex attributes (`name`, the Enterprise extension, its `manager`) are
//   merged sub-attribute by sub-attribute: omitted sub-attributes are kept, so a PUT with only
//   `name.givenName` does not wipe `familyName` (docs/idp-requests.md, failure mode 13);
// - multi-valued attributes present in the body replace the whole array (`[]` clears);
// - attributes omitted from the body are kept, `active` included (failure mode 13 again: a PUT
//   without `active` must not deactivate anyone);
// - an explicit `null` clears (RFC 7643 §2.5: null and unassigned are the same state).
// Read-only attributes never reach here: normalizeUserInput drops them.

import type { ScimComplex, ScimUserDocument, ScimUserInput, ScimValue } from './scim-user.ts';
import { isComplex, withSchemas } from './scim-user.ts';

function mergeComplex(current: ScimComplex, incoming: ScimComplex): ScimComplex {
  const result: ScimComplex = structuredClone(current);
  for (const [key, value] of Object.entries(incoming)) {
    if (value === undefined || key === 'schemas') continue;
    if (value === null || (Array.isArray(value) && value.length === 0)) {
      delete result[key];
      continue;
    }
    const existing = result[key];
    const merged: ScimValue =
      isComplex(value) && isComplex(existing) ? mergeComplex(existing, value) : structuredClone(value);
    if (isComplex(merged) && Object.values(merged).every((sub) => sub === null)) delete result[key];
    else result[key] = isComplex(merged) ? dropNulls(merged) : merged;
  }
  return result;
}

function dropNulls(value: ScimComplex): ScimComplex {
  const result: ScimComplex = {};
  for (const [key, sub] of Object.entries(value)) {
    if (sub === null || sub === undefined) continue;
    result[key] = isComplex(sub) ? dropNulls(sub) : sub;
  }
  return result;
}

/** The document to store for `PUT`: a new object; neither argument is modified. */
export function mergeReplace(current: ScimUserDocument, incoming: ScimUserInput): ScimUserDocument {
  return withSchemas(mergeComplex(current, incoming as ScimComplex)) as ScimUserDocument;
}
