// One case-folding rule on both stores (src/scim/fold-case.ts: ASCII letters only). SQLite's
// lower() already folds A–Z only, so its indexes stay as they are. On PostgreSQL, lower() folded
// every letter under a UTF-8 locale, and the lookups with it, `İ` for `i` included: each expression
// index on lower(col) is rebuilt, under the same name (constraint names are what a uniqueness
// error reports), on the expression postgres/postgres-sql.ts folds with, lower(col COLLATE "C"),
// which the queries use. No unique index can fail to rebuild: values that agree under ASCII folding agree under any
// wider folding too, so they were already refused.
//
// Every index is rebuilt in this migration's transaction, which blocks writes to those tables for
// the time it takes (seconds at a million members).
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DialectName } from '../dialect.ts';
import { POSTGRES_SQL } from '../postgres/postgres-sql.ts';

interface FoldedIndex {
  name: string;
  table: string;
  /** Plain columns before the folded one. */
  columns: string[];
  folded: string;
  unique: boolean;
}

/** Every expression index 001 and 002 wrote with lower(). */
export const FOLDED_INDEXES: readonly FoldedIndex[] = [
  {
    name: 'workspaces_org_name',
    table: 'workspaces',
    columns: ['organization_id'],
    folded: 'name',
    unique: true,
  },
  { name: 'users_email', table: 'users', columns: [], folded: 'email', unique: true },
  {
    name: 'memberships_org_user_name',
    table: 'memberships',
    columns: ['organization_id'],
    folded: 'user_name',
    unique: true,
  },
  ...['display_name', 'given_name', 'family_name'].map((column) => ({
    name: `memberships_org_${column}`,
    table: 'memberships',
    columns: ['organization_id'],
    folded: column,
    unique: false,
  })),
  {
    name: 'member_emails_org_value',
    table: 'member_emails',
    columns: ['organization_id'],
    folded: 'value',
    unique: false,
  },
  ...['status', 'role'].map((column) => ({
    name: `memberships_org_${column}_user_name`,
    table: 'memberships',
    columns: ['organization_id', column],
    folded: 'user_name',
    unique: false,
  })),
];

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  for (const index of FOLDED_INDEXES) {
    await db.schema.dropIndex(index.name).ifExists().execute();
    let builder = db.schema.createIndex(index.name).on(index.table);
    if (index.columns.length > 0) builder = builder.columns(index.columns);
    builder = builder.expression(POSTGRES_SQL.fold(sql.ref(index.folded)));
    await (index.unique ? builder.unique() : builder).execute();
  }
}
