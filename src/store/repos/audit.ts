import type { Insertable, Selectable } from 'kysely';
import type { AuditEventsTable } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type AuditEventRecord = Selectable<AuditEventsTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;

export interface AuditQuery {
  organizationId: string;
  /** Return events with an id lower than this (newest first, cursor pagination). */
  before?: number;
  limit: number;
  action?: string;
  actorId?: string;
  targetId?: string;
  since?: string;
  until?: string;
}

export class AuditRepo {
  constructor(private readonly ctx: RepoContext) {}

  async insert(event: NewAuditEvent): Promise<void> {
    await this.ctx.db.insertInto('audit_events').values(event).execute();
  }

  async list(query: AuditQuery): Promise<AuditEventRecord[]> {
    let builder = this.ctx.db
      .selectFrom('audit_events')
      .selectAll()
      .where('organization_id', '=', query.organizationId);
    if (query.before !== undefined) builder = builder.where('id', '<', query.before);
    if (query.action) builder = builder.where('action', '=', query.action);
    if (query.actorId) builder = builder.where('actor_id', '=', query.actorId);
    if (query.targetId) builder = builder.where('target_id', '=', query.targetId);
    if (query.since) builder = builder.where('occurred_at', '>=', query.since);
    if (query.until) builder = builder.where('occurred_at', '<', query.until);
    const rows = await builder.orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map((row) => ({ ...row, id: Number(row.id) }));
  }
}
