import { type Selectable, sql } from 'kysely';
import type { UsersTable } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type UserRecord = Selectable<UsersTable>;

export class UserRepo {
  constructor(private readonly ctx: RepoContext) {}

  async insert(user: UserRecord): Promise<void> {
    await this.ctx.db.insertInto('users').values(user).execute();
  }

  async getById(id: string): Promise<UserRecord | undefined> {
    return this.ctx.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Emails are unique per user regardless of case; the `users_email` index on lower(email) serves this. */
  async findByEmail(email: string): Promise<UserRecord | undefined> {
    return this.ctx.db
      .selectFrom('users')
      .selectAll()
      .where(sql`lower(email)`, '=', sql`lower(${email})`)
      .executeTakeFirst();
  }

  async setPassword(id: string, passwordHash: string, at: string): Promise<void> {
    await this.ctx.db
      .updateTable('users')
      .set({ password_hash: passwordHash, updated_at: at })
      .where('id', '=', id)
      .execute();
  }
}
