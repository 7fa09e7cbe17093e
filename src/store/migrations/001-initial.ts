// The initial schema. Written once with Kysely's schema builder so that SQLite and PostgreSQL get
// the same tables, columns and indexes; the only dialect difference is how the audit log's
// ever-growing integer id is generated.
import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('organizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('default_role', 'text', (c) => c.notNull().defaultTo('member'))
    .addColumn('member_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('workspaces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('workspaces_org_name')
    .on('workspaces')
    .columns(['organization_id'])
    .expression(sql`lower(name)`)
    .unique()
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_email').on('users').expression(sql`lower(email)`).unique().execute();

  await db.schema
    .createTable('memberships')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('role', 'text')
    .addColumn('previous_role', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('display_name', 'text')
    .addColumn('given_name', 'text')
    .addColumn('family_name', 'text')
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deactivated_at', 'text')
    .addUniqueConstraint('memberships_org_user', ['organization_id', 'user_id'])
    .addUniqueConstraint('memberships_org_seq', ['organization_id', 'seq'])
    .addUniqueConstraint('memberships_org_external_id', ['organization_id', 'external_id'])
    .execute();
  await db.schema
    .createIndex('memberships_org_user_name')
    .on('memberships')
    .columns(['organization_id'])
    .expression(sql`lower(user_name)`)
    .unique()
    .execute();
  await db.schema.createIndex('memberships_user').on('memberships').column('user_id').execute();
  for (const column of ['display_name', 'given_name', 'family_name']) {
    await db.schema
      .createIndex(`memberships_org_${column}`)
      .on('memberships')
      .columns(['organization_id'])
      .expression(sql`lower(${sql.ref(column)})`)
      .execute();
  }

  await db.schema
    .createTable('member_emails')
    .addColumn('membership_id', 'text', (c) => c.notNull().references('memberships.id'))
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('type', 'text')
    .addColumn('primary', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('member_emails_pk', ['membership_id', 'position'])
    .execute();
  await db.schema
    .createIndex('member_emails_org_value')
    .on('member_emails')
    .columns(['organization_id'])
    .expression(sql`lower(value)`)
    .execute();

  await db.schema
    .createTable('workspace_grants')
    .addColumn('membership_id', 'text', (c) => c.notNull().references('memberships.id'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('workspace_grants_pk', ['membership_id', 'workspace_id'])
    .execute();
  await db.schema
    .createIndex('workspace_grants_workspace')
    .on('workspace_grants')
    .column('workspace_id')
    .execute();

  for (const table of ['personal_access_tokens', 'service_access_tokens'] as const) {
    let builder = db.schema
      .createTable(table)
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'));
    if (table === 'personal_access_tokens') {
      builder = builder.addColumn('membership_id', 'text', (c) => c.notNull().references('memberships.id'));
    }
    await builder
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('last_four', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text')
      .addColumn('last_used_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema.createIndex(`${table}_org`).on(table).column('organization_id').execute();
  }
  await db.schema
    .createIndex('personal_access_tokens_membership')
    .on('personal_access_tokens')
    .column('membership_id')
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('membership_id', 'text', (c) => c.notNull().references('memberships.id'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_membership').on('sessions').column('membership_id').execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('organization_id', 'text')
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_label', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('target_label', 'text')
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('request_id', 'text')
    .execute();
  await db.schema
    .createIndex('audit_events_org')
    .on('audit_events')
    .columns(['organization_id', 'id'])
    .execute();
}
