// `/api/v1/tokens`: the caller's personal access tokens (or, for Admins with `?kind=service`, the
// organization's service access tokens); create one (the value is in the 201 response only); revoke.
import type { FastifyInstance } from 'fastify';
import { createToken, listTokens, revokeToken } from '../../accounts/tokens.ts';
import type { TokenAuthenticator } from '../../auth/authenticate-token.ts';
import { isRole } from '../../auth/roles.ts';
import type { TokenKind } from '../../auth/token-format.ts';
import { RosterError } from '../../errors.ts';
import type { Store } from '../../store/store.ts';
import { apiRoute, idParams, ref } from '../api-schemas.ts';
import { objectBody } from '../api-views.ts';
import { principalOf, requireCaller } from '../authenticate.ts';

function kindOf(value: unknown, fallback: TokenKind): TokenKind {
  if (value === undefined) return fallback;
  if (value === 'personal' || value === 'service') return value;
  throw new RosterError('invalid_value', 'kind must be "personal" or "service"');
}

const LIST = apiRoute({
  tags: ['tokens'],
  summary: "The caller's personal access tokens, or (Admins, ?kind=service) the service access tokens",
  querystring: {
    type: 'object',
    properties: { kind: { type: 'string', enum: ['personal', 'service'] } },
  },
  success: {
    200: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: ref('Token') } } },
  },
});
const CREATE = apiRoute({
  tags: ['tokens'],
  summary: 'Create an access token: its value is in this response only',
  body: {
    type: 'object',
    required: ['name', 'role'],
    additionalProperties: false,
    properties: {
      name: { type: 'string' },
      role: { type: 'string', enum: ['admin', 'member'] },
      kind: {
        type: 'string',
        enum: ['personal', 'service'],
        description: 'personal by default; service for Admins',
      },
      expiresAt: { type: ['string', 'null'], description: 'an ISO-8601 time, or null for no expiry' },
    },
  },
  success: { 201: ref('Token') },
});
const REVOKE = apiRoute({
  tags: ['tokens'],
  summary: 'Revoke a token, at once',
  params: idParams,
  success: { 204: null },
});

export function apiTokenRoutes(app: FastifyInstance, store: Store, authenticator: TokenAuthenticator): void {
  const member = { onRequest: requireCaller(authenticator, store, 'member') };

  app.get('/api/v1/tokens', { ...member, schema: LIST }, async (request) => {
    const principal = principalOf(request);
    const query = (request.query ?? {}) as Record<string, string | undefined>;
    const kind = kindOf(query.kind, principal.membershipId ? 'personal' : 'service');
    if (kind === 'service') {
      if (principal.role !== 'admin') {
        throw new RosterError('forbidden', 'only Admins can list service access tokens');
      }
      return { data: await listTokens(store, principal.organizationId, { kind: 'service' }) };
    }
    if (!principal.membershipId) {
      throw new RosterError(
        'invalid_value',
        'a service access token has no personal tokens; use ?kind=service',
      );
    }
    return {
      data: await listTokens(store, principal.organizationId, {
        kind: 'personal',
        membershipId: principal.membershipId,
      }),
    };
  });

  app.post('/api/v1/tokens', { ...member, schema: CREATE }, async (request, reply) => {
    const principal = principalOf(request);
    const body = objectBody(request.body);
    const kind = kindOf(body.kind, 'personal');
    if (typeof body.name !== 'string') {
      throw new RosterError('invalid_value', 'send {"name": "…", "role": "admin" | "member"}');
    }
    if (!isRole(body.role)) throw new RosterError('invalid_value', 'role must be "admin" or "member"');
    if (body.expiresAt !== undefined && body.expiresAt !== null && typeof body.expiresAt !== 'string') {
      throw new RosterError('invalid_value', 'expiresAt must be an ISO-8601 time or null');
    }
    if (kind === 'service' && principal.role !== 'admin') {
      throw new RosterError('forbidden', 'only Admins can create service access tokens');
    }
    if (kind === 'personal' && !principal.membershipId) {
      throw new RosterError(
        'invalid_value',
        'a service access token cannot own a personal token; send "kind": "service"',
      );
    }
    // A personal token caps its owner's role, so a token cannot mint an Admin token for a Member
    // owner; nor may a Member-role token of an Admin mint one with more rights than itself.
    if (body.role === 'admin' && principal.role !== 'admin') {
      throw new RosterError('forbidden', 'only an Admin can create a token with the Admin role');
    }
    const created = await createToken(store, {
      kind,
      organizationId: principal.organizationId,
      ...(principal.membershipId && kind === 'personal' ? { membershipId: principal.membershipId } : {}),
      name: body.name,
      role: body.role,
      expiresAt: (body.expiresAt as string | null | undefined) ?? null,
      actor: principal.actor,
      requestId: request.id,
    });
    return reply.code(201).send(created);
  });

  app.delete<{ Params: { id: string } }>(
    '/api/v1/tokens/:id',
    { ...member, schema: REVOKE },
    async (request, reply) => {
      const principal = principalOf(request);
      await revokeToken(store, {
        id: request.params.id,
        organizationId: principal.organizationId,
        ...(principal.membershipId ? { membershipId: principal.membershipId } : {}),
        asAdmin: principal.role === 'admin',
        actor: principal.actor,
        requestId: request.id,
      });
      return reply.code(204).send();
    },
  );
}
