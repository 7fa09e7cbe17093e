// Every row of every table, as one comparable value: "a refused request changed nothing" is
// `assert.deepEqual(await snapshot(store), before)`. What legitimately moves on every request is
// left out: the SCIM request log (it records refusals too), when a token was last used, and when a
// session was last seen.
import { sql } from 'kysely';
import type { Store } from '../../src/store/store.ts';

const VOLATILE_TABLES = new Set(['scim_requests', 'kysely_migration', 'kysely_migration_lock']);
const VOLATILE_COLUMNS = new Set(['last_used_at', 'last_seen_at']);

async function tableNames(store: Store): Promise<string[]> {
  if (store.dialect.name === 'sqlite') {
    const rows = await sql<{ name: string }>`
      select name from sqlite_master where type = 'table' and name not like 'sqlite_%'
    `.execute(store.db);
    return rows.rows.map((r) => r.name);
  }
  const rows = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'
  `.execute(store.db);
  return rows.rows.map((r) => r.name);
}

export type Snapshot = Record<string, string[]>;

// A store's tables do not change while a test runs; PostgreSQL's information_schema costs about
// 20 ms a query, which a corpus taking two snapshots per request paid hundreds of times.
const tablesOf = new WeakMap<Store, Promise<string[]>>();

/** Each table's rows as sorted JSON lines, without the volatile tables and columns. */
export async function snapshot(store: Store): Promise<Snapshot> {
  let names = tablesOf.get(store);
  if (!names) {
    names = tableNames(store).then((all) => all.filter((name) => !VOLATILE_TABLES.has(name)).sort());
    tablesOf.set(store, names);
  }
  const tables = await names;
  // Read together: on PostgreSQL each is a round trip, and the pool has several connections.
  const read = await Promise.all(
    tables.map((name) => sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(store.db)),
  );
  const result: Snapshot = {};
  for (const [i, name] of tables.entries()) {
    const rows = read[i] as { rows: Record<string, unknown>[] };
    result[name] = rows.rows
      .map((row) => {
        const kept: Record<string, unknown> = {};
        for (const key of Object.keys(row).sort()) {
          if (!VOLATILE_COLUMNS.has(key)) kept[key] = row[key];
        }
        return JSON.stringify(kept, (_key, value) => (typeof value === 'bigint' ? String(value) : value));
      })
      .sort();
  }
  return result;
}

/** The tables whose rows differ between two snapshots, for a readable failure. */
export function changedTables(before: Snapshot, after: Snapshot): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]));
}
