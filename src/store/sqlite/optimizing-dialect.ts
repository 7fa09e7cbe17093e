// Kysely's SQLite dialect, plus the planner statistics SQLite needs to pick the right index.
//
// Without statistics SQLite assumes that `organization_id = ?` selects about ten rows, so for a
// query such as `emails.value eq "…"` it walks the whole organization (one row per member) rather
// than seeking the email first; with them it knows an organization holds many members. SQLite's
// advice is `PRAGMA optimize` when a connection opens and periodically after; with `analysis_limit`
// each ANALYZE samples a bounded number of rows, so it costs milliseconds at a million members, and
// `optimize` only re-analyzes a table whose size changed a lot since it was last analyzed.
// The periodic run goes through the driver's connection lock, so it never lands inside a transaction.
import type Database from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';

/** Rows sampled per index by ANALYZE (SQLite suggests a few hundred). */
export const ANALYSIS_LIMIT = 400;
/** How often `PRAGMA optimize` runs on a long-lived connection. */
export const OPTIMIZE_EVERY_MS = 10 * 60_000;

/** Brings the statistics up to date once, at open, before any query runs on the connection. */
export function optimizeAtOpen(database: Database.Database): void {
  database.pragma(`analysis_limit = ${ANALYSIS_LIMIT}`);
  try {
    // 0x10002: analyze every table that needs it, not only those this (new) connection has used.
    database.pragma('optimize = 0x10002');
  } catch {
    // Another process holds the write lock (SQLITE_BUSY): open anyway; the next round will do it.
  }
}

/** Something the driver runs beside its connection while open (the WAL checkpointer). */
export type Companion = () => Promise<{ stop(): Promise<void> }>;

class OptimizingSqliteDriver extends SqliteDriver {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #companion: { stop(): Promise<void> } | undefined;

  constructor(
    config: SqliteDialectConfig,
    private readonly everyMs: number,
    private readonly companion: Companion | undefined,
  ) {
    super(config);
  }

  override async init(): Promise<void> {
    await super.init();
    this.#companion = await this.companion?.();
    this.#timer = setInterval(() => {
      this.#running ??= this.#optimize().finally(() => {
        this.#running = undefined;
      });
    }, this.everyMs);
    this.#timer.unref();
  }

  async #optimize(): Promise<void> {
    let connection: DatabaseConnection | undefined;
    try {
      connection = await this.acquireConnection();
      await connection.executeQuery(CompiledQuery.raw('pragma optimize'));
    } catch {
      // Statistics are an optimisation: a busy database simply waits for the next round.
    } finally {
      if (connection) await this.releaseConnection();
    }
  }

  override async destroy(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
    await this.#companion?.stop();
    await super.destroy();
  }
}

export class OptimizingSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(
    config: SqliteDialectConfig,
    private readonly optimizeEveryMs = OPTIMIZE_EVERY_MS,
    private readonly companion?: Companion,
  ) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new OptimizingSqliteDriver(this.#config, this.optimizeEveryMs, this.companion);
  }
}
