// PostgreSQL through `pg`: a connection pool shared by the instance (DATABASE_POOL_SIZE), row locks
// for read-modify-write, and driver errors translated by SQLSTATE.

import { createHash } from 'node:crypto';
import {
  type DatabaseIntrospector,
  type Kysely,
  type PostgresCursor,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
  sql,
} from 'kysely';
import pg from 'pg';
import type { StoreDialect } from '../dialect.ts';
import { StoreUnavailableError } from '../errors.ts';
import { CurrentSchemaIntrospector } from './current-schema-introspector.ts';
import { POSTGRES_SQL } from './postgres-sql.ts';

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

// What `pg` and `pg-pool` say when the socket is gone: the server or network dropped it
// ("Connection terminated unexpectedly"), the pool waited too long for a connection, or a client
// whose socket already failed is asked to run another query.
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|is not queryable|Query read timeout/i;

/**
 * How long a request waits for a connection (a new socket, or a free one from a busy pool) before
 * it is answered 503: short, so that an outage shows as quick 503s rather than hanging requests.
 */
const CONNECT_TIMEOUT_MS = 3000;

export interface PostgresOptions {
  poolSize?: number;
  /** Extra libpq options, e.g. `-c search_path=…` for isolated test schemas. */
  options?: string;
}

function isUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : undefined;
  // SQLSTATE class 08 (connection exception), 57P (operator intervention: shutdown, restart).
  if (code && (UNAVAILABLE_CODES.has(code) || code.startsWith('08') || code.startsWith('57P'))) {
    return true;
  }
  return typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message);
}

function unavailableOr(error: unknown): unknown {
  return isUnavailable(error) ? new StoreUnavailableError({ cause: error }) : error;
}

/**
 * Names for the first PREPARED_STATEMENTS distinct SQL texts the instance runs. A named query is
 * parsed and planned once per connection and then only bound and executed: PostgreSQL shares the
 * machine with Roster, and parsing every query again cost it more than running a lookup. Roster's
 * own queries (token, lookups, inserts; one text per filter shape) are met first; texts beyond the
 * budget run unnamed, so that filters of ever new shapes cannot grow every connection's set of
 * prepared statements without limit.
 *
 * A prepared `select *` stops working when another instance's migration adds a column ("cached
 * plan must not change result type", SQLSTATE 0A000): that text then runs unnamed from then on,
 * and a query that failed so outside a transaction is run again at once.
 */
export const PREPARED_STATEMENTS = 300;
/**
 * Longer texts are one-off shapes (a batch of request-log rows of some size, a long chain of `or`
 * terms) and run unnamed, so that they do not use up the budget.
 */
export const PREPARED_TEXT_LIMIT = 2000;

/** SQLSTATE 0A000 as PostgreSQL raises it for a prepared statement whose result columns changed. */
function isStalePlan(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === '0A000' && typeof e.message === 'string' && /cached plan/i.test(e.message);
}

interface StatementNames {
  nameOf(text: string): string | undefined;
  /** Runs `text` unnamed from now on. */
  retire(text: string): void;
}

function statementNames(budget = PREPARED_STATEMENTS): StatementNames {
  const names = new Map<string, string | undefined>();
  return {
    nameOf(text) {
      if (names.has(text)) return names.get(text);
      if (names.size >= budget || text.length > PREPARED_TEXT_LIMIT) return undefined;
      const name = `roster_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      names.set(text, name);
      return name;
    },
    retire(text) {
      names.set(text, undefined);
    },
  };
}

/** A pooled client whose query failures say "unavailable" in the store's own words. */
function translatingClient(client: pg.PoolClient, statements: StatementNames): PostgresPoolClient {
  let inTransaction = false;
  function query<R>(text: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  function query<R>(
    text: string | PostgresCursor<R>,
    parameters: ReadonlyArray<unknown> = [],
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    // Kysely passes a cursor only for streaming, which this dialect does not configure.
    if (typeof text !== 'string') throw new Error('streaming queries are not enabled');
    // Only a short text can be one of these: lower-casing every query's text would cost a copy of it.
    if (text.length <= 8) {
      const statement = text.toLowerCase();
      if (statement === 'begin') inTransaction = true;
      else if (statement === 'commit' || statement === 'rollback') inTransaction = false;
    }
    const name = statements.nameOf(text);
    const values = [...parameters];
    const run = (named: boolean) =>
      named && name ? client.query({ name, text, values }) : client.query(text, values);
    return run(true).then(
      (result) => result as PostgresQueryResult<R>,
      async (error: unknown) => {
        if (name && isStalePlan(error)) {
          statements.retire(text);
          if (!inTransaction)
            return (await run(false).catch((retry: unknown) =>
              Promise.reject(unavailableOr(retry)),
            )) as PostgresQueryResult<R>;
        }
        throw unavailableOr(error);
      },
    );
  }
  return { query, release: (destroy) => client.release(destroy) };
}

/**
 * The pool as Kysely sees it, translating "the database is gone" where it happens. Store methods
 * outside a transaction (token lookups, reads) run straight on Kysely, so without this an outage
 * during authentication would surface as a raw driver error, i.e. a 500 instead of a 503.
 */
function translatingPool(pool: pg.Pool): PostgresPool {
  // Kysely keeps one connection object per client it is given: hand it the same wrapper each time.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const statements = statementNames();
  return {
    async connect() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw unavailableOr(error);
      }
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        wrapper = translatingClient(client, statements);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}

/** Kysely's PostgreSQL dialect, introspecting only the schema Roster works in (see the introspector). */
class CurrentSchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db);
  }
}

export function createPostgresDialect(url: string, opts: PostgresOptions = {}): StoreDialect {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    // TCP keepalive, so that a connection to a vanished server is noticed even while idle.
    keepAlive: true,
    ...(opts.options ? { options: opts.options } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // pg-pool listens for 'error' only on idle clients: a client checked out (inside a transaction,
  // or mid-query) whose socket drops would emit an unhandled 'error' and crash the process. The
  // query in flight already rejects with the cause, and the pool discards the broken client when
  // it is released, so the event itself needs no handling.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  const safeUrl = new URL(url);
  safeUrl.password = '';
  return {
    name: 'postgres',
    kysely: new CurrentSchemaPostgresDialect({ pool: translatingPool(pool) }),
    sql: POSTGRES_SQL,
    beginWrite: 'begin',
    rowLocks: true,
    writesInWith: true,
    readSnapshot: 'set transaction isolation level repeatable read, read only',
    // An empty table leaves its sequence alone (max is null, and setval ignores a null).
    async syncSequence(db, table, column) {
      await sql`select setval(pg_get_serial_sequence(${table}, ${column}), max(${sql.ref(column)})) from ${sql.table(table)}`.execute(
        db,
      );
    },
    uniqueViolation(error) {
      const e = error as { code?: string; constraint?: string } | null;
      return e?.code === '23505' ? (e.constraint ?? 'unique') : undefined;
    },
    isUnavailable,
    poolStats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: opts.poolSize ?? 10,
    }),
    describe: () => safeUrl.toString(),
  };
}
