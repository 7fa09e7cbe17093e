// A member → the SCIM User resource the organization's IdP sees (RFC 7643 §4.1).

import type { LoadedMember } from '../membership/loaded-member.ts';
import type { ScimMultiValue, ScimUserDocument } from '../scim/resource/scim-user.ts';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from '../scim/schemas/urns.ts';
import type { MemberResourceRow } from '../store/repos/members.ts';
import type { Role } from '../store/schema.ts';

export function etagOf(version: number): string {
  return `W/"${version}"`;
}

export function rolesOf(role: Role | null): ScimMultiValue[] {
  return role === null
    ? []
    : [{ value: role, display: role === 'admin' ? 'Admin' : 'Member', primary: true }];
}

/**
 * The member's stored IdP view plus the server-owned attributes: id, active, roles, the groups the
 * caller read for it (group-resource.ts, groupsOfMembers), meta.
 */
export function toScimUser(
  member: LoadedMember<MemberResourceRow>,
  scimBaseUrl: string,
  groups: readonly ScimMultiValue[] = [],
): ScimUserDocument {
  const { row } = member;
  const profile = member.profile as ScimUserDocument;
  const schemas = [USER_SCHEMA];
  if (profile[ENTERPRISE_USER_SCHEMA] !== undefined) schemas.push(ENTERPRISE_USER_SCHEMA);
  return {
    schemas,
    id: row.id,
    ...profile,
    userName: row.user_name,
    active: row.status === 'active',
    roles: rolesOf(row.role),
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
