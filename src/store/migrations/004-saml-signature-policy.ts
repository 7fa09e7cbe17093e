// SAML signatures over SHA-1 are refused unless the organization allows them: an existing
// organization starts refusing them too (0), as a new one does. An IdP still signing with SHA-1 (an
// old ADFS) fails with the typed reason `weak_signature`, which says what to change.
import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.ts';

export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .alterTable('sso_settings')
    .addColumn('allow_sha1_signatures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
