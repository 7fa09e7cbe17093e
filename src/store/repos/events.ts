import type { Insertable, Selectable } from 'kysely';
import type { EventsTable } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type EventRow = Selectable<EventsTable>;
export type NewEventRow = Omit<Insertable<EventsTable>, 'position'>;

/** A committed event with its position: what readers get. */
export interface SequencedEvent {
  position: number;
  id: string;
  organization_id: string | null;
  type: string;
  occurred_at: string;
  resource_key: string;
  payload: string;
}

export interface EventPageQuery {
  /** One organization's events; undefined: every event, of every organization and of none. */
  organizationId?: string;
  /** Events after this position (0: from the oldest kept). */
  after: number;
  /** Only these types (none: every type). */
  types?: readonly string[];
  /** Types this reader may not see. */
  hiddenTypes: readonly string[];
  limit: number;
}

function sequenced(row: EventRow): SequencedEvent {
  return { ...row, position: Number(row.position) };
}

/** The outbox (migrations/013-events-and-webhooks.ts): written by use cases, read by position. */
export class EventRepo {
  constructor(private readonly ctx: RepoContext) {}

  async insert(event: NewEventRow): Promise<void> {
    await this.ctx.db.insertInto('events').values(event).execute();
  }

  /**
   * Gives positions to committed events that have none, oldest `seq` first, and returns them.
   * Must run in a write transaction: the `event_sequence` row (locked on PostgreSQL; SQLite's write
   * lock covers it) makes one instance at a time number events, so positions only grow.
   */
  async sequence(limit: number): Promise<SequencedEvent[]> {
    const db = this.ctx.db;
    await db
      .insertInto('event_sequence')
      .values({ id: 1, last_position: 0 })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    let last = db.selectFrom('event_sequence').select('last_position').where('id', '=', 1);
    if (this.ctx.dialect.name === 'postgres') last = last.forUpdate();
    const { last_position } = await last.executeTakeFirstOrThrow();
    const rows = await db
      .selectFrom('events')
      .selectAll()
      .where('position', 'is', null)
      .orderBy('seq')
      .limit(limit)
      .execute();
    if (rows.length === 0) return [];
    // Positions keep the gaps of `seq` (no per-row statement): position = seq + base.
    const first = Number(rows[0]?.seq);
    const base = Number(last_position) - first + 1;
    const seqs = rows.map((row) => Number(row.seq));
    await db
      .updateTable('events')
      .set((eb) => ({ position: eb('seq', '+', base) }))
      .where('seq', 'in', seqs)
      .execute();
    const max = Math.max(...seqs) + base;
    await db.updateTable('event_sequence').set({ last_position: max }).where('id', '=', 1).execute();
    return rows.map((row) => sequenced({ ...row, position: Number(row.seq) + base }));
  }

  /** Whether some committed event still waits for its position. */
  async hasUnsequenced(): Promise<boolean> {
    const row = await this.ctx.db
      .selectFrom('events')
      .select('seq')
      .where('position', 'is', null)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async page(query: EventPageQuery): Promise<SequencedEvent[]> {
    let builder = this.ctx.db.selectFrom('events').selectAll().where('position', '>', query.after);
    if (query.organizationId !== undefined)
      builder = builder.where('organization_id', '=', query.organizationId);
    if (query.types && query.types.length > 0) builder = builder.where('type', 'in', query.types);
    if (query.hiddenTypes.length > 0) builder = builder.where('type', 'not in', query.hiddenTypes);
    const rows = await builder.orderBy('position').limit(query.limit).execute();
    return rows.map(sequenced);
  }

  /** Deletes up to `limit` of the oldest events that occurred before `cutoff`; returns how many. */
  async prune(cutoff: string, limit: number): Promise<number> {
    const oldest = await this.ctx.db
      .selectFrom('events')
      .select(['seq', 'occurred_at'])
      .orderBy('seq')
      .limit(limit)
      .execute();
    const expired = oldest.filter((row) => row.occurred_at < cutoff).map((row) => Number(row.seq));
    if (expired.length === 0) return 0;
    await this.ctx.db.deleteFrom('events').where('seq', 'in', expired).execute();
    return expired.length;
  }
}
