// DATABASE_URL → a Store. `sqlite:<path>` (default `sqlite:./data/roster.db`) or `postgres://…`.
import type { StoreDialect } from './dialect.ts';
import { StoreOpenError, StoreUnavailableError } from './errors.ts';
import { redactDatabaseUrl } from './redact-url.ts';
import { createSqliteDialect } from './sqlite/sqlite-dialect.ts';
import { createStore, type Store } from './store.ts';

export interface OpenOptions {
  /** Bring the schema up to date first (default true). */
  migrate?: boolean;
  /** SQLite: checkpoint the WAL on a worker thread (what `roster serve` does). */
  backgroundCheckpoints?: boolean;
  /** SQLite: commit write transactions that arrive together as one (what `roster serve` does). */
  groupCommit?: boolean;
  /** PostgreSQL: connections in the pool at most (DATABASE_POOL_SIZE; 10 by default). */
  poolSize?: number;
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
    return createPostgresDialect(databaseUrl, options.poolSize ? { poolSize: options.poolSize } : {});
  }
  throw new Error(
    `DATABASE_URL must start with sqlite: or postgres:// (got "${databaseUrl.split(':')[0]}:…")`,
  );
}

/**
 * Opens the store and brings its schema up to date. A database that cannot be opened — unreachable,
 * missing, refusing the credentials — is a StoreOpenError whose one-line message names DATABASE_URL
 * (without its password) and the reason, rather than a driver's stack trace.
 */
export async function openStore(databaseUrl: string, options: OpenOptions = {}): Promise<Store> {
  let dialect: StoreDialect;
  try {
    dialect = await createDialect(databaseUrl, options);
  } catch (error) {
    throw openFailure(error, databaseUrl);
  }
  const store = createStore(dialect);
  if (options.migrate !== false) {
    try {
      await store.migrate();
    } catch (error) {
      await store.close().catch(() => undefined);
      throw openFailure(error, databaseUrl);
    }
  }
  return store;
}

/** Why opening failed, in words, or undefined for an error that is not about reaching the database. */
function reason(error: unknown, databaseUrl: string): string | undefined {
  const cause = error instanceof StoreUnavailableError ? error.cause : error;
  const e = (cause ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message.split('\n')[0] : String(cause);
  if (databaseUrl.startsWith('sqlite:')) {
    return code.startsWith('SQLITE_') || /^E[A-Z]+$/.test(code) ? `${message} (${code})` : undefined;
  }
  let server = 'the host of DATABASE_URL';
  try {
    const url = new URL(databaseUrl);
    server = `${url.hostname}:${url.port || '5432'}`;
  } catch {
    // `roster copy --from/--to` URLs are not checked by loadConfig; keep the generic words
  }
  if (error instanceof StoreUnavailableError) {
    return `cannot reach PostgreSQL at ${server}${code ? ` (${code})` : ''}: ${message}`;
  }
  // SQLSTATE 3D000: no such database; class 28: authentication; 42501: no privilege (to create tables).
  if (code === '3D000' || code.startsWith('28') || code === '42501') {
    return `PostgreSQL at ${server} refused: ${message} (SQLSTATE ${code})`;
  }
  return undefined;
}

function openFailure(error: unknown, databaseUrl: string): unknown {
  const why = reason(error, databaseUrl);
  if (why === undefined) return error;
  return new StoreOpenError(`cannot open DATABASE_URL=${redactDatabaseUrl(databaseUrl)}: ${why}`, {
    cause: error,
  });
}
