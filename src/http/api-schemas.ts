// The JSON schemas of the REST API (`/api/v1`): what each route accepts and answers. Fastify
// validates requests with them (a body of the wrong shape is a 400 `invalid_value` that names the
// field, see validation-message.ts) and @fastify/swagger turns them into the OpenAPI document
// (openapi.ts), so the document is the code's own description. Shared shapes are registered once
// (`apiSchemas`) and referenced as `{ $ref: 'Name#' }`; they become `components.schemas`.
// docs/operations.md says how to describe a new route.
import type { FastifyInstance, FastifySchema } from 'fastify';

const nullable = (type: string) => ({ type: [type, 'null'] });
const timestamp = { type: 'string', description: 'an ISO-8601 time (UTC)' };
const nullableTimestamp = { type: ['string', 'null'], description: 'an ISO-8601 time (UTC), or null' };
const role = { type: 'string', enum: ['admin', 'member'] };

const SCHEMAS = [
  {
    $id: 'ApiError',
    description: 'Every refusal: a code of the error catalogue (docs/dashboard.md, "Error codes").',
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['status', 'code', 'message'],
        properties: {
          status: { type: 'integer' },
          code: { type: 'string' },
          message: { type: 'string' },
        },
      },
    },
  },
  {
    $id: 'Member',
    type: 'object',
    required: ['id', 'userName', 'role', 'status', 'source', 'managedByIdentityProvider'],
    properties: {
      id: { type: 'string' },
      userName: { type: 'string' },
      displayName: nullable('string'),
      name: {
        type: 'object',
        properties: { givenName: nullable('string'), familyName: nullable('string') },
      },
      email: nullable('string'),
      externalId: nullable('string'),
      role,
      previousRole: { type: ['string', 'null'], enum: ['admin', 'member', null] },
      directRole: {
        ...role,
        description: 'the role granted in Roster itself; `role` is the effective one (docs/scim.md)',
      },
      access: { $ref: 'MemberAccess#' },
      status: { type: 'string', enum: ['active', 'deactivated'] },
      source: { type: 'string', description: '`scim` for members created by the identity provider' },
      managedByIdentityProvider: { type: 'boolean' },
      createdAt: timestamp,
      updatedAt: timestamp,
      deactivatedAt: nullableTimestamp,
    },
  },
  {
    $id: 'AccessSource',
    description:
      'Where a piece of access comes from: `direct` (granted in Roster), `group` (a group the identity provider pushed, mapped by an Admin; read-only here) or `entitlement` (assigned by the identity provider; read-only here).',
    type: 'object',
    required: ['kind'],
    properties: {
      kind: { type: 'string', enum: ['direct', 'group', 'entitlement'] },
      group: {
        type: 'object',
        required: ['id', 'displayName'],
        properties: { id: { type: 'string' }, displayName: { type: 'string' } },
      },
    },
  },
  {
    $id: 'MemberAccess',
    description:
      "A member's effective role and workspaces, each with its sources (docs/scim.md, Groups and access).",
    type: 'object',
    required: ['role', 'roleSources', 'allWorkspaces', 'workspaces'],
    properties: {
      role: { type: ['string', 'null'], enum: ['admin', 'member', null] },
      roleSources: { type: 'array', items: { $ref: 'AccessSource#' } },
      allWorkspaces: { type: 'boolean', description: 'Admins reach every workspace' },
      workspaces: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'name', 'sources'],
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            sources: { type: 'array', items: { $ref: 'AccessSource#' } },
          },
        },
      },
    },
  },
  {
    $id: 'Workspace',
    type: 'object',
    required: ['id', 'name', 'isDefault'],
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      isDefault: { type: 'boolean' },
      createdAt: timestamp,
      updatedAt: timestamp,
    },
  },
  {
    $id: 'Token',
    description: 'An access token, never its value (but once, in the 201 of its creation).',
    type: 'object',
    required: ['id', 'kind', 'name', 'role', 'lastFour'],
    properties: {
      id: { type: 'string' },
      kind: { type: 'string', enum: ['personal', 'service'] },
      name: { type: 'string' },
      role,
      organizationId: { type: 'string' },
      membershipId: nullable('string'),
      lastFour: { type: 'string' },
      createdAt: timestamp,
      expiresAt: nullableTimestamp,
      lastUsedAt: nullableTimestamp,
      revokedAt: nullableTimestamp,
      token: { type: 'string', description: 'the secret: only in the response that created it' },
    },
  },
  {
    $id: 'DomainVerification',
    type: 'object',
    required: ['domain', 'verified'],
    properties: {
      domain: { type: 'string' },
      verified: { type: 'boolean' },
      verifiedAt: nullableTimestamp,
      record: {
        type: 'object',
        properties: { name: { type: 'string' }, type: { type: 'string' }, value: { type: 'string' } },
      },
    },
  },
  {
    $id: 'Organization',
    type: 'object',
    required: ['id', 'slug', 'name', 'disabled'],
    properties: {
      id: { type: 'string' },
      slug: { type: 'string' },
      name: { type: 'string' },
      disabled: { type: 'boolean' },
      disabledAt: nullableTimestamp,
      createdAt: timestamp,
      updatedAt: timestamp,
    },
  },
  {
    $id: 'Invitation',
    description: 'An invitation, with its one-time link (in the 201 of its creation only).',
    type: 'object',
    required: ['id', 'email', 'role', 'status', 'url', 'delivery'],
    properties: {
      id: { type: 'string' },
      email: { type: 'string' },
      role,
      workspaceIds: { type: 'array', items: { type: 'string' } },
      invitedBy: nullable('string'),
      createdAt: timestamp,
      expiresAt: timestamp,
      status: { type: 'string', enum: ['pending', 'accepted', 'revoked', 'expired'] },
      membershipId: nullable('string'),
      url: { type: 'string', description: 'the one-time link' },
      delivery: {
        type: 'string',
        enum: ['sent', 'not_configured', 'failed'],
        description: '`not_configured` when SMTP_URL is not set',
      },
    },
  },
  {
    $id: 'SetupLink',
    description: "A setup link for the identity provider's administrator; its `url` only in the 201.",
    type: 'object',
    required: ['id', 'organizationId', 'status', 'expiresAt'],
    properties: {
      id: { type: 'string' },
      organizationId: { type: 'string' },
      createdBy: nullable('string'),
      createdAt: timestamp,
      expiresAt: timestamp,
      openedAt: nullableTimestamp,
      revokedAt: nullableTimestamp,
      status: { type: 'string', enum: ['unopened', 'opened', 'expired', 'revoked'] },
      url: { type: 'string', description: 'the one-time link: only in the response that created it' },
    },
  },
  {
    $id: 'Event',
    description: 'An event as the events API lists it and a webhook delivers it (docs/events.md).',
    type: 'object',
    required: ['id', 'type', 'version', 'timestamp', 'organization', 'actor', 'data'],
    properties: {
      id: { type: 'string' },
      type: { type: 'string' },
      version: { type: 'integer' },
      timestamp,
      organization: { type: ['object', 'null'], properties: { id: { type: 'string' } } },
      actor: {
        type: 'object',
        properties: { type: { type: 'string' }, id: nullable('string'), label: nullable('string') },
      },
      data: {
        type: 'object',
        required: ['object', 'id'],
        properties: { object: { type: 'string' }, id: { type: 'string' } },
      },
      previous: { type: 'object', description: 'what changed, as it was before (some types only)' },
    },
  },
  {
    $id: 'WebhookEndpoint',
    description:
      'A webhook endpoint; its signing `secret` only in the responses that create or rotate it. An installation-wide endpoint (`organizationId` null, managed with an installation token) hears every organization.',
    type: 'object',
    required: ['id', 'organizationId', 'url', 'types', 'enabled'],
    properties: {
      id: { type: 'string' },
      organizationId: { ...nullable('string'), description: 'null for an installation-wide endpoint' },
      url: { type: 'string' },
      description: nullable('string'),
      types: { type: 'array', items: { type: 'string' } },
      enabled: { type: 'boolean' },
      disabledReason: nullable('string'),
      disabledAt: nullableTimestamp,
      previousSecretExpiresAt: nullableTimestamp,
      createdAt: timestamp,
      updatedAt: timestamp,
      secret: { type: 'string' },
    },
  },
  {
    $id: 'Group',
    description:
      "A group the identity provider pushed over SCIM: its name and members are the identity provider's; what it gives its members (`role`, `workspaces`) is mapped by an Admin.",
    type: 'object',
    required: [
      'id',
      'displayName',
      'externalId',
      'memberCount',
      'role',
      'workspaces',
      'createdAt',
      'updatedAt',
    ],
    properties: {
      id: { type: 'string' },
      displayName: { type: 'string' },
      externalId: nullable('string'),
      memberCount: { type: 'integer' },
      role: {
        type: ['string', 'null'],
        enum: ['admin', null],
        description: 'the role the group gives its members',
      },
      workspaces: {
        type: 'array',
        description: 'the workspaces the group gives its members',
        items: {
          type: 'object',
          required: ['id', 'name'],
          properties: { id: { type: 'string' }, name: { type: 'string' } },
        },
      },
      createdAt: timestamp,
      updatedAt: timestamp,
    },
  },
  {
    $id: 'App',
    description: 'An app (OpenID Connect client) that signs people in with Roster; never its secret.',
    type: 'object',
    required: [
      'clientId',
      'name',
      'redirectUris',
      'postLogoutRedirectUris',
      'backchannelLogoutUri',
      'createdAt',
      'revokedAt',
    ],
    properties: {
      clientId: { type: 'string' },
      name: { type: 'string' },
      redirectUris: { type: 'array', items: { type: 'string' } },
      postLogoutRedirectUris: { type: 'array', items: { type: 'string' } },
      backchannelLogoutUri: nullable('string'),
      createdAt: timestamp,
      revokedAt: nullableTimestamp,
    },
  },
  {
    $id: 'WebhookDelivery',
    type: 'object',
    required: ['id', 'eventId', 'eventType', 'state', 'attempts', 'request'],
    properties: {
      id: { type: 'string' },
      eventId: { type: 'string' },
      eventType: { type: 'string' },
      state: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
      attempts: { type: 'integer' },
      nextAttemptAt: nullableTimestamp,
      lastAttemptAt: nullableTimestamp,
      lastStatus: { type: ['integer', 'null'], description: "the receiver's HTTP status" },
      lastError: nullable('string'),
      lastDurationMs: { type: ['integer', 'null'] },
      lastResponse: { type: ['string', 'null'], description: "the start of the receiver's answer" },
      createdAt: timestamp,
      deliveredAt: nullableTimestamp,
      request: { type: 'object', properties: { body: { $ref: 'Event#' } } },
    },
  },
] as const;

