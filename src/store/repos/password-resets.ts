import type { Selectable } from 'kysely';
import type { PasswordResetsTable } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type PasswordResetRecord = Selectable<PasswordResetsTable>;

export class PasswordResetRepo {
  constructor(private readonly ctx: RepoContext) {}

  async insert(reset: PasswordResetRecord): Promise<void> {
    await this.ctx.db.insertInto('password_resets').values(reset).execute();
  }

  async findByHash(hash: string): Promise<PasswordResetRecord | undefined> {
    return this.ctx.db
      .selectFrom('password_resets')
      .selectAll()
      .where('token_hash', '=', hash)
      .executeTakeFirst();
  }

  /** Uses a link once: false when it was used already (by another request, on any instance). */
  async use(hash: string, at: string): Promise<boolean> {
    const result = await this.ctx.db
      .updateTable('password_resets')
      .set({ used_at: at })
      .where('token_hash', '=', hash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Ends every open link of a person (their password changed another way). */
  async useAllOf(userId: string, at: string): Promise<void> {
    await this.ctx.db
      .updateTable('password_resets')
      .set({ used_at: at })
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .execute();
  }

  /** Open links of a person created since `since`: the bound on how many one may ask for. */
  async countRecent(userId: string, since: string): Promise<number> {
    const row = await this.ctx.db
      .selectFrom('password_resets')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('user_id', '=', userId)
      .where('created_at', '>', since)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
