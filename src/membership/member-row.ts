// A membership row: the SCIM view of a person (its `profile` document) and the columns the row keeps
// beside it for indexed lookups, filters and sorting. The document is the truth; columns are derived
// from it. `newMemberRow` is the one way a new row is built, for every writer (provisioning, the
// first Admin, the benchmark seed, the tests' seeds and fixtures).
import { newId, now } from '../store/ids.ts';
import type { MemberEmailRow, MemberRow } from '../store/repos/members.ts';
import type { MemberSource, MembershipsTable, Role } from '../store/schema.ts';

export type MemberProfile = Record<string, unknown>;

/**
 * Server-owned attributes: never part of the stored profile. `roles` and `entitlements` are the
 * IdP's assignments, kept as the member's entitlements (`member_entitlements`), not in the profile.
 */
const SERVER_OWNED = new Set([
  'id',
  'meta',
  'active',
  'roles',
  'entitlements',
  'groups',
  'schemas',
  'password',
]);

/** The columns of a membership row derived from its profile document. */
export type ProfileColumns = Pick<
  MembershipsTable,
  'user_name' | 'external_id' | 'display_name' | 'given_name' | 'family_name' | 'profile'
>;

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

/** The columns of a profile that `storedProfile` already cleaned. */
export function columnsOfStoredProfile(profile: MemberProfile): ProfileColumns {
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

export function profileColumns(document: MemberProfile): ProfileColumns {
  return columnsOfStoredProfile(storedProfile(document));
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

export interface NewMemberRowInput {
  organizationId: string;
  userId: string;
  /** The member's dense position in the organization (`organizations.nextMemberSeq`). */
  seq: number;
  /** The person as the identity provider (or whoever adds them) describes them. */
  document: MemberProfile;
  source: MemberSource;
  /** The member's role; a member created deactivated keeps it as their previous role. */
  role: Role;
  /** False: created deactivated (an IdP may POST `active: false`). Default true. */
  active?: boolean;
  /** Default: a new time-ordered id. */
  id?: string;
  /** Creation time. Default: now. */
  at?: string;
}

export interface NewMemberRow {
  row: MemberRow;
  /** The `member_emails` rows to insert with it (`tx.members.insert(row, emails)`). */
  emails: MemberEmailRow[];
  /** The stored profile, parsed: what `row.profile` holds. */
  profile: MemberProfile;
}

/** A new membership row (version 1) with its email index, built from the person's document. */
export function newMemberRow(input: NewMemberRowInput): NewMemberRow {
  const at = input.at ?? now();
  const active = input.active ?? true;
  const profile = storedProfile(input.document);
  const row: MemberRow = {
    id: input.id ?? newId(),
    organization_id: input.organizationId,
    user_id: input.userId,
    seq: input.seq,
    role: active ? input.role : null,
    previous_role: active ? null : input.role,
    direct_role: input.role,
    status: active ? 'active' : 'deactivated',
    source: input.source,
    ...columnsOfStoredProfile(profile),
    version: 1,
    created_at: at,
    updated_at: at,
    deactivated_at: active ? null : at,
  };
  return { row, emails: profileEmails(input.document), profile };
}
