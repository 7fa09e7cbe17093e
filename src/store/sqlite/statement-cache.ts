// Kysely's SQLite driver calls `db.prepare(sql)` for every query it runs, and preparing (parsing and
// planning the SQL) cost as much as running a SCIM lookup's small indexed queries. Kysely only needs
// `prepare` and `close` from the database (its `SqliteDatabase` interface), so the dialect is handed
// this wrapper instead: prepared statements are kept by SQL text, least recently used first out.
// Values are always bound parameters, so the number of distinct texts is small (one per query shape);
// the bound keeps filters of unusual shapes from growing it without limit.
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

export const DEFAULT_STATEMENT_CACHE_SIZE = 500;

export interface CachingDatabase extends SqliteDatabase {
  /** How many statements are cached (tests). */
  readonly size: number;
}

export function cachingDatabase(
  database: BetterSqlite3.Database,
  capacity = DEFAULT_STATEMENT_CACHE_SIZE,
): CachingDatabase {
  // A Map iterates in insertion order: re-inserting on use makes its first key the least recent.
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    get size() {
      return statements.size;
    },
    prepare(sql: string): SqliteStatement {
      const cached = statements.get(sql);
      if (cached !== undefined) {
        // A statement still being iterated (a streamed query) cannot run again until it is done.
        if (cached.busy) return database.prepare(sql);
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > capacity) {
        const oldest = statements.keys().next().value;
        if (oldest !== undefined) statements.delete(oldest);
      }
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}