export function apiSchemas(app: FastifyInstance): void {
  for (const schema of SCHEMAS) app.addSchema(schema);
}

/** A `{ $ref }` to a shared schema. */
export const ref = (id: (typeof SCHEMAS)[number]['$id']) => ({ $ref: `${id}#` });

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 100 } },
} as const;

/** `?cursor=&limit=`: as the query string has them, strings (checked by the route). */
export const pageQuery = {
  cursor: { type: 'string', description: 'the nextCursor of the previous page' },
  limit: { type: 'string', pattern: '^\\d{1,6}$', description: 'rows per page (default 50, at most 200)' },
} as const;

/** The error responses every authenticated route can give. */
const ERRORS = {
  400: { description: 'invalid input; nothing changed', ...ref('ApiError') },
  401: { description: 'no valid token or session', ...ref('ApiError') },
  403: { description: 'the role is too low, or the CSRF token is missing', ...ref('ApiError') },
  404: { description: 'no such resource in this organization', ...ref('ApiError') },
  409: { description: 'conflicts with the current state', ...ref('ApiError') },
  429: { description: 'rate limited; see Retry-After', ...ref('ApiError') },
} as const;

/**
 * A route's schema with the API's security and error responses: `success` maps its own status codes
 * to their response schemas (`null` for no body). `installation` routes (the product's side,
 * `/api/v1/organizations`) take an installation token instead, and have no role to be refused for;
 * `installation: 'also'` routes (the events API) take either.
 */
export function apiRoute(
  route: Omit<FastifySchema, 'response'> & {
    tags: string[];
    summary: string;
    description?: string;
    installation?: boolean | 'also';
    success: Record<number, object | null>;
  },
): FastifySchema {
  const { success, installation, ...rest } = route;
  const { 403: _forbidden, ...withoutForbidden } = ERRORS;
  const response: Record<number | string, unknown> = {
    ...(installation === true ? withoutForbidden : ERRORS),
  };
  for (const [status, schema] of Object.entries(success)) {
    response[status] =
      schema === null
        ? { description: 'no content', type: 'null' }
        : { description: status === '201' ? 'created' : 'the result', ...schema };
  }
  const organization: Array<Record<string, string[]>> = [{ bearer: [] }, { session: [] }];
  const security: Array<Record<string, string[]>> =
    installation === true
      ? [{ installation: [] }]
      : installation === 'also'
        ? [...organization, { installation: [] }]
        : organization;
  return { ...rest, security, response };
}
