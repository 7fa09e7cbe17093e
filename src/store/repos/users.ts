import { type Selectable, sql } from 'kysely';
import { type QueryTemplates, templatesOf } from '../query-templates.ts';
import type { UsersTable } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type UserRecord = Selectable<UsersTable>;

export class UserRepo {
  private readonly templates: QueryTemplates;

  constructor(private readonly ctx: RepoContext) {
    this.templates = templatesOf(ctx.dialect);
  }

  async insert(user: UserRecord): Promise<void> {
    await this.templates.insert(this.ctx.db, 'users', [user]);
  }

  async getById(id: string): Promise<UserRecord | undefined> {
    return this.ctx.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Emails are unique per user regardless of (ASCII) case; the `users_email` index on the folded email serves this. */
  async findByEmail(email: string): Promise<UserRecord | undefined> {
    const { fold } = this.ctx.dialect.sql;
    const [user] = await this.templates.run(this.ctx.db, 'users.byEmail', [email], ([value]) =>
      this.ctx.db
        .selectFrom('users')
        .selectAll()
        .where(fold(sql.ref('email')), '=', fold(value)),
    );
    return user;
  }

  async setPassword(id: string, passwordHash: string, at: string): Promise<void> {
    await this.ctx.db
      .updateTable('users')
      .set({ password_hash: passwordHash, updated_at: at })
      .where('id', '=', id)
      .execute();
  }
}
