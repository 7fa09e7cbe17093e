// SP-initiated sign-in tied to the browser that started it (login CSRF): an AuthnRequest keeps the
// hash of the `roster_saml_login` cookie its browser was given, and a held sign-in keeps that hash,
// its flow and whether the member was created just in time, so that `/saml/{slug}/continue`
// completes it silently only in the browser that asked. Requests in flight from before have no
// hash: their responses are then treated as unsolicited (asked about, or refused).
import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.ts';

export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema.alterTable('saml_requests').addColumn('browser_hash', 'text').execute();
  await db.schema.alterTable('saml_pending_sign_ins').addColumn('browser_hash', 'text').execute();
  // 'idp_initiated' (no InResponseTo) or 'sp_initiated'.
  await db.schema
    .alterTable('saml_pending_sign_ins')
    .addColumn('flow', 'text', (c) => c.notNull().defaultTo('idp_initiated'))
    .execute();
  await db.schema
    .alterTable('saml_pending_sign_ins')
    .addColumn('just_in_time_created', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
