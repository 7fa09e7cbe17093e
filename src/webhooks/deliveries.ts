// The delivery log of an endpoint, "resend", and "send test event".
import { RosterError } from '../errors.ts';
import { TEST_EVENT_TYPE } from '../events/event-types.ts';
import { eventPayload, newEventId } from '../events/record-event.ts';
import { newId, now } from '../store/ids.ts';
import type { WebhookDeliveryRow } from '../store/repos/webhooks.ts';
import type { Store } from '../store/store.ts';
import { type EndpointChange, endpointOf } from './manage-endpoints.ts';

export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  state: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  /** The receiver's HTTP status, or null when no answer came (see `lastError`). */
  lastStatus: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  /** The start of the receiver's answer (up to 4 KiB). */
  lastResponse: string | null;
  createdAt: string;
  deliveredAt: string | null;
  /** The request's body: the event. */
  request: { body: unknown };
}

export function deliveryView(row: WebhookDeliveryRow): DeliveryView {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.state === 'pending' ? row.next_attempt_at : null,
    lastAttemptAt: row.last_attempt_at,
    lastStatus: row.last_status,
    lastError: row.last_error,
    lastDurationMs: row.last_duration_ms,
    lastResponse: row.last_response,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    request: { body: JSON.parse(row.payload) },
  };
}

export async function listDeliveries(
  store: Store,
  organizationId: string | null,
  endpointId: string,
  limit: number,
  before?: string,
): Promise<DeliveryView[]> {
  await endpointOf(store, organizationId, endpointId);
  return (await store.webhooks.log(endpointId, limit, before)).map(deliveryView);
}

/** Delivers the same message again (same `webhook-id`), now, with its attempts counted afresh. */
export async function resendDelivery(
  store: Store,
  input: { organizationId: string | null; endpointId: string; deliveryId: string },
): Promise<DeliveryView> {
  return store.transaction(async (tx) => {
    await endpointOf(tx, input.organizationId, input.endpointId);
    const row = await tx.webhooks.getDelivery(input.endpointId, input.deliveryId);
    if (!row) throw new RosterError('not_found', `no delivery with id ${input.deliveryId} for this endpoint`);
    await tx.webhooks.resend(input.endpointId, row.id, now());
    const after = await tx.webhooks.getDelivery(input.endpointId, row.id);
    return deliveryView(after ?? row);
  });
}

/** A `webhook.test` message to one endpoint, delivered like any other (log, retries). */
export async function sendTestEvent(
  store: Store,
  change: EndpointChange & { id: string },
): Promise<DeliveryView> {
  return store.transaction(async (tx) => {
    const endpoint = await endpointOf(tx, change.organizationId, change.id);
    const at = now();
    const id = newId();
    const payload = {
      ...eventPayload(
        {
          type: 'member.updated',
          organizationId: change.organizationId,
          actor: change.actor,
          data: { object: 'webhook_endpoint', id: endpoint.id, url: endpoint.url },
        },
        newEventId(),
        at,
      ),
      type: TEST_EVENT_TYPE,
    };
    const row: WebhookDeliveryRow = {
      id,
      endpoint_id: endpoint.id,
      organization_id: change.organizationId,
      event_id: payload.id,
      event_type: TEST_EVENT_TYPE,
      resource_key: `test:${id}`,
      position: 0,
      payload: JSON.stringify(payload),
      state: 'pending',
      attempts: 0,
      next_attempt_at: at,
      locked_until: null,
      last_attempt_at: null,
      last_status: null,
      last_error: null,
      last_duration_ms: null,
      last_response: null,
      created_at: at,
      delivered_at: null,
    };
    await tx.webhooks.insertDeliveries([row]);
    return deliveryView(row);
  });
}
