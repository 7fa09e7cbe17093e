// What the hot queries cost, read from the databases themselves: the queries a request really runs
// (recorded below the store, so templates and use cases are the real ones), their plans (SQLite
// `EXPLAIN QUERY PLAN`, PostgreSQL `EXPLAIN`) and, on PostgreSQL, the rows each one examined
// (`EXPLAIN (ANALYZE, BUFFERS)`). For test/store/query-plans.test.ts and lookup-cost.test.ts.
import type { FastifyInstance } from 'fastify';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  sql,
} from 'kysely';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/create-app.ts';
import { newMemberRow } from '../../src/membership/member-row.ts';
import { newId, now } from '../../src/store/ids.ts';
import { createPostgresDialect } from '../../src/store/postgres/postgres-dialect.ts';
import { memberEmailRecords } from '../../src/store/repos/members.ts';
import type { Database } from '../../src/store/schema.ts';
import { createSqliteDialect } from '../../src/store/sqlite/sqlite-dialect.ts';
import { createStore, type Store } from '../../src/store/store.ts';
import { TEST_DATABASE_URL, type TestDatabase } from './stores.ts';

/** The tables that grow with an organization: no plan may read them whole. */
export const GROWING_TABLES = ['memberships', 'member_emails', 'users'] as const;

/** The dialect, with every query its connections run appended to `seen`. */
function recording(inner: Dialect, seen: CompiledQuery[]): Dialect {
  const connection = (c: DatabaseConnection): DatabaseConnection => ({
    executeQuery(query) {
      seen.push(query);
      return c.executeQuery(query);
    },
    streamQuery: (query, chunkSize) => c.streamQuery(query, chunkSize),
  });
  return {
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createDriver(): Driver {
      const driver = inner.createDriver();
      // Each connection of the driver and its recording wrapper, both ways.
      const wrappers = new Map<DatabaseConnection, DatabaseConnection>();
      const inners = new Map<DatabaseConnection, DatabaseConnection>();
      const wrap = (c: DatabaseConnection) => {
        let w = wrappers.get(c);
        if (!w) {
          w = connection(c);
          wrappers.set(c, w);
          inners.set(w, c);
        }
        return w;
      };
      const unwrap = (w: DatabaseConnection) => inners.get(w) ?? w;
      return {
        init: () => driver.init(),
        acquireConnection: async () => wrap(await driver.acquireConnection()),
        beginTransaction: (c, settings) => driver.beginTransaction(unwrap(c), settings),
        commitTransaction: (c) => driver.commitTransaction(unwrap(c)),
        rollbackTransaction: (c) => driver.rollbackTransaction(unwrap(c)),
        releaseConnection: (c) => driver.releaseConnection(unwrap(c)),
        destroy: () => driver.destroy(),
      };
    },
  };
}

/**
 * The store as the server opens it, with the queries it runs recorded. SQLite on one connection
 * (without group commit, whose writer would not be recorded): the plans are that connection's, as
 * they were on the server's writer.
 */
export function openRecordingStore(database: TestDatabase, seen: CompiledQuery[]): Store {
  const dialect =
    database.kind === 'sqlite'
      ? createSqliteDialect(database.url.slice('sqlite:'.length))
      : createPostgresDialect(TEST_DATABASE_URL, { options: database.env.PGOPTIONS ?? '', poolSize: 5 });
  return createStore({ ...dialect, kysely: recording(dialect.kysely, seen) });
}

export function appOver(store: Store, database: TestDatabase): FastifyInstance {
  return createApp(loadConfig({ PUBLIC_URL: 'https://roster.test', DATABASE_URL: database.url }), store, {
    logger: false,
  });
}

/** PostgreSQL: autovacuum must not analyze the tables behind a test's back (the lag is the point). */
export async function withoutAutovacuum(store: Store): Promise<void> {
  if (store.dialect.name !== 'postgres') return;
  for (const table of [
    ...GROWING_TABLES,
    'personal_access_tokens',
    'service_access_tokens',
    'organizations',
  ]) {
    await sql`alter table ${sql.table(table)} set (autovacuum_enabled = false)`.execute(store.db);
  }
}

