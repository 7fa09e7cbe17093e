// PostgreSQL: the planner is told that an organization is a large part of its tables, whatever
// ANALYZE saw (issue 17). Analyzed when an organization had one member (autovacuum lags a table that
// an IdP fills from empty), `organization_id` looked unique: every row a different organization. A
// lookup by userName then walked the organization in `seq` order, and a personal token's owner was
// found by walking the organization's (organization_id, role, user_name) index rather than by its
// primary key: both estimated at one row. With n_distinct fixed at 10 (ten organizations, as SQLite's
// fixed statistics assume: sqlite/fix-statistics.ts), `organization_id = ?` selects a tenth of the
// table in every analysis, and each lookup's own index wins. A table already analyzed is analyzed
// again, so that the setting counts from now on; SQLite's statistics are written by the store.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DialectName } from '../dialect.ts';

export const ORGANIZATIONS_ASSUMED = 10;
const TABLES = ['memberships', 'member_emails'] as const;

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  for (const table of TABLES) {
    await sql`alter table ${sql.table(table)} alter column organization_id set (n_distinct = ${sql.lit(ORGANIZATIONS_ASSUMED)})`.execute(
      db,
    );
    const { rows } =
      await sql`select 1 from pg_stats where schemaname = current_schema() and tablename = ${table} limit 1`.execute(
        db,
      );
    if (rows.length > 0) await sql`analyze ${sql.table(table)}`.execute(db);
  }
}
