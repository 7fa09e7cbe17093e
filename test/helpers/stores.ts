// Every store test runs against every store, in the spirit of Kysely's dialect loop: a fresh SQLite
// file and a fresh PostgreSQL schema per test. PostgreSQL comes from TEST_DATABASE_URL (default: the
// local cluster); when it does not answer, its half is skipped with the reason, unless
// REQUIRE_POSTGRES=1 (as in CI), where an unreachable database fails the run instead.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createPostgresDialect } from '../../src/store/postgres/postgres-dialect.ts';
import { createSqliteDialect } from '../../src/store/sqlite/sqlite-dialect.ts';
import { createStore, type Store } from '../../src/store/store.ts';

export type StoreKind = 'sqlite' | 'postgres';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

async function probePostgres(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL not reachable at ${TEST_DATABASE_URL}: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const postgresProblem = await probePostgres();
if (postgresProblem && process.env.REQUIRE_POSTGRES === '1') {
  throw new Error(`${postgresProblem} (REQUIRE_POSTGRES=1: the PostgreSQL half of the suite must run)`);
}

/** Why the PostgreSQL half is skipped, or false when it runs. */
export function skipReason(kind: StoreKind): string | false {
  return kind === 'postgres' && postgresProblem ? postgresProblem : false;
}

export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  kind: StoreKind;
  /** A DATABASE_URL another process (a second Roster instance, the CLI) can use for the same data. */
  url: string;
  /** Extra environment such a process needs (PostgreSQL: the isolated schema). */
  env: Record<string, string>;
  open(): Store;
  drop(): Promise<void>;
}

/** A new, empty database of the given kind (migrations not yet applied). */
export async function createTestDatabase(kind: StoreKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'roster-test-'));
    const path = join(dir, 'roster.db');
    return {
      kind,
      url: `sqlite:${path}`,
      env: {},
      open: () => createStore(createSqliteDialect(path, { groupCommit: true })),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const options = `-c search_path=${schema}`;
  return {
    kind,
    url: TEST_DATABASE_URL,
    env: { PGOPTIONS: options },
    open: () => createStore(createPostgresDialect(TEST_DATABASE_URL, { options, poolSize: 5 })),
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

/** A migrated store on a fresh database, and the function that closes and drops it. */
export async function openTestStore(
  kind: StoreKind,
): Promise<{ store: Store; database: TestDatabase; cleanup(): Promise<void> }> {
  const database = await createTestDatabase(kind);
  const store = database.open();
  try {
    await store.migrate();
  } catch (error) {
    // Leave no schema or file behind.
    await store.close();
    await database.drop();
    throw error;
  }
  return {
    store,
    database,
    async cleanup() {
      await store.close();
      await database.drop();
    },
  };
}
