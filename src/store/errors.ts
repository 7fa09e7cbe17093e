// Storage errors, already translated from the driver's so that nothing above the store knows
// SQLite from PostgreSQL.

/** A unique constraint refused the write; `constraint` names what was duplicated. */
export class UniqueViolationError extends Error {
  readonly constraint: string;
  constructor(constraint: string, options?: { cause?: unknown }) {
    super(`unique constraint violated: ${constraint}`, options);
    this.name = 'UniqueViolationError';
    this.constraint = constraint;
  }
}

/** The database cannot be reached right now; the request may be retried. */
export class StoreUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('the database is unavailable', options);
    this.name = 'StoreUnavailableError';
  }
}

/** An optimistic-concurrency check failed: the row changed since it was read. */
export class VersionConflictError extends Error {
  constructor() {
    super('the row changed since it was read');
    this.name = 'VersionConflictError';
  }
}
