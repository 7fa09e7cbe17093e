import type { RawBuilder, Selectable, SqlBool } from 'kysely';
import { sql } from 'kysely';
import type { FilterNode } from '../../scim/filter/ast.ts';
import { validateFilter } from '../../scim/filter/validate-filter.ts';
import type { DialectName } from '../dialect.ts';
import { VersionConflictError } from '../errors.ts';
import { compileFilter, compileSort } from '../filter/compile-filter.ts';
import { filterShape } from '../filter/filter-shape.ts';
import { foldSql } from '../fold-sql.ts';
import { type QueryTemplates, templatesOf } from '../query-templates.ts';
import { rowLimit } from '../row-limit.ts';
import type { MemberStatus, MembershipsTable, Role } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type MemberRow = Selectable<MembershipsTable>;

export interface MemberEmailRow {
  value: string;
  type: string | null;
  primary: boolean;
}

export interface ListMembersQuery {
  /** A parsed SCIM filter; validated (400 `invalidFilter`) and compiled here (see `src/store/filter`). */
  filter?: FilterNode;
  /** A SCIM `sortBy` attribute path (400 `invalidValue` when it names nothing sortable). */
  sortBy?: string;
  descending?: boolean;
  /** 0-based number of rows to skip. */
  offset: number;
  limit: number;
}

/** The dashboard's and the API's member directory: a search, filters and a keyset cursor. */
export interface MemberSearch {
  /** Case-insensitive prefix of the userName, display name, given or family name, or any email. */
  text?: string;
  status?: MemberStatus;
  role?: Role;
  /** Rows whose sort key (the folded userName, unique per organization) is after this one… */
  after?: string;
  /** …or before this one (the previous page). */
  before?: string;
  limit: number;
}

/** A row of the directory: the membership, its primary (else first) email and its sort key. */
export interface MemberListing extends MemberRow {
  email: string | null;
  sort_key: string;
}

/** Above every character a lowered prefix can be followed by (byte order in SQLite and C collations). */
const PREFIX_END = '\u{10FFFF}';

