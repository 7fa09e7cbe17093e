// SAML SSO: one settings row per organization (its identity provider, and the service-provider key
// pair Roster signs AuthnRequests with), the email domains it owns (unique across organizations:
// the primary key), the AuthnRequests in flight (so an IdP's answer may reach any instance), and the
// assertions already consumed (the primary key is what refuses a replay, on every instance), and
// how each session was opened.
import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.ts';

export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  // How a session was opened: an SSO session vouches for one organization only (see
  // src/sign-in/sign-in-policy.ts, organizationSwitchAllowed).
  await db.schema
    .alterTable('sessions')
    .addColumn('sign_in_method', 'text', (c) => c.notNull().defaultTo('password'))
    .execute();

  await db.schema
    .createTable('sso_settings')
    .addColumn('organization_id', 'text', (c) => c.primaryKey().references('organizations.id'))
    .addColumn('idp_entity_id', 'text', (c) => c.notNull())
    .addColumn('idp_sso_url', 'text', (c) => c.notNull())
    .addColumn('idp_sso_binding', 'text', (c) => c.notNull())
    .addColumn('idp_certificates', 'text', (c) => c.notNull())
    .addColumn('sso_required', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('jit_role', 'text')
    .addColumn('sign_authn_requests', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sp_private_key', 'text', (c) => c.notNull())
    .addColumn('sp_certificate', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sso_domains')
    .addColumn('domain', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sso_domains_org').on('sso_domains').column('organization_id').execute();

  await db.schema
    .createTable('saml_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('relay_state', 'text', (c) => c.notNull().unique())
    .addColumn('return_path', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('saml_requests_expires').on('saml_requests').column('expires_at').execute();

  await db.schema
    .createTable('saml_assertions')
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('assertion_id', 'text', (c) => c.notNull())
    .addColumn('consumed_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('saml_assertions_pk', ['organization_id', 'assertion_id'])
    .execute();
  await db.schema.createIndex('saml_assertions_expires').on('saml_assertions').column('expires_at').execute();
}
