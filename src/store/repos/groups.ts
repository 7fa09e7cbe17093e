// SCIM Groups (migration 012) and their members. Membership changes are index inserts and deletes
// in `group_members` plus one update of the group's row (its count and version): their cost depends
// on how many members change, never on how many the group has.
import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import { VersionConflictError } from '../errors.ts';
import { rowLimit } from '../row-limit.ts';
import type { GroupsTable } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type GroupRow = Selectable<GroupsTable>;

/** A member as a group lists it: the membership id and what to display. */
export interface GroupMemberRef {
  membershipId: string;
  display: string;
}

/** A group as a member's `groups` attribute lists it. */
export interface MemberGroupRef {
  membershipId: string;
  groupId: string;
  displayName: string;
}

/** The conditions of a group list, all of them required (`and`); what GET /Groups filters by. */
export interface GroupConditions {
  id?: string;
  /** Compared case-insensitively (displayName is caseExact false, RFC 7643 §4.2). */
  displayName?: string;
  externalId?: string;
  /** Groups that have this member. */
  memberId?: string;
}

/** Rows per statement when many members change at once: under every engine's parameter limit. */
const BATCH = 500;
/**
 * Ids per DELETE: few enough that PostgreSQL probes the (group_id, membership_id) key for each
 * rather than planning a scan of the group's rows (which it preferred for 500 ids in a group of
 * 10,000: test/scim/group-scale.test.ts).
 */
const DELETE_BATCH = 25;

