// Webhooks (Admins): the organization's endpoints, one endpoint's settings and delivery log (with
// "resend"), "send test event", secret rotation and deletion. A secret is shown in the answer to
// the form that made it, once; Roster never shows it again.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isRosterError } from '../../errors.ts';
import { EVENT_TYPES, INSTALLATION_ONLY_TYPES } from '../../events/event-types.ts';
import { field } from '../../web/form-field.ts';
import { listDeliveries, resendDelivery, sendTestEvent } from '../../webhooks/deliveries.ts';
import {
  createEndpoint,
  deleteEndpoint,
  endpointOf,
  endpointView,
  rotateSecret,
  updateEndpoint,
} from '../../webhooks/manage-endpoints.ts';
import { type Cell, errorBox, notice, table, time } from '../components.ts';
import { adminViewerOf, type DashboardContext, queryValue, type Viewer } from '../context.ts';
import { sentence } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfInput, redirect, sendPage } from '../render.ts';

export const WEBHOOKS_PATH = '/settings/organization/webhooks';
const SUBSCRIBABLE = EVENT_TYPES.filter((type) => !INSTALLATION_ONLY_TYPES.has(type));

type WithId = { Params: { id: string } };

function typesOf(body: unknown): string[] {
  const raw = (body as Record<string, unknown> | undefined)?.types;
  const chosen = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
  return chosen.includes('*') ? ['*'] : chosen;
}

function secretPanel(secret: string): SafeHtml {
  return html`<div class="warning" role="status" id="webhook-secret">
    <p><strong>The signing secret, shown this once.</strong> Put it in your receiver's configuration
    now: Roster will not show it again.</p>
    <p><code>${secret}</code></p>
  </div>`;
}

function stateLabel(state: string, attempts: number): SafeHtml {
  const label =
    state === 'delivered'
      ? 'Delivered'
      : state === 'failed'
        ? 'Failed'
        : attempts > 0
          ? 'Retrying'
          : 'Pending';
  return html`<span class="badge badge-${state === 'delivered' ? 'active' : 'deactivated'}">${label}</span>`;
}

