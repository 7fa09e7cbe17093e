// GET /Roles and GET /Workspaces (Okta, "Build a SCIM 2.0 server with entitlements";
// docs/idp-requests.md#okta-entitlements): the values Okta Identity Governance may assign to a
// User, as `roles[].value` (the organization roles) and `entitlements[].value` of type "Workspace"
// (the organization's workspaces). Both are read-only: roles are fixed, workspaces are made in Roster.
import { RosterError } from '../errors.ts';
import { WORKSPACE_ENTITLEMENT_TYPE } from '../scim/schemas/entitlement-attributes.ts';
import { OKTA_ENTITLEMENT_SCHEMA, OKTA_ROLE_SCHEMA } from '../scim/schemas/urns.ts';
import type { WorkspaceRecord } from '../store/repos/workspaces.ts';
import type { Role } from '../store/schema.ts';
import type { Repositories } from '../store/store.ts';
import { DEFAULT_PAGE_SIZE, integerParameter, MAX_PAGE_SIZE } from './list-members.ts';

export interface ScimRole {
  schemas: [typeof OKTA_ROLE_SCHEMA];
  id: Role;
  displayName: string;
  description: string;
  meta: { resourceType: 'Role'; location: string };
}

export interface ScimWorkspace {
  schemas: [typeof OKTA_ENTITLEMENT_SCHEMA];
  id: string;
  type: typeof WORKSPACE_ENTITLEMENT_TYPE;
  displayName: string;
  meta: {
    resourceType: typeof WORKSPACE_ENTITLEMENT_TYPE;
    created: string;
    lastModified: string;
    location: string;
  };
}

/** The organization roles, in the order Okta lists them; `id` is what `roles[].value` carries. */
export const ORGANIZATION_ROLES: readonly { id: Role; displayName: string; description: string }[] = [
  {
    id: 'admin',
    displayName: 'Admin',
    description:
      'Manages the organization (members, workspaces, sign-in, provisioning, tokens) and reaches every workspace.',
  },
  { id: 'member', displayName: 'Member', description: 'Reaches the workspaces granted to them.' },
];

/** `display` of a role value, as `roles[]` of a User shows it. */
export function roleDisplayName(role: Role): string {
  return role === 'admin' ? 'Admin' : 'Member';
}

export function toScimRole(role: (typeof ORGANIZATION_ROLES)[number], scimBaseUrl: string): ScimRole {
  return {
    schemas: [OKTA_ROLE_SCHEMA],
    id: role.id,
    displayName: role.displayName,
    description: role.description,
    meta: { resourceType: 'Role', location: `${scimBaseUrl}/Roles/${role.id}` },
  };
}

export function toScimWorkspace(workspace: WorkspaceRecord, scimBaseUrl: string): ScimWorkspace {
  return {
    schemas: [OKTA_ENTITLEMENT_SCHEMA],
    id: workspace.id,
    type: WORKSPACE_ENTITLEMENT_TYPE,
    displayName: workspace.name,
    meta: {
      resourceType: WORKSPACE_ENTITLEMENT_TYPE,
      created: workspace.created_at,
      lastModified: workspace.updated_at,
      location: `${scimBaseUrl}/Workspaces/${workspace.id}`,
    },
  };
}

export interface EntitlementQuery {
  filter?: string | undefined;
  startIndex?: string | undefined;
  count?: string | undefined;
}

export interface EntitlementPage<T> {
  totalResults: number;
  startIndex: number;
  resources: T[];
}

/** RFC 7644 §3.4.2.4 paging as for Users (Okta's Entitlements test asks `count=1&startIndex=1`). */
function paging(query: EntitlementQuery): { startIndex: number; count: number } {
  // Okta reads every value of the endpoint and never filters; a filter would be answered unfiltered.
  if (query.filter !== undefined && query.filter.trim() !== '') {
    throw new RosterError(
      'invalid_filter',
      'Roles and Workspaces cannot be filtered: list them with startIndex and count',
    );
  }
  return {
    startIndex: Math.max(1, integerParameter('startIndex', query.startIndex, 1)),
    count: Math.min(MAX_PAGE_SIZE, Math.max(0, integerParameter('count', query.count, DEFAULT_PAGE_SIZE))),
  };
}

export function listRoles(query: EntitlementQuery, scimBaseUrl: string): EntitlementPage<ScimRole> {
  const { startIndex, count } = paging(query);
  return {
    totalResults: ORGANIZATION_ROLES.length,
    startIndex,
    resources: ORGANIZATION_ROLES.slice(startIndex - 1, startIndex - 1 + count).map((role) =>
      toScimRole(role, scimBaseUrl),
    ),
  };
}

export function getRole(id: string, scimBaseUrl: string): ScimRole {
  const role = ORGANIZATION_ROLES.find((candidate) => candidate.id === id.toLowerCase());
  if (!role) throw new RosterError('not_found', `no Role with id "${id}": the roles are admin and member`);
  return toScimRole(role, scimBaseUrl);
}

export async function listWorkspaces(
  store: Repositories,
  organizationId: string,
  query: EntitlementQuery,
  scimBaseUrl: string,
): Promise<EntitlementPage<ScimWorkspace>> {
  const { startIndex, count } = paging(query);
  const totalResults = await store.workspaces.count(organizationId);
  const rows = count === 0 ? [] : await store.workspaces.page(organizationId, startIndex - 1, count);
  return { totalResults, startIndex, resources: rows.map((row) => toScimWorkspace(row, scimBaseUrl)) };
}

export async function getWorkspace(
  store: Repositories,
  organizationId: string,
  id: string,
  scimBaseUrl: string,
): Promise<ScimWorkspace> {
  const workspace = await store.workspaces.getById(organizationId, id);
  if (!workspace) throw new RosterError('not_found', `no Workspace with id "${id}" in this organization`);
  return toScimWorkspace(workspace, scimBaseUrl);
}