/** Members `from`…`to - 1` of the organization, made by the row factory, in batched inserts. */
export async function growMembers(
  db: Kysely<Database>,
  organizationId: string,
  from: number,
  to: number,
): Promise<void> {
  const at = now();
  for (let start = from; start < to; start += 250) {
    const users = [];
    const members = [];
    const emails = [];
    for (let i = start; i < Math.min(to, start + 250); i += 1) {
      const email = `person.${i}@acme.test`;
      const user = {
        id: newId(),
        email,
        display_name: null,
        password_hash: null,
        created_at: at,
        updated_at: at,
      };
      const { row, emails: rows } = newMemberRow({
        organizationId,
        userId: user.id,
        seq: 1000 + i,
        document: {
          userName: email,
          externalId: `ext-${i}`,
          displayName: `Person ${i}`,
          name: { givenName: 'Person', familyName: String(i) },
          emails: [{ value: email, type: 'work', primary: true }],
        },
        source: 'scim',
        role: 'member',
        at,
      });
      users.push(user);
      members.push(row);
      emails.push(...memberEmailRecords(row, rows));
    }
    await db.insertInto('users').values(users).execute();
    await db.insertInto('memberships').values(members).execute();
    await db.insertInto('member_emails').values(emails).execute();
  }
  await db
    .updateTable('organizations')
    .set({ member_seq: 1000 + to })
    .where('id', '=', organizationId)
    .execute();
}

/** Whether a recorded query has a plan worth reading (not transaction control or a pragma). */
export function isPlanned(query: CompiledQuery): boolean {
  return /^\s*(select|insert|update|delete|with)\b/i.test(query.sql);
}

/** Whether a recorded query is a read (the statements whose rows examined are counted). */
export function isSelect(query: CompiledQuery): boolean {
  return /^\s*select\b/i.test(query.sql);
}

/** The plan of `query`, one line per step. */
export async function planOf(
  db: Kysely<Database>,
  dialect: 'sqlite' | 'postgres',
  query: CompiledQuery,
): Promise<string> {
  const explain = dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN' : 'EXPLAIN';
  const { rows } = await db.executeQuery<Record<string, string>>({
    ...query,
    sql: `${explain} ${query.sql}`,
  });
  return rows.map((row) => (dialect === 'sqlite' ? row.detail : row['QUERY PLAN'])).join('\n');
}

/** A full read of a growing table (`tables`, or their usual aliases), in either database's words. */
export function readsWhole(plan: string, tables: readonly string[] = GROWING_TABLES): string | undefined {
  const names = tables.join('|');
  return (
    plan.match(new RegExp(`Seq Scan on (?:${names})\\b.*`))?.[0] ??
    plan.match(new RegExp(`^SCAN (?:${names}|m|e|u|gm)\\b.*`, 'm'))?.[0]
  );
}

interface PlanNode {
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/**
 * PostgreSQL: the rows `query` examined in the growing tables — returned by a scan, or read and
 * discarded by its filter — summed over the plan's scans and their loops (`EXPLAIN ANALYZE`).
 */
export async function rowsExamined(
  db: Kysely<Database>,
  query: CompiledQuery,
  tables: readonly string[] = GROWING_TABLES,
): Promise<number> {
  const { rows } = await db.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>({
    ...query,
    sql: `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query.sql}`,
  });
  let total = 0;
  const visit = (node: PlanNode) => {
    if (node['Relation Name'] && tables.includes(node['Relation Name'])) {
      const loops = node['Actual Loops'] ?? 1;
      total +=
        ((node['Actual Rows'] ?? 0) +
          (node['Rows Removed by Filter'] ?? 0) +
          (node['Rows Removed by Index Recheck'] ?? 0)) *
        loops;
    }
    for (const child of node.Plans ?? []) visit(child);
  };
  const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (plan) visit(plan);
  return total;
}