function escapeLikePattern(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/**
 * The folded `column` starts with the folded `text` (fold-sql.ts): the range is what lets the
 * (organization_id, folded column) expression indexes serve the search; the LIKE keeps it exact.
 */
function startsWith(column: RawBuilder<unknown>, text: string, dialect: DialectName): RawBuilder<SqlBool> {
  const pattern = `${escapeLikePattern(text)}%`;
  const prefix = foldSql(text, dialect);
  return sql<SqlBool>`(${column} >= ${prefix} AND ${column} < (${prefix} || ${PREFIX_END}) AND ${column} LIKE ${foldSql(pattern, dialect)} ESCAPE '\\')`;
}

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
    await this.templates.insert(
      this.ctx.db,
      'member_emails',
      emails.map((email, position) => ({
        membership_id: row.id,
        organization_id: row.organization_id,
        position,
        value: email.value,
        type: email.type,
        primary: email.primary ? 1 : 0,
      })),
    );
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

  async findByUserName(organizationId: string, userName: string): Promise<MemberRow | undefined> {
    const [row] = await this.templates.run(
      this.ctx.db,
      'members.byUserName',
      [organizationId, userName],
      ([organization, name]) =>
        this.ctx.db
          .selectFrom('memberships')
          .selectAll()
          .where('organization_id', '=', String(organization))
          .where(
            foldSql(sql.ref('user_name'), this.ctx.dialect.name),
            '=',
            foldSql(name, this.ctx.dialect.name),
          ),
    );
    return row;
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
  async listBySeq(organizationId: string, fromSeq: number, limit: number): Promise<MemberRow[]> {
    return this.templates.run(
      this.ctx.db,
      `members.bySeq ${limit}`,
      [organizationId, fromSeq],
      ([organization, from]) =>
        this.ctx.db
          .selectFrom('memberships')
          .selectAll()
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
  async list(organizationId: string, query: ListMembersQuery): Promise<MemberRow[]> {
    const filter = query.filter && filterShape(validateFilter(query.filter));
    const direction = query.descending ? 'desc' : 'asc';
    const key = `members.list ${query.limit} ${direction} ${query.sortBy ?? ''} ${filter?.key ?? ''}`;
    const values = [organizationId, query.offset, ...(filter?.values ?? [])];
    return this.templates.run(this.ctx.db, key, values, ([organization, offset, ...filterValues]) => {
      let builder = this.matching(String(organization), filter?.fill(filterValues)).selectAll('m');
      // Members without the sort attribute come last in both databases (SQLite would put NULLs first).
      if (query.sortBy !== undefined) {
        const sortBy = compileSort(query.sortBy, this.ctx.dialect.name);
        builder = builder.orderBy(sortBy, (ob) => (query.descending ? ob.desc() : ob.asc()).nullsLast());
      }
      return builder
        .orderBy('m.seq', direction)
        .limit(rowLimit(query.limit))
        .offset(offset as number);
    });
  }

  async count(organizationId: string, filter?: FilterNode): Promise<number> {
    const shape = filter && filterShape(validateFilter(filter));
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
  private matching(organizationId: string, filter: FilterNode | undefined) {
    const builder = this.ctx.db
      .selectFrom('memberships as m')
      .where('m.organization_id', '=', organizationId);
    return filter ? builder.where(compileFilter(filter, this.ctx.dialect.name, { organizationId })) : builder;
  }

  /**
   * Whether `value` names a member of the organization other than `exceptId`: as its userName, as
   * one of its emails, or as its account's email — what sign-in and linking match people by.
   */
  async identityTaken(organizationId: string, exceptId: string, value: string): Promise<boolean> {
    const db = this.ctx.db;
    const byUserName = await db
      .selectFrom('memberships')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where(foldSql(sql.ref('user_name'), this.ctx.dialect.name), '=', foldSql(value, this.ctx.dialect.name))
      .where('id', '<>', exceptId)
      .limit(rowLimit(1))
      .executeTakeFirst();
    if (byUserName) return true;
    const byEmail = await db
      .selectFrom('member_emails')
      .select('membership_id')
      .where('organization_id', '=', organizationId)
      .where(foldSql(sql.ref('value'), this.ctx.dialect.name), '=', foldSql(value, this.ctx.dialect.name))
      .where('membership_id', '<>', exceptId)
      .limit(rowLimit(1))
      .executeTakeFirst();
    if (byEmail) return true;
    const byAccount = await db
      .selectFrom('users as u')
      .innerJoin('memberships as m', 'm.user_id', 'u.id')
      .select('m.id')
      .where('m.organization_id', '=', organizationId)
      .where(foldSql(sql.ref('u.email'), this.ctx.dialect.name), '=', foldSql(value, this.ctx.dialect.name))
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

  /** The ids of members matching `text`: one index range per searchable column, united. */
  private matchingIds(organizationId: string, text: string) {
    const dialect = this.ctx.dialect.name;
    const byColumn = (column: 'user_name' | 'display_name' | 'given_name' | 'family_name') =>
      this.ctx.db
        .selectFrom('memberships')
        .select('id')
        .where('organization_id', '=', organizationId)
        .where(startsWith(foldSql(sql.ref(column), dialect), text, dialect));
    return byColumn('user_name')
      .union(byColumn('display_name'))
      .union(byColumn('given_name'))
      .union(byColumn('family_name'))
      .union(
        this.ctx.db
          .selectFrom('member_emails')
          .select('membership_id as id')
          .where('organization_id', '=', organizationId)
          .where(startsWith(foldSql(sql.ref('value'), dialect), text, dialect)),
      );
  }

  /**
   * The directory's rows before paging. A search starts from its hits (a few index ranges, united)
   * and joins each to its membership by primary key; without one, the (organization_id, status |
   * role, folded user_name) indexes serve the filters in page order.
   */
  private directory(organizationId: string, search: Omit<MemberSearch, 'limit' | 'after' | 'before'>) {
    const text = search.text?.trim();
    let builder = text
      ? this.ctx.db
          .selectFrom(this.matchingIds(organizationId, text).as('hits'))
          // CROSS JOIN fixes SQLite's join order (hits first), which otherwise walks the whole
          // organization in page order probing the hits; PostgreSQL plans it as any inner join.
          .crossJoin('memberships as m')
          .whereRef('m.id', '=', 'hits.id')
          .where('m.organization_id', '=', organizationId)
      : this.ctx.db.selectFrom('memberships as m').where('m.organization_id', '=', organizationId);
    if (search.status) builder = builder.where('m.status', '=', search.status);
    if (search.role) builder = builder.where('m.role', '=', search.role);
    return builder;
  }

  /**
   * One page of the directory in userName order (case-insensitive), by keyset: an index range
   * from the cursor on, however deep the page, never an OFFSET.
   */
  async search(organizationId: string, search: MemberSearch): Promise<MemberListing[]> {
    const key = foldSql(sql.ref('m.user_name'), this.ctx.dialect.name);
    const backwards = search.before !== undefined && search.after === undefined;
    const direction = backwards ? 'desc' : 'asc';
    // The page is chosen on narrow rows (id, sort key); only its rows are then read whole, with
    // their email: a search with many hits sorts ids, not profiles.
    let page = this.directory(organizationId, search).select(['m.id as id', key.as('sort_key')]);
    if (search.after !== undefined) page = page.where(key, '>', search.after);
    if (backwards) page = page.where(key, '<', search.before as string);
    const rows = await this.ctx.db
      .selectFrom(page.orderBy(key, direction).limit(rowLimit(search.limit)).as('page'))
      .crossJoin('memberships as m')
      .whereRef('m.id', '=', 'page.id')
      .selectAll('m')
      .select([
        'page.sort_key',
        (eb) =>
          eb
            .selectFrom('member_emails as e')
            .select('e.value')
            .whereRef('e.membership_id', '=', 'm.id')
            .orderBy('e.primary', 'desc')
            .orderBy('e.position')
            .limit(rowLimit(1))
            .as('email'),
      ])
      .orderBy('page.sort_key', direction)
      .execute();
    if (backwards) rows.reverse();
    return rows as MemberListing[];
  }

  /** How many members match the directory's filters (no cursor). */
  async countMatching(organizationId: string, search: Omit<MemberSearch, 'limit' | 'after' | 'before'>) {
    const text = search.text?.trim();
    // A search alone is counted on its hits, without visiting the memberships.
    const row =
      text && !search.status && !search.role
        ? await this.ctx.db
            .selectFrom(this.matchingIds(organizationId, text).as('hits'))
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .executeTakeFirstOrThrow()
        : await this.directory(organizationId, search)
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The active Admins of an organization (who reach every workspace), in userName order. */
  async listActiveAdmins(organizationId: string, limit: number): Promise<MemberRow[]> {
    return this.ctx.db
      .selectFrom('memberships')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('status', '=', 'active')
      .where('role', '=', 'admin')
      .orderBy(foldSql(sql.ref('user_name'), this.ctx.dialect.name))
      .limit(rowLimit(limit))
      .execute();
  }

  /** Members holding a grant to the workspace (deactivated ones included: grants survive). */
  async listGrantedTo(workspaceId: string, limit: number): Promise<MemberRow[]> {
    return this.ctx.db
      .selectFrom('workspace_grants as g')
      .innerJoin('memberships as m', 'm.id', 'g.membership_id')
      .selectAll('m')
      .where('g.workspace_id', '=', workspaceId)
      .orderBy(foldSql(sql.ref('m.user_name'), this.ctx.dialect.name))
      .limit(rowLimit(limit))
      .execute();
  }

  async countGrantedTo(workspaceId: string): Promise<number> {
    const row = await this.ctx.db
      .selectFrom('workspace_grants')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
