// Events are written by the use case, next to its audit event and inside the transaction of the
// change: the change and its event are stored together or not at all. An event is the public,
// versioned shape of a change (docs/events.md); the audit log is the organization's own record.
import type { Actor } from '../audit/actor.ts';
import { type AuditEntry, auditRow } from '../audit/record-audit.ts';
import { newId, now } from '../store/ids.ts';
import type { NewEventRow } from '../store/repos/events.ts';
import type { InsertPart } from '../store/repos/inserts.ts';
import type { Repositories } from '../store/store.ts';
import { EVENT_VERSION, type EventType } from './event-types.ts';

export interface EventResource {
  /** What the resource is: `member`, `token`, `organization`, … */
  object: string;
  id: string;
  [attribute: string]: unknown;
}

export interface NewEvent {
  type: EventType;
  /** Null for an installation-wide event (none yet). */
  organizationId: string | null;
  actor: Actor;
  /** The resource as it is after the change. */
  data: EventResource;
  /** What changed, as it was before (only for types whose documentation says so). */
  previous?: Record<string, unknown>;
}

/** The payload as the events API returns it and a webhook delivers it. */
export interface EventPayload {
  id: string;
  type: string;
  version: number;
  timestamp: string;
  organization: { id: string } | null;
  actor: { type: string; id: string | null; label: string | null };
  data: EventResource;
  previous?: Record<string, unknown>;
}

export function newEventId(): string {
  return `evt_${newId().replaceAll('-', '')}`;
}

export function eventPayload(event: NewEvent, id = newEventId(), timestamp = now()): EventPayload {
  return {
    id,
    type: event.type,
    version: EVENT_VERSION,
    timestamp,
    organization: event.organizationId === null ? null : { id: event.organizationId },
    actor: { type: event.actor.type, id: event.actor.id, label: event.actor.label },
    data: event.data,
    ...(event.previous ? { previous: event.previous } : {}),
  };
}

export async function recordEvent(tx: Repositories, event: NewEvent): Promise<void> {
  await tx.events.insert(eventRow(event));
}

/** The outbox row `event` is stored as. */
export function eventRow(event: NewEvent): NewEventRow {
  const payload = eventPayload(event);
  return {
    id: payload.id,
    organization_id: event.organizationId,
    type: event.type,
    occurred_at: payload.timestamp,
    resource_key: `${event.data.object}:${event.data.id}`,
    payload: JSON.stringify(payload),
  };
}

/**
 * A change's audit event and its public events (and `rows`, other rows of the same change that
 * nothing in it reads back, such as a new member's account), written together in the caller's
 * transaction: one statement on PostgreSQL, where each statement is a round trip
 * (store/repos/inserts.ts); one per table on SQLite.
 */
export async function recordAuditAndEvents(
  tx: Repositories,
  audit: AuditEntry,
  events: readonly NewEvent[],
  rows: readonly InsertPart[] = [],
): Promise<void> {
  await tx.inserts.together([
    ...rows,
    { table: 'audit_events', rows: [auditRow(audit)] },
    { table: 'events', rows: events.map(eventRow) },
  ]);
}
