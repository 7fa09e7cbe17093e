// A membership row → the SCIM User resource the organization's IdP sees (RFC 7643 §4.1).

import { parseProfile } from '../membership/member-row.ts';
import type { ScimMultiValue, ScimUserDocument } from '../scim/resource/scim-user.ts';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from '../scim/schemas/urns.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { Role } from '../store/schema.ts';

export function etagOf(version: number): string {
  return `W/"${version}"`;
}

export function rolesOf(role: Role | null): ScimMultiValue[] {
  return role === null
    ? []
    : [{ value: role, display: role === 'admin' ? 'Admin' : 'Member', primary: true }];
}

/** The member's stored IdP view plus the server-owned attributes: id, active, roles, meta. */
export function memberDocument(row: MemberRow): ScimUserDocument {
  const profile = parseProfile(row.profile) as ScimUserDocument;
  return { ...profile, userName: row.user_name, active: row.status === 'active' };
}

export function toScimUser(row: MemberRow, scimBaseUrl: string): ScimUserDocument {
  const profile = parseProfile(row.profile) as ScimUserDocument;
  const schemas = [USER_SCHEMA];
  if (profile[ENTERPRISE_USER_SCHEMA] !== undefined) schemas.push(ENTERPRISE_USER_SCHEMA);
  return {
    schemas,
    id: row.id,
    ...profile,
    userName: row.user_name,
    active: row.status === 'active',
    roles: rolesOf(row.role),
    meta: {
      resourceType: 'User',
      created: row.created_at,
      lastModified: row.updated_at,
      location: `${scimBaseUrl}/Users/${row.id}`,
      version: etagOf(row.version),
    },
  };
}
