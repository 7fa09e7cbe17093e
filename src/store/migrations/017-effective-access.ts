// Access from several sources (docs/scim.md, "Groups and access"). `memberships.role` stays the
// effective role that everything reads; these are the sources it is computed from:
//
// - `memberships.direct_role`: the role granted in Roster itself (an Admin's change, an
//   invitation, SCIM's default role for a new member). Backfilled from the role the member has, or
//   had before deactivation, or the organization's default role.
// - `member_entitlements`: what the identity provider assigned the member directly (Okta's
//   entitlements): kind `role` (value `admin` | `member`) or `workspace` (value: a workspace id).
//   Its primary key makes adding or removing one an index write; `member_entitlements_holders`
//   answers "who holds this".
//
// The group-derived sources already exist: `groups.role` and `group_workspaces` (migration 012).
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DialectName } from '../dialect.ts';

export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .alterTable('memberships')
    .addColumn('direct_role', 'text', (c) => c.notNull().defaultTo('member'))
    .execute();
  await sql`update memberships set direct_role = coalesce(role, previous_role,
    (select o.default_role from organizations o where o.id = memberships.organization_id), 'member')`.execute(
    db,
  );

  await db.schema
    .createTable('member_entitlements')
    .addColumn('membership_id', 'text', (c) => c.notNull().references('memberships.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('member_entitlements_pk', ['membership_id', 'kind', 'value'])
    .execute();
  await db.schema
    .createIndex('member_entitlements_holders')
    .on('member_entitlements')
    .columns(['kind', 'value', 'membership_id'])
    .execute();
}
