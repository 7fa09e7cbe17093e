// The member directory behind the dashboard's Members page and `GET /api/v1/members`: a prefix
// search over userName, names and emails, status and role filters, and keyset pages in userName
// order. Cursors are opaque to callers (base64url of the sort key), so they survive deep pages and
// concurrent inserts without OFFSET.
import { isRole } from '../auth/roles.ts';
import { RosterError } from '../errors.ts';
import type { MemberListing, MemberSearch } from '../store/repos/member-directory.ts';
import type { MemberStatus } from '../store/schema.ts';
import type { Store } from '../store/store.ts';

export const DIRECTORY_PAGE_SIZE = 50;
export const DIRECTORY_MAX_PAGE_SIZE = 200;

export interface DirectoryQuery {
  text?: string;
  status?: string;
  role?: string;
  /** The next page: rows after this cursor. */
  after?: string;
  /** The previous page: rows before this cursor. */
  before?: string;
  limit?: number;
}

export interface DirectoryPage {
  rows: MemberListing[];
  /** Members matching the filters, every page together. */
  total: number;
  nextCursor: string | null;
  previousCursor: string | null;
}

export function encodeCursor(sortKey: string): string {
  return Buffer.from(sortKey, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  if (!/^[A-Za-z0-9_-]{1,1400}$/.test(cursor)) {
    throw new RosterError('invalid_value', 'the cursor is not valid');
  }
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

function statusOf(value: string | undefined): MemberStatus | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'active' || value === 'deactivated') return value;
  throw new RosterError('invalid_value', 'status must be "active" or "deactivated"');
}

export function pageSize(value: number | undefined, fallback = DIRECTORY_PAGE_SIZE): number {
  if (value === undefined || Number.isNaN(value)) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > DIRECTORY_MAX_PAGE_SIZE) {
    throw new RosterError(
      'invalid_value',
      `limit must be a whole number from 1 to ${DIRECTORY_MAX_PAGE_SIZE}`,
    );
  }
  return value;
}

export async function listDirectory(
  store: Store,
  organizationId: string,
  query: DirectoryQuery,
): Promise<DirectoryPage> {
  const role = query.role === undefined || query.role === '' ? undefined : query.role;
  if (role !== undefined && !isRole(role)) {
    throw new RosterError('invalid_value', 'role must be "admin" or "member"');
  }
  const text = query.text?.trim().slice(0, 200) || undefined;
  const filters = {
    ...(text ? { text } : {}),
    ...(statusOf(query.status) ? { status: statusOf(query.status) } : {}),
    ...(role ? { role } : {}),
  } satisfies Omit<MemberSearch, 'limit'>;
  const limit = pageSize(query.limit);
  const after = decodeCursor(query.after);
  const before = after === undefined ? decodeCursor(query.before) : undefined;

  // One row more than the page tells whether there is another page in the walking direction.
  const rows = await store.memberDirectory.search(organizationId, {
    ...filters,
    ...(after !== undefined ? { after } : {}),
    ...(before !== undefined ? { before } : {}),
    limit: limit + 1,
  });
  const more = rows.length > limit;
  if (more) {
    if (before !== undefined) rows.shift();
    else rows.pop();
  }
  const first = rows[0];
  const last = rows[rows.length - 1];
  const backwards = before !== undefined;
  const nextCursor = last && (backwards || more) ? encodeCursor(last.sort_key) : null;
  const previousCursor =
    first && (backwards ? more : after !== undefined) ? encodeCursor(first.sort_key) : null;

  const unfiltered = Object.keys(filters).length === 0;
  // Memberships are never deleted and numbered densely: the counter is the total, no scan needed.
  const total = unfiltered
    ? ((await store.organizations.getById(organizationId))?.member_seq ?? 0)
    : await store.memberDirectory.count(organizationId, filters);
  return { rows, total, nextCursor, previousCursor };
}
