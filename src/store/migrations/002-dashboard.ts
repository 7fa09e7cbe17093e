// What the admin dashboard adds: the log of recent SCIM requests per organization (the "recent
// requests from your identity provider" panel), indexes for the member directory's status and role
// filters in its userName order, and for the audit log's actor, target and action filters. Like
// 001, written once for SQLite and PostgreSQL.
import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('scim_requests')
    .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('user_agent', 'text')
    .addColumn('detail', 'text')
    .addColumn('request_id', 'text')
    .execute();
  await db.schema
    .createIndex('scim_requests_org')
    .on('scim_requests')
    .columns(['organization_id', 'id'])
    .execute();

  for (const column of ['status', 'role']) {
    await db.schema
      .createIndex(`memberships_org_${column}_user_name`)
      .on('memberships')
      .columns(['organization_id', column])
      .expression(sql`lower(user_name)`)
      .execute();
  }

  await db.schema
    .createIndex('audit_events_org_actor')
    .on('audit_events')
    .columns(['organization_id', 'actor_id', 'id'])
    .execute();
  await db.schema
    .createIndex('audit_events_org_target')
    .on('audit_events')
    .columns(['organization_id', 'target_id', 'id'])
    .execute();
  await db.schema
    .createIndex('audit_events_org_action')
    .on('audit_events')
    .columns(['organization_id', 'action', 'id'])
    .execute();
}
