// SCIM Groups (Okta Group Push, Entra groups) and the access a group gives.
//
// - `groups`: one row per group of an organization. `member_count` and `version` are kept up to date
//   by each membership change (one row, whatever the group's size), so that a group's ETag and its
//   GET with `excludedAttributes=members` never read its members.
// - `group_members`: one row per (group, member). Its primary key (group_id, membership_id) makes
//   adding or removing one member an index insert or delete, and a group's members a range of it;
//   `group_members_membership` answers "which groups is this member in" (the User's `groups`).
// - `group_workspaces`: the workspaces a group gives access to; `groups.role` the organization role
//   it gives (`admin`, or null for none).
//
// displayName is not unique: Entra allows two groups of one name, and a 409 would stop its sync.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DialectName } from '../dialect.ts';
import { POSTGRES_SQL } from '../postgres/postgres-sql.ts';

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('role', 'text')
    .addColumn('member_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  const folded = (column: string) =>
    dialect === 'postgres' ? POSTGRES_SQL.fold(sql.ref(column)) : sql`lower(${sql.ref(column)})`;
  await db.schema
    .createIndex('groups_org_display_name')
    .on('groups')
    .columns(['organization_id'])
    .expression(folded('display_name'))
    .execute();
  await db.schema
    .createIndex('groups_org_external_id')
    .on('groups')
    .columns(['organization_id', 'external_id'])
    .execute();
  await db.schema
    .createIndex('groups_org_created')
    .on('groups')
    .columns(['organization_id', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('group_members')
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id'))
    .addColumn('membership_id', 'text', (c) => c.notNull().references('memberships.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'membership_id'])
    .execute();
  await db.schema
    .createIndex('group_members_membership')
    .on('group_members')
    .columns(['membership_id', 'group_id'])
    .execute();

  await db.schema
    .createTable('group_workspaces')
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_workspaces_pk', ['group_id', 'workspace_id'])
    .execute();
  await db.schema
    .createIndex('group_workspaces_workspace')
    .on('group_workspaces')
    .column('workspace_id')
    .execute();
}
