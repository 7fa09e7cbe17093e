import type { Kysely } from 'kysely';
import type { StoreDialect } from '../dialect.ts';
import type { Database } from '../schema.ts';

/** What every repository needs: a query builder (the database or an open transaction) and the dialect. */
export interface RepoContext {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
}
