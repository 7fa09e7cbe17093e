// Sign-in safety: whether an organization accepts IdP-initiated SAML sign-in, the IdP-initiated
// sign-ins waiting for the person's confirmation (they would replace another person's session),
// the per-minute counters that aggregate unauthenticated failures in the audit log, and the new
// tokens waiting to be shown once after a post/redirect/get.
import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.ts';

export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  // 1: an unsolicited response (no InResponseTo) may sign people in; 0: refused.
  await db.schema
    .alterTable('sso_settings')
    .addColumn('idp_initiated', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('saml_pending_sign_ins')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('membership_id', 'text', (c) => c.notNull())
    .addColumn('session_id_hash', 'text')
    .addColumn('return_path', 'text')
    .addColumn('name_id', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('saml_pending_sign_ins_expires')
    .on('saml_pending_sign_ins')
    .column('expires_at')
    .execute();

  await db.schema
    .createTable('audit_counters')
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('minute', 'text', (c) => c.notNull())
    .addColumn('event_id', 'bigint')
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_counters_pk', [
      'organization_id',
      'action',
      'reason',
      'subject',
      'minute',
    ])
    .execute();
  await db.schema.createIndex('audit_counters_minute').on('audit_counters').column('minute').execute();

  await db.schema
    .createTable('token_reveals')
    .addColumn('session_id_hash', 'text', (c) => c.notNull())
    .addColumn('form_nonce', 'text', (c) => c.notNull())
    .addColumn('token_id', 'text')
    .addColumn('sealed', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('token_reveals_pk', ['session_id_hash', 'form_nonce'])
    .execute();
  await db.schema.createIndex('token_reveals_expires').on('token_reveals').column('expires_at').execute();
}
