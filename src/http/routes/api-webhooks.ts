// `/api/v1/webhooks`: an organization's webhook endpoints (Admins), or with an installation token
// the installation-wide ones, which hear every organization's events (each scope sees and changes
// only its own endpoints). `POST` answers 201 with the endpoint and its signing secret, shown this
// once (`rotate-secret` shows the next one); the delivery log of an endpoint, "resend" and "send
// test event".
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { InstallationAuthenticator } from '../../auth/authenticate-installation.ts';
import type { TokenAuthenticator } from '../../auth/authenticate-token.ts';
import type { WebhookSettings } from '../../config.ts';
import { RosterError } from '../../errors.ts';
import type { Store } from '../../store/store.ts';
import { listDeliveries, resendDelivery, sendTestEvent } from '../../webhooks/deliveries.ts';
import {
  createEndpoint,
  deleteEndpoint,
  endpointOf,
  endpointView,
  rotateSecret,
  updateEndpoint,
} from '../../webhooks/manage-endpoints.ts';
import { apiRoute, idParams, pageQuery, ref } from '../api-schemas.ts';
import { limitOf, objectBody } from '../api-views.ts';
import { principalOf, requireCallerOrInstallation } from '../authenticate.ts';

type WithId = { Params: { id: string } };

const tags = ['webhooks'];
// Every route takes an organization's Admin (its endpoints) or an installation token (the
// installation-wide endpoints).
const installation = 'also' as const;
const endpoint = ref('WebhookEndpoint');
// The values (an https URL that is not private, known event types) are checked by the use case.
const fields = {
  url: { type: 'string', description: 'an https URL, at most 2048 characters' },
  types: {
    type: 'array',
    items: { type: 'string' },
    description: 'event types (docs/events.md), or ["*"] for all',
  },
  description: { type: ['string', 'null'], description: 'at most 200 characters' },
} as const;

const LIST = apiRoute({
  tags,
  installation,
  summary:
    "The organization's webhook endpoints (Admins), or the installation-wide ones (an installation token)",
  success: {
    200: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: endpoint } } },
  },
});
const CREATE = apiRoute({
  tags,
  installation,
  summary: 'Add a webhook endpoint (Admins): its signing secret is in this response only',
  body: { type: 'object', required: ['url', 'types'], additionalProperties: false, properties: fields },
  success: { 201: endpoint },
});
const GET = apiRoute({
  tags,
  installation,
  summary: 'A webhook endpoint (Admins)',
  params: idParams,
  success: { 200: endpoint },
});
const UPDATE = apiRoute({
  tags,
  installation,
  summary: 'Change a webhook endpoint, or enable or disable it (Admins)',
  params: idParams,
  body: {
    type: 'object',
    additionalProperties: false,
    properties: { ...fields, enabled: { type: 'boolean' } },
  },
  success: { 200: endpoint },
});
const DELETE = apiRoute({
  tags,
  installation,
  summary: 'Delete a webhook endpoint (Admins)',
  params: idParams,
  success: { 204: null },
});
const ROTATE = apiRoute({
  tags,
  installation,
  summary: 'Make a new signing secret, shown in this response only (Admins)',
  description: 'The previous secret also signs deliveries for `overlapSeconds` (default a day).',
  params: idParams,
  body: {
    type: ['object', 'null'],
    additionalProperties: false,
    properties: { overlapSeconds: { type: 'integer', description: 'from 0 to 604800' } },
  },
  success: { 200: endpoint },
});
const TEST = apiRoute({
  tags,
  installation,
  summary: 'Send a test event to the endpoint (Admins)',
  params: idParams,
  success: { 202: ref('WebhookDelivery') },
});
const DELIVERIES = apiRoute({
  tags,
  installation,
  summary: "The endpoint's deliveries, newest first (Admins)",
  params: idParams,
  querystring: {
    type: 'object',
    properties: { ...pageQuery, cursor: { ...pageQuery.cursor, pattern: '^[0-9a-f-]{36}$' } },
  },
  success: {
    200: {
      type: 'object',
      required: ['data', 'nextCursor'],
      properties: {
        data: { type: 'array', items: ref('WebhookDelivery') },
        nextCursor: { type: ['string', 'null'] },
      },
    },
  },
});
const RESEND = apiRoute({
  tags,
  installation,
  summary: 'Send a delivery again (Admins)',
  params: {
    type: 'object',
    required: ['id', 'deliveryId'],
    properties: { id: idParams.properties.id, deliveryId: { type: 'string', maxLength: 100 } },
  },
  success: { 202: ref('WebhookDelivery') },
});

