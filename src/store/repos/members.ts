// The SCIM side of memberships: the rows (and their emails) the provisioning use cases create, read,
// update and list with a validated SCIM filter. The admin directory is member-directory.ts; grants
// are workspace-grants.ts.
import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import type { ResolvedFilter, ResolvedSort } from '../../scim/filter/ast.ts';
import { VersionConflictError } from '../errors.ts';
import { compileFilter, compileSort } from '../filter/compile-filter.ts';
import { filterShape } from '../filter/filter-shape.ts';
import { type QueryTemplates, templatesOf } from '../query-templates.ts';
import { rowLimit } from '../row-limit.ts';
import type { MemberEmailsTable, MembershipsTable } from '../schema.ts';
import type { RepoContext } from './context.ts';
import { nextPosition, type OrganizationRecord } from './organizations.ts';
import type { UserRecord } from './users.ts';

export type MemberRow = Selectable<MembershipsTable>;

/**
 * The columns a SCIM User resource is made of (the profile document and the server-owned
 * attributes), read by the SCIM list and lookup: a page of 100 read every column of the row before
 * (`select *`), and better-sqlite3 made a JS value of each, twice the CPU of these nine (425 vs
 * 204 µs a page of 100, measured on SQLite). The other columns are derived from the profile or kept
 * for indexes and the admin's side.
 */
export const RESOURCE_COLUMNS = [
  'id',
  'seq',
  'user_name',
  'status',
  'role',
  'version',
  'created_at',
  'updated_at',
  'profile',
] as const satisfies readonly (keyof MemberRow)[];

export type MemberResourceRow = Pick<MemberRow, (typeof RESOURCE_COLUMNS)[number]>;

export interface MemberEmailRow {
  value: string;
  type: string | null;
  primary: boolean;
}

export interface ListMembersQuery {
  /** A validated SCIM filter (resolveFilter), compiled here (see `src/store/filter`). */
  filter?: ResolvedFilter;
  /** A validated SCIM `sortBy` (resolveSortBy). */
  sort?: ResolvedSort;
  descending?: boolean;
  /** 0-based number of rows to skip. */
  offset: number;
  limit: number;
}

/** A sort's part of a template key: its canonical path (the SQL follows from it). */
function sortKeyOf(sort: ResolvedSort): string {
  const { schema, attribute } = sort.path;
  return `${schema === undefined ? '' : `${schema}:`}${attribute.name}.${sort.key.name}`;
}

/** The `member_emails` rows of a member's emails, in their order; batch seeders write these too. */
export function memberEmailRecords(
  member: Pick<MemberRow, 'id' | 'organization_id'>,
  emails: readonly MemberEmailRow[],
): MemberEmailsTable[] {
  return emails.map((email, position) => ({
    membership_id: member.id,
    organization_id: member.organization_id,
    position,
    value: email.value,
    type: email.type,
    primary: email.primary ? 1 : 0,
  }));
}

const EMAIL_COLUMNS = ['membership_id', 'organization_id', 'position', 'value', 'type', 'primary'] as const;

export class MemberRepo {
  private readonly templates: QueryTemplates;

  constructor(private readonly ctx: RepoContext) {
    this.templates = templatesOf(ctx.dialect);
  }

  async insert(row: MemberRow, emails: readonly MemberEmailRow[]): Promise<void> {
    await this.templates.insert(this.ctx.db, 'memberships', [row]);
    await this.insertEmails(row, emails);
  }

