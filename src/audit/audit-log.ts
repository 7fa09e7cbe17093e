// Reading the audit log: filters as people type them, one JSON shape for an event (API, NDJSON
// export), CSV lines, and a paged walk over every matching event for exports that must not hold a
// large log in memory.

import { RosterError } from '../errors.ts';
import type { AuditEventRecord, AuditSearch } from '../store/repos/audit.ts';
import type { Store } from '../store/store.ts';

export type AuditFilters = Omit<AuditSearch, 'organizationId' | 'before' | 'limit'>;

export interface AuditFilterInput {
  action?: string;
  actor?: string;
  target?: string;
  /** A day (`2025-03-01`, from its start, UTC) or an ISO-8601 instant. */
  since?: string;
  /** A day (through its end, UTC) or an ISO-8601 instant (exclusive). */
  until?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function instant(name: string, value: string | undefined, endOfDay: boolean): string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  const time = Date.parse(DAY.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(time)) {
    throw new RosterError('invalid_value', `${name} must be a date such as 2025-03-01 or an ISO-8601 time`);
  }
  return new Date(DAY.test(text) && endOfDay ? time + 86_400_000 : time).toISOString();
}

export function auditFilters(input: AuditFilterInput): AuditFilters {
  const filters: AuditFilters = {};
  const text = (value: string | undefined) => value?.trim().slice(0, 200) || undefined;
  const action = text(input.action);
  const actor = text(input.actor);
  const target = text(input.target);
  const since = instant('since', input.since, false);
  const until = instant('until', input.until, true);
  if (action) filters.action = action;
  if (actor) filters.actor = actor;
  if (target) filters.target = target;
  if (since) filters.since = since;
  if (until) filters.until = until;
  return filters;
}

function parse(json: string | null): unknown {
  if (json === null) return null;
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}

export interface AuditEventView {
  id: number;
  occurredAt: string;
  actor: { type: string; id: string | null; label: string | null };
  action: string;
  target: { type: string; id: string | null; label: string | null };
  before: unknown;
  after: unknown;
  requestId: string | null;
}

export function auditEventView(event: AuditEventRecord): AuditEventView {
  return {
    id: Number(event.id),
    occurredAt: event.occurred_at,
    actor: { type: event.actor_type, id: event.actor_id, label: event.actor_label },
    action: event.action,
    target: { type: event.target_type, id: event.target_id, label: event.target_label },
    before: parse(event.before),
    after: parse(event.after),
    requestId: event.request_id,
  };
}

export const CSV_HEADER = [
  'id',
  'occurred_at',
  'actor_type',
  'actor_id',
  'actor_label',
  'action',
  'target_type',
  'target_id',
  'target_label',
  'before',
  'after',
  'request_id',
] as const;

/**
 * One RFC 4180 line. Cells a spreadsheet would run as a formula (=, +, -, @, tab, CR at the start)
 * get a leading apostrophe: labels come from identity providers and people.
 */
export function csvLine(values: readonly (string | number | null)[]): string {
  return `${values
    .map((value) => {
      let text = value === null ? '' : String(value);
      if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    })
    .join(',')}\r\n`;
}

export function csvRow(event: AuditEventRecord): string {
  return csvLine([
    Number(event.id),
    event.occurred_at,
    event.actor_type,
    event.actor_id,
    event.actor_label,
    event.action,
    event.target_type,
    event.target_id,
    event.target_label,
    event.before,
    event.after,
    event.request_id,
  ]);
}

/** Every matching event, newest first, read `batch` at a time by id cursor. */
export async function* walkAuditEvents(
  store: Store,
  organizationId: string,
  filters: AuditFilters,
  batch = 500,
): AsyncGenerator<AuditEventRecord> {
  let before: number | undefined;
  for (;;) {
    const rows = await store.audit.search({
      organizationId,
      ...filters,
      limit: batch,
      ...(before !== undefined ? { before } : {}),
    });
    yield* rows;
    const last = rows[rows.length - 1];
    if (rows.length < batch || !last) return;
    before = Number(last.id);
  }
}
