import { type Selectable, sql } from 'kysely';
import { rowLimit } from '../row-limit.ts';
import type {
  SamlPendingSignInsTable,
  SamlRequestsTable,
  SsoDomainsTable,
  SsoSettingsTable,
} from '../schema.ts';
import type { RepoContext } from './context.ts';
import type { MemberRow } from './members.ts';

export type SsoSettingsRecord = Selectable<SsoSettingsTable>;
export type SamlRequestRecord = Selectable<SamlRequestsTable>;
export type SsoDomainRecord = Selectable<SsoDomainsTable>;
export type PendingSignInRecord = Selectable<SamlPendingSignInsTable>;

/** An organization's SSO settings and domains, the AuthnRequests in flight, the assertions consumed. */
export class SsoRepo {
  constructor(private readonly ctx: RepoContext) {}

  async getSettings(organizationId: string): Promise<SsoSettingsRecord | undefined> {
    return this.ctx.db
      .selectFrom('sso_settings')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .executeTakeFirst();
  }

  async upsertSettings(settings: SsoSettingsRecord): Promise<void> {
    const { organization_id, created_at, ...changes } = settings;
    await this.ctx.db
      .insertInto('sso_settings')
      .values(settings)
      .onConflict((oc) => oc.column('organization_id').doUpdateSet(changes))
      .execute();
  }

  /** The organization's domain names, verified or not, in order. */
  async listDomains(organizationId: string): Promise<string[]> {
    return (await this.listDomainClaims(organizationId)).map((claim) => claim.domain);
  }

  /** The organization's domain claims, with their verification tokens and state. */
  async listDomainClaims(organizationId: string): Promise<SsoDomainRecord[]> {
    return this.ctx.db
      .selectFrom('sso_domains')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('domain')
      .execute();
  }

  async getDomainClaim(organizationId: string, domain: string): Promise<SsoDomainRecord | undefined> {
    return this.ctx.db
      .selectFrom('sso_domains')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('domain', '=', domain)
      .executeTakeFirst();
  }

  /**
   * Replaces the organization's domain claims: claims kept keep their token and verification, new
   * ones start unverified with a token from `newToken`. Returns the domains another organization
   * holds verified (nothing of those is written): a verified domain cannot be claimed elsewhere.
   */
  async replaceDomains(
    organizationId: string,
    domains: readonly string[],
    at: string,
    newToken: () => string,
  ): Promise<string[]> {
    const current = new Set(await this.listDomains(organizationId));
    const removed = [...current].filter((domain) => !domains.includes(domain));
    if (removed.length > 0) {
      await this.ctx.db
        .deleteFrom('sso_domains')
        .where('organization_id', '=', organizationId)
        .where('domain', 'in', removed)
        .execute();
    }
    const taken: string[] = [];
    for (const domain of domains) {
      if (current.has(domain)) continue;
      const holder = await this.verifiedHolder(domain);
      if (holder !== undefined && holder !== organizationId) {
        taken.push(domain);
        continue;
      }
      await this.ctx.db
        .insertInto('sso_domains')
        .values({
          organization_id: organizationId,
          domain,
          verification_token: newToken(),
          verified_at: null,
          created_at: at,
        })
        .onConflict((oc) => oc.columns(['organization_id', 'domain']).doNothing())
        .execute();
    }
    return taken;
  }

  async deleteDomainClaim(organizationId: string, domain: string): Promise<void> {
    await this.ctx.db
      .deleteFrom('sso_domains')
      .where('organization_id', '=', organizationId)
      .where('domain', '=', domain)
      .execute();
  }

  /** The organization holding an email domain (lower case) verified, if any. */
  async verifiedHolder(domain: string): Promise<string | undefined> {
    const row = await this.ctx.db
      .selectFrom('sso_domains')
      .select('organization_id')
      .where('domain', '=', domain)
      .where('verified_at', 'is not', null)
      .executeTakeFirst();
    return row?.organization_id;
  }

  /** The organization whose SSO an email domain routes to: only a verified domain routes. */
  async organizationIdForDomain(domain: string): Promise<string | undefined> {
    return this.verifiedHolder(domain);
  }

  /**
   * Marks a claim verified. Throws UniqueViolationError when another organization holds the domain
   * verified (the partial unique index `sso_domains_verified`, also across instances racing).
   */
  async markDomainVerified(organizationId: string, domain: string, at: string): Promise<void> {
    await this.ctx.db
      .updateTable('sso_domains')
      .set({ verified_at: at })
      .where('organization_id', '=', organizationId)
      .where('domain', '=', domain)
      .where('verified_at', 'is', null)
      .execute();
  }

  async insertRequest(request: SamlRequestRecord): Promise<void> {
    await this.ctx.db.insertInto('saml_requests').values(request).execute();
  }

  /** An unexpired AuthnRequest of the organization. */
  async findRequest(organizationId: string, id: string, at: string): Promise<SamlRequestRecord | undefined> {
    return this.ctx.db
      .selectFrom('saml_requests')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .where('expires_at', '>', at)
      .executeTakeFirst();
  }

