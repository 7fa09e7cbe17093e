// The person a SCIM request was about (its userName, from the body, the filter or the member
// answered), shown beside each request on the SCIM page, which now keeps up to 1,000 requests per
// organization for 7 days and filters them by outcome. No new index: an organization's rows (at
// most 1,000) are read through scim_requests_org (organization_id, id).
import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.ts';

export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema.alterTable('scim_requests').addColumn('user_name', 'text').execute();
}
