// What an organization does when its identity provider changes a member's email or userName
// (`refuse`, the default, or `follow`), and a note on a SCIM request that was answered but not
// applied in full (a deactivation whose email change was refused), for the SCIM page's request log.
import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.ts';

export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .alterTable('organizations')
    .addColumn('email_changes', 'text', (c) => c.notNull().defaultTo('refuse'))
    .execute();
  await db.schema.alterTable('scim_requests').addColumn('notice', 'text').execute();
}
