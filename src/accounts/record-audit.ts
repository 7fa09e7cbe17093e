// Audit events are written by the use case, inside the transaction of the change they describe.

import { now } from '../store/ids.ts';
import type { Repositories } from '../store/store.ts';
import type { Actor } from './actor.ts';

export interface AuditEntry {
  organizationId: string | null;
  actor: Actor;
  action: string;
  target: { type: string; id: string | null; label?: string | null };
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
}

export async function recordAudit(tx: Repositories, entry: AuditEntry): Promise<void> {
  await tx.audit.insert({
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
  });
}
