// Workspace grants: the workspaces granted to members in Roster itself (Admins reach all of them
// without one), and who has access to a workspace from any source (grants, groups, entitlements).
import { sql } from 'kysely';
import { rowLimit } from '../row-limit.ts';
import type { RepoContext } from './context.ts';
import type { MemberRow } from './members.ts';

export class WorkspaceGrantRepo {
  constructor(private readonly ctx: RepoContext) {}

  async grant(membershipId: string, workspaceId: string, at: string): Promise<void> {
    await this.ctx.db
      .insertInto('workspace_grants')
      .values({ membership_id: membershipId, workspace_id: workspaceId, created_at: at })
      .onConflict((oc) => oc.columns(['membership_id', 'workspace_id']).doNothing())
      .execute();
  }

  async revoke(membershipId: string, workspaceId: string): Promise<void> {
    await this.ctx.db
      .deleteFrom('workspace_grants')
      .where('membership_id', '=', membershipId)
      .where('workspace_id', '=', workspaceId)
      .execute();
  }

  async workspaceIdsOf(membershipId: string): Promise<string[]> {
    const rows = await this.ctx.db
      .selectFrom('workspace_grants')
      .select('workspace_id')
      .where('membership_id', '=', membershipId)
      .execute();
    return rows.map((r) => r.workspace_id);
  }

  /**
   * The ids of members with access to the workspace from any source: a direct grant, a group that
   * gives it, an entitlement (each member once).
   */
  private holderIds(workspaceId: string) {
    const { db } = this.ctx;
    return db
      .selectFrom('workspace_grants')
      .select('membership_id')
      .where('workspace_id', '=', workspaceId)
      .union(
        db
          .selectFrom('group_workspaces as gw')
          .innerJoin('group_members as gm', 'gm.group_id', 'gw.group_id')
          .select('gm.membership_id')
          .where('gw.workspace_id', '=', workspaceId),
      )
      .union(
        db
          .selectFrom('member_entitlements')
          .select('membership_id')
          .where('kind', '=', 'workspace')
          .where('value', '=', workspaceId),
      );
  }

  /** Members with access to the workspace from any source (deactivated ones included: sources survive). */
  async listHolders(workspaceId: string, limit: number): Promise<MemberRow[]> {
    return this.ctx.db
      .selectFrom(this.holderIds(workspaceId).as('h'))
      .innerJoin('memberships as m', 'm.id', 'h.membership_id')
      .selectAll('m')
      .orderBy(this.ctx.dialect.sql.fold(sql.ref('m.user_name')))
      .limit(rowLimit(limit))
      .execute();
  }

  async countHolders(workspaceId: string): Promise<number> {
    const row = await this.ctx.db
      .selectFrom(this.holderIds(workspaceId).as('h'))
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
