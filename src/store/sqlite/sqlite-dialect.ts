// SQLite through better-sqlite3 (12.x): WAL for concurrent readers, a busy timeout so that the CLI
// and the server can share one file, foreign keys on (SQLite leaves them off by default), prepared
// statements reused across queries (statement-cache.ts) and fixed planner statistics
// (fix-statistics.ts). The server also commits writes in groups (group-commit.ts), reading on a
// second connection meanwhile (read-write-dialect.ts).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { StoreDialect } from '../dialect.ts';
import type { Database as Schema } from '../schema.ts';
import { startCheckpointer } from './checkpointer.ts';
import { CompanionSqliteDialect } from './companion-dialect.ts';
import { fixStatistics } from './fix-statistics.ts';
import { GroupCommit } from './group-commit.ts';
import { readWriteDialect } from './read-write-dialect.ts';
import { SQLITE_SQL } from './sqlite-sql.ts';
import { cachingDatabase } from './statement-cache.ts';

export interface SqliteOptions {
  /** WAL checkpoints on a worker thread (checkpointer.ts): the server's choice; tools and tests keep SQLite's default. */
  backgroundCheckpoints?: boolean;
  /**
   * Write transactions that arrive together share one commit (group-commit.ts), and reads run on a
   * second, read-only connection while a group is open: the server's choice. Tools that change the
   * connection itself (the benchmark seed switches the journal mode) keep one connection.
   */
  groupCommit?: boolean;
}

export function createSqliteDialect(path: string, options: SqliteOptions = {}): StoreDialect {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  fixStatistics(database);
  const cached = cachingDatabase(database);
  const single = new CompanionSqliteDialect(
    { database: cached },
    options.backgroundCheckpoints && path !== ':memory:'
      ? () => startCheckpointer(database, path)
      : undefined,
  );
  const grouped = options.groupCommit && path !== ':memory:';
  const writer = grouped ? new Kysely<Schema>({ dialect: single }) : undefined;
  const commits = writer ? new GroupCommit(writer) : undefined;
  return {
    name: 'sqlite',
    kysely:
      writer && commits
        ? readWriteDialect(
            cached,
            cachingDatabase(new Database(path, { readonly: true, fileMustExist: true })),
            commits as GroupCommit<unknown>,
            writer as Kysely<unknown>,
          )
        : single,
    sql: SQLITE_SQL,
    writeTransaction: commits ? (work) => commits.run(work) : undefined,
    afterMigrate: () => fixStatistics(database),
    beginWrite: 'begin immediate',
    rowLocks: false,
    writesInWith: false,
    uniqueViolation(error) {
      if (!(error instanceof Error) || (error as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') {
        return undefined;
      }
      // "UNIQUE constraint failed: memberships.organization_id, memberships.user_id" or
      // "UNIQUE constraint failed: index 'users_email'"
      return error.message.replace(/^UNIQUE constraint failed: /, '');
    },
    isUnavailable(error) {
      const code = (error as { code?: string } | null)?.code;
      return code === 'SQLITE_BUSY' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_IOERR';
    },
    describe: () => `sqlite:${path}`,
  };
}
