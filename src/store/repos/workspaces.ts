// Workspaces: the named areas of an organization that members are granted (workspace-grants.ts).
import type { Selectable } from 'kysely';
import type { WorkspacesTable } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type WorkspaceRecord = Selectable<WorkspacesTable>;

export class WorkspaceRepo {
  constructor(private readonly ctx: RepoContext) {}

  async insert(workspace: WorkspaceRecord): Promise<void> {
    await this.ctx.db.insertInto('workspaces').values(workspace).execute();
  }

  async list(organizationId: string): Promise<WorkspaceRecord[]> {
    return this.ctx.db
      .selectFrom('workspaces')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  async getById(organizationId: string, id: string): Promise<WorkspaceRecord | undefined> {
    return this.ctx.db
      .selectFrom('workspaces')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async rename(organizationId: string, id: string, name: string, at: string): Promise<void> {
    await this.ctx.db
      .updateTable('workspaces')
      .set({ name, updated_at: at })
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .execute();
  }
}
