// Where a member's access comes from (migration 017): the sources of the effective role and of each
// workspace the member reaches. Direct grants (`workspace_grants`, `memberships.direct_role`), the
// member's groups (`groups.role`, `group_workspaces`) and the IdP's entitlements
// (`member_entitlements`). Each read is one query over the members asked about, through the keys
// of those tables: its cost follows the member's groups and grants, never a group's size.
import { sql } from 'kysely';
import type { EntitlementKind } from '../schema.ts';
import type { RepoContext } from './context.ts';
import type { MemberGroupRef } from './groups.ts';

/** Where one piece of access comes from. */
export type AccessSourceKind = 'direct' | 'group' | 'entitlement';

export interface AccessSourceRow {
  membershipId: string;
  kind: AccessSourceKind;
  /** The group, for kind `group`. */
  groupId: string | null;
  groupName: string | null;
}

export interface WorkspaceSourceRow extends AccessSourceRow {
  workspaceId: string;
  workspaceName: string;
}

/** Members per statement: under every engine's parameter limit, three times over. */
const BATCH = 500;

function batches<T>(items: readonly T[]): T[][] {
  const unique = [...new Set(items)];
  const out: T[][] = [];
  for (let i = 0; i < unique.length; i += BATCH) out.push(unique.slice(i, i + BATCH));
  return out;
}

/** An assignment of the IdP (`member_entitlements`), with the workspace's name for kind `workspace`. */
export interface AssignmentRef {
  membershipId: string;
  kind: EntitlementKind;
  value: string;
  workspaceName: string | null;
}

export class AccessRepo {
  constructor(private readonly ctx: RepoContext) {}

  /**
   * Every workspace each of `membershipIds` has access to, once per source, in the order member,
   * workspace name, source. One query per 500 members: direct grants ∪ the workspaces of the
   * member's groups ∪ workspace entitlements.
   */
  async workspaceSources(membershipIds: readonly string[]): Promise<WorkspaceSourceRow[]> {
    const out: WorkspaceSourceRow[] = [];
    const { db } = this.ctx;
    for (const batch of batches(membershipIds)) {
      const direct = db
        .selectFrom('workspace_grants as wg')
        .select([
          'wg.membership_id as membership_id',
          'wg.workspace_id as workspace_id',
          sql<AccessSourceKind>`${sql.lit('direct')}`.as('kind'),
          sql<string | null>`null`.as('group_id'),
          sql<string | null>`null`.as('group_name'),
        ])
        .where('wg.membership_id', 'in', batch);
      const fromGroups = db
        .selectFrom('group_members as gm')
        .innerJoin('group_workspaces as gw', 'gw.group_id', 'gm.group_id')
        .innerJoin('groups as g', 'g.id', 'gm.group_id')
        .select([
          'gm.membership_id as membership_id',
          'gw.workspace_id as workspace_id',
          sql<AccessSourceKind>`${sql.lit('group')}`.as('kind'),
          sql<string | null>`g.id`.as('group_id'),
          sql<string | null>`g.display_name`.as('group_name'),
        ])
        .where('gm.membership_id', 'in', batch);
      const entitled = db
        .selectFrom('member_entitlements as me')
        .select([
          'me.membership_id as membership_id',
          'me.value as workspace_id',
          sql<AccessSourceKind>`${sql.lit('entitlement')}`.as('kind'),
          sql<string | null>`null`.as('group_id'),
          sql<string | null>`null`.as('group_name'),
        ])
        .where('me.kind', '=', 'workspace')
        .where('me.membership_id', 'in', batch);
      const rows = await db
        .selectFrom(direct.unionAll(fromGroups).unionAll(entitled).as('s'))
        .innerJoin('workspaces as w', 'w.id', 's.workspace_id')
        .select(['s.membership_id', 's.workspace_id', 'w.name', 's.kind', 's.group_id', 's.group_name'])
        .orderBy('s.membership_id')
        .orderBy('w.name')
        .orderBy('s.workspace_id')
        .orderBy('s.kind')
        .orderBy('s.group_name')
        .execute();
      for (const row of rows) {
        out.push({
          membershipId: row.membership_id,
          workspaceId: row.workspace_id,
          workspaceName: row.name,
          kind: row.kind,
          groupId: row.group_id,
          groupName: row.group_name,
        });
      }
    }
    return out;
  }

  /**
   * What gives each of `membershipIds` the Admin role besides its direct role: the groups mapped
   * to Admin that it is in, and an Admin role entitlement. One query per 500 members.
   */
  async adminSources(membershipIds: readonly string[]): Promise<AccessSourceRow[]> {
    const out: AccessSourceRow[] = [];
    const { db } = this.ctx;
    for (const batch of batches(membershipIds)) {
      const fromGroups = db
        .selectFrom('group_members as gm')
        .innerJoin('groups as g', 'g.id', 'gm.group_id')
        .select([
          'gm.membership_id as membership_id',
          sql<AccessSourceKind>`${sql.lit('group')}`.as('kind'),
          sql<string | null>`g.id`.as('group_id'),
          sql<string | null>`g.display_name`.as('group_name'),
        ])
        .where('g.role', '=', 'admin')
        .where('gm.membership_id', 'in', batch);
      const entitled = db
        .selectFrom('member_entitlements as me')
        .select([
          'me.membership_id as membership_id',
          sql<AccessSourceKind>`${sql.lit('entitlement')}`.as('kind'),
          sql<string | null>`null`.as('group_id'),
          sql<string | null>`null`.as('group_name'),
        ])
        .where('me.kind', '=', 'role')
        .where('me.value', '=', 'admin')
        .where('me.membership_id', 'in', batch);
      const rows = await db
        .selectFrom(fromGroups.unionAll(entitled).as('s'))
        .selectAll('s')
        .orderBy('s.membership_id')
        .orderBy('s.kind')
        .orderBy('s.group_name')
        .execute();
      for (const row of rows) {
        out.push({
          membershipId: row.membership_id,
          kind: row.kind,
          groupId: row.group_id,
          groupName: row.group_name,
        });
      }
    }
    return out;
  }

