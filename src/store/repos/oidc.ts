// What the OpenID Connect provider stores: oidc-provider's models (one row per model and id, the
// lookups it asks for copied out of the payload), the registered apps, the provider's keys, and the
// back-channel logout notices owed to apps. Times are ISO strings, compared as text like elsewhere.
import { randomUUID } from 'node:crypto';
import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import { templatesOf } from '../query-templates.ts';
import type {
  Database,
  OidcClientsTable,
  OidcKeysTable,
  OidcLogoutNoticesTable,
  OidcModelsTable,
} from '../schema.ts';
import type { RepoContext } from './context.ts';

export type OidcModelRecord = Selectable<OidcModelsTable>;
export type OidcClientRecord = Selectable<OidcClientsTable>;
export type OidcKeyRecord = Selectable<OidcKeysTable>;
export type OidcLogoutNoticeRecord = Selectable<OidcLogoutNoticesTable>;

/** A model as oidc-provider upserts it, with the columns copied from its payload. */
export type OidcModelWrite = Omit<OidcModelRecord, 'consumed_at' | 'membership_id'>;

/** The models that hold a grant's tokens and codes, the grant itself and the sessions. */
const SESSION_KIND = 'Session';
const GRANT_KIND = 'Grant';

interface SessionAuthorization {
  sid?: string;
  grantId?: string;
}

export class OidcRepo {
  constructor(private readonly ctx: RepoContext) {}

  async upsert(model: OidcModelWrite): Promise<void> {
    const { kind, id, ...columns } = model;
    await this.ctx.db
      .insertInto('oidc_models')
      .values({ ...model, consumed_at: null, membership_id: null })
      .onConflict((oc) => oc.columns(['kind', 'id']).doUpdateSet(columns))
      .execute();
  }

  /** The model, unless it expired before `at`. */
  async find(kind: string, id: string, at: string): Promise<OidcModelRecord | undefined> {
    return this.ctx.db
      .selectFrom('oidc_models')
      .selectAll()
      .where('kind', '=', kind)
      .where('id', '=', id)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
      .executeTakeFirst();
  }

  async findBy(
    kind: string,
    column: 'uid' | 'user_code',
    value: string,
    at: string,
  ): Promise<OidcModelRecord | undefined> {
    return this.ctx.db
      .selectFrom('oidc_models')
      .selectAll()
      .where('kind', '=', kind)
      .where(column, '=', value)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
      .executeTakeFirst();
  }

  /** Marks a model used (an authorization code, a rotated refresh token); the first mark stays. */
  async consume(kind: string, id: string, at: string): Promise<void> {
    await this.ctx.db
      .updateTable('oidc_models')
      .set({ consumed_at: at })
      .where('kind', '=', kind)
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .execute();
  }

  async destroy(kind: string, id: string): Promise<void> {
    await this.ctx.db.deleteFrom('oidc_models').where('kind', '=', kind).where('id', '=', id).execute();
  }

  /** Deletes every code and token issued under a grant. */
  async revokeByGrantId(grantId: string): Promise<void> {
    await this.ctx.db
      .deleteFrom('oidc_models')
      .where('grant_id', '=', grantId)
      .where('kind', '!=', GRANT_KIND)
      .execute();
  }

  /** Records the membership (the person's chosen organization) a grant's tokens speak for. */
  async bindGrant(grantId: string, membershipId: string): Promise<void> {
    await this.ctx.db
      .updateTable('oidc_models')
      .set({ membership_id: membershipId })
      .where('kind', '=', GRANT_KIND)
      .where('id', '=', grantId)
      .execute();
  }

  async grantMembership(grantId: string): Promise<string | undefined> {
    const row = await this.ctx.db
      .selectFrom('oidc_models')
      .select('membership_id')
      .where('kind', '=', GRANT_KIND)
      .where('id', '=', grantId)
      .executeTakeFirst();
    return row?.membership_id ?? undefined;
  }

