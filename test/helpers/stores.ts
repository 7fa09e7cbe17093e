// Every store test runs against every store, in the spirit of Kysely's dialect loop: a fresh SQLite
// file and an empty PostgreSQL schema of its own per test. PostgreSQL comes from TEST_DATABASE_URL (default: the
// local cluster); when it does not answer, its half is skipped with the reason, unless
// REQUIRE_POSTGRES=1 (as in CI), where an unreachable database fails the run instead.
//
// A migrated store is made from a template built once per test file (per process): on SQLite a
// migrated file that each test copies, on PostgreSQL the statements the migrations ran, replayed
// into each new schema in one transaction (recorded by the first process that needs them, in the
// temporary directory under a hash of src/store and Kysely's version: a change records them again), and a schema a test is done with is emptied
// and handed to the file's next test. Migrating a PostgreSQL schema takes about 400 ms and
// holds the migrator's database-wide advisory lock, so 170 of them serialized the whole run; the
// replay takes a few milliseconds and takes no lock. The migrations themselves are tested on fresh
// databases (test/store/*migration*), and test/helpers/stores.test.ts checks that a replayed
// schema has the same tables, columns, indexes and constraints as a migrated one.
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CompiledQuery, type KyselyPlugin, Migrator } from 'kysely';
import pg from 'pg';
import { migrationProvider } from '../../src/store/migrations/index.ts';
import { createPostgresDialect } from '../../src/store/postgres/postgres-dialect.ts';
import { createSqliteDialect } from '../../src/store/sqlite/sqlite-dialect.ts';
import { createStore, type Store } from '../../src/store/store.ts';
import { postgresProblem } from './postgres-probe.ts';

export type StoreKind = 'sqlite' | 'postgres';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

const postgresUnreachable = await postgresProblem(TEST_DATABASE_URL);
const postgresSkip = postgresUnreachable
  ? `PostgreSQL not reachable at ${TEST_DATABASE_URL}: ${postgresUnreachable}`
  : undefined;
if (postgresSkip && process.env.REQUIRE_POSTGRES === '1') {
  throw new Error(`${postgresSkip} (REQUIRE_POSTGRES=1: the PostgreSQL half of the suite must run)`);
}

/** Why the PostgreSQL half is skipped, or false when it runs. */
export function skipReason(kind: StoreKind): string | false {
  return kind === 'postgres' && postgresSkip ? postgresSkip : false;
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
  // Its own schema, and commits that do not wait for the disk (about 2 ms each here): a test database
  // need not survive a crash of PostgreSQL itself. Roster's own crash tests kill Roster, not it.
  const options = `-c search_path=${schema} -c synchronous_commit=off`;
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

/** SQLite: a migrated database file, made once per process; each test copies it. */
let sqliteTemplate: Promise<string> | undefined;

function sqliteTemplatePath(): Promise<string> {
  sqliteTemplate ??= (async () => {
    const database = await createTestDatabase('sqlite');
    process.once('exit', () => void database.drop());
    const store = database.open();
    try {
      await store.migrate();
    } finally {
      // Closing checkpoints the write-ahead log into the file.
      await store.close();
    }
    return database.url.slice('sqlite:'.length);
  })();
  return sqliteTemplate;
}

/** Each statement the migrations ran on an empty PostgreSQL schema, parameters written inline. */
let postgresTemplate: Promise<string> | undefined;

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return `'${String(value).replaceAll("'", "''")}'`;
}

/**
 * The migration script, from a file the first test process of a run wrote (in the temporary
 * directory, named by a hash of every file under src/store and of Kysely's version), or made now.
 * test/helpers/stores.test.ts compares a schema made from it with a migrated one in every run.
 */
export function postgresMigrationScript(): Promise<string> {
  postgresTemplate ??= (async () => {
    const cached = join(tmpdir(), `roster-test-migrations-${storeSourceHash()}.sql`);
    if (existsSync(cached)) return readFileSync(cached, 'utf8');
    const script = await recordPostgresMigrations();
    const temporary = `${cached}.${process.pid}.tmp`;
    writeFileSync(temporary, script);
    renameSync(temporary, cached);
    return script;
  })();
  return postgresTemplate;
}

function storeSourceHash(): string {
  const hash = createHash('sha256');
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(path.slice(root.length)).update(readFileSync(path));
    }
  };
  walk(join(root, 'src', 'store'));
  hash.update(readFileSync(join(root, 'node_modules', 'kysely', 'package.json')));
  return hash.digest('hex').slice(0, 16);
}

