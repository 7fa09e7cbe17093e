// Verified SSO email domains. Until now `sso_domains` gave a domain to whichever organization typed
// it first (the primary key was the domain), and that claim alone routed "Continue with SSO" and
// allowed just-in-time creation: any organization could claim gmail.com or a customer's domain.
// From here on a row is a claim of one organization, with the random token its DNS TXT record must
// carry (src/accounts/domain-verification.ts); several organizations may claim a domain, and only
// one may hold it verified: the partial unique index decides, on every instance.
//
// Rows from before this migration become unverified claims, each with a new token: they keep their
// place on the SSO page (which says they need verifying) but route nothing until verified.
import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect.ts';

interface OldDomainRow {
  domain: string;
  organization_id: string;
  created_at: string;
}

export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  // A few rows per organization (at most 50 each): read them, then rebuild the table under its
  // own name, since SQLite cannot change a primary key in place.
  const { rows } =
    await sql<OldDomainRow>`select domain, organization_id, created_at from sso_domains`.execute(db);
  await db.schema.dropIndex('sso_domains_org').ifExists().execute();
  await db.schema.dropTable('sso_domains').execute();

  await db.schema
    .createTable('sso_domains')
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('verification_token', 'text', (c) => c.notNull())
    .addColumn('verified_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sso_domain_claims_pk', ['organization_id', 'domain'])
    .execute();
  // One verified holder per domain; it also serves the sign-in page's lookup by domain.
  await db.schema
    .createIndex('sso_domains_verified')
    .on('sso_domains')
    .column('domain')
    .unique()
    .where(sql.ref('verified_at'), 'is not', null)
    .execute();

  for (const row of rows) {
    await sql`insert into sso_domains (organization_id, domain, verification_token, verified_at, created_at)
      values (${row.organization_id}, ${row.domain}, ${newVerificationToken()}, ${null}, ${row.created_at})`.execute(
      db,
    );
  }
}

/** As src/accounts/domain-verification.ts makes them (a migration keeps its own copy). */
function newVerificationToken(): string {
  return randomBytes(16).toString('hex');
}
