import { type Insertable, type Selectable, sql } from 'kysely';
import { likePattern } from '../like-pattern.ts';
import { templatesOf } from '../query-templates.ts';
import { rowLimit } from '../row-limit.ts';
import type { AuditEventsTable } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type AuditEventRecord = Selectable<AuditEventsTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;

/** What an aggregated failure is counted by: one audit event per key. */
export interface AuditCounterKey {
  organization_id: string;
  action: string;
  reason: string;
  subject: string;
  /** `2025-03-01T12:34` */
  minute: string;
}

/** The audit log's filters as people type them (dashboard, API, exports). */
export interface AuditSearch {
  organizationId: string;
  /** Events with an id lower than this: newest first, cursor pagination. */
  before?: number;
  limit: number;
  /** Exact action, e.g. `member.deactivated`. */
  action?: string;
  /** An actor id, or part of an actor label (case-insensitive). */
  actor?: string;
  /** A target id, or part of a target label (case-insensitive). */
  target?: string;
  /** ISO-8601 instants: since inclusive, until exclusive. */
  since?: string;
  until?: string;
}

export class AuditRepo {
  constructor(private readonly ctx: RepoContext) {}

  async insert(event: NewAuditEvent): Promise<void> {
    await templatesOf(this.ctx.dialect).insert(this.ctx.db, 'audit_events', [event]);
  }

  /**
   * Counts one more unauthenticated failure in its minute and keeps one audit event per counter:
   * inserted at the first failure, its `after` rewritten (with the count) at every later one. Runs
   * inside the caller's transaction; the counter's primary key serializes two instances counting
   * the same minute (PostgreSQL locks the row of the upsert until commit).
   */
  async countFailure(key: AuditCounterKey, event: (count: number) => NewAuditEvent): Promise<number> {
    const db = this.ctx.db;
    const counter = await db
      .insertInto('audit_counters')
      .values({ ...key, event_id: null, count: 1 })
      .onConflict((oc) =>
        oc
          .columns(['organization_id', 'action', 'reason', 'subject', 'minute'])
          .doUpdateSet({ count: sql`${sql.ref('audit_counters.count')} + 1` }),
      )
      .returning(['count', 'event_id'])
      .executeTakeFirstOrThrow();
    const count = Number(counter.count);
    const row = event(count);
    if (counter.event_id === null) {
      const inserted = await db
        .insertInto('audit_events')
        .values(row)
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .updateTable('audit_counters')
        .set({ event_id: Number(inserted.id) })
        .where('organization_id', '=', key.organization_id)
        .where('action', '=', key.action)
        .where('reason', '=', key.reason)
        .where('subject', '=', key.subject)
        .where('minute', '=', key.minute)
        .execute();
    } else {
      await db
        .updateTable('audit_events')
        .set({ after: row.after ?? null, request_id: row.request_id ?? null })
        .where('id', '=', Number(counter.event_id))
        .execute();
    }
    // Counters of past minutes are done: their events stay, the counters go.
    await db.deleteFrom('audit_counters').where('minute', '<', key.minute).execute();
    return count;
  }

  /**
   * Newest first, walking the (organization_id, id) index down from the cursor; an id given as
   * actor or target is matched exactly (indexed), anything else against the label.
   */
  async search(query: AuditSearch): Promise<AuditEventRecord[]> {
    const { fold } = this.ctx.dialect.sql;
    let builder = this.ctx.db
      .selectFrom('audit_events')
      .selectAll()
      .where('organization_id', '=', query.organizationId);
    if (query.before !== undefined) builder = builder.where('id', '<', query.before);
    if (query.action) builder = builder.where('action', '=', query.action);
    for (const [value, id, label] of [
      [query.actor, 'actor_id', 'actor_label'],
      [query.target, 'target_id', 'target_label'],
    ] as const) {
      if (!value) continue;
      const pattern = likePattern('co', value);
      builder = builder.where((eb) =>
        eb.or([
          eb(id, '=', value),
          eb(fold(sql.ref(label)), 'like', sql<string>`${fold(pattern)} escape '\\'`),
        ]),
      );
    }
    if (query.since) builder = builder.where('occurred_at', '>=', query.since);
    if (query.until) builder = builder.where('occurred_at', '<', query.until);
    const rows = await builder.orderBy('id', 'desc').limit(rowLimit(query.limit)).execute();
    return rows.map((row) => ({ ...row, id: Number(row.id) }));
  }
}
