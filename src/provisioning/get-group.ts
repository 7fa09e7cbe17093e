// GET /Groups/{id} and GET /Groups: groups of the caller's organization, their members read only
// when the response shows them.
import { RosterError } from '../errors.ts';
import { parseGroupFilter } from '../scim/group/group-filter.ts';
import type { GroupMemberRef, GroupRow } from '../store/repos/groups.ts';
import type { Repositories, Store } from '../store/store.ts';
import { DEFAULT_PAGE_SIZE, integerParameter, MAX_PAGE_SIZE } from './list-members.ts';

export interface LoadedGroup {
  row: GroupRow;
  /** Undefined when not asked for. */
  members: GroupMemberRef[] | undefined;
}

export function groupNotFound(id: string): RosterError {
  return new RosterError('not_found', `no Group with id "${id}" in this organization`);
}

export async function getGroup(
  store: Repositories,
  organizationId: string,
  id: string,
  withMembers: boolean,
): Promise<LoadedGroup> {
  const row = await store.groups.getById(organizationId, id);
  if (!row) throw groupNotFound(id);
  return { row, members: withMembers ? await store.groups.members(row.id) : undefined };
}

export interface GroupPage {
  totalResults: number;
  startIndex: number;
  groups: LoadedGroup[];
}

/** RFC 7644 §3.4.2.4 paging as for Users: 1-based, `count` capped, `count=0` gives the total only. */
export async function listGroups(
  store: Store,
  organizationId: string,
  query: { filter?: string; startIndex?: string; count?: string },
  withMembers: boolean,
): Promise<GroupPage> {
  const startIndex = Math.max(1, integerParameter('startIndex', query.startIndex, 1));
  const count = Math.min(
    MAX_PAGE_SIZE,
    Math.max(0, integerParameter('count', query.count, DEFAULT_PAGE_SIZE)),
  );
  const conditions =
    query.filter !== undefined && query.filter.trim() !== '' ? parseGroupFilter(query.filter) : {};
  const totalResults = await store.groups.count(organizationId, conditions);
  const rows = count === 0 ? [] : await store.groups.list(organizationId, conditions, startIndex - 1, count);
  const groups: LoadedGroup[] = [];
  for (const row of rows) {
    groups.push({ row, members: withMembers ? await store.groups.members(row.id) : undefined });
  }
  return { totalResults, startIndex, groups };
}
