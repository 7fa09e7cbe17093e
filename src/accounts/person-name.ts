// The first Admin's name, asked by `roster init --admin-name` and `/setup`. It becomes the member's
// `name.givenName`, `name.familyName` and `displayName`, as an identity provider would send them: on
// a fresh organization the Admin is the first User of `GET /Users`, whose `name.givenName` Okta's
// SCIM 2.0 SPEC test reads (docs/idp-requests.md).
import { RosterError } from '../errors.ts';
import type { ScimUserDocument } from '../scim/resource/scim-user.ts';

const MAX_PART = 200;

export interface PersonName {
  givenName: string;
  /** Optional: some people have one name. */
  familyName?: string;
}

/**
 * `"Given Family"` as typed on a command line: the last word is the family name, everything before
 * it the given name ("Mary Ann Smith" → "Mary Ann" and "Smith"); one word is a given name alone.
 */
export function parseFullName(text: string): PersonName {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const familyName = words.length > 1 ? words.pop() : undefined;
  return { givenName: words.join(' '), ...(familyName ? { familyName } : {}) };
}

function part(value: string | undefined, what: string): string | undefined {
  const trimmed = value?.trim().replace(/\s+/g, ' ');
  if (!trimmed) return undefined;
  if (trimmed.length > MAX_PART || /\p{Cc}/u.test(trimmed)) {
    throw new RosterError(
      'invalid_value',
      `the Admin's ${what} must be at most ${MAX_PART} printable characters`,
    );
  }
  return trimmed;
}

/** The name checked and tidied (spaces collapsed), as the SCIM attributes it is stored as. */
export function nameAttributes(name: PersonName): Pick<ScimUserDocument, 'name' | 'displayName'> {
  const givenName = part(name.givenName, 'given name');
  if (!givenName) throw new RosterError('invalid_value', "the Admin's name needs at least a given name");
  const familyName = part(name.familyName, 'family name');
  const formatted = familyName ? `${givenName} ${familyName}` : givenName;
  return {
    name: { givenName, ...(familyName ? { familyName } : {}), formatted },
    displayName: formatted,
  };
}