async function recordPostgresMigrations(): Promise<string> {
  const database = await createTestDatabase('postgres');
  const store = database.open();
  const statements: CompiledQuery[] = [];
  const executor = store.db.getExecutor();
  const recorder: KyselyPlugin = {
    transformQuery(args) {
      statements.push(executor.compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  try {
    const { error } = await new Migrator({
      db: store.db.withPlugin(recorder),
      provider: migrationProvider('postgres'),
    }).migrateToLatest();
    if (error) throw error;
  } finally {
    await store.close();
    await database.drop();
  }
  // The migrator's advisory lock serializes migrations across processes; a replay into a schema
  // nobody else sees needs none.
  return statements
    .filter((q) => !/pg_advisory/i.test(q.sql))
    .map((q) => `${q.sql.replace(/\$(\d+)/g, (_, n: string) => literal(q.parameters[Number(n) - 1]))};`)
    .join('\n');
}

/** Connections for this file's schema work (replays, emptying), closed after its last test. */
let adminPool: pg.Pool | undefined;

function admin(): pg.Pool {
  adminPool ??= new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2, allowExitOnIdle: true });
  return adminPool;
}

/**
 * Runs `script` in `schema` in one round trip and one transaction: all or nothing. Without waiting
 * for the commit to reach the disk: a test database need not survive a crash of PostgreSQL.
 */
async function inSchema(schema: string, script: string): Promise<void> {
  await admin().query(
    `begin;\nset local synchronous_commit = off;\nset local search_path to ${schema};\n${script}\ncommit;`,
  );
}

/**
 * The statements that empty a migrated schema: a delete of every table but the migrator's (foreign
 * keys not checked) and a restart of every sequence. Read from the catalog once.
 */
let emptyingScript: Promise<string> | undefined;

function emptySchemaScript(schema: string): Promise<string> {
  emptyingScript ??= (async () => {
    const tables = await admin().query<{ name: string }>(
      `select tablename as name from pg_tables
        where schemaname = $1 and tablename not like 'kysely_migration%' order by tablename`,
      [schema],
    );
    const sequences = await admin().query<{ name: string }>(
      'select sequencename as name from pg_sequences where schemaname = $1 order by sequencename',
      [schema],
    );
    return [
      'set local session_replication_role = replica;',
      ...tables.rows.map(({ name }) => `delete from "${name}";`),
      ...sequences.rows.map(({ name }) => `select setval('"${name}"', 1, false);`),
    ].join('\n');
  })();
  return emptyingScript;
}

/**
 * PostgreSQL schemas this process migrated and a finished test handed back emptied. Creating the
 * tables and indexes of a schema is most of the cost of a fresh one; deleting a test's few rows is
 * not. Dropped after the file's last test.
 */
const spareSchemas: TestDatabase[] = [];
let dropsSpareSchemas = false;

/**
 * Drops the spare schemas once the process has nothing left to do (after the file's last test).
 * Not a node:test `after` hook: scripts that are no tests (scripts/screenshots.ts) use these helpers.
 */
function dropSpareSchemasAtExit(): void {
  if (dropsSpareSchemas) return;
  dropsSpareSchemas = true;
  process.once('beforeExit', async () => {
    await Promise.all(spareSchemas.splice(0).map((database) => database.drop()));
    await adminPool?.end();
    adminPool = undefined;
  });
}

/** A fresh database of `kind` with every migration applied, made from the template. */
export async function createMigratedTestDatabase(kind: StoreKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const template = await sqliteTemplatePath();
    const database = await createTestDatabase('sqlite');
    const path = database.url.slice('sqlite:'.length);
    copyFileSync(template, path);
    if (existsSync(`${template}-wal`)) copyFileSync(`${template}-wal`, `${path}-wal`);
    return database;
  }
  const script = await postgresMigrationScript();
  const database = await createTestDatabase('postgres');
  try {
    await inSchema(schemaName(database), script);
  } catch (error) {
    await database.drop();
    throw error;
  }
  return database;
}

function schemaName(database: TestDatabase): string {
  const schema = /search_path=(\S+)/.exec(database.env.PGOPTIONS ?? '')?.[1];
  if (!schema) throw new Error('not a PostgreSQL test database');
  return schema;
}

/** A migrated PostgreSQL schema with no rows: a spare one, or a new one. */
async function emptyMigratedPostgres(): Promise<{ database: TestDatabase; release(): Promise<void> }> {
  dropSpareSchemasAtExit();
  const database = spareSchemas.pop() ?? (await createMigratedTestDatabase('postgres'));
  return {
    database,
    async release() {
      try {
        const schema = schemaName(database);
        await inSchema(schema, await emptySchemaScript(schema));
        spareSchemas.push(database);
      } catch {
        await database.drop();
      }
    },
  };
}

/** A migrated store on a fresh database, and the function that closes and drops it. */
export async function openTestStore(
  kind: StoreKind,
): Promise<{ store: Store; database: TestDatabase; cleanup(): Promise<void> }> {
  if (kind === 'postgres') {
    const { database, release } = await emptyMigratedPostgres();
    const store = database.open();
    return {
      store,
      database,
      async cleanup() {
        await store.close();
        await release();
      },
    };
  }
  const database = await createMigratedTestDatabase(kind);
  const store = database.open();
  return {
    store,
    database,
    async cleanup() {
      await store.close();
      await database.drop();
    },
  };
}
