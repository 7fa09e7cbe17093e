// PostgreSQL's side of the SQL that differs between engines (dialect.ts, SqlDialect). lower() follows
// the collation of its argument, Unicode-wide under a UTF-8 locale; under the "C" collation it folds
// A–Z only (PostgreSQL documentation, "Collation Support": in C and POSIX "only the ASCII letters A
// through Z are treated as letters"), and comparisons then order by code point as SQLite's do. JSON
// documents are TEXT, cast to jsonb on the way.
import { type Expression, type SqlBool, sql } from 'kysely';
import type { JsonElements, SqlDialect } from '../dialect.ts';
import { likePattern } from '../like-pattern.ts';

function jsonElements(document: Expression<unknown>, name: string): JsonElements {
  // jsonb_array_elements raises on a non-array; a client's odd data must never become a 500.
  const array = sql`(${document}::jsonb -> ${sql.lit(name)})`;
  return {
    from: sql`jsonb_array_elements(CASE WHEN jsonb_typeof(${array}) = 'array' THEN ${array} END) WITH ORDINALITY AS j(el, n)`,
    text: (sub) => sql`(j.el ->> ${sql.lit(sub)})`,
    is: (sub, expected) =>
      sql<SqlBool>`COALESCE((j.el -> ${sql.lit(sub)}) = ${sql.lit(expected ? 'true' : 'false')}::jsonb, FALSE)`,
    has: (sub) => sql<SqlBool>`COALESCE(jsonb_typeof(j.el -> ${sql.lit(sub)}) <> 'null', FALSE)`,
    position: sql`j.n`,
  };
}

export const POSTGRES_SQL: SqlDialect = {
  fold: (value) => sql<string>`lower(${value as Expression<unknown> | string} COLLATE "C")`,
  jsonText: (document, path) =>
    sql`(${document}::jsonb #>> ${sql.lit(`{${path.map((name) => `"${name}"`).join(',')}}`)})`,
  jsonElements,
  matchCaseExact: (expr, op, value) => sql<SqlBool>`(${expr} LIKE ${likePattern(op, value)} ESCAPE '\\')`,
  likeNeedsRange: false,
  rowidScans: false,
};
