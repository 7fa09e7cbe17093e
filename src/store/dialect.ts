// The narrow seam between Roster and a database engine, in the spirit of Kysely's own `dialect.ts`:
// everything above the store speaks Kysely; only what truly differs between engines lives here.
import type { Dialect, Kysely } from 'kysely';
import type { Database } from './schema.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface StoreDialect {
  readonly name: DialectName;
  /** The Kysely dialect (driver, adapter, query compiler) for this engine. */
  readonly kysely: Dialect;
  /**
   * Runs a write transaction when the engine has its own way (SQLite's group commit): `work` gets
   * the connection to use; the promise settles once its commit has returned. Without it, the store
   * runs `beginWrite` … `commit` on a reserved connection.
   */
  readonly writeTransaction?: <T>(work: (db: Kysely<Database>) => Promise<T>) => Promise<T>;
  /** The statement that opens a write transaction: SQLite takes its write lock up front. */
  readonly beginWrite: string;
  /** Whether `SELECT … FOR UPDATE` exists (PostgreSQL) or writes are serialized anyway (SQLite). */
  readonly rowLocks: boolean;
  /** The violated constraint or index name when `error` is a unique violation, else undefined. */
  uniqueViolation(error: unknown): string | undefined;
  /** True when `error` means the database is unreachable (worth a 503 and a retry), not a bug. */
  isUnavailable(error: unknown): boolean;
  /** A human description for logs and `roster migrate`, without credentials. */
  describe(): string;
}
