// `GET /Schemas` (RFC 7643 §7, RFC 7644 §4): the User, Enterprise User, Group, and Okta's Role and
// Entitlement schema documents,
// generated from the attribute definitions so that discovery cannot drift from validation.
// Common attributes (`id`, `externalId`, `meta`) are left out of the User document, as in
// RFC 7643 §8.7.1; §3.1 defines them for every resource.
import type { AttributeDefinition } from './attribute-definition.ts';
import { ENTERPRISE_USER_ATTRIBUTES } from './enterprise-user-attributes.ts';
import { ENTITLEMENT_ATTRIBUTES, ROLE_ATTRIBUTES } from './entitlement-attributes.ts';
import { GROUP_ATTRIBUTES } from './group-attributes.ts';
import {
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  OKTA_ENTITLEMENT_SCHEMA,
  OKTA_ROLE_SCHEMA,
  SCHEMA_SCHEMA,
  USER_SCHEMA,
} from './urns.ts';
import { USER_ATTRIBUTES } from './user-attributes.ts';

export interface SchemaAttributeDocument {
  name: string;
  type: string;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: string;
  returned: string;
  uniqueness: string;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: SchemaAttributeDocument[];
}

export interface SchemaDocument {
  schemas: [typeof SCHEMA_SCHEMA];
  id: string;
  name: string;
  description: string;
  attributes: SchemaAttributeDocument[];
  meta: { resourceType: 'Schema'; location: string };
}

export function toAttributeDocument(definition: AttributeDefinition): SchemaAttributeDocument {
  return {
    name: definition.name,
    type: definition.type,
    multiValued: definition.multiValued,
    description: definition.description,
    required: definition.required,
    caseExact: definition.caseExact,
    mutability: definition.mutability,
    returned: definition.returned,
    uniqueness: definition.uniqueness,
    ...(definition.canonicalValues ? { canonicalValues: [...definition.canonicalValues] } : {}),
    ...(definition.referenceTypes ? { referenceTypes: [...definition.referenceTypes] } : {}),
    ...(definition.subAttributes ? { subAttributes: definition.subAttributes.map(toAttributeDocument) } : {}),
  };
}

const SCHEMA_SOURCES = [
  { id: USER_SCHEMA, name: 'User', description: 'User Account', attributes: USER_ATTRIBUTES },
  {
    id: ENTERPRISE_USER_SCHEMA,
    name: 'EnterpriseUser',
    description: 'Enterprise User',
    attributes: ENTERPRISE_USER_ATTRIBUTES,
  },
  { id: GROUP_SCHEMA, name: 'Group', description: 'Group', attributes: GROUP_ATTRIBUTES },
  // Okta knows these two and does not read them (its entitlements guide); other clients may.
  { id: OKTA_ROLE_SCHEMA, name: 'Role', description: 'Okta Role', attributes: ROLE_ATTRIBUTES },
  {
    id: OKTA_ENTITLEMENT_SCHEMA,
    name: 'Entitlement',
    description: 'Okta Entitlement',
    attributes: ENTITLEMENT_ATTRIBUTES,
  },
] as const;

export function trimBaseUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

/** Every schema document, for `GET /Schemas` (the caller wraps them in a ListResponse). */
export function schemas(baseUrl: string): SchemaDocument[] {
  const base = trimBaseUrl(baseUrl);
  return SCHEMA_SOURCES.map((source) => ({
    schemas: [SCHEMA_SCHEMA],
    id: source.id,
    name: source.name,
    description: source.description,
    attributes: source.attributes.map(toAttributeDocument),
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${source.id}` },
  }));
}

/** `GET /Schemas/{id}`; schema URIs compare case-insensitively. Undefined → 404. */
export function schemaById(baseUrl: string, id: string): SchemaDocument | undefined {
  const lower = id.toLowerCase();
  return schemas(baseUrl).find((document) => document.id.toLowerCase() === lower);
}