  /**
   * Ends a membership's access through apps (deactivation): its grants, and every code and token
   * issued under them, are deleted, and a back-channel logout notice is queued for each app with a
   * `backchannel_logout_uri` that a session of the person signed in to under one of them. Returns
   * the number of grants revoked. `endingSessions`: the membership's Roster sessions are deleted
   * too, on PostgreSQL by the statement that reads its grants (a deactivation's round trip less);
   * most members have no grant, and that statement is then all this costs.
   */
  async revokeMembership(
    membershipId: string,
    at: string,
    options: { endingSessions?: boolean } = {},
  ): Promise<number> {
    const { db, dialect } = this.ctx;
    const together = options.endingSessions === true && dialect.writesInWith;
    if (options.endingSessions && !together) {
      await db.deleteFrom('sessions').where('membership_id', '=', membershipId).execute();
    }
    const grants = await templatesOf(dialect).run(
      db,
      together ? 'oidc.revokeMembership ending sessions' : 'oidc.revokeMembership',
      [membershipId],
      ([membership]) => {
        const read = (qb: Kysely<Database>) =>
          qb
            .selectFrom('oidc_models')
            .select(['id', 'account_id'])
            .where('kind', '=', GRANT_KIND)
            .where('membership_id', '=', String(membership));
        if (!together) return read(db);
        // A data-modifying WITH runs to completion whether or not the query reads it.
        return read(
          db.with('sessions_ended', (qb) =>
            qb
              .deleteFrom('sessions')
              .where('membership_id', '=', String(membership))
              .returning(sql<number>`1`.as('one')),
          ) as unknown as Kysely<Database>,
        );
      },
    );
    if (grants.length === 0) return 0;
    const grantIds = new Set(grants.map((grant) => grant.id));
    const accounts = [...new Set(grants.flatMap((grant) => (grant.account_id ? [grant.account_id] : [])))];
    const notices = await this.logoutNoticesFor(accounts, grantIds, at);
    if (notices.length > 0) await this.ctx.db.insertInto('oidc_logout_notices').values(notices).execute();
    await this.ctx.db
      .deleteFrom('oidc_models')
      .where('grant_id', 'in', [...grantIds])
      .execute();
    await this.ctx.db
      .deleteFrom('oidc_models')
      .where('kind', '=', GRANT_KIND)
      .where('id', 'in', [...grantIds])
      .execute();
    return grantIds.size;
  }

  /** A notice per (app, session) of these accounts' sessions authorized under one of `grantIds`. */
  private async logoutNoticesFor(
    accounts: readonly string[],
    grantIds: ReadonlySet<string>,
    at: string,
  ): Promise<Insertable<OidcLogoutNoticesTable>[]> {
    if (accounts.length === 0) return [];
    const sessions = await this.ctx.db
      .selectFrom('oidc_models')
      .select(['payload', 'account_id'])
      .where('kind', '=', SESSION_KIND)
      .where('account_id', 'in', accounts)
      .execute();
    const wanted: { clientId: string; accountId: string; sid: string | null }[] = [];
    for (const session of sessions) {
      const payload = JSON.parse(session.payload) as {
        authorizations?: Record<string, SessionAuthorization>;
      };
      for (const [clientId, authorization] of Object.entries(payload.authorizations ?? {})) {
        if (authorization.grantId && grantIds.has(authorization.grantId)) {
          wanted.push({ clientId, accountId: session.account_id ?? '', sid: authorization.sid ?? null });
        }
      }
    }
    if (wanted.length === 0) return [];
    const listening = await this.ctx.db
      .selectFrom('oidc_clients')
      .select('id')
      .where('id', 'in', [...new Set(wanted.map((w) => w.clientId))])
      .where('backchannel_logout_uri', 'is not', null)
      .execute();
    const clients = new Set(listening.map((client) => client.id));
    return wanted
      .filter((w) => clients.has(w.clientId))
      .map((w) => ({
        id: randomUUID(),
        client_id: w.clientId,
        account_id: w.accountId,
        sid: w.sid,
        attempts: 0,
        not_before: at,
        created_at: at,
      }));
  }