  /** The member's entitlements (what the IdP assigned directly), in kind and value order. */
  async entitlementsOf(membershipId: string): Promise<{ kind: EntitlementKind; value: string }[]> {
    return this.ctx.db
      .selectFrom('member_entitlements')
      .select(['kind', 'value'])
      .where('membership_id', '=', membershipId)
      .orderBy('kind')
      .orderBy('value')
      .execute();
  }

  /**
   * The entitlements of each of `membershipIds`, with the name of each workspace, in member, kind
   * and value order: what the User resource shows as `roles` and `entitlements`. One query per 500
   * members, by the primary key; a workspace entitlement whose workspace is gone is left out.
   */
  async assignmentsOf(
    membershipIds: readonly string[],
  ): Promise<{ membershipId: string; kind: EntitlementKind; value: string; workspaceName: string | null }[]> {
    const out: {
      membershipId: string;
      kind: EntitlementKind;
      value: string;
      workspaceName: string | null;
    }[] = [];
    for (const batch of batches(membershipIds)) {
      const rows = await this.ctx.db
        .selectFrom('member_entitlements as me')
        .leftJoin('workspaces as w', (join) =>
          join.onRef('w.id', '=', 'me.value').on('me.kind', '=', 'workspace'),
        )
        .select(['me.membership_id', 'me.kind', 'me.value', 'w.name'])
        .where('me.membership_id', 'in', batch)
        .orderBy('me.membership_id')
        .orderBy('me.kind')
        .orderBy('me.value')
        .execute();
      for (const row of rows) {
        if (row.kind === 'workspace' && row.name === null) continue;
        out.push({
          membershipId: row.membership_id,
          kind: row.kind,
          value: row.value,
          workspaceName: row.name,
        });
      }
    }
    return out;
  }

  /**
   * What the User resource shows of each of `membershipIds` besides its row, in one statement per
   * 500 members instead of two: its groups (as `groups.groupsOf` reads them, by display name) and its
   * assignments (as `assignmentsOf` reads them). A lookup that finds someone, a page and the answer
   * to a PATCH each read both; on PostgreSQL each statement is a round trip.
   */
  async resourceReferencesOf(
    membershipIds: readonly string[],
  ): Promise<{ groups: MemberGroupRef[]; assignments: AssignmentRef[] }> {
    const groups: MemberGroupRef[] = [];
    const assignments: AssignmentRef[] = [];
    const { db } = this.ctx;
    for (const batch of batches(membershipIds)) {
      const ofGroups = db
        .selectFrom('group_members as gm')
        .innerJoin('groups as g', 'g.id', 'gm.group_id')
        .select([
          'gm.membership_id',
          sql<string>`'group'`.as('kind'),
          'g.display_name as sort_key',
          'g.id as value',
          sql<string | null>`g.display_name`.as('name'),
        ])
        .where('gm.membership_id', 'in', batch);
      const assigned = db
        .selectFrom('member_entitlements as me')
        .leftJoin('workspaces as w', (join) =>
          join.onRef('w.id', '=', 'me.value').on('me.kind', '=', 'workspace'),
        )
        .select(['me.membership_id', 'me.kind', 'me.value as sort_key', 'me.value', 'w.name'])
        .where('me.membership_id', 'in', batch);
      const rows = await db
        .selectFrom(ofGroups.unionAll(assigned).as('s'))
        .select(['s.membership_id', 's.kind', 's.value', 's.name'])
        .orderBy('s.kind')
        .orderBy('s.sort_key')
        .orderBy('s.value')
        .execute();
      for (const row of rows) {
        if (row.kind === 'group') {
          groups.push({ membershipId: row.membership_id, groupId: row.value, displayName: row.name ?? '' });
        } else if (row.kind !== 'workspace' || row.name !== null) {
          assignments.push({
            membershipId: row.membership_id,
            kind: row.kind as EntitlementKind,
            value: row.value,
            workspaceName: row.name,
          });
        }
      }
    }
    return { groups, assignments };
  }

  /** Adds an entitlement; false when the member already held it. */
  async addEntitlement(
    membershipId: string,
    kind: EntitlementKind,
    value: string,
    at: string,
  ): Promise<boolean> {
    const rows = await this.ctx.db
      .insertInto('member_entitlements')
      .values({ membership_id: membershipId, kind, value, created_at: at })
      .onConflict((oc) => oc.columns(['membership_id', 'kind', 'value']).doNothing())
      .returning('value')
      .execute();
    return rows.length > 0;
  }

  /** Removes an entitlement; false when the member did not hold it. */
  async removeEntitlement(membershipId: string, kind: EntitlementKind, value: string): Promise<boolean> {
    const rows = await this.ctx.db
      .deleteFrom('member_entitlements')
      .where('membership_id', '=', membershipId)
      .where('kind', '=', kind)
      .where('value', '=', value)
      .returning('value')
      .execute();
    return rows.length > 0;
  }
}
