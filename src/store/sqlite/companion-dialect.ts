// Kysely's SQLite dialect, plus something that runs beside the connection while it is open (the WAL
// checkpointer) and stops with it. Planner statistics are fixed (fix-statistics.ts): nothing
// analyzes the database any more, so no periodic `PRAGMA optimize` runs here.
import { type Driver, SqliteDialect, type SqliteDialectConfig, SqliteDriver } from 'kysely';

/** Something the driver runs beside its connection while open (the WAL checkpointer). */
export type Companion = () => Promise<{ stop(): Promise<void> }>;

class CompanionSqliteDriver extends SqliteDriver {
  #companion: { stop(): Promise<void> } | undefined;

  constructor(
    config: SqliteDialectConfig,
    private readonly companion: Companion | undefined,
  ) {
    super(config);
  }

  override async init(): Promise<void> {
    await super.init();
    this.#companion = await this.companion?.();
  }

  override async destroy(): Promise<void> {
    await this.#companion?.stop();
    await super.destroy();
  }
}

export class CompanionSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(
    config: SqliteDialectConfig,
    private readonly companion?: Companion,
  ) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new CompanionSqliteDriver(this.#config, this.companion);
  }
}
