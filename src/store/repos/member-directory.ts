// The admin member directory (the dashboard's and the API's): a text search over names and emails,
// status and role filters, keyset pages in userName order; and the Admins who reach every workspace.
import type { RawBuilder, SqlBool } from 'kysely';
import { sql } from 'kysely';
import { likePattern, PREFIX_END } from '../like-pattern.ts';
import { rowLimit } from '../row-limit.ts';
import type { MemberStatus, Role } from '../schema.ts';
import type { RepoContext } from './context.ts';
import type { MemberRow } from './members.ts';

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

/** A search without its page: what `count` counts. */
export type MemberFilters = Omit<MemberSearch, 'limit' | 'after' | 'before'>;

/** A row of the directory: the membership, its primary (else first) email and its sort key. */
export interface MemberListing extends MemberRow {
  email: string | null;
  sort_key: string;
}

export class MemberDirectoryRepo {
  constructor(private readonly ctx: RepoContext) {}

  /**
   * The folded `column` starts with the folded `text` (dialect.fold): the range is what lets the
   * (organization_id, folded column) expression indexes serve the search; the LIKE keeps it exact.
   */
  private startsWith(column: RawBuilder<unknown>, text: string): RawBuilder<SqlBool> {
    const { fold } = this.ctx.dialect.sql;
    const prefix = fold(text);
    return sql<SqlBool>`(${column} >= ${prefix} AND ${column} < (${prefix} || ${PREFIX_END}) AND ${column} LIKE ${fold(likePattern('sw', text))} ESCAPE '\\')`;
  }

  /** The ids of members matching `text`: one index range per searchable column, united. */
  private matchingIds(organizationId: string, text: string) {
    const { fold } = this.ctx.dialect.sql;
    const byColumn = (column: 'user_name' | 'display_name' | 'given_name' | 'family_name') =>
      this.ctx.db
        .selectFrom('memberships')
        .select('id')
        .where('organization_id', '=', organizationId)
        .where(this.startsWith(fold(sql.ref(column)), text));
    return byColumn('user_name')
      .union(byColumn('display_name'))
      .union(byColumn('given_name'))
      .union(byColumn('family_name'))
      .union(
        this.ctx.db
          .selectFrom('member_emails')
          .select('membership_id as id')
          .where('organization_id', '=', organizationId)
          .where(this.startsWith(fold(sql.ref('value')), text)),
      );
  }

  /**
   * The directory's rows before paging. A search starts from its hits (a few index ranges, united)
   * and joins each to its membership by primary key; without one, the (organization_id, status |
   * role, folded user_name) indexes serve the filters in page order.
   */
  private directory(organizationId: string, search: MemberFilters) {
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
    const key = this.ctx.dialect.sql.fold(sql.ref('m.user_name'));
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
  async count(organizationId: string, search: MemberFilters): Promise<number> {
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
      .orderBy(this.ctx.dialect.sql.fold(sql.ref('user_name')))
      .limit(rowLimit(limit))
      .execute();
  }
}