  async deleteRequest(organizationId: string, id: string): Promise<void> {
    await this.ctx.db
      .deleteFrom('saml_requests')
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .execute();
  }

  async deleteExpiredRequests(at: string): Promise<number> {
    const result = await this.ctx.db
      .deleteFrom('saml_requests')
      .where('expires_at', '<=', at)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Records an assertion as used. False when it already was (here or on another instance): the
   * primary key (organization_id, assertion_id) decides, with ON CONFLICT so that a replay is an
   * answer, not an error that would abort a PostgreSQL transaction.
   */
  async consumeAssertion(organizationId: string, assertionId: string, expiresAt: string, at: string) {
    const result = await this.ctx.db
      .insertInto('saml_assertions')
      .values({
        organization_id: organizationId,
        assertion_id: assertionId,
        consumed_at: at,
        expires_at: expiresAt,
      })
      .onConflict((oc) => oc.columns(['organization_id', 'assertion_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  /** Forgets assertions past their expiry: they would be refused as expired anyway. */
  async deleteExpiredAssertions(at: string): Promise<number> {
    const result = await this.ctx.db
      .deleteFrom('saml_assertions')
      .where('expires_at', '<=', at)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async insertPendingSignIn(pending: PendingSignInRecord): Promise<void> {
    await this.ctx.db
      .deleteFrom('saml_pending_sign_ins')
      .where('expires_at', '<=', pending.created_at)
      .execute();
    await this.ctx.db.insertInto('saml_pending_sign_ins').values(pending).execute();
  }

  /** An unexpired pending sign-in, left in place. */
  async findPendingSignIn(idHash: string, at: string): Promise<PendingSignInRecord | undefined> {
    return this.ctx.db
      .selectFrom('saml_pending_sign_ins')
      .selectAll()
      .where('id_hash', '=', idHash)
      .where('expires_at', '>', at)
      .executeTakeFirst();
  }

  /**
   * Binds a pending sign-in to the session that will be asked to confirm it; false when it is bound
   * to another session already (only the first browser to open it may answer).
   */
  async bindPendingSignIn(idHash: string, sessionIdHash: string): Promise<boolean> {
    await this.ctx.db
      .updateTable('saml_pending_sign_ins')
      .set({ session_id_hash: sessionIdHash })
      .where('id_hash', '=', idHash)
      .where('session_id_hash', 'is', null)
      .execute();
    const row = await this.ctx.db
      .selectFrom('saml_pending_sign_ins')
      .select('session_id_hash')
      .where('id_hash', '=', idHash)
      .executeTakeFirst();
    return row?.session_id_hash === sessionIdHash;
  }

  /**
   * Takes a pending IdP-initiated sign-in: deleted as it is read (one-time: of two confirmations
   * racing, on any instance, one deletes the row and the other finds nothing). Undefined when
   * unknown, already taken or expired.
   */
  async takePendingSignIn(idHash: string, at: string): Promise<PendingSignInRecord | undefined> {
    const row = await this.ctx.db
      .selectFrom('saml_pending_sign_ins')
      .selectAll()
      .where('id_hash', '=', idHash)
      .executeTakeFirst();
    if (!row) return undefined;
    const deleted = await this.ctx.db
      .deleteFrom('saml_pending_sign_ins')
      .where('id_hash', '=', idHash)
      .executeTakeFirst();
    if (Number(deleted.numDeletedRows) !== 1 || row.expires_at <= at) return undefined;
    return row;
  }

  /**
   * The member an SSO identity (NameID or email attribute) names, case-insensitively: by SCIM
   * userName first, then by the member's emails (primary first), then by the person's account
   * email. Each step is an index lookup; an email shared by several members matches none of them.
   */
  async findMemberForSignIn(organizationId: string, identifier: string): Promise<MemberRow | undefined> {
    const db = this.ctx.db;
    const { fold } = this.ctx.dialect.sql;
    const byUserName = await db
      .selectFrom('memberships')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where(fold(sql.ref('user_name')), '=', fold(identifier))
      .executeTakeFirst();
    if (byUserName) return byUserName;

    const byEmail = await db
      .selectFrom('member_emails as e')
      .innerJoin('memberships as m', 'm.id', 'e.membership_id')
      .selectAll('m')
      .select('e.primary')
      .where('e.organization_id', '=', organizationId)
      .where(fold(sql.ref('e.value')), '=', fold(identifier))
      .orderBy('e.primary', 'desc')
      .limit(rowLimit(10))
      .execute();
    const primary = byEmail.filter((row) => row.primary === 1);
    const candidates = primary.length > 0 ? primary : byEmail;
    if (new Set(candidates.map((row) => row.id)).size === 1 && candidates[0]) {
      const { primary: _primary, ...member } = candidates[0];
      return member;
    }
    if (candidates.length > 0) return undefined;

    return db
      .selectFrom('users as u')
      .innerJoin('memberships as m', 'm.user_id', 'u.id')
      .selectAll('m')
      .where(fold(sql.ref('u.email')), '=', fold(identifier))
      .where('m.organization_id', '=', organizationId)
      .executeTakeFirst();
  }
}
