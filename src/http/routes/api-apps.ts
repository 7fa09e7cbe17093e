// `/api/v1/apps`: the apps that sign people in with Roster (OpenID Connect clients, docs/integrate.md).
// Apps belong to the installation, so only Admins of its first organization (the operator's own,
// made at setup) may list, register or revoke them; the client secret is in the 201 response only.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createApp, isOperatorOrganization, listApps, revokeApp } from '../../accounts/apps.ts';
import type { TokenAuthenticator } from '../../auth/authenticate-token.ts';
import { RosterError } from '../../errors.ts';
import type { Store } from '../../store/store.ts';
import { apiRoute, idParams, ref } from '../api-schemas.ts';
import { objectBody } from '../api-views.ts';
import { principalOf, requireCaller } from '../authenticate.ts';

function urls(value: unknown, name: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new RosterError('invalid_value', `${name} must be an array of URLs`);
  }
  return value;
}

const tags = ['apps'];
const urlList = { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 2000 } } as const;
const LIST = apiRoute({
  tags,
  summary: "The installation's apps (Admins of its first organization)",
  success: {
    200: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: ref('App') } } },
  },
});
const CREATE = apiRoute({
  tags,
  summary: 'Register an app; its client secret is in this response only (Admins of the first organization)',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string' },
      redirectUris: urlList,
      postLogoutRedirectUris: urlList,
      backchannelLogoutUri: { type: ['string', 'null'], maxLength: 2000 },
    },
  },
  success: {
    201: {
      allOf: [ref('App')],
      type: 'object',
      required: ['clientSecret'],
      properties: { clientSecret: { type: 'string' } },
    },
  },
});
const REVOKE = apiRoute({
  tags,
  summary: 'Revoke an app: it signs no one in any more (Admins of the first organization)',
  params: idParams,
  success: { 204: null },
});

export function apiAppRoutes(app: FastifyInstance, store: Store, authenticator: TokenAuthenticator): void {
  const admin = { onRequest: requireCaller(authenticator, store, 'admin') };
  async function operator(request: FastifyRequest): Promise<void> {
    if (!(await isOperatorOrganization(store, principalOf(request).organizationId))) {
      throw new RosterError(
        'forbidden',
        "apps belong to the installation: only its first organization's Admins manage them",
      );
    }
  }

  app.get('/api/v1/apps', { ...admin, schema: LIST }, async (request) => {
    await operator(request);
    return { data: await listApps(store) };
  });

  app.post('/api/v1/apps', { ...admin, schema: CREATE }, async (request, reply) => {
    await operator(request);
    const body = objectBody(request.body);
    if (typeof body.name !== 'string') {
      throw new RosterError('invalid_value', 'send {"name": "…", "redirectUris": ["https://…"]}');
    }
    if (
      body.backchannelLogoutUri !== undefined &&
      body.backchannelLogoutUri !== null &&
      typeof body.backchannelLogoutUri !== 'string'
    ) {
      throw new RosterError('invalid_value', 'backchannelLogoutUri must be a URL or null');
    }
    const created = await createApp(store, {
      name: body.name,
      redirectUris: urls(body.redirectUris, 'redirectUris'),
      postLogoutRedirectUris: urls(body.postLogoutRedirectUris, 'postLogoutRedirectUris'),
      backchannelLogoutUri: body.backchannelLogoutUri ?? null,
    });
    return reply.code(201).send(created);
  });

  app.delete<{ Params: { id: string } }>(
    '/api/v1/apps/:id',
    { ...admin, schema: REVOKE },
    async (request, reply) => {
      await operator(request);
      await revokeApp(store, request.params.id);
      return reply.code(204).send();
    },
  );
}
