// The sequencer and the fan-out, in one transaction: committed events get their positions (see
// migrations/013-events-and-webhooks.ts) and, for each enabled endpoint of their organization that
// subscribes to the type, and for each installation-wide endpoint that does, a pending delivery. Either both happen or neither, so no event is given a
// position without its deliveries. Any instance may run it; the `event_sequence` row takes turns.
import { INSTALLATION_ONLY_TYPES } from '../events/event-types.ts';
import { newId, now } from '../store/ids.ts';
import type { EventRow } from '../store/repos/events.ts';
import type { NewWebhookDelivery, WebhookEndpointRow } from '../store/repos/webhooks.ts';
import type { Store } from '../store/store.ts';
import { subscribes } from './manage-endpoints.ts';

export const DISPATCH_BATCH = 500;

/**
 * Whether an endpoint hears of an event at all: an installation-wide endpoint of every event, as
 * the events API shows them to an installation token; an organization's endpoint of its own
 * organization's, but the installation's own types.
 */
function hears(endpoint: WebhookEndpointRow, event: Pick<EventRow, 'organization_id' | 'type'>): boolean {
  if (endpoint.organization_id === null) return true;
  return endpoint.organization_id === event.organization_id && !INSTALLATION_ONLY_TYPES.has(event.type);
}

/** Sequences and fans out up to `limit` events; returns how many were sequenced. */
export async function dispatchEvents(store: Store, limit = DISPATCH_BATCH): Promise<number> {
  // A read first, so that an idle installation writes nothing.
  if (!(await store.events.hasUnsequenced())) return 0;
  return store.transaction(async (tx) => {
    const events = await tx.events.sequence(limit);
    const organizations = [
      ...new Set(events.map((event) => event.organization_id).filter((id) => id !== null)),
    ];
    const endpoints = await tx.webhooks.enabledEndpointsOf(organizations);
    const at = now();
    const deliveries: NewWebhookDelivery[] = [];
    for (const event of events) {
      for (const endpoint of endpoints) {
        if (!hears(endpoint, event)) continue;
        // An endpoint hears of what happened since it was created, not before.
        if (endpoint.created_at > event.occurred_at || !subscribes(endpoint, event.type)) continue;
        deliveries.push({
          id: newId(),
          endpoint_id: endpoint.id,
          organization_id: event.organization_id,
          event_id: event.id,
          event_type: event.type,
          resource_key: event.resource_key,
          position: event.position,
          payload: event.payload,
          state: 'pending',
          attempts: 0,
          next_attempt_at: at,
          locked_until: null,
          created_at: at,
        });
      }
    }
    // Ids made within one millisecond are not ordered among themselves (store/ids.ts); sorted, they
    // follow the events' order, which the delivery log (newest first, by id) then shows.
    const ids = deliveries.map(() => newId()).sort();
    deliveries.forEach((delivery, index) => {
      delivery.id = ids[index] as string;
    });
    await tx.webhooks.insertDeliveries(deliveries);
    return events.length;
  });
}
