// PostgreSQL through `pg`: a connection pool shared by the instance (DATABASE_POOL_SIZE), row locks
// for read-modify-write, and driver errors translated by SQLSTATE.
import { PostgresDialect } from 'kysely';
import pg from 'pg';
import type { StoreDialect } from '../dialect.ts';

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export interface PostgresOptions {
  poolSize?: number;
  /** Extra libpq options, e.g. `-c search_path=…` for isolated test schemas. */
  options?: string;
}

export function createPostgresDialect(url: string, opts: PostgresOptions = {}): StoreDialect {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? (Number(process.env.DATABASE_POOL_SIZE) || 10),
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    ...(opts.options ? { options: opts.options } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const safeUrl = new URL(url);
  safeUrl.password = '';
  return {
    name: 'postgres',
    kysely: new PostgresDialect({ pool }),
    beginWrite: 'begin',
    rowLocks: true,
    uniqueViolation(error) {
      const e = error as { code?: string; constraint?: string } | null;
      return e?.code === '23505' ? (e.constraint ?? 'unique') : undefined;
    },
    isUnavailable(error) {
      const e = error as { code?: string; message?: string } | null;
      if (!e) return false;
      if (e.code && (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('08') || e.code.startsWith('57P'))) {
        return true;
      }
      return /Connection terminated|timeout exceeded when trying to connect/i.test(e.message ?? '');
    },
    describe: () => safeUrl.toString(),
  };
}
