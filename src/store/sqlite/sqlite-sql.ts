// SQLite's side of the SQL that differs between engines (dialect.ts, SqlDialect): its built-in
// lower() folds exactly A–Z, JSON is read with the JSON1 functions, and its LIKE ignores ASCII case
// whatever we do, so exact-case matching is GLOB.
import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { JsonElements, SqlDialect } from '../dialect.ts';

function jsonPath(path: readonly string[]): string {
  return `$${path.map((name) => `."${name}"`).join('')}`;
}

/** GLOB has no escape character: `*`, `?` and `[` become one-character classes. */
function escapeGlob(value: string): string {
  return value.replace(/[*?[]/g, (char) => `[${char}]`);
}

/** json_each's element `j`: `j.type`, `j.value`, `j.key` (the index). */
function elementJsonType(name: string): RawBuilder<unknown> {
  return sql`(CASE WHEN j.type = 'object' THEN json_type(j.value, ${sql.lit(jsonPath([name]))}) END)`;
}

function jsonElements(document: Expression<unknown>, name: string): JsonElements {
  return {
    from: sql`json_each(${document}, ${sql.lit(jsonPath([name]))}) AS j`,
    // json_extract on a bare string element would raise "malformed JSON"; CASE keeps it away.
    text: (sub) =>
      sql`(CASE WHEN j.type = 'object' THEN json_extract(j.value, ${sql.lit(jsonPath([sub]))}) END)`,
    is: (sub, expected) =>
      sql<SqlBool>`(COALESCE(${elementJsonType(sub)}, '') = ${sql.lit(expected ? 'true' : 'false')})`,
    has: (sub) => sql<SqlBool>`(COALESCE(${elementJsonType(sub)}, 'null') <> 'null')`,
    position: sql`j.key`,
  };
}

export const SQLITE_SQL: SqlDialect = {
  fold: (value) => sql<string>`lower(${value as Expression<unknown> | string})`,
  jsonText: (document, path) => sql`json_extract(${document}, ${sql.lit(jsonPath(path))})`,
  jsonElements,
  matchCaseExact(expr, op, value) {
    const escaped = escapeGlob(value);
    const pattern = op === 'co' ? `*${escaped}*` : op === 'sw' ? `${escaped}*` : `*${escaped}`;
    return sql<SqlBool>`(${expr} GLOB ${pattern})`;
  },
  likeNeedsRange: true,
  rowidScans: true,
};
