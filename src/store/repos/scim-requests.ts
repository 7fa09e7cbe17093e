import type { Insertable, Selectable } from 'kysely';
import { rowLimit } from '../row-limit.ts';
import type { ScimRequestsTable } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type ScimRequestRecord = Selectable<ScimRequestsTable>;
export type NewScimRequest = Insertable<ScimRequestsTable>;

/** `error`: answered 4xx or 5xx; `all`: every request. */
export type ScimRequestOutcome = 'all' | 'error';

export interface ScimRequestQuery {
  limit: number;
  outcome?: ScimRequestOutcome;
  /** Only requests at or after this ISO time (the retention: older rows may not be trimmed yet). */
  since?: string;
}

export interface ScimRequestCounts {
  requests: number;
  errors: number;
}

/**
 * The latest SCIM requests per organization. Not part of `Repositories`: it is written off the
 * request path (never inside a use case's transaction) and read by the dashboard and the API only.
 * Every read goes through the (organization_id, id) index, over at most the rows kept (1,000).
 */
export class ScimRequestRepo {
  constructor(private readonly ctx: RepoContext) {}

  async insert(request: NewScimRequest): Promise<void> {
    await this.insertMany([request]);
  }

  /** One multi-row INSERT (one statement, one commit) for a batch of requests. */
  async insertMany(requests: readonly NewScimRequest[]): Promise<void> {
    if (requests.length === 0) return;
    await this.ctx.db.insertInto('scim_requests').values(requests).execute();
  }

  /** Newest first, through the (organization_id, id) index. */
  async listRecent(organizationId: string, query: number | ScimRequestQuery): Promise<ScimRequestRecord[]> {
    const { limit, outcome = 'all', since } = typeof query === 'number' ? { limit: query } : query;
    let select = this.ctx.db
      .selectFrom('scim_requests')
      .selectAll()
      .where('organization_id', '=', organizationId);
    if (outcome === 'error') select = select.where('status', '>=', 400);
    if (since !== undefined) select = select.where('occurred_at', '>=', since);
    const rows = await select.orderBy('id', 'desc').limit(rowLimit(limit)).execute();
    return rows.map((row) => ({ ...row, id: Number(row.id), status: Number(row.status) }));
  }

  /** How many requests, and how many answered 4xx or 5xx, since `since`. */
  async countSince(organizationId: string, since: string): Promise<ScimRequestCounts> {
    const row = await this.ctx.db
      .selectFrom('scim_requests')
      .select((eb) => [
        eb.fn.countAll().as('requests'),
        eb.fn.count(eb.case().when('status', '>=', 400).then(1).end()).as('errors'),
      ])
      .where('organization_id', '=', organizationId)
      .where('occurred_at', '>=', since)
      .executeTakeFirst();
    return { requests: Number(row?.requests ?? 0), errors: Number(row?.errors ?? 0) };
  }

  /**
   * Deletes all but the newest `keep` requests of the organization, and those before `before` (an
   * ISO time) when given; returns how many went.
   */
  async trim(organizationId: string, keep: number, before?: string): Promise<number> {
    const oldestKept = await this.ctx.db
      .selectFrom('scim_requests')
      .select('id')
      .where('organization_id', '=', organizationId)
      .orderBy('id', 'desc')
      .offset(keep - 1)
      .limit(rowLimit(1))
      .executeTakeFirst();
    if (!oldestKept && before === undefined) return 0;
    const result = await this.ctx.db
      .deleteFrom('scim_requests')
      .where('organization_id', '=', organizationId)
      .where((eb) => {
        const conditions = [];
        if (oldestKept) conditions.push(eb('id', '<', Number(oldestKept.id)));
        if (before !== undefined) conditions.push(eb('occurred_at', '<', before));
        return eb.or(conditions);
      })
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
