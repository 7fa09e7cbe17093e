// A member → the SCIM User resource the organization's IdP sees (RFC 7643 §4.1).

import type { LoadedMember } from '../membership/loaded-member.ts';
import type { ScimMultiValue, ScimUserDocument } from '../scim/resource/scim-user.ts';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from '../scim/schemas/urns.ts';
import type { MemberResourceRow } from '../store/repos/members.ts';
import type { Role } from '../store/schema.ts';
import { type AssignedValues, NO_ASSIGNMENTS } from './idp-assignments.ts';

export function etagOf(version: number): string {
  return `W/"${version}"`;
}

/**
 * The member's stored IdP view plus the server-owned attributes: id, active, the roles and
 * entitlements the IdP assigned (idp-assignments.ts, read by the caller), the groups the caller
 * read for it (group-resource.ts, groupsOfMembers), meta.
 */
export function toScimUser(
  member: LoadedMember<MemberResourceRow>,
  scimBaseUrl: string,
  groups: readonly ScimMultiValue[] = [],
  assigned: AssignedValues = NO_ASSIGNMENTS,
): ScimUserDocument {
  const { row } = member;
  const { entitlements: _stored, ...profile } = member.profile as ScimUserDocument;
  const schemas = [USER_SCHEMA];
  if (profile[ENTERPRISE_USER_SCHEMA] !== undefined) schemas.push(ENTERPRISE_USER_SCHEMA);
  return {
    schemas,
    id: row.id,
    ...profile,
    userName: row.user_name,
    active: row.status === 'active',
    ...(assigned.entitlements.length > 0 ? { entitlements: [...assigned.entitlements] } : {}),
    roles: [...assigned.roles],
    ...(groups.length > 0 ? { groups: [...groups] } : {}),
    meta: {
      resourceType: 'User',
      created: row.created_at,
      lastModified: row.updated_at,
      location: `${scimBaseUrl}/Users/${row.id}`,
      version: etagOf(row.version),
    },
  };
}
