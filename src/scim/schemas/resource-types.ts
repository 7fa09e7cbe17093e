// `GET /ResourceTypes` (RFC 7643 §6, RFC 7644 §4): User and Group, and for Okta Identity Governance
// the organization's roles and workspaces, under the schemas and the names Okta's entitlements guide
// asks for (docs/idp-requests.md#okta-entitlements): Okta reads every resource type whose schema is
// its Role or Entitlement URN and lists the values at its endpoint.

import { WORKSPACE_ENTITLEMENT_TYPE } from './entitlement-attributes.ts';
import { trimBaseUrl } from './schema-documents.ts';
import {
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  OKTA_ENTITLEMENT_SCHEMA,
  OKTA_ROLE_SCHEMA,
  RESOURCE_TYPE_SCHEMA,
  USER_SCHEMA,
} from './urns.ts';

export interface ResourceTypeDocument {
  schemas: [typeof RESOURCE_TYPE_SCHEMA];
  id: string;
  name: string;
  endpoint: string;
  description: string;
  schema: string;
  schemaExtensions: { schema: string; required: boolean }[];
  meta: { resourceType: 'ResourceType'; location: string };
}

export function resourceTypes(baseUrl: string): ResourceTypeDocument[] {
  return [
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'A member of the organization the bearer token belongs to.',
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
      meta: { resourceType: 'ResourceType', location: `${trimBaseUrl(baseUrl)}/ResourceTypes/User` },
    },
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'A group of members of the organization, pushed by its identity provider.',
      schema: GROUP_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${trimBaseUrl(baseUrl)}/ResourceTypes/Group` },
    },
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'Role',
      name: 'Role',
      endpoint: '/Roles',
      description: "The organization's roles (Admin, Member), assigned to Users as roles[].value.",
      schema: OKTA_ROLE_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${trimBaseUrl(baseUrl)}/ResourceTypes/Role` },
    },
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: WORKSPACE_ENTITLEMENT_TYPE,
      name: WORKSPACE_ENTITLEMENT_TYPE,
      endpoint: '/Workspaces',
      description: "The organization's workspaces, granted to Users as entitlements of type Workspace.",
      schema: OKTA_ENTITLEMENT_SCHEMA,
      schemaExtensions: [],
      meta: {
        resourceType: 'ResourceType',
        location: `${trimBaseUrl(baseUrl)}/ResourceTypes/${WORKSPACE_ENTITLEMENT_TYPE}`,
      },
    },
  ];
}

/** `GET /ResourceTypes/{id}`, case-insensitive. Undefined → 404. */
export function resourceTypeById(baseUrl: string, id: string): ResourceTypeDocument | undefined {
  const lower = id.toLowerCase();
  return resourceTypes(baseUrl).find((document) => document.id.toLowerCase() === lower);
}