export function apiWebhookRoutes(
  app: FastifyInstance,
  store: Store,
  authenticator: TokenAuthenticator,
  installationTokens: InstallationAuthenticator,
  settings: WebhookSettings,
): void {
  const admin = { onRequest: requireCallerOrInstallation(authenticator, installationTokens, store, 'admin') };
  /** Whose endpoints: the installation's (null) for an installation token, else the organization's. */
  const scopeOf = (request: FastifyRequest): string | null =>
    request.installation ? null : principalOf(request).organizationId;
  const change = (request: FastifyRequest) => ({
    organizationId: scopeOf(request),
    actor: request.installation ? request.installation.actor : principalOf(request).actor,
    requestId: request.id,
    allowPrivate: settings.allowPrivateNetworks,
  });

  app.get('/api/v1/webhooks', { ...admin, schema: LIST }, async (request) => {
    return { data: (await store.webhooks.listEndpoints(scopeOf(request))).map(endpointView) };
  });

  app.post('/api/v1/webhooks', { ...admin, schema: CREATE }, async (request, reply) => {
    const body = objectBody(request.body);
    const created = await createEndpoint(store, {
      ...change(request),
      url: body.url,
      types: body.types,
      description: body.description,
    });
    return reply.code(201).send({ ...created.endpoint, secret: created.secret });
  });

  app.get<WithId>('/api/v1/webhooks/:id', { ...admin, schema: GET }, async (request) => {
    return endpointView(await endpointOf(store, scopeOf(request), request.params.id));
  });

  app.patch<WithId>('/api/v1/webhooks/:id', { ...admin, schema: UPDATE }, async (request) => {
    const body = objectBody(request.body);
    return updateEndpoint(store, {
      ...change(request),
      id: request.params.id,
      url: body.url,
      types: body.types,
      description: body.description,
      enabled: body.enabled,
    });
  });

  app.delete<WithId>('/api/v1/webhooks/:id', { ...admin, schema: DELETE }, async (request, reply) => {
    await deleteEndpoint(store, { ...change(request), id: request.params.id });
    return reply.code(204).send();
  });

  app.post<WithId>('/api/v1/webhooks/:id/rotate-secret', { ...admin, schema: ROTATE }, async (request) => {
    const body = request.body === undefined || request.body === null ? {} : objectBody(request.body);
    const rotated = await rotateSecret(store, {
      ...change(request),
      id: request.params.id,
      overlapSeconds: body.overlapSeconds,
    });
    return { ...rotated.endpoint, secret: rotated.secret };
  });

  app.post<WithId>('/api/v1/webhooks/:id/test', { ...admin, schema: TEST }, async (request, reply) => {
    return reply.code(202).send(await sendTestEvent(store, { ...change(request), id: request.params.id }));
  });

  app.get<WithId>('/api/v1/webhooks/:id/deliveries', { ...admin, schema: DELIVERIES }, async (request) => {
    const query = (request.query ?? {}) as Record<string, string | undefined>;
    const limit = limitOf(query) ?? 50;
    if (limit < 1 || limit > 200)
      throw new RosterError('invalid_value', 'limit must be a whole number from 1 to 200');
    const cursor = query.cursor;
    if (cursor !== undefined && !/^[0-9a-f-]{36}$/.test(cursor)) {
      throw new RosterError('invalid_value', 'cursor must be the nextCursor of a previous page');
    }
    const rows = await listDeliveries(store, scopeOf(request), request.params.id, limit + 1, cursor);
    const page = rows.slice(0, limit);
    return { data: page, nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
  });

  app.post<{ Params: { id: string; deliveryId: string } }>(
    '/api/v1/webhooks/:id/deliveries/:deliveryId/resend',
    { ...admin, schema: RESEND },
    async (request, reply) => {
      const resent = await resendDelivery(store, {
        organizationId: scopeOf(request),
        endpointId: request.params.id,
        deliveryId: request.params.deliveryId,
      });
      return reply.code(202).send(resent);
    },
  );
}
