// `/api/v1/webhooks`: an organization's webhook endpoints (Admins). `POST` answers 201 with the
// endpoint and its signing secret, shown this once (`rotate-secret` shows the next one); the
// delivery log of an endpoint, "resend" and "send test event".
import type { FastifyInstance } from 'fastify';
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
import { limitOf, objectBody } from '../api-views.ts';
import { principalOf, requireCaller } from '../authenticate.ts';

type WithId = { Params: { id: string } };

export function apiWebhookRoutes(
  app: FastifyInstance,
  store: Store,
  authenticator: TokenAuthenticator,
  settings: WebhookSettings,
): void {
  const admin = { onRequest: requireCaller(authenticator, store, 'admin') };
  const change = (request: { id: string }, principal: ReturnType<typeof principalOf>) => ({
    organizationId: principal.organizationId,
    actor: principal.actor,
    requestId: request.id,
    allowPrivate: settings.allowPrivateNetworks,
  });

  app.get('/api/v1/webhooks', admin, async (request) => {
    const principal = principalOf(request);
    return { data: (await store.webhooks.listEndpoints(principal.organizationId)).map(endpointView) };
  });

  app.post('/api/v1/webhooks', admin, async (request, reply) => {
    const principal = principalOf(request);
    const body = objectBody(request.body);
    const created = await createEndpoint(store, {
      ...change(request, principal),
      url: body.url,
      types: body.types,
      description: body.description,
    });
    return reply.code(201).send({ ...created.endpoint, secret: created.secret });
  });

  app.get<WithId>('/api/v1/webhooks/:id', admin, async (request) => {
    const principal = principalOf(request);
    return endpointView(await endpointOf(store, principal.organizationId, request.params.id));
  });

  app.patch<WithId>('/api/v1/webhooks/:id', admin, async (request) => {
    const principal = principalOf(request);
    const body = objectBody(request.body);
    return updateEndpoint(store, {
      ...change(request, principal),
      id: request.params.id,
      url: body.url,
      types: body.types,
      description: body.description,
      enabled: body.enabled,
    });
  });

  app.delete<WithId>('/api/v1/webhooks/:id', admin, async (request, reply) => {
    const principal = principalOf(request);
    await deleteEndpoint(store, { ...change(request, principal), id: request.params.id });
    return reply.code(204).send();
  });

  app.post<WithId>('/api/v1/webhooks/:id/rotate-secret', admin, async (request) => {
    const principal = principalOf(request);
    const body = request.body === undefined || request.body === null ? {} : objectBody(request.body);
    const rotated = await rotateSecret(store, {
      ...change(request, principal),
      id: request.params.id,
      overlapSeconds: body.overlapSeconds,
    });
    return { ...rotated.endpoint, secret: rotated.secret };
  });

  app.post<WithId>('/api/v1/webhooks/:id/test', admin, async (request, reply) => {
    const principal = principalOf(request);
    return reply
      .code(202)
      .send(await sendTestEvent(store, { ...change(request, principal), id: request.params.id }));
  });

  app.get<WithId>('/api/v1/webhooks/:id/deliveries', admin, async (request) => {
    const principal = principalOf(request);
    const query = (request.query ?? {}) as Record<string, string | undefined>;
    const limit = limitOf(query) ?? 50;
    if (limit < 1 || limit > 200)
      throw new RosterError('invalid_value', 'limit must be a whole number from 1 to 200');
    const cursor = query.cursor;
    if (cursor !== undefined && !/^[0-9a-f-]{36}$/.test(cursor)) {
      throw new RosterError('invalid_value', 'cursor must be the nextCursor of a previous page');
    }
    const rows = await listDeliveries(store, principal.organizationId, request.params.id, limit + 1, cursor);
    const page = rows.slice(0, limit);
    return { data: page, nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
  });

  app.post<{ Params: { id: string; deliveryId: string } }>(
    '/api/v1/webhooks/:id/deliveries/:deliveryId/resend',
    admin,
    async (request, reply) => {
      const principal = principalOf(request);
      const resent = await resendDelivery(store, {
        organizationId: principal.organizationId,
        endpointId: request.params.id,
        deliveryId: request.params.deliveryId,
      });
      return reply.code(202).send(resent);
    },
  );
}