  /**
   * Inserts `row` (its `seq` ignored) and its emails at the organization's next position, taken from
   * `organizations.member_seq`; returns the row as stored. Taking the position locks the
   * organization's row until the commit on PostgreSQL, so creates in one organization queue behind
   * each other from there: there the position, the member and its emails are ONE statement, and
   * the lock is held for it and the commit only (on SQLite, whose writes are serialized anyway, they
   * are the usual statements).
   */
  async insertAtNextPosition(row: MemberRow, emails: readonly MemberEmailRow[]): Promise<MemberRow> {
    const { db, dialect } = this.ctx;
    if (!dialect.writesInWith) {
      const seq = await nextPosition(this.templates, db, row.organization_id);
      const placed = { ...row, seq };
      await this.insert(placed, emails);
      return placed;
    }
    const columns = Object.keys(row).filter((column) => column !== 'seq') as (keyof MemberRow)[];
    const emailRows = memberEmailRecords(row, emails);
    const key = `members.insertAtNextPosition ${columns.join(',')} ×${emailRows.length}`;
    const values = [
      row.organization_id,
      ...columns.map((column) => row[column]),
      ...emailRows.flatMap((email) => EMAIL_COLUMNS.map((column) => email[column])),
    ];
    const [stored] = await this.templates.run(db, key, values, ([organization, ...bound]) => {
      const member = Object.fromEntries(columns.map((column, i) => [column, bound[i]]));
      const emailValues = emailRows.map((_, r) =>
        Object.fromEntries(
          EMAIL_COLUMNS.map((column, j) => [column, bound[columns.length + r * EMAIL_COLUMNS.length + j]]),
        ),
      );
      const next = db.with('next_position', (qb) =>
        qb
          .updateTable('organizations')
          .set((eb) => ({ member_seq: eb('member_seq', '+', 1) }))
          .where('id', '=', String(organization))
          .returning('member_seq'),
      );
      // The emails' rows reference the member inserted by the same statement: PostgreSQL checks
      // foreign keys at the end of the statement.
      const withEmails =
        emailValues.length === 0
          ? next
          : (next.with('member_emails_inserted', (qb) =>
              qb
                .insertInto('member_emails')
                .values(emailValues as never)
                .returning('position'),
            ) as unknown as typeof next);
      return withEmails
        .insertInto('memberships')
        .values(
          (eb) =>
            ({
              ...member,
              seq: eb.selectFrom('next_position').select('member_seq'),
            }) as never,
        )
        .returning('seq');
    });
    if (!stored) throw new Error(`no organization ${row.organization_id}`);
    return { ...row, seq: Number(stored.seq) };
  }

  /**
   * Writes `row` if the stored version is still `before.version` (optimistic concurrency across
   * instances); `row.version` must already be the new version. Only the columns that differ from
   * `before` are written: a deactivation then touches the status columns' indexes, not all ten of
   * the table's. Emails are rewritten when given.
   */
  async update(
    row: MemberRow,
    before: MemberRow | { version: number },
    emails?: readonly MemberEmailRow[],
  ): Promise<void> {
    const { id, organization_id, ...columns } = row;
    const previous = before as Partial<Record<string, unknown>>;
    // The version is always written: it is what other writers check.
    const changed = Object.entries(columns).filter(
      ([column, value]) => column === 'version' || !(column in previous) || previous[column] !== value,
    );
    const names = changed.map(([column]) => column);
    const values = [id, organization_id, before.version, ...changed.map(([, value]) => value)];
    const [result] = await this.templates.run(
      this.ctx.db,
      `members.update ${names.join(',')}`,
      values,
      ([member, organization, version, ...set]) =>
        this.ctx.db
          .updateTable('memberships')
          .set(Object.fromEntries(names.map((column, i) => [column, set[i]])))
          .where('id', '=', String(member))
          .where('organization_id', '=', String(organization))
          .where('version', '=', version as number)
          .returning('version'),
    );
    if (result === undefined) throw new VersionConflictError();
    if (emails) {
      await this.ctx.db.deleteFrom('member_emails').where('membership_id', '=', id).execute();
      await this.insertEmails(row, emails);
    }
  }

  private async insertEmails(row: MemberRow, emails: readonly MemberEmailRow[]): Promise<void> {
    await this.templates.insert(this.ctx.db, 'member_emails', memberEmailRecords(row, emails));
  }

