// The resources events carry, as they are after the change. Only what the organization may see:
// a member is its membership (never the person's account id, which would date an account that
// exists elsewhere).
import type { GroupRow } from '../store/repos/groups.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { OrganizationRecord } from '../store/repos/organizations.ts';
import type { EventResource } from './record-event.ts';

/** A member from its row and its stored IdP view (parsed from the row when not given). */
export function memberResource(row: MemberRow, profile?: Readonly<Record<string, unknown>>): EventResource {
  const view = profile ?? (JSON.parse(row.profile) as Record<string, unknown>);
  return {
    object: 'member',
    id: row.id,
    userName: row.user_name,
    externalId: row.external_id,
    displayName: row.display_name,
    name: { givenName: row.given_name, familyName: row.family_name },
    emails: Array.isArray(view.emails) ? view.emails : [],
    active: row.status === 'active',
    status: row.status,
    role: row.role,
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deactivatedAt: row.deactivated_at,
  };
}

/** A member as another resource names it. */
export function memberReference(row: Pick<MemberRow, 'id' | 'user_name'>) {
  return { id: row.id, userName: row.user_name };
}

/** A group the identity provider pushed: what `GET /api/v1/groups` shows of it, never its members. */
export function groupResource(row: GroupRow): EventResource {
  return {
    object: 'group',
    id: row.id,
    displayName: row.display_name,
    externalId: row.external_id,
    memberCount: row.member_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Events name at most this many members added or removed; `count` says how many there were. */
export const EVENT_MEMBER_IDS = 100;

/**
 * A group with the members one change added or removed: their SCIM User ids, at most
 * EVENT_MEMBER_IDS of them (a push of thousands would otherwise make one huge payload, delivered to
 * every endpoint), and how many there were.
 */
export function groupMembersResource(row: GroupRow, memberIds: readonly string[]): EventResource {
  return {
    ...groupResource(row),
    members: { count: memberIds.length, ids: memberIds.slice(0, EVENT_MEMBER_IDS) },
  };
}

/** An organization as the organizations API shows it (`GET /api/v1/organizations/:id`). */
export function organizationResource(row: OrganizationRecord): EventResource {
  return {
    object: 'organization',
    id: row.id,
    slug: row.slug,
    name: row.name,
    disabled: row.disabled_at !== null,
    disabledAt: row.disabled_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
