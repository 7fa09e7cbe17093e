import type { Selectable } from 'kysely';
import type { SetupLinksTable } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type SetupLinkRecord = Selectable<SetupLinksTable>;

export class SetupLinkRepo {
  constructor(private readonly ctx: RepoContext) {}

  async insert(link: SetupLinkRecord): Promise<void> {
    await this.ctx.db.insertInto('setup_links').values(link).execute();
  }

  async findByHash(hash: string): Promise<SetupLinkRecord | undefined> {
    return this.ctx.db
      .selectFrom('setup_links')
      .selectAll()
      .where('token_hash', '=', hash)
      .executeTakeFirst();
  }

  async findBySession(sessionHash: string): Promise<SetupLinkRecord | undefined> {
    return this.ctx.db
      .selectFrom('setup_links')
      .selectAll()
      .where('session_hash', '=', sessionHash)
      .executeTakeFirst();
  }

  async getById(organizationId: string, id: string): Promise<SetupLinkRecord | undefined> {
    return this.ctx.db
      .selectFrom('setup_links')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async list(organizationId: string, limit = 100): Promise<SetupLinkRecord[]> {
    return this.ctx.db
      .selectFrom('setup_links')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  /**
   * Opens an unopened, unrevoked link for one browser; false when it was opened already (the
   * conditional update makes the link one-time on every instance).
   */
  async open(id: string, sessionHash: string, at: string): Promise<boolean> {
    const result = await this.ctx.db
      .updateTable('setup_links')
      .set({ session_hash: sessionHash, opened_at: at })
      .where('id', '=', id)
      .where('opened_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async revoke(id: string, at: string): Promise<boolean> {
    const result = await this.ctx.db
      .updateTable('setup_links')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
