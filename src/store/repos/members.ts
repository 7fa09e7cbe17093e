import type { Expression, Selectable, SqlBool } from 'kysely';
import { sql } from 'kysely';
import { VersionConflictError } from '../errors.ts';
import type { MembershipsTable } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type MemberRow = Selectable<MembershipsTable>;

export interface MemberEmailRow {
  value: string;
  type: string | null;
  primary: boolean;
}

export interface ListMembersQuery {
  /** A filter over the `memberships as m` alias (see `src/store/filter`). */
  where?: Expression<SqlBool>;
  orderBy?: Expression<unknown>;
  descending?: boolean;
  /** 0-based number of rows to skip. */
  offset: number;
  limit: number;
}

export class MemberRepo {
  constructor(private readonly ctx: RepoContext) {}

  async insert(row: MemberRow, emails: readonly MemberEmailRow[]): Promise<void> {
    await this.ctx.db.insertInto('memberships').values(row).execute();
    await this.insertEmails(row, emails);
  }

  /**
   * Writes `row` if the stored version is still `expectedVersion` (optimistic concurrency across
   * instances); `row.version` must already be the new version. Emails are rewritten when given.
   */
  async update(row: MemberRow, expectedVersion: number, emails?: readonly MemberEmailRow[]): Promise<void> {
    const { id, organization_id, ...changes } = row;
    const result = await this.ctx.db
      .updateTable('memberships')
      .set(changes)
      .where('id', '=', id)
      .where('organization_id', '=', organization_id)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new VersionConflictError();
    if (emails) {
      await this.ctx.db.deleteFrom('member_emails').where('membership_id', '=', id).execute();
      await this.insertEmails(row, emails);
    }
  }

  private async insertEmails(row: MemberRow, emails: readonly MemberEmailRow[]): Promise<void> {
    if (emails.length === 0) return;
    await this.ctx.db
      .insertInto('member_emails')
      .values(
        emails.map((email, position) => ({
          membership_id: row.id,
          organization_id: row.organization_id,
          position,
          value: email.value,
          type: email.type,
          primary: email.primary ? 1 : 0,
        })),
      )
      .execute();
  }

  /** Reads one member; inside a transaction `forUpdate` holds its row lock (PostgreSQL). */
  async getById(organizationId: string, id: string, options: { forUpdate?: boolean } = {}) {
    let query = this.ctx.db
      .selectFrom('memberships')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id);
    if (options.forUpdate && this.ctx.dialect.rowLocks) query = query.forUpdate();
    return query.executeTakeFirst();
  }

  async findByUserName(organizationId: string, userName: string): Promise<MemberRow | undefined> {
    return this.ctx.db
      .selectFrom('memberships')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where(sql`lower(user_name)`, '=', sql`lower(${userName})`)
      .executeTakeFirst();
  }

  async findByUserId(organizationId: string, userId: string): Promise<MemberRow | undefined> {
    return this.ctx.db
      .selectFrom('memberships')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  async listForUser(userId: string): Promise<MemberRow[]> {
    return this.ctx.db.selectFrom('memberships').selectAll().where('user_id', '=', userId).execute();
  }

  /** Members in creation order from position `fromSeq` on: an index range, however deep the page. */
  async listBySeq(organizationId: string, fromSeq: number, limit: number): Promise<MemberRow[]> {
    return this.ctx.db
      .selectFrom('memberships')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('seq', '>=', fromSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
  }

  async list(organizationId: string, query: ListMembersQuery): Promise<MemberRow[]> {
    let builder = this.ctx.db
      .selectFrom('memberships as m')
      .selectAll('m')
      .where('m.organization_id', '=', organizationId);
    if (query.where) builder = builder.where(query.where);
    const direction = query.descending ? 'desc' : 'asc';
    if (query.orderBy) builder = builder.orderBy(query.orderBy, direction);
    return builder.orderBy('m.seq', direction).limit(query.limit).offset(query.offset).execute();
  }

  async count(organizationId: string, where?: Expression<SqlBool>): Promise<number> {
    let builder = this.ctx.db
      .selectFrom('memberships as m')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('m.organization_id', '=', organizationId);
    if (where) builder = builder.where(where);
    const row = await builder.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async countActiveAdmins(organizationId: string): Promise<number> {
    const row = await this.ctx.db
      .selectFrom('memberships')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('organization_id', '=', organizationId)
      .where('status', '=', 'active')
      .where('role', '=', 'admin')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async emails(membershipId: string): Promise<MemberEmailRow[]> {
    const rows = await this.ctx.db
      .selectFrom('member_emails')
      .select(['value', 'type', 'primary'])
      .where('membership_id', '=', membershipId)
      .orderBy('position')
      .execute();
    return rows.map((r) => ({ value: r.value, type: r.type, primary: r.primary === 1 }));
  }

  async grantWorkspace(membershipId: string, workspaceId: string, at: string): Promise<void> {
    await this.ctx.db
      .insertInto('workspace_grants')
      .values({ membership_id: membershipId, workspace_id: workspaceId, created_at: at })
      .onConflict((oc) => oc.columns(['membership_id', 'workspace_id']).doNothing())
      .execute();
  }

  async revokeWorkspace(membershipId: string, workspaceId: string): Promise<void> {
    await this.ctx.db
      .deleteFrom('workspace_grants')
      .where('membership_id', '=', membershipId)
      .where('workspace_id', '=', workspaceId)
      .execute();
  }

  async grantedWorkspaceIds(membershipId: string): Promise<string[]> {
    const rows = await this.ctx.db
      .selectFrom('workspace_grants')
      .select('workspace_id')
      .where('membership_id', '=', membershipId)
      .execute();
    return rows.map((r) => r.workspace_id);
  }
}
