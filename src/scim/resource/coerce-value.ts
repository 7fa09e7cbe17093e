// Checks one client value against an attribute definition and returns it in canonical form.
// Shared by normalizeUserInput (POST/PUT bodies) and applyPatch (operation values), so that both
// accept exactly the same shapes. Every failure is a 400 `invalidValue` naming the attribute.
//
// Limits (generous for real directories, small enough that no single value is abusive):
// strings 1024 characters, references (URLs) 2048, binary (base64 certificates) 16384,
// multi-valued attributes 100 elements.

import type { AttributeDefinition } from '../schemas/attribute-definition.ts';
import { findAttribute } from '../schemas/resolve-attribute.ts';
import { badRequest } from '../scim-error.ts';
import type { ScimComplex, ScimValue } from './scim-user.ts';
import { isComplex } from './scim-user.ts';

export const MAX_STRING_LENGTH = 1024;
export const MAX_REFERENCE_LENGTH = 2048;
export const MAX_BINARY_LENGTH = 16384;
export const MAX_MULTI_VALUED_ELEMENTS = 100;

export interface CoerceOptions {
  /** Keep `null` sub-attributes (a PUT body: null = clear) instead of dropping them. */
  readonly keepNulls: boolean;
}

/**
 * Booleans: true/false, and the strings "true"/"false" in any case — Entra ID sends
 * `"active": "False"` and `"primary": "True"` (docs/idp-requests.md, failure mode 2).
 */
export function coerceBoolean(value: unknown, path: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  throw badRequest(`${path} must be a boolean (true or false)`);
}

function coerceString(value: unknown, path: string, maxLength: number, what = 'a string'): string {
  if (typeof value !== 'string') throw badRequest(`${path} must be ${what}`);
  if (value.length > maxLength) throw badRequest(`${path} is longer than ${maxLength} characters`);
  return value;
}

/**
 * Entra ID sends the enterprise `manager` as a bare string, the manager's id, where RFC 7643 §4.3
 * has a complex value: `{"op":"Add","path":"…:enterprise:2.0:User:manager","value":"<id>"}`, and
 * `"manager": "<id>"` in a POST body (docs/idp-requests.md, E4). A single-valued complex
 * attribute with a `value` sub-attribute reads a bare string as `{"value": "<string>"}`; the only
 * such attribute of a User is `manager`.
 */
export function fromBareValue(definition: AttributeDefinition, value: unknown): unknown {
  if (definition.type !== 'complex' || definition.multiValued || typeof value !== 'string') return value;
  return findAttribute(definition.subAttributes ?? [], 'value') ? { value } : value;
}

/** One value of `definition` (an element, for a multi-valued attribute). */
export function coerceSingleValue(
  definition: AttributeDefinition,
  value: unknown,
  path: string,
  options: CoerceOptions,
): ScimValue {
  switch (definition.type) {
    case 'string':
      return coerceString(value, path, MAX_STRING_LENGTH);
    case 'reference':
      return coerceString(value, path, MAX_REFERENCE_LENGTH, 'a string (a URI)');
    case 'binary':
      return coerceString(value, path, MAX_BINARY_LENGTH, 'a base64 string');
    case 'dateTime': {
      const text = coerceString(value, path, 64, 'a date-time string');
      if (Number.isNaN(Date.parse(text))) throw badRequest(`${path} must be an xsd:dateTime (RFC 3339)`);
      return text;
    }
    case 'boolean':
      return coerceBoolean(value, path);
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value))
        throw badRequest(`${path} must be an integer`);
      return value;
    case 'decimal':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw badRequest(`${path} must be a number`);
      return value;
    case 'complex': {
      const complex = fromBareValue(definition, value);
      if (!isComplex(complex)) throw badRequest(`${path} must be an object`);
      return coerceComplex(definition.subAttributes ?? [], complex, path, options);
    }
  }
}

/**
 * The sub-attributes of a complex value. Names are matched case-insensitively and rewritten to
 * their canonical spelling. Unknown and read-only sub-attributes are dropped (RFC 7644 §3.3:
 * read-only values in a request are ignored); since only defined names are ever written,
 * `__proto__` and friends can never become keys of the result.
 */
export function coerceComplex(
  definitions: readonly AttributeDefinition[],
  value: ScimComplex | Record<string, unknown>,
  path: string,
  options: CoerceOptions,
): ScimComplex {
  const result: ScimComplex = {};
  const seen = new Set<string>();
  for (const [key, raw] of Object.entries(value)) {
    const definition = findAttribute(definitions, key);
    if (!definition || definition.mutability === 'readOnly') continue;
    if (seen.has(definition.name))
      throw badRequest(`${path}.${definition.name} appears twice`, 'invalidSyntax');
    seen.add(definition.name);
    const subPath = `${path}.${definition.name}`;
    if (raw === null || raw === undefined) {
      if (options.keepNulls && raw === null) result[definition.name] = null;
      continue;
    }
    result[definition.name] = coerceAttributeValue(definition, raw, subPath, options);
  }
  return result;
}

/**
 * A whole attribute value. Multi-valued: an array (a single object is wrapped — tolerance for
 * clients that send one email as an object), null elements dropped, at most one `primary: true`
 * (RFC 7643 §2.4).
 */
export function coerceAttributeValue(
  definition: AttributeDefinition,
  value: unknown,
  path: string,
  options: CoerceOptions,
): ScimValue {
  if (!definition.multiValued) return coerceSingleValue(definition, value, path, options);
  const elements = Array.isArray(value) ? value : [value];
  if (elements.length > MAX_MULTI_VALUED_ELEMENTS) {
    throw badRequest(`${path} has more than ${MAX_MULTI_VALUED_ELEMENTS} values`);
  }
  // Elements are replaced whole, so a null inside one means nothing: drop it.
  const result = elements
    .filter((element) => element !== null && element !== undefined)
    .map((element) => coerceSingleValue(definition, element, path, { ...options, keepNulls: false }));
  assertSinglePrimary(result, path);
  return result;
}

export function assertSinglePrimary(elements: readonly ScimValue[], path: string): void {
  const primaries = elements.filter((element) => isComplex(element) && element.primary === true);
  if (primaries.length > 1) throw badRequest(`${path} has more than one value with primary true`);
}
