import type { Insertable, Selectable } from 'kysely';
import type { SessionsTable } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type SessionRecord = Selectable<SessionsTable>;

export class SessionRepo {
  constructor(private readonly ctx: RepoContext) {}

  async insert(session: Insertable<SessionsTable>): Promise<void> {
    await this.ctx.db.insertInto('sessions').values(session).execute();
  }

  async findByHash(idHash: string): Promise<SessionRecord | undefined> {
    return this.ctx.db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
  }

  async delete(idHash: string): Promise<void> {
    await this.ctx.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  /** Ends every session of a member (deactivation); returns how many there were. */
  async deleteForMembership(membershipId: string): Promise<number> {
    const result = await this.ctx.db
      .deleteFrom('sessions')
      .where('membership_id', '=', membershipId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Ends every session of a person, in every organization, but `exceptIdHash` (the one that changed
   * the password); returns how many ended.
   */
  async deleteForUser(userId: string, exceptIdHash: string | null = null): Promise<number> {
    let query = this.ctx.db.deleteFrom('sessions').where('user_id', '=', userId);
    if (exceptIdHash !== null) query = query.where('id_hash', '!=', exceptIdHash);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Ends the password sessions opened in an organization ("SSO required" turned on); its SSO
   * sessions stay. Returns how many there were.
   */
  async deletePasswordSessionsOfOrganization(organizationId: string): Promise<number> {
    const result = await this.ctx.db
      .deleteFrom('sessions')
      .where('organization_id', '=', organizationId)
      .where('sign_in_method', '=', 'password')
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Drops sessions that expired before `at` (housekeeping at sign-in). */
  async deleteExpired(at: string): Promise<number> {
    const result = await this.ctx.db.deleteFrom('sessions').where('expires_at', '<=', at).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
