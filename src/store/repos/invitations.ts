import type { Selectable } from 'kysely';
import type { InvitationsTable } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type InvitationRecord = Selectable<InvitationsTable>;

export class InvitationRepo {
  constructor(private readonly ctx: RepoContext) {}

  async insert(invitation: InvitationRecord): Promise<void> {
    await this.ctx.db.insertInto('invitations').values(invitation).execute();
  }

  async findByHash(hash: string): Promise<InvitationRecord | undefined> {
    return this.ctx.db
      .selectFrom('invitations')
      .selectAll()
      .where('token_hash', '=', hash)
      .executeTakeFirst();
  }

  async getById(organizationId: string, id: string): Promise<InvitationRecord | undefined> {
    return this.ctx.db
      .selectFrom('invitations')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** The organization's invitations, newest first. */
  async list(organizationId: string, limit = 200): Promise<InvitationRecord[]> {
    return this.ctx.db
      .selectFrom('invitations')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  /**
   * Marks an open invitation accepted; false when it was already accepted or revoked (the
   * conditional update is what makes the link one-time, whichever instance answers first).
   */
  async accept(id: string, membershipId: string, at: string): Promise<boolean> {
    const result = await this.ctx.db
      .updateTable('invitations')
      .set({ accepted_at: at, membership_id: membershipId })
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async revoke(id: string, at: string): Promise<boolean> {
    const result = await this.ctx.db
      .updateTable('invitations')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
