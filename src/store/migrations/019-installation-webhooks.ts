// Installation-wide webhook endpoints: an endpoint without an organization (organization_id null)
// hears of every organization's events, as the events API does for an installation token. Its
// deliveries name the organization of their event, which an event of no organization has not, so
// webhook_deliveries.organization_id becomes nullable too.
//
// PostgreSQL drops the two NOT NULL constraints. SQLite cannot: both tables are rebuilt, in this
// migration's transaction (the store migrates SQLite under one write transaction), with foreign keys
// left on. webhook_deliveries goes first and comes back last: dropping webhook_endpoints while
// deliveries refer to it would run their ON DELETE CASCADE and empty them.
//
// And an index of the pending deliveries only, by endpoint in event order: the worker's claim walks
// an endpoint's pending deliveries in that order and stops at the first few it may send, and its
// look for endpoints with work stops at the first due one, instead of reading every pending delivery
// (and sorting them) each time, which made a backlog's drain quadratic. Settled deliveries, the
// bulk of the table, are not in it. It replaces webhook_deliveries_due (state, next_attempt_at).
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DialectName } from '../dialect.ts';

const ORGANIZATION_NOT_NULL = /"organization_id" text not null/i;

interface Row {
  sql: string;
}

async function definition(db: Kysely<unknown>, table: string) {
  const created =
    await sql<Row>`select sql from sqlite_master where type = 'table' and name = ${table}`.execute(db);
  const statement = created.rows[0]?.sql;
  if (statement === undefined) throw new Error(`019: the ${table} table is missing`);
  const indexes = await sql<Row>`select sql from sqlite_master
    where tbl_name = ${table} and type in ('index', 'trigger') and sql is not null`.execute(db);
  const columns = await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db);
  return {
    table,
    statement,
    indexes: indexes.rows.map((row) => row.sql),
    columns: sql.join(columns.rows.map((column) => sql.ref(column.name))),
  };
}

async function rebuildSqlite(db: Kysely<unknown>): Promise<void> {
  const endpoints = await definition(db, 'webhook_endpoints');
  const deliveries = await definition(db, 'webhook_deliveries');
  if (!ORGANIZATION_NOT_NULL.test(endpoints.statement)) return; // already rebuilt
  const tables = [endpoints, deliveries];
  for (const { table } of tables) {
    await sql`create temp table ${sql.id(`${table}_019`)} as select * from ${sql.ref(table)}`.execute(db);
  }
  await sql`drop table webhook_deliveries`.execute(db);
  await sql`drop table webhook_endpoints`.execute(db);
  for (const { table, statement, indexes, columns } of tables) {
    await sql.raw(statement.replace(ORGANIZATION_NOT_NULL, '"organization_id" text')).execute(db);
    await sql`insert into ${sql.ref(table)} (${columns}) select ${columns} from ${sql.id('temp', `${table}_019`)}`.execute(
      db,
    );
    await sql`drop table ${sql.id('temp', `${table}_019`)}`.execute(db);
    for (const index of indexes) await sql.raw(index).execute(db);
  }
  const broken = await sql`select 1 from pragma_foreign_key_check limit 1`.execute(db);
  if (broken.rows.length > 0) throw new Error('019: rebuilding the webhook tables broke a foreign key');
}

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect === 'postgres') {
    await sql`alter table webhook_endpoints alter column organization_id drop not null`.execute(db);
    await sql`alter table webhook_deliveries alter column organization_id drop not null`.execute(db);
  } else {
    await rebuildSqlite(db);
  }
  await sql`create index if not exists webhook_deliveries_pending
    on webhook_deliveries (endpoint_id, position) where state = 'pending'`.execute(db);
  // It replaces (state, next_attempt_at), which SQLite's planner preferred for the claim, then sorted.
  await sql`drop index if exists webhook_deliveries_due`.execute(db);
}
