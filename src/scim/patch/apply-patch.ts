// PATCH /Users/{id} (RFC 7644 §3.5.2) with what Okta and Entra ID really send (docs/idp-requests.md).
// Pure: the input document is never modified. All operations are applied to one deep copy, in
// order; the first failing operation throws and the copy is dropped, so a request applies
// completely or not at all (RFC 7644 §3.5.2: "the entire request SHALL be treated as atomic").
//
// Not checked here, because the engine cannot know the stored "before" nor the organization's
// setting: changes of the userName and the primary email. The caller compares the result with
// identityChanges (../resource/assert-immutable-unchanged.ts).

import type { ScimComplex, ScimUserDocument } from '../resource/scim-user.ts';
import { isComplex, withSchemas } from '../resource/scim-user.ts';
import { findAttribute, USER_RESOURCE_ATTRIBUTES } from '../schemas/resolve-attribute.ts';
import { badRequest, ScimError } from '../scim-error.ts';
import { applyOperation } from './apply-operation.ts';
import { elementsOf } from './multi-valued.ts';
import type { PatchOperation } from './parse-patch-body.ts';
import { parsePatchBody } from './parse-patch-body.ts';

/** Multi-valued attributes with a `primary` sub-attribute (emails, phoneNumbers, addresses, …). */
const WITH_PRIMARY = USER_RESOURCE_ATTRIBUTES.filter(
  (definition) => definition.multiValued && findAttribute(definition.subAttributes ?? [], 'primary'),
);
const REQUIRED = USER_RESOURCE_ATTRIBUTES.filter((definition) => definition.required);

function primaries(document: ScimComplex): Set<ScimComplex> {
  const found = new Set<ScimComplex>();
  for (const definition of WITH_PRIMARY) {
    for (const element of elementsOf(document, definition)) {
      if (isComplex(element) && element.primary === true) found.add(element);
    }
  }
  return found;
}

/**
 * RFC 7643 §2.4: `primary: true` appears at most once per attribute. When an operation makes a
 * value primary, the others of that attribute stop being primary; an operation making two
 * values primary at once is refused.
 */
function settlePrimaries(document: ScimComplex, before: Set<ScimComplex>): void {
  for (const definition of WITH_PRIMARY) {
    const marked = elementsOf(document, definition).filter(
      (element): element is ScimComplex => isComplex(element) && element.primary === true,
    );
    if (marked.length < 2) continue;
    const fresh = marked.filter((element) => !before.has(element));
    if (fresh.length > 1)
      throw badRequest(`${definition.name} would have more than one value with primary true`);
    if (fresh.length === 1) for (const element of marked) if (element !== fresh[0]) element.primary = false;
  }
}

/** A required attribute (userName) that had a value keeps one: removing it is refused. */
function assertRequiredKept(before: ScimComplex, after: ScimComplex): void {
  for (const definition of REQUIRED) {
    const had = before[definition.name];
    const has = after[definition.name];
    if (had !== undefined && had !== '' && (has === undefined || has === '')) {
      throw new ScimError(400, `${definition.name} is required and cannot be removed`, 'mutability');
    }
  }
}

function describe(operation: PatchOperation, index: number): string {
  return `Operations[${index}] (${operation.op}${operation.path ? ` ${operation.path.text}` : ''})`;
}

export function applyPatch(resource: ScimUserDocument, body: unknown): ScimUserDocument {
  const operations = parsePatchBody(body);
  const document: ScimComplex = structuredClone(resource);
  for (const [index, operation] of operations.entries()) {
    try {
      const before = primaries(document);
      const snapshot = { ...document };
      applyOperation(document, operation);
      settlePrimaries(document, before);
      assertRequiredKept(snapshot, document);
    } catch (error) {
      if (!(error instanceof ScimError)) throw error;
      throw new ScimError(error.status, `${describe(operation, index)}: ${error.detail}`, error.scimType);
    }
  }
  return withSchemas(document) as ScimUserDocument;
}
