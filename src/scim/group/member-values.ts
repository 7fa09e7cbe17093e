// Reading group bodies the way clients write them: keys in any case (Entra's `Value`), a `members`
// value as a list or as one object, and only the `value` of each element (the id of a User):
// `display`, `$ref`, `type` and anything else (Microsoft's reference tests send `displayName`)
// are the client's copy of what Roster keeps, and ignored.
import { badRequest } from '../scim-error.ts';

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value of `name` in `object`, matching the key case-insensitively (own keys only). */
export function memberOf(object: Record<string, unknown>, name: string): unknown {
  const lower = name.toLowerCase();
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === lower);
  return key === undefined ? undefined : object[key];
}

export function hasKey(object: Record<string, unknown>, name: string): boolean {
  const lower = name.toLowerCase();
  return Object.keys(object).some((candidate) => candidate.toLowerCase() === lower);
}

/** The most member ids one request may name: a batch of Entra or Okta is far below it. */
export const MAX_MEMBERS_PER_REQUEST = 10_000;

/** `[{"value": "id"}, …]` (or one such object) → the ids, in order, without repeats. */
export function memberIdsOf(value: unknown, where: string): string[] {
  if (value === null) return [];
  const elements = Array.isArray(value) ? value : [value];
  if (elements.length > MAX_MEMBERS_PER_REQUEST) {
    throw badRequest(`${where} names ${elements.length} members; the limit is ${MAX_MEMBERS_PER_REQUEST}`);
  }
  const ids = new Set<string>();
  for (const [index, element] of elements.entries()) {
    const id = isObject(element) ? memberOf(element, 'value') : undefined;
    if (typeof id !== 'string' || id.trim() === '') {
      throw badRequest(`${where}[${index}] must be an object with the member's id as "value"`);
    }
    ids.add(id);
  }
  return [...ids];
}

/** A displayName as sent: a non-empty string. */
export function displayNameOf(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw badRequest(`${where} must be a non-empty string`);
  if (value.length > 256) throw badRequest(`${where} is longer than 256 characters`);
  return value;
}

/** An externalId as sent: a string, or null to clear it. */
export function externalIdOf(value: unknown, where: string): string | null {
  if (value === null || value === '') return null;
  if (typeof value !== 'string') throw badRequest(`${where} must be a string`);
  if (value.length > 256) throw badRequest(`${where} is longer than 256 characters`);
  return value;
}
