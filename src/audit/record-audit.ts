// Audit events are written by the use case, inside the transaction of the change they describe.

import { now } from '../store/ids.ts';
import type { NewAuditEvent } from '../store/repos/audit.ts';
import type { Repositories, Store } from '../store/store.ts';
import type { AuditAction } from './actions.ts';
import type { Actor } from './actor.ts';

export interface AuditEntry {
  organizationId: string | null;
  actor: Actor;
  action: AuditAction;
  target: { type: string; id: string | null; label?: string | null };
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
}

export async function recordAudit(tx: Repositories, entry: AuditEntry): Promise<void> {
  await tx.audit.insert(auditRow(entry));
}

/** The row `entry` is stored as (audit_events). */
export function auditRow(entry: AuditEntry): NewAuditEvent {
  return {
    organization_id: entry.organizationId,
    occurred_at: now(),
    actor_type: entry.actor.type,
    actor_id: entry.actor.id,
    actor_label: entry.actor.label,
    action: entry.action,
    target_type: entry.target.type,
    target_id: entry.target.id,
    target_label: entry.target.label ?? null,
    before: entry.before === undefined ? null : JSON.stringify(entry.before),
    after: entry.after === undefined ? null : JSON.stringify(entry.after),
    request_id: entry.requestId ?? null,
  };
}

/** The actor of an event nobody proved who they are for: anyone who can send a request. */
export const UNAUTHENTICATED_ACTOR: Actor = { type: 'unauthenticated', id: null, label: null };

export interface UnauthenticatedFailure {
  organizationId: string;
  action: AuditAction;
  /** A typed reason from Roster's own list, never the request's text. */
  reason: string;
  /** What it concerns: the organization, or the member a password attempt named. */
  target: { type: string; id: string | null; label?: string | null };
  requestId?: string | null;
}

/**
 * Counts an unauthenticated failure: one event per organization, action, reason, target and
 * minute, whose `after` carries the count and the minute and is marked `unauthenticated` (the
 * latest request id too). So a flood of refused requests writes a few bounded rows, and what an
 * anonymous request said never reaches the log.
 */
export async function recordUnauthenticatedFailure(store: Store, failure: UnauthenticatedFailure) {
  const occurredAt = now();
  const minute = occurredAt.slice(0, 16);
  await store.transaction((tx) =>
    tx.audit.countFailure(
      {
        organization_id: failure.organizationId,
        action: failure.action,
        reason: failure.reason,
        subject: failure.target.id ?? '',
        minute,
      },
      (count) => ({
        organization_id: failure.organizationId,
        occurred_at: occurredAt,
        actor_type: UNAUTHENTICATED_ACTOR.type,
        actor_id: null,
        actor_label: null,
        action: failure.action,
        target_type: failure.target.type,
        target_id: failure.target.id,
        target_label: failure.target.label ?? null,
        before: null,
        after: JSON.stringify({ reason: failure.reason, unauthenticated: true, count, minute }),
        request_id: failure.requestId ?? null,
      }),
    ),
  );
}
