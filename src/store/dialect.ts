// The narrow seam between Roster and a database engine, in the spirit of Kysely's own `dialect.ts`:
// everything above the store speaks Kysely; only what truly differs between engines lives here.
import type { Dialect, Expression, Kysely, RawBuilder, SqlBool } from 'kysely';
import type { Database } from './schema.ts';

export type DialectName = 'sqlite' | 'postgres';

/**
 * The SQL that differs between engines, for the queries the repositories and the filter compiler
 * write (sqlite/sqlite-sql.ts, postgres/postgres-sql.ts). JSON paths and names are catalogue names,
 * never client input; values are bound parameters.
 */
export interface SqlDialect {
  /**
   * `value` (a column, an expression, or a value to bind) with ASCII letters lowered: Roster's one
   * case-insensitive rule (src/scim/fold-case.ts). The expression indexes
   * (migrations/007-case-folding.ts) are built from it, so a lookup written with it stays an index
   * search. Both sides of a comparison must be folded with it.
   */
  fold(value: unknown): RawBuilder<string>;
  /** The text at `path` in the JSON `document` (a TEXT column): NULL when missing or JSON null. */
  jsonText(document: Expression<unknown>, path: readonly string[]): RawBuilder<unknown>;
  /** The elements of the array at key `name` of the JSON `document`; none unless it is an array. */
  jsonElements(document: Expression<unknown>, name: string): JsonElements;
  /** `expr` contains (`co`), starts with (`sw`) or ends with (`ew`) `value`, in exact case. */
  matchCaseExact(expr: Expression<unknown>, op: 'co' | 'sw' | 'ew', value: string): RawBuilder<SqlBool>;
  /**
   * The planner never turns LIKE on an expression into an index range (SQLite): a prefix search
   * states the range itself.
   */
  readonly likeNeedsRange: boolean;
  /**
   * A condition on indexed expressions that must scan (`co`, `ew`) is fastest asked as `rowid IN
   * (…)` over the index alone (SQLite), rather than row by row.
   */
  readonly rowidScans: boolean;
}

/** A JSON array as a source for FROM, with what a condition reads of its current element. */
export interface JsonElements {
  readonly from: RawBuilder<unknown>;
  /** The text of sub-attribute `name` of the element; NULL unless the element is an object. */
  text(name: string): RawBuilder<unknown>;
  /** Whether sub-attribute `name` of the element is the JSON literal `expected`; never NULL. */
  is(name: string, expected: boolean): Expression<SqlBool>;
  /** Whether sub-attribute `name` of the element holds anything but JSON null; never NULL. */
  has(name: string): Expression<SqlBool>;
  /** The element's position in the array, for ORDER BY. */
  readonly position: RawBuilder<unknown>;
}

export interface PoolStats {
  /** Connections open, idle among them, and queries waiting for one; `max` is the pool's size. */
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

export interface StoreDialect {
  readonly name: DialectName;
  /** The Kysely dialect (driver, adapter, query compiler) for this engine. */
  readonly kysely: Dialect;
  readonly sql: SqlDialect;
  /**
   * Runs a write transaction when the engine has its own way (SQLite's group commit): `work` gets
   * the connection to use; the promise settles once its commit has returned. Without it, the store
   * runs `beginWrite` … `commit` on a reserved connection.
   */
  readonly writeTransaction?: <T>(work: (db: Kysely<Database>) => Promise<T>) => Promise<T>;
  /** The statement that opens a write transaction: SQLite takes its write lock up front. */
  readonly beginWrite: string;
  /**
   * Whether `SELECT … FOR UPDATE` exists (PostgreSQL) or writes are serialized anyway (SQLite): then
   * one write transaction excludes every other writer, which also serves to migrate.
   */
  readonly rowLocks: boolean;
  /**
   * Whether one statement may update and insert through `WITH … AS (UPDATE … RETURNING …)`
   * (PostgreSQL; SQLite allows only SELECT in a WITH).
   */
  readonly writesInWith: boolean;
  /** Run first in a transaction that must read one snapshot (PostgreSQL); SQLite's write lock is one. */
  readonly readSnapshot?: string;
  /** Run once the schema is up to date (SQLite writes its fixed planner statistics for it). */
  afterMigrate?(): void;
  /** Moves `table`'s id sequence past the ids copied into it (PostgreSQL; SQLite's AUTOINCREMENT follows). */
  syncSequence?(db: Kysely<Database>, table: string, column: string): Promise<void>;
  /** The violated constraint or index name when `error` is a unique violation, else undefined. */
  uniqueViolation(error: unknown): string | undefined;
  /** True when `error` means the database is unreachable (worth a 503 and a retry), not a bug. */
  isUnavailable(error: unknown): boolean;
  /** The connection pool right now (PostgreSQL), for metrics; SQLite has one connection. */
  poolStats?(): PoolStats;
  /** A human description for logs and `roster migrate`, without credentials. */
  describe(): string;
}
