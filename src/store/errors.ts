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

/**
 * The database named by DATABASE_URL could not be opened (unreachable, missing, refused the
 * credentials, not a database): the message says which and names the URL without its password.
 */
export class StoreOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreOpenError';
  }
}

/**
 * A valid filter or sortBy the database cannot answer: it reads what is not stored in a comparable
 * form (`meta.location` depends on the server's public URL). `clause` says which part of the query.
 */
export class UnsupportedQueryError extends Error {
  readonly clause: 'filter' | 'sortBy';
  constructor(clause: 'filter' | 'sortBy', detail: string) {
    super(detail);
    this.name = 'UnsupportedQueryError';
    this.clause = clause;
  }
}
