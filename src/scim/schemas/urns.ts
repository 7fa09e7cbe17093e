// Schema and message URNs of SCIM 2.0 (RFC 7643 §8.7, RFC 7644 §3.5.2, §3.4.2, §4).
// The Error URN lives with ScimError in ../scim-error.ts.

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export const SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

// Okta's schemas for what an app offers to Okta Identity Governance (Okta, "Build a SCIM 2.0 server
// with entitlements"; docs/idp-requests.md): a role, and an entitlement of a named type.
export const OKTA_ROLE_SCHEMA = 'urn:okta:scim:schemas:core:1.0:Role';
export const OKTA_ENTITLEMENT_SCHEMA = 'urn:okta:scim:schemas:core:1.0:Entitlement';