export function webhookPages(app: FastifyInstance, ctx: DashboardContext): void {
  const change = (viewer: Viewer, request: FastifyRequest) => ({
    organizationId: viewer.organizationId,
    actor: viewer.actor,
    requestId: request.id,
    allowPrivate: ctx.config.webhooks.allowPrivateNetworks,
  });

  async function showList(request: FastifyRequest, reply: FastifyReply, error?: string, status = 200) {
    const viewer = adminViewerOf(request);
    const endpoints = (await ctx.store.webhooks.listEndpoints(viewer.organizationId)).map(endpointView);
    const rows: Cell[][] = endpoints.map((endpoint) => [
      html`<a href="${WEBHOOKS_PATH}/${endpoint.id}">${endpoint.url}</a>`,
      endpoint.types.join(', '),
      endpoint.enabled
        ? html`<span class="badge badge-active">Enabled</span>`
        : html`<span class="badge badge-deactivated">${endpoint.disabledReason ? 'Disabled by Roster' : 'Disabled'}</span>`,
      time(endpoint.createdAt),
    ]);
    const url = field(request.body, 'url');
    const chosen = typesOf(request.body);
    return sendPage(ctx, request, reply, {
      title: 'Webhooks',
      currentPath: WEBHOOKS_PATH,
      status,
      body: html`<h1>Webhooks</h1>
        <p class="lead">Your product hears of every change (a member deactivated, a role changed) as it
        happens: Roster sends each event, signed per Standard Webhooks, to the endpoints below and retries
        for about three days. See docs/webhooks.md.</p>
        ${errorBox(error)}
        ${table('Webhook endpoints', ['URL', 'Events', 'Status', 'Created'], rows, 'No webhook endpoint yet.')}
        <form method="post" action="${WEBHOOKS_PATH}" class="panel">
          <h2>Add an endpoint</h2>
          ${csrfInput(viewer)}
          <input type="hidden" name="nonce" value="${randomBytes(16).toString('hex')}">
          <label for="webhook-url">URL</label>
          <input type="url" id="webhook-url" name="url" required maxlength="2048" placeholder="https://app.example.com/roster-webhooks" value="${url}">
          <fieldset>
            <legend>Events</legend>
            <label><input type="checkbox" name="types" value="*"${chosen.length === 0 || chosen.includes('*') ? html` checked` : ''}> All events</label>
            ${SUBSCRIBABLE.map(
              (type) =>
                html`<label><input type="checkbox" name="types" value="${type}"${chosen.includes(type) ? html` checked` : ''}> <code>${type}</code></label>`,
            )}
          </fieldset>
          <div class="actions"><button type="submit">Add endpoint</button></div>
        </form>`,
    });
  }

  app.get(WEBHOOKS_PATH, (request, reply) => showList(request, reply));

  app.post(WEBHOOKS_PATH, async (request, reply) => {
    const viewer = adminViewerOf(request);
    const nonce = field(request.body, 'nonce');
    const formNonce = /^[0-9a-f]{32}$/.test(nonce) ? nonce : undefined;
    // The same form again (a reload of the answer): the endpoint exists, its secret was shown.
    const existing =
      formNonce && (await ctx.store.webhooks.endpointByFormNonce(viewer.organizationId, formNonce));
    if (existing) return redirect(reply, `${WEBHOOKS_PATH}/${existing.id}`);
    try {
      const created = await createEndpoint(ctx.store, {
        ...change(viewer, request),
        url: field(request.body, 'url'),
        types: typesOf(request.body),
        ...(formNonce ? { formNonce } : {}),
      });
      return showOne(request as FastifyRequest<WithId>, reply, created.endpoint.id, {
        secret: created.secret,
        status: 201,
      });
    } catch (error) {
      if (isRosterError(error, 'invalid_value', 'conflict')) {
        return showList(request, reply, sentence(error.message), error.status);
      }
      throw error;
    }
  });

  async function showOne(
    request: FastifyRequest<WithId>,
    reply: FastifyReply,
    id: string,
    options: { secret?: string; error?: string; status?: number } = {},
  ) {
    const viewer = adminViewerOf(request);
    const endpoint = endpointView(await endpointOf(ctx.store, viewer.organizationId, id));
    const deliveries = await listDeliveries(ctx.store, viewer.organizationId, id, 50);
    const done = queryValue(request, 'done');
    const message =
      done === 'test'
        ? 'A test event is on its way.'
        : done === 'resent'
          ? 'The delivery will be sent again now.'
          : done === 'updated'
            ? 'The endpoint was saved.'
            : undefined;
    const rows: Cell[][] = deliveries.map((d) => [
      html`<code>${d.eventType}</code><br><span class="muted">${d.eventId}</span>`,
      stateLabel(d.state, d.attempts),
      String(d.attempts),
      d.lastStatus === null ? html`<span class="muted">${d.lastError ?? '—'}</span>` : String(d.lastStatus),
      d.lastDurationMs === null ? '' : `${d.lastDurationMs} ms`,
      time(d.lastAttemptAt, 'not yet'),
      time(d.nextAttemptAt, '—'),
      html`<form method="post" action="${WEBHOOKS_PATH}/${endpoint.id}/deliveries/${d.id}/resend" class="inline-form">
        ${csrfInput(viewer)}<button type="submit" class="button-secondary button-small">Resend</button></form>`,
    ]);
    return sendPage(ctx, request, reply, {
      title: endpoint.url,
      currentPath: WEBHOOKS_PATH,
      status: options.status ?? 200,
      body: html`<p><a href="${WEBHOOKS_PATH}">← Webhooks</a></p>
        <h1>${endpoint.url}</h1>
        ${options.secret ? secretPanel(options.secret) : ''}
        ${notice(message)}
        ${errorBox(options.error)}
        ${
          endpoint.disabledReason &&
          html`<div class="warning" role="alert" id="endpoint-disabled"><strong>Roster turned this endpoint off.</strong>
            ${sentence(endpoint.disabledReason)} Fix the receiver, then enable it: its pending deliveries resume.</div>`
        }
        <div class="panel">
          <p>Events: ${endpoint.types.map((type) => html`<code>${type}</code> `)}</p>
          <p>Status: ${endpoint.enabled ? 'enabled' : 'disabled'}${endpoint.previousSecretExpiresAt ? html` · the previous secret also signs until ${time(endpoint.previousSecretExpiresAt)}` : ''}</p>
          <div class="actions">
            <form method="post" action="${WEBHOOKS_PATH}/${endpoint.id}/test" class="inline-form">${csrfInput(viewer)}<button type="submit">Send test event</button></form>
            <form method="post" action="${WEBHOOKS_PATH}/${endpoint.id}/enabled" class="inline-form">${csrfInput(viewer)}
              <input type="hidden" name="enabled" value="${endpoint.enabled ? 'false' : 'true'}">
              <button type="submit" class="button-secondary button-small">${endpoint.enabled ? 'Disable' : 'Enable'}</button></form>
            <form method="post" action="${WEBHOOKS_PATH}/${endpoint.id}/rotate" class="inline-form">${csrfInput(viewer)}<button type="submit" class="button-secondary button-small">Rotate secret</button></form>
            <form method="post" action="${WEBHOOKS_PATH}/${endpoint.id}/delete" class="inline-form">${csrfInput(viewer)}<button type="submit" class="button-danger">Delete</button></form>
          </div>
        </div>
        <h2>Deliveries <span class="muted">(latest 50)</span></h2>
        ${table('Deliveries', ['Event', 'State', 'Attempts', 'Response', 'Time', 'Last attempt', 'Next attempt', ''], rows, 'Nothing sent yet. Send a test event to try the endpoint.')}`,
    });
  }

  app.get<WithId>(`${WEBHOOKS_PATH}/:id`, (request, reply) => showOne(request, reply, request.params.id));

  app.post<WithId>(`${WEBHOOKS_PATH}/:id/test`, async (request, reply) => {
    const viewer = adminViewerOf(request);
    await sendTestEvent(ctx.store, { ...change(viewer, request), id: request.params.id });
    return redirect(reply, `${WEBHOOKS_PATH}/${encodeURIComponent(request.params.id)}?done=test`);
  });

  app.post<WithId>(`${WEBHOOKS_PATH}/:id/enabled`, async (request, reply) => {
    const viewer = adminViewerOf(request);
    await updateEndpoint(ctx.store, {
      ...change(viewer, request),
      id: request.params.id,
      enabled: field(request.body, 'enabled') === 'true',
    });
    return redirect(reply, `${WEBHOOKS_PATH}/${encodeURIComponent(request.params.id)}?done=updated`);
  });

  app.post<WithId>(`${WEBHOOKS_PATH}/:id/rotate`, async (request, reply) => {
    const viewer = adminViewerOf(request);
    const rotated = await rotateSecret(ctx.store, { ...change(viewer, request), id: request.params.id });
    return showOne(request, reply, request.params.id, { secret: rotated.secret });
  });

  app.post<WithId>(`${WEBHOOKS_PATH}/:id/delete`, async (request, reply) => {
    const viewer = adminViewerOf(request);
    await deleteEndpoint(ctx.store, { ...change(viewer, request), id: request.params.id });
    return redirect(reply, WEBHOOKS_PATH);
  });

  app.post<{ Params: { id: string; deliveryId: string } }>(
    `${WEBHOOKS_PATH}/:id/deliveries/:deliveryId/resend`,
    async (request, reply) => {
      const viewer = adminViewerOf(request);
      await resendDelivery(ctx.store, {
        organizationId: viewer.organizationId,
        endpointId: request.params.id,
        deliveryId: request.params.deliveryId,
      });
      return redirect(reply, `${WEBHOOKS_PATH}/${encodeURIComponent(request.params.id)}?done=resent`);
    },
  );
}
