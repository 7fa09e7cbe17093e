import type { Kysely } from 'kysely';
import type { ScanReader, StoreDialect } from '../dialect.ts';
import type { Database } from '../schema.ts';

/** What every repository needs: a query builder (the database or an open transaction) and the dialect. */
export interface RepoContext {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  /** Where reads that no index serves run, outside a transaction, when the dialect has a place. */
  readonly scans?: ScanReader;
}
