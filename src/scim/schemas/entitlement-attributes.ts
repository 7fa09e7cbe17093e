// Okta's Role and Entitlement schemas (Okta, "Build a SCIM 2.0 server with entitlements", "Roles
// schema" and "Entitlements schema"; docs/idp-requests.md): what `/Roles` and `/Workspaces` serve.
// Both are read-only here: the organization's roles are fixed, and workspaces are made in Roster.
import type { AttributeDefinition } from './attribute-definition.ts';
import { defineAttribute as attr } from './attribute-definition.ts';

const readOnlyAttribute = (name: string, description: string, required = false) =>
  attr(name, 'string', description, { required, mutability: 'readOnly' });

/** The resource type an entitlement of `/Workspaces` belongs to: its `type`, and `entitlements[].type`. */
export const WORKSPACE_ENTITLEMENT_TYPE = 'Workspace';

const ID = attr('id', 'string', 'The identifier Okta sends back as roles[].value or entitlements[].value.', {
  required: true,
  caseExact: true,
  mutability: 'readOnly',
  returned: 'always',
  uniqueness: 'server',
});

export const ROLE_ATTRIBUTES: readonly AttributeDefinition[] = [
  readOnlyAttribute('displayName', 'The name of the role, as Okta shows it.', true),
  readOnlyAttribute('description', 'What the role allows.'),
];

export const ENTITLEMENT_ATTRIBUTES: readonly AttributeDefinition[] = [
  readOnlyAttribute('displayName', 'The name of the workspace, as Okta shows it.', true),
  attr('type', 'string', 'The resource type of the entitlement: "Workspace".', {
    required: true,
    caseExact: true,
    mutability: 'readOnly',
    canonicalValues: [WORKSPACE_ENTITLEMENT_TYPE],
  }),
  readOnlyAttribute('description', 'What the entitlement gives.'),
];

/** Every top-level attribute of a Role / Workspace resource, for `attributes=` projections. */
export const ROLE_RESOURCE_ATTRIBUTES: readonly AttributeDefinition[] = [ID, ...ROLE_ATTRIBUTES];
export const ENTITLEMENT_RESOURCE_ATTRIBUTES: readonly AttributeDefinition[] = [
  ID,
  ...ENTITLEMENT_ATTRIBUTES,
];
