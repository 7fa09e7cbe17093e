// Workspaces: the named areas of an organization that members are granted (workspace-grants.ts).
import type { Selectable } from 'kysely';
import { rowLimit } from '../row-limit.ts';
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

  /** One page of `list`, in the same order (SCIM `/Workspaces`: startIndex − 1, count). */
  async page(organizationId: string, offset: number, limit: number): Promise<WorkspaceRecord[]> {
    return this.ctx.db
      .selectFrom('workspaces')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('created_at')
      .orderBy('id')
      .limit(rowLimit(limit))
      .offset(offset)
      .execute();
  }

  async count(organizationId: string): Promise<number> {
    const row = await this.ctx.db
      .selectFrom('workspaces')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('organization_id', '=', organizationId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
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
