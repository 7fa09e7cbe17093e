// Workspace grants: which members reach which workspaces (Admins reach all of them without one).
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

  /** Members holding a grant to the workspace (deactivated ones included: grants survive). */
  async listGrantedTo(workspaceId: string, limit: number): Promise<MemberRow[]> {
    return this.ctx.db
      .selectFrom('workspace_grants as g')
      .innerJoin('memberships as m', 'm.id', 'g.membership_id')
      .selectAll('m')
      .where('g.workspace_id', '=', workspaceId)
      .orderBy(this.ctx.dialect.sql.fold(sql.ref('m.user_name')))
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