  /** Reads one member; inside a transaction `forUpdate` holds its row lock (PostgreSQL). */
  async getById(
    organizationId: string,
    id: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<MemberRow | undefined> {
    const lock = options.forUpdate === true && this.ctx.dialect.rowLocks;
    const key = `members.byId${lock ? ' for update' : ''}`;
    const [row] = await this.templates.run(
      this.ctx.db,
      key,
      [organizationId, id],
      ([organization, member]) => {
        const query = this.ctx.db
          .selectFrom('memberships')
          .selectAll()
          .where('organization_id', '=', String(organization))
          .where('id', '=', String(member));
        return lock ? query.forUpdate() : query;
      },
    );
    return row;
  }

  /**
   * Reads members by id (at most 500: a caller's batch), in id order; inside a transaction
   * `forUpdate` holds their row locks (PostgreSQL), taken in that order.
   */
  async getManyById(
    organizationId: string,
    ids: readonly string[],
    options: { forUpdate?: boolean } = {},
  ): Promise<MemberRow[]> {
    if (ids.length === 0) return [];
    const query = this.ctx.db
      .selectFrom('memberships')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', 'in', [...new Set(ids)])
      .orderBy('id');
    return (options.forUpdate === true && this.ctx.dialect.rowLocks ? query.forUpdate() : query).execute();
  }

  async findByUserName(organizationId: string, userName: string): Promise<MemberRow | undefined> {
    const { fold } = this.ctx.dialect.sql;
    const [row] = await this.templates.run(
      this.ctx.db,
      'members.byUserName',
      [organizationId, userName],
      ([organization, name]) =>
        this.ctx.db
          .selectFrom('memberships')
          .selectAll()
          .where('organization_id', '=', String(organization))
          .where(fold(sql.ref('user_name')), '=', fold(name)),
    );
    return row;
  }

  /**
   * What a SCIM create reads before it writes, in one statement instead of three (each a round trip
   * on PostgreSQL): the organization, whether one of its members already has `userName`, and the
   * Roster account with `email` (`findByUserName` and `users.findByEmail`, through the same folded
   * indexes). Undefined when the organization does not exist.
   */
  async beforeCreate(
    organizationId: string,
    userName: string,
    email: string,
  ): Promise<
    { organization: OrganizationRecord; userNameTaken: boolean; user: UserRecord | undefined } | undefined
  > {
    const { fold } = this.ctx.dialect.sql;
    const { db } = this.ctx;
    const [row] = await this.templates.run(
      db,
      'members.beforeCreate',
      [organizationId, userName, email],
      ([organization, name, address]) =>
        db
          .selectFrom('organizations as o')
          .leftJoin('users as u', (join) => join.on(fold(sql.ref('u.email')), '=', fold(address)))
          .selectAll('o')
          .select((eb) => [
            eb
              .exists(
                eb
                  .selectFrom('memberships as m')
                  .select(sql<number>`1`.as('one'))
                  .where('m.organization_id', '=', String(organization))
                  .where(fold(sql.ref('m.user_name')), '=', fold(name)),
              )
              .as('user_name_taken'),
            'u.id as user_id',
            'u.email as user_email',
            'u.display_name as user_display_name',
            'u.password_hash as user_password_hash',
            'u.created_at as user_created_at',
            'u.updated_at as user_updated_at',
          ])
          .where('o.id', '=', String(organization)),
    );
    if (!row) return undefined;
    const {
      user_name_taken,
      user_id,
      user_email,
      user_display_name,
      user_password_hash,
      user_created_at,
      user_updated_at,
      ...organization
    } = row;
    const user =
      user_id === null || user_email === null || user_created_at === null || user_updated_at === null
        ? undefined
        : {
            id: user_id,
            email: user_email,
            display_name: user_display_name,
            password_hash: user_password_hash,
            created_at: user_created_at,
            updated_at: user_updated_at,
          };
    return { organization, userNameTaken: Boolean(user_name_taken), user };
  }

  async findByUserId(organizationId: string, userId: string): Promise<MemberRow | undefined> {
    const [row] = await this.templates.run(
      this.ctx.db,
      'members.byUserId',
      [organizationId, userId],
      ([organization, user]) =>
        this.ctx.db
          .selectFrom('memberships')
          .selectAll()
          .where('organization_id', '=', String(organization))
          .where('user_id', '=', String(user)),
    );
    return row;
  }

  async listForUser(userId: string): Promise<MemberRow[]> {
    return this.ctx.db.selectFrom('memberships').selectAll().where('user_id', '=', userId).execute();
  }

  /** Members in creation order from position `fromSeq` on: an index range, however deep the page. */
  async listBySeq(organizationId: string, fromSeq: number, limit: number): Promise<MemberResourceRow[]> {
    return this.templates.run(
      this.ctx.db,
      `members.bySeq ${limit}`,
      [organizationId, fromSeq],
      ([organization, from]) =>
        this.ctx.db
          .selectFrom('memberships')
          .select(RESOURCE_COLUMNS)
          .where('organization_id', '=', String(organization))
          .where('seq', '>=', from as number)
          .orderBy('seq')
          .limit(rowLimit(limit)),
    );
  }

  /**
   * A page of the members matching a SCIM filter, in `sortBy` order, else creation order. Compiled
   * once per filter shape (query-templates.ts): an IdP's lookups differ only in their values.
   */
  async list(organizationId: string, query: ListMembersQuery): Promise<MemberResourceRow[]> {
    const filter = query.filter && filterShape(query.filter);
    const direction = query.descending ? 'desc' : 'asc';
    const sort = query.sort && sortKeyOf(query.sort);
    const key = `members.list ${query.limit} ${direction} ${sort ?? ''} ${filter?.key ?? ''}`;
    const values = [organizationId, query.offset, ...(filter?.values ?? [])];
    return this.templates.run(this.ctx.db, key, values, ([organization, offset, ...filterValues]) => {
      let builder = this.matching(String(organization), filter?.fill(filterValues)).select(
        RESOURCE_COLUMNS.map((column) => `m.${column}` as const),
      );
      // Members without the sort attribute come last in both databases (SQLite would put NULLs first).
      if (query.sort !== undefined) {
        const sortBy = compileSort(query.sort, this.ctx.dialect.sql);
        builder = builder.orderBy(sortBy, (ob) => (query.descending ? ob.desc() : ob.asc()).nullsLast());
      }
      return builder
        .orderBy('m.seq', direction)
        .limit(rowLimit(query.limit))
        .offset(offset as number);
    });
  }

  async count(organizationId: string, filter?: ResolvedFilter): Promise<number> {
    const shape = filter && filterShape(filter);
    const key = `members.count ${shape?.key ?? ''}`;
    const values = [organizationId, ...(shape?.values ?? [])];
    const [row] = await this.templates.run(this.ctx.db, key, values, ([organization, ...filterValues]) =>
      this.matching(String(organization), shape?.fill(filterValues)).select((eb) =>
        eb.fn.countAll<number | string>().as('n'),
      ),
    );
    return Number(row?.n ?? 0);
  }

  /** The organization's memberships (`m`) that match `filter`. */
  private matching(organizationId: string, filter: ResolvedFilter | undefined) {
    const builder = this.ctx.db
      .selectFrom('memberships as m')
      .where('m.organization_id', '=', organizationId);
    return filter ? builder.where(compileFilter(filter, this.ctx.dialect.sql, { organizationId })) : builder;
  }

  /**
   * Whether `value` names a member of the organization other than `exceptId`: as its userName, as
   * one of its emails, or as its account's email — what sign-in and linking match people by.
   */
  async identityTaken(organizationId: string, exceptId: string, value: string): Promise<boolean> {
    const { db } = this.ctx;
    const { fold } = this.ctx.dialect.sql;
    const byUserName = await db
      .selectFrom('memberships')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where(fold(sql.ref('user_name')), '=', fold(value))
      .where('id', '<>', exceptId)
      .limit(rowLimit(1))
      .executeTakeFirst();
    if (byUserName) return true;
    const byEmail = await db
      .selectFrom('member_emails')
      .select('membership_id')
      .where('organization_id', '=', organizationId)
      .where(fold(sql.ref('value')), '=', fold(value))
      .where('membership_id', '<>', exceptId)
      .limit(rowLimit(1))
      .executeTakeFirst();
    if (byEmail) return true;
    const byAccount = await db
      .selectFrom('users as u')
      .innerJoin('memberships as m', 'm.user_id', 'u.id')
      .select('m.id')
      .where('m.organization_id', '=', organizationId)
      .where(fold(sql.ref('u.email')), '=', fold(value))
      .where('m.id', '<>', exceptId)
      .limit(rowLimit(1))
      .executeTakeFirst();
    return byAccount !== undefined;
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
}
