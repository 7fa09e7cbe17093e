// The SCIM view of a person (its `profile` document) ↔ the columns a membership row keeps beside it
// for indexed lookups, filters and sorting. The document is the truth; columns are derived from it.
import type { MemberEmailRow } from '../store/repos/members.ts';

export type MemberProfile = Record<string, unknown>;

/** Server-owned attributes: never part of the stored profile. */
const SERVER_OWNED = new Set(['id', 'meta', 'active', 'roles', 'groups', 'schemas', 'password']);

export interface ProfileColumns {
  user_name: string;
  external_id: string | null;
  display_name: string | null;
  given_name: string | null;
  family_name: string | null;
  profile: string;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export function storedProfile(document: MemberProfile): MemberProfile {
  const profile: MemberProfile = {};
  for (const [key, value] of Object.entries(document)) {
    if (!SERVER_OWNED.has(key) && value !== null && value !== undefined) profile[key] = value;
  }
  return profile;
}

export function profileColumns(document: MemberProfile): ProfileColumns {
  const profile = storedProfile(document);
  const name = (profile.name ?? {}) as Record<string, unknown>;
  return {
    user_name: String(profile.userName ?? ''),
    external_id: text(profile.externalId),
    display_name: text(profile.displayName),
    given_name: text(name.givenName),
    family_name: text(name.familyName),
    profile: JSON.stringify(profile),
  };
}

export function profileEmails(document: MemberProfile): MemberEmailRow[] {
  const emails = Array.isArray(document.emails) ? document.emails : [];
  const rows: MemberEmailRow[] = [];
  for (const email of emails) {
    if (email === null || typeof email !== 'object') continue;
    const { value, type, primary } = email as Record<string, unknown>;
    if (typeof value !== 'string' || value === '') continue;
    rows.push({ value, type: typeof type === 'string' ? type : null, primary: primary === true });
  }
  return rows;
}

export function parseProfile(json: string): MemberProfile {
  const parsed: unknown = JSON.parse(json);
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as MemberProfile)
    : {};
}
