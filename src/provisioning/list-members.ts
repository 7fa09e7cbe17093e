// GET /Users: filter, sort and page (RFC 7644 §3.4.2). Pages are 1-based; `count=0` gives the total.
import { RosterError } from '../errors.ts';
import { parseFilter } from '../scim/filter/parse-filter.ts';
import { resolveFilter, resolveSortBy } from '../scim/filter/resolve-filter.ts';
import { DEFAULT_MAX_RESULTS } from '../scim/schemas/service-provider-config.ts';
import type { MemberResourceRow } from '../store/repos/members.ts';
import type { Store } from '../store/store.ts';

export const DEFAULT_PAGE_SIZE = 100;
/** The most members one page holds; ServiceProviderConfig advertises it as filter.maxResults. */
export const MAX_PAGE_SIZE = DEFAULT_MAX_RESULTS;

export interface ListQuery {
  filter?: string;
  startIndex?: string;
  count?: string;
  sortBy?: string;
  sortOrder?: string;
}

export interface MemberPage {
  totalResults: number;
  startIndex: number;
  /** The columns of each member's SCIM resource. */
  rows: MemberResourceRow[];
}

export function integerParameter(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d{1,15}$/.test(raw.trim()))
    throw new RosterError('invalid_value', `${name} must be an integer (got "${raw}")`);
  return Number(raw);
}

export async function listMembers(
  store: Store,
  organizationId: string,
  query: ListQuery,
): Promise<MemberPage> {
  // RFC 7644 §3.4.2.4: startIndex below 1 is read as 1; a negative count as 0; more than the
  // maximum is capped (the response then says how many it holds in itemsPerPage).
  const startIndex = Math.max(1, integerParameter('startIndex', query.startIndex, 1));
  const count = Math.min(
    MAX_PAGE_SIZE,
    Math.max(0, integerParameter('count', query.count, DEFAULT_PAGE_SIZE)),
  );
  const sortOrder = (query.sortOrder ?? 'ascending').toLowerCase();
  if (sortOrder !== 'ascending' && sortOrder !== 'descending') {
    throw new RosterError('invalid_value', 'sortOrder must be "ascending" or "descending"');
  }
  const filter =
    query.filter !== undefined && query.filter.trim() !== ''
      ? resolveFilter(parseFilter(query.filter))
      : undefined;
  const sortBy = query.sortBy ? query.sortBy : undefined;

  // Memberships are never deleted and take dense positions 1..N: without a filter, the
  // organization's counter is the total, and a count over every member is never needed.
  const total = async () =>
    filter
      ? store.members.count(organizationId, filter)
      : ((await store.organizations.getById(organizationId))?.member_seq ?? 0);

  if (!filter && !sortBy) {
    // startIndex is then a position: an index range however deep the page.
    const totalResults = await total();
    const rows = count === 0 ? [] : await store.members.listBySeq(organizationId, startIndex, count);
    return { totalResults, startIndex, rows };
  }

  if (count === 0) return { totalResults: await total(), startIndex, rows: [] };
  const rows = await store.members.list(organizationId, {
    ...(filter ? { filter } : {}),
    ...(sortBy ? { sort: resolveSortBy(sortBy) } : {}),
    descending: sortOrder === 'descending',
    offset: startIndex - 1,
    limit: count,
  });
  // A page that is not full and not past the end is the last one: the total is known without a
  // second query. This is every IdP lookup (`userName eq "…"` finds 0 or 1 on page 1); only a full
  // page, or one past the end, is counted.
  const lastPage = rows.length < count && (rows.length > 0 || startIndex === 1);
  const totalResults = lastPage ? startIndex - 1 + rows.length : await total();
  return { totalResults, startIndex, rows };
}
