import type { Selectable } from 'kysely';
import type { TokenRevealsTable } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type TokenRevealRecord = Selectable<TokenRevealsTable>;

/** "Generate token" forms already submitted, and the new token each waits to show once. */
export class TokenRevealRepo {
  constructor(private readonly ctx: RepoContext) {}

  /**
   * Claims a form's nonce for a session. False when it was already claimed: the same form was
   * submitted before (a reload, a double click), and must not mint another token.
   */
  async claim(sessionIdHash: string, formNonce: string, at: string, expiresAt: string): Promise<boolean> {
    await this.ctx.db.deleteFrom('token_reveals').where('expires_at', '<=', at).execute();
    const result = await this.ctx.db
      .insertInto('token_reveals')
      .values({
        session_id_hash: sessionIdHash,
        form_nonce: formNonce,
        token_id: null,
        sealed: null,
        created_at: at,
        expires_at: expiresAt,
      })
      .onConflict((oc) => oc.columns(['session_id_hash', 'form_nonce']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  /** Gives up a claim (the form was refused: nothing was minted, it may be corrected and sent again). */
  async release(sessionIdHash: string, formNonce: string): Promise<void> {
    await this.ctx.db
      .deleteFrom('token_reveals')
      .where('session_id_hash', '=', sessionIdHash)
      .where('form_nonce', '=', formNonce)
      .execute();
  }

  async attach(sessionIdHash: string, formNonce: string, tokenId: string, sealed: string): Promise<void> {
    await this.ctx.db
      .updateTable('token_reveals')
      .set({ token_id: tokenId, sealed })
      .where('session_id_hash', '=', sessionIdHash)
      .where('form_nonce', '=', formNonce)
      .execute();
  }

  /**
   * The sealed value of a new token of this session, once: it is wiped as it is read (of two reads
   * racing, one finds it). Undefined when unknown, already shown or created before `notBefore`.
   */
  async take(sessionIdHash: string, tokenId: string, notBefore: string): Promise<string | undefined> {
    const row = await this.ctx.db
      .selectFrom('token_reveals')
      .select(['form_nonce', 'sealed', 'created_at'])
      .where('session_id_hash', '=', sessionIdHash)
      .where('token_id', '=', tokenId)
      .where('sealed', 'is not', null)
      .executeTakeFirst();
    if (!row?.sealed) return undefined;
    const wiped = await this.ctx.db
      .updateTable('token_reveals')
      .set({ sealed: null })
      .where('session_id_hash', '=', sessionIdHash)
      .where('form_nonce', '=', row.form_nonce)
      .where('sealed', 'is not', null)
      .executeTakeFirst();
    if (Number(wiped.numUpdatedRows) !== 1 || row.created_at < notBefore) return undefined;
    return row.sealed;
  }
}
