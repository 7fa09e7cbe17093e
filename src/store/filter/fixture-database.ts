// The members fixture (members.fixture.ts) in a database of its own, for the tests that compare
// the SQL compiler with the in-memory matcher: SQLite in memory, or a throwaway PostgreSQL schema
// reached through `search_path` on every connection of a dedicated pool.
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { DialectName, SqlDialect } from '../dialect.ts';
import { up } from '../migrations/001-initial.ts';
import { up as foldCaseAsciiOnly } from '../migrations/007-case-folding.ts';
import { POSTGRES_SQL } from '../postgres/postgres-sql.ts';
import type { Database as Tables } from '../schema.ts';
import { SQLITE_SQL } from '../sqlite/sqlite-sql.ts';
import { insertMembers } from './members.fixture.ts';

/** What the compiler is given for each engine (a store's `dialect.sql`). */
export const SQL_DIALECTS: Record<DialectName, SqlDialect> = { sqlite: SQLITE_SQL, postgres: POSTGRES_SQL };

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface FixtureDatabase {
  db: Kysely<Tables>;
  close(): Promise<void>;
}

async function openSqlite(): Promise<FixtureDatabase> {
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  await up(db as unknown as Kysely<unknown>, 'sqlite');
  await insertMembers(db);
  return { db, close: () => db.destroy() };
}

async function openPostgres(schemaPrefix: string): Promise<FixtureDatabase> {
  const schema = `${schemaPrefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}`, max: 2 });
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  const close = async () => {
    await db.destroy();
    const cleanup = new pg.Client({ connectionString: POSTGRES_URL });
    await cleanup.connect();
    await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
    await cleanup.end();
  };
  try {
    await up(db as unknown as Kysely<unknown>, 'postgres');
    // The indexes as the store has them: lower(col COLLATE "C"), which the compiled queries use.
    await foldCaseAsciiOnly(db as unknown as Kysely<unknown>, 'postgres');
    await insertMembers(db);
  } catch (error) {
    await close();
    throw error;
  }
  return { db, close };
}

/** The fixture in a fresh database; PostgreSQL schemas are named `<schemaPrefix>_<random>`. */
export function openFixtureDatabase(
  dialect: DialectName,
  schemaPrefix = 'filter_test',
): Promise<FixtureDatabase> {
  return dialect === 'sqlite' ? openSqlite() : openPostgres(schemaPrefix);
}