  /** Housekeeping: drops models that expired before `at`. */
  async deleteExpired(at: string): Promise<number> {
    const result = await this.ctx.db
      .deleteFrom('oidc_models')
      .where('expires_at', '<=', at)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  // Apps.

  async insertClient(client: OidcClientRecord): Promise<void> {
    await this.ctx.db.insertInto('oidc_clients').values(client).execute();
  }

  async getClient(id: string): Promise<OidcClientRecord | undefined> {
    return this.ctx.db.selectFrom('oidc_clients').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async listClients(): Promise<OidcClientRecord[]> {
    return this.ctx.db.selectFrom('oidc_clients').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  /**
   * Revokes an app: it can no longer sign anyone in, and every grant, code and token it holds is
   * deleted. False when it is unknown or already revoked.
   */
  async revokeClient(id: string, at: string): Promise<boolean> {
    const result = await this.ctx.db
      .updateTable('oidc_clients')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    await this.ctx.db.deleteFrom('oidc_models').where('client_id', '=', id).execute();
    return Number(result.numUpdatedRows) === 1;
  }

  // Keys.

  /** The keys of a kind, newest generation first. */
  async listKeys(kind: string): Promise<OidcKeyRecord[]> {
    return this.ctx.db
      .selectFrom('oidc_keys')
      .selectAll()
      .where('kind', '=', kind)
      .orderBy('generation', 'desc')
      .execute();
  }

  /** Adds a generation; false when another instance added the same one first. */
  async insertKey(key: OidcKeyRecord): Promise<boolean> {
    const result = await this.ctx.db
      .insertInto('oidc_keys')
      .values(key)
      .onConflict((oc) => oc.columns(['kind', 'generation']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  /** Marks every generation below `generation` retired (if not already). */
  async retireKeysBelow(kind: string, generation: number, at: string): Promise<void> {
    await this.ctx.db
      .updateTable('oidc_keys')
      .set({ retired_at: at })
      .where('kind', '=', kind)
      .where('generation', '<', generation)
      .where('retired_at', 'is', null)
      .execute();
  }

  /** Deletes keys retired before `before`: no token they signed is still valid. */
  async pruneKeys(kind: string, before: string): Promise<number> {
    const result = await this.ctx.db
      .deleteFrom('oidc_keys')
      .where('kind', '=', kind)
      .where('retired_at', '<=', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  // Back-channel logout notices.

  /**
   * Claims up to `limit` notices due at `at` until `leaseUntil`: another instance skips them until
   * then (a notice whose deliverer died is tried again after the lease).
   */
  async claimLogoutNotices(at: string, leaseUntil: string, limit: number): Promise<OidcLogoutNoticeRecord[]> {
    const due = await this.ctx.db
      .selectFrom('oidc_logout_notices')
      .selectAll()
      .where('not_before', '<=', at)
      .orderBy('not_before')
      .limit(limit)
      .execute();
    const claimed: OidcLogoutNoticeRecord[] = [];
    for (const notice of due) {
      const result = await this.ctx.db
        .updateTable('oidc_logout_notices')
        .set({ not_before: leaseUntil })
        .where('id', '=', notice.id)
        .where('not_before', '=', notice.not_before)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) claimed.push({ ...notice, not_before: leaseUntil });
    }
    return claimed;
  }

  async deleteLogoutNotice(id: string): Promise<void> {
    await this.ctx.db.deleteFrom('oidc_logout_notices').where('id', '=', id).execute();
  }

  async retryLogoutNotice(id: string, attempts: number, notBefore: string): Promise<void> {
    await this.ctx.db
      .updateTable('oidc_logout_notices')
      .set({ attempts, not_before: notBefore })
      .where('id', '=', id)
      .execute();
  }

  async countLogoutNotices(): Promise<number> {
    const row = await this.ctx.db
      .selectFrom('oidc_logout_notices')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
