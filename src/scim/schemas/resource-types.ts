// `GET /ResourceTypes` (RFC 7643 §6, RFC 7644 §4): User and Group.
import { trimBaseUrl } from './schema-documents.ts';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, RESOURCE_TYPE_SCHEMA, USER_SCHEMA } from './urns.ts';

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
  ];
}

/** `GET /ResourceTypes/{id}`, case-insensitive. Undefined → 404. */
export function resourceTypeById(baseUrl: string, id: string): ResourceTypeDocument | undefined {
  const lower = id.toLowerCase();
  return resourceTypes(baseUrl).find((document) => document.id.toLowerCase() === lower);
}
