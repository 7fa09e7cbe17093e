// POST and PUT bodies → a canonical ScimUserInput (RFC 7643 §2.1, §4.1, §4.3; RFC 7644 §3.3).
//
// Tolerances, each for something a real client does:
// - attribute names in any case (`USERNAME`, `Name.GivenName`), rewritten to canonical names;
// - the Enterprise extension under its URN key in any case, or as URN-prefixed flat keys
//   (`"urn:…:enterprise:2.0:User:department": "X"`), or both;
// - read-only attributes are ignored (Entra sends `roles: []`, Okta `groups: []`), as RFC 7644
//   §3.3 asks; `password` is accepted and dropped (Okta always sends one; Roster never stores it);
// - unknown attributes and unknown schema URNs are dropped rather than rejected, so an IdP
//   mapping an attribute Roster does not know does not break provisioning.
// `null` is kept as an explicit null so that PUT can tell "clear" from "omitted" (mergeReplace).

import type { AttributeDefinition } from '../schemas/attribute-definition.ts';
import { findAttribute, formatAttributePath, resolveAttributePath } from '../schemas/resolve-attribute.ts';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from '../schemas/urns.ts';
import { badRequest } from '../scim-error.ts';
import { coerceAttributeValue } from './coerce-value.ts';
import type { ScimComplex, ScimUserDocument, ScimUserInput, ScimValue } from './scim-user.ts';
import { isComplex } from './scim-user.ts';

interface Assignment {
  readonly chain: readonly AttributeDefinition[];
  readonly value: unknown;
}

const isWritable = (definition: AttributeDefinition): boolean =>
  definition.mutability !== 'readOnly' && definition.mutability !== 'writeOnly';

/** Splits nested single-valued complex values into one assignment per leaf. */
function flatten(chain: readonly AttributeDefinition[], value: unknown, into: Assignment[]): void {
  const last = chain[chain.length - 1];
  if (last?.type !== 'complex' || last.multiValued || !isComplex(value) || Object.keys(value).length === 0) {
    into.push({ chain, value });
    return;
  }
  for (const [key, subValue] of Object.entries(value)) {
    const sub = findAttribute(last.subAttributes ?? [], key);
    if (sub && isWritable(sub)) flatten([...chain, sub], subValue, into);
  }
}

function assign(result: ScimComplex, { chain, value }: Assignment): void {
  const path = formatAttributePath(chain);
  let container = result;
  for (const definition of chain.slice(0, -1)) {
    const existing = container[definition.name];
    if (existing === undefined) container[definition.name] = {};
    const next = container[definition.name];
    if (!isComplex(next))
      throw badRequest(`${path} conflicts with ${definition.name}: null`, 'invalidSyntax');
    container = next;
  }
  const last = chain[chain.length - 1];
  if (!last) return;
  const existing = container[last.name];
  if (existing !== undefined) {
    if (isComplex(existing) && isComplex(value) && Object.keys(value).length === 0) return;
    throw badRequest(
      `${path} appears more than once (attribute names are case-insensitive)`,
      'invalidSyntax',
    );
  }
  container[last.name] = value === null ? null : coerceAttributeValue(last, value, path, { keepNulls: true });
}

function checkSchemas(value: unknown): void {
  if (!Array.isArray(value) || !value.every((urn) => typeof urn === 'string')) {
    throw badRequest('schemas must be an array of schema URNs');
  }
}

export function normalizeUserInput(body: unknown): ScimUserInput {
  if (!isComplex(body)) throw badRequest('The request body must be a JSON object', 'invalidSyntax');
  const assignments: Assignment[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === 'schemas') {
      checkSchemas(value);
      continue;
    }
    const chain = resolveAttributePath(key);
    if (!chain?.every(isWritable)) continue; // unknown, read-only or password: dropped
    const multiValued = chain.slice(0, -1).find((definition) => definition.multiValued);
    if (multiValued) {
      // `"emails.value": "x"` cannot say which element it means.
      throw badRequest(
        `${key}: ${multiValued.name} is multi-valued; send "${multiValued.name}" as an array of objects`,
        'invalidPath',
      );
    }
    flatten(chain, value, assignments);
  }
  const result: ScimComplex = {};
  for (const assignment of assignments) assign(result, assignment);
  result.schemas = isComplex(result[ENTERPRISE_USER_SCHEMA])
    ? [USER_SCHEMA, ENTERPRISE_USER_SCHEMA]
    : [USER_SCHEMA];
  return result as ScimUserInput;
}

/** For create: `userName` must be a non-blank string (RFC 7643 §4.1.1: required). */
export function requireUserName(input: ScimUserInput | ScimUserDocument): string {
  const userName = input.userName;
  if (typeof userName !== 'string' || userName.trim() === '') throw badRequest('userName is required');
  return userName;
}

function withoutNulls(value: ScimValue): ScimValue | undefined {
  if (value === null) return undefined;
  if (Array.isArray(value)) return value.map(withoutNulls).filter((element) => element !== undefined);
  if (!isComplex(value)) return value;
  const result: ScimComplex = {};
  for (const [key, sub] of Object.entries(value)) {
    const kept = sub === undefined ? undefined : withoutNulls(sub);
    if (kept !== undefined) result[key] = kept;
  }
  return result;
}

/** For create: the stored document of a normalized body (null and absent are the same there). */
export function toUserDocument(input: ScimUserInput): ScimUserDocument {
  return withoutNulls(input as ScimComplex) as ScimUserDocument;
}