function batches<T>(items: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class GroupRepo {
  constructor(private readonly ctx: RepoContext) {}

  async insert(row: GroupRow): Promise<void> {
    await this.ctx.db.insertInto('groups').values(row).execute();
  }

  /** Reads one group; inside a transaction `forUpdate` holds its row lock (PostgreSQL). */
  async getById(
    organizationId: string,
    id: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<GroupRow | undefined> {
    const query = this.ctx.db
      .selectFrom('groups')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id);
    return (
      options.forUpdate === true && this.ctx.dialect.rowLocks ? query.forUpdate() : query
    ).executeTakeFirst();
  }

  /**
   * Writes the group's own columns if its stored version is still `beforeVersion`; `row.version`
   * must already be the new one.
   */
  async update(row: GroupRow, beforeVersion: number): Promise<void> {
    const { id, organization_id, created_at: _created, ...columns } = row;
    const result = await this.ctx.db
      .updateTable('groups')
      .set(columns)
      .where('id', '=', id)
      .where('organization_id', '=', organization_id)
      .where('version', '=', beforeVersion)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new VersionConflictError();
  }

  /** Deletes the group, its members' rows and its workspace mapping (the people stay). */
  async delete(groupId: string): Promise<void> {
    await this.ctx.db.deleteFrom('group_members').where('group_id', '=', groupId).execute();
    await this.ctx.db.deleteFrom('group_workspaces').where('group_id', '=', groupId).execute();
    await this.ctx.db.deleteFrom('groups').where('id', '=', groupId).execute();
  }

  private matching(organizationId: string, conditions: GroupConditions) {
    const { fold } = this.ctx.dialect.sql;
    let query = this.ctx.db.selectFrom('groups as g').where('g.organization_id', '=', organizationId);
    if (conditions.id !== undefined) query = query.where('g.id', '=', conditions.id);
    if (conditions.displayName !== undefined) {
      query = query.where(fold(sql.ref('g.display_name')), '=', fold(conditions.displayName));
    }
    if (conditions.externalId !== undefined) query = query.where('g.external_id', '=', conditions.externalId);
    const memberId = conditions.memberId;
    if (memberId !== undefined) {
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('group_members as gm')
            .select('gm.group_id')
            .whereRef('gm.group_id', '=', 'g.id')
            .where('gm.membership_id', '=', memberId),
        ),
      );
    }
    return query;
  }

  /** A page of the organization's groups in creation order. */
  async list(
    organizationId: string,
    conditions: GroupConditions,
    offset: number,
    limit: number,
  ): Promise<GroupRow[]> {
    return this.matching(organizationId, conditions)
      .selectAll('g')
      .orderBy('g.created_at')
      .orderBy('g.id')
      .limit(rowLimit(limit))
      .offset(offset)
      .execute();
  }

  async count(organizationId: string, conditions: GroupConditions): Promise<number> {
    const row = await this.matching(organizationId, conditions)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Of `membershipIds`, those that are memberships of the organization. */
  async existingMembers(organizationId: string, membershipIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const batch of batches([...new Set(membershipIds)])) {
      const rows = await this.ctx.db
        .selectFrom('memberships')
        .select('id')
        .where('organization_id', '=', organizationId)
        .where('id', 'in', batch)
        .execute();
      for (const row of rows) found.add(row.id);
    }
    return found;
  }

  /** Adds members (already there: skipped); returns the ids actually added. */
  async addMembers(groupId: string, membershipIds: readonly string[], at: string): Promise<string[]> {
    const added: string[] = [];
    for (const batch of batches([...new Set(membershipIds)])) {
      const rows = await this.ctx.db
        .insertInto('group_members')
        .values(
          batch.map((membershipId) => ({ group_id: groupId, membership_id: membershipId, created_at: at })),
        )
        .onConflict((oc) => oc.columns(['group_id', 'membership_id']).doNothing())
        .returning('membership_id')
        .execute();
      for (const row of rows) added.push(row.membership_id);
    }
    return added;
  }

  /** Removes members (absent ones: skipped, as Entra expects); returns the ids actually removed. */
  async removeMembers(groupId: string, membershipIds: readonly string[]): Promise<string[]> {
    const removed: string[] = [];
    for (const batch of batches([...new Set(membershipIds)], DELETE_BATCH)) {
      const rows = await this.ctx.db
        .deleteFrom('group_members')
        .where('group_id', '=', groupId)
        .where('membership_id', 'in', batch)
        .returning('membership_id')
        .execute();
      for (const row of rows) removed.push(row.membership_id);
    }
    return removed;
  }

  /** Removes every member; returns their ids. */
  async removeAllMembers(groupId: string): Promise<string[]> {
    const rows = await this.ctx.db
      .deleteFrom('group_members')
      .where('group_id', '=', groupId)
      .returning('membership_id')
      .execute();
    return rows.map((row) => row.membership_id);
  }

  /** The ids of the group's members (a replacement of the whole list compares with them). */
  async memberIds(groupId: string): Promise<string[]> {
    const rows = await this.ctx.db
      .selectFrom('group_members')
      .select('membership_id')
      .where('group_id', '=', groupId)
      .execute();
    return rows.map((row) => row.membership_id);
  }

  /** A page of the group's member ids after `after` (exclusive), in id order: the key's range. */
  async memberIdsAfter(groupId: string, after: string | null, limit: number): Promise<string[]> {
    let query = this.ctx.db
      .selectFrom('group_members')
      .select('membership_id')
      .where('group_id', '=', groupId)
      .orderBy('membership_id')
      .limit(rowLimit(limit));
    if (after !== null) query = query.where('membership_id', '>', after);
    return (await query.execute()).map((row) => row.membership_id);
  }

  /** The group's members in id order (the primary key's range), with a display name; `limit` first ones. */
  async members(groupId: string, limit?: number): Promise<GroupMemberRef[]> {
    const query = this.ctx.db
      .selectFrom('group_members as gm')
      .innerJoin('memberships as m', 'm.id', 'gm.membership_id')
      .select(['gm.membership_id', 'm.display_name', 'm.user_name'])
      .where('gm.group_id', '=', groupId)
      .orderBy('gm.membership_id');
    const rows = await (limit === undefined ? query : query.limit(rowLimit(limit))).execute();
    return rows.map((row) => ({
      membershipId: row.membership_id,
      display: row.display_name ?? row.user_name,
    }));
  }

  /** The groups of each of `membershipIds` (the User resource's `groups`). */
  async groupsOf(membershipIds: readonly string[]): Promise<MemberGroupRef[]> {
    const refs: MemberGroupRef[] = [];
    for (const batch of batches([...new Set(membershipIds)])) {
      const rows = await this.ctx.db
        .selectFrom('group_members as gm')
        .innerJoin('groups as g', 'g.id', 'gm.group_id')
        .select(['gm.membership_id', 'g.id', 'g.display_name'])
        .where('gm.membership_id', 'in', batch)
        .orderBy('g.display_name')
        .orderBy('g.id')
        .execute();
      for (const row of rows) {
        refs.push({ membershipId: row.membership_id, groupId: row.id, displayName: row.display_name });
      }
    }
    return refs;
  }

  /** The workspaces the group gives access to, by name. */
  async workspacesOf(groupId: string): Promise<{ id: string; name: string }[]> {
    return this.ctx.db
      .selectFrom('group_workspaces as gw')
      .innerJoin('workspaces as w', 'w.id', 'gw.workspace_id')
      .select(['w.id', 'w.name'])
      .where('gw.group_id', '=', groupId)
      .orderBy('w.name')
      .orderBy('w.id')
      .execute();
  }

  /** The workspaces each of `groupIds` gives (a page of groups), by name. */
  async workspacesOfGroups(
    groupIds: readonly string[],
  ): Promise<{ groupId: string; id: string; name: string }[]> {
    const out: { groupId: string; id: string; name: string }[] = [];
    for (const batch of batches([...new Set(groupIds)])) {
      const rows = await this.ctx.db
        .selectFrom('group_workspaces as gw')
        .innerJoin('workspaces as w', 'w.id', 'gw.workspace_id')
        .select(['gw.group_id', 'w.id', 'w.name'])
        .where('gw.group_id', 'in', batch)
        .orderBy('w.name')
        .orderBy('w.id')
        .execute();
      for (const row of rows) out.push({ groupId: row.group_id, id: row.id, name: row.name });
    }
    return out;
  }

  /** Replaces the workspaces the group gives access to. */
  async setWorkspaces(groupId: string, workspaceIds: readonly string[], at: string): Promise<void> {
    await this.ctx.db.deleteFrom('group_workspaces').where('group_id', '=', groupId).execute();
    const unique = [...new Set(workspaceIds)];
    if (unique.length === 0) return;
    await this.ctx.db
      .insertInto('group_workspaces')
      .values(unique.map((workspaceId) => ({ group_id: groupId, workspace_id: workspaceId, created_at: at })))
      .execute();
  }
}
