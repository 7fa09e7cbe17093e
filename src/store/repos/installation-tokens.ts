import type { Selectable } from 'kysely';
import type { InstallationTokensTable } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type InstallationTokenRecord = Selectable<InstallationTokensTable>;

export class InstallationTokenRepo {
  constructor(private readonly ctx: RepoContext) {}

  async insert(token: InstallationTokenRecord): Promise<void> {
    await this.ctx.db.insertInto('installation_tokens').values(token).execute();
  }

  /** By the SHA-256 of the presented value, through its unique index. */
  async findByHash(hash: string): Promise<InstallationTokenRecord | undefined> {
    return this.ctx.db
      .selectFrom('installation_tokens')
      .selectAll()
      .where('token_hash', '=', hash)
      .executeTakeFirst();
  }

  async getById(id: string): Promise<InstallationTokenRecord | undefined> {
    return this.ctx.db.selectFrom('installation_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(): Promise<InstallationTokenRecord[]> {
    return this.ctx.db
      .selectFrom('installation_tokens')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  async revoke(id: string, at: string): Promise<void> {
    await this.ctx.db
      .updateTable('installation_tokens')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async touch(id: string, at: string): Promise<void> {
    await this.ctx.db
      .updateTable('installation_tokens')
      .set({ last_used_at: at })
      .where('id', '=', id)
      .execute();
  }
}
