// A member as a request works with it: the stored row and its profile, parsed at most once, when
// first needed (a 304 never needs it), or kept from the document that was just stored. Everything
// that needs the member's SCIM view (the PUT/PATCH base, the identity checks, the audit snapshots,
// the response) reads it from here instead of parsing `row.profile` again.
import type { ScimUserDocument } from '../scim/resource/scim-user.ts';
import type { MemberResourceRow, MemberRow } from '../store/repos/members.ts';
import { type MemberProfile, parseProfile } from './member-row.ts';

/** A member with its whole row, or (a SCIM page's or lookup's) only the columns of its resource. */
export interface LoadedMember<Row extends MemberResourceRow = MemberRow> {
  readonly row: Row;
  /** `row.profile`, parsed. Shared, never modified: the SCIM core copies what it changes. */
  readonly profile: MemberProfile;
}

/** Parses the profile on first read; a class, so every loaded member shares one shape (a page makes 100). */
class Member<Row extends MemberResourceRow> implements LoadedMember<Row> {
  private parsed: MemberProfile | undefined;

  constructor(readonly row: Row) {}

  get profile(): MemberProfile {
    this.parsed ??= parseProfile(this.row.profile);
    return this.parsed;
  }
}

export function loadMember<Row extends MemberResourceRow>(row: Row): LoadedMember<Row> {
  return new Member(row);
}

/** The member's stored IdP view plus the server-owned `userName` and `active`: a new object. */
export function memberDocument(member: LoadedMember): ScimUserDocument {
  const { row } = member;
  return {
    ...(member.profile as ScimUserDocument),
    userName: row.user_name,
    active: row.status === 'active',
  };
}

/** What the audit log keeps of a member: its IdP view, status and role. */
export function auditSnapshot(member: LoadedMember): Record<string, unknown> {
  const { row } = member;
  return { ...memberDocument(member), role: row.role, previousRole: row.previous_role, status: row.status };
}
