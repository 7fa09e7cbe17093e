// Case-insensitive comparison in SQL under Roster's one rule (src/scim/fold-case.ts): ASCII letters
// only. SQLite's built-in lower() folds exactly A–Z. PostgreSQL's lower() follows the collation of
// its argument, Unicode-wide under a UTF-8 locale; under the "C" collation it folds A–Z only
// (PostgreSQL documentation, "Collation Support": in C and POSIX "only the ASCII letters A through Z
// are treated as letters"), and the comparison result then orders by code point as SQLite does.
//
// The expression indexes (migrations/007-case-folding.ts) are built from this very function, so a
// lookup written with it is the index's expression and stays an index search. Both sides of a
// comparison must be folded with it: `lower(?)` alone would fold the value Unicode-wide on PostgreSQL.
import { type Expression, type RawBuilder, sql } from 'kysely';
import type { DialectName } from './dialect.ts';

/** `value` (a column, an expression, or a value to bind) with ASCII letters lowered, in SQL. */
export function foldSql(value: unknown, dialect: DialectName): RawBuilder<string> {
  const operand = value as Expression<unknown> | string;
  return dialect === 'postgres' ? sql<string>`lower(${operand} COLLATE "C")` : sql<string>`lower(${operand})`;
}
