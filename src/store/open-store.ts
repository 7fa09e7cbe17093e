// DATABASE_URL → a Store. `sqlite:<path>` (default `sqlite:./data/roster.db`) or `postgres://…`.
import type { StoreDialect } from './dialect.ts';
import { createSqliteDialect } from './sqlite/sqlite-dialect.ts';
import { createStore, type Store } from './store.ts';

export interface OpenOptions {
  /** Bring the schema up to date first (default true). */
  migrate?: boolean;
  /** SQLite: checkpoint the WAL on a worker thread (what `roster serve` does). */
  backgroundCheckpoints?: boolean;
  /** SQLite: commit write transactions that arrive together as one (what `roster serve` does). */
  groupCommit?: boolean;
}

export async function createDialect(databaseUrl: string, options: OpenOptions = {}): Promise<StoreDialect> {
  if (databaseUrl.startsWith('sqlite:')) {
    return createSqliteDialect(databaseUrl.slice('sqlite:'.length) || './data/roster.db', {
      backgroundCheckpoints: options.backgroundCheckpoints ?? false,
      groupCommit: options.groupCommit ?? false,
    });
  }
  if (databaseUrl.startsWith('postgres://') || databaseUrl.startsWith('postgresql://')) {
    const { createPostgresDialect } = await import('./postgres/postgres-dialect.ts');
    return createPostgresDialect(databaseUrl);
  }
  throw new Error(
    `DATABASE_URL must start with sqlite: or postgres:// (got "${databaseUrl.split(':')[0]}:…")`,
  );
}

/** Opens the store and brings its schema up to date. */
export async function openStore(databaseUrl: string, options: OpenOptions = {}): Promise<Store> {
  const store = createStore(await createDialect(databaseUrl, options));
  if (options.migrate !== false) {
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}
