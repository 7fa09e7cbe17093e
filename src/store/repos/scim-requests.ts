import type { Insertable, Selectable } from 'kysely';
import { rowLimit } from '../row-limit.ts';
import type { ScimRequestsTable } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type ScimRequestRecord = Selectable<ScimRequestsTable>;
export type NewScimRequest = Insertable<ScimRequestsTable>;

/**
 * The latest SCIM requests per organization. Not part of `Repositories`: it is written off the
 * request path (never inside a use case's transaction) and read by the dashboard only.
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
  async listRecent(organizationId: string, limit: number): Promise<ScimRequestRecord[]> {
    const rows = await this.ctx.db
      .selectFrom('scim_requests')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('id', 'desc')
      .limit(rowLimit(limit))
      .execute();
    return rows.map((row) => ({ ...row, id: Number(row.id), status: Number(row.status) }));
  }

  /** Deletes all but the newest `keep` requests of the organization; returns how many went. */
  async trim(organizationId: string, keep: number): Promise<number> {
    const oldestKept = await this.ctx.db
      .selectFrom('scim_requests')
      .select('id')
      .where('organization_id', '=', organizationId)
      .orderBy('id', 'desc')
      .offset(keep - 1)
      .limit(rowLimit(1))
      .executeTakeFirst();
    if (!oldestKept) return 0;
    const result = await this.ctx.db
      .deleteFrom('scim_requests')
      .where('organization_id', '=', organizationId)
      .where('id', '<', Number(oldestKept.id))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
