// SQL over the `profile` JSON document of a membership, one function per need and one branch per
// database: SQLite's JSON1 functions and PostgreSQL's jsonb operators. `profile` is TEXT in both, so
// PostgreSQL casts it on the way (`m.profile::jsonb`). JSON paths are built from catalogue names only
// (never from client input) and inlined as literals; values are always bound parameters elsewhere.
import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { DialectName } from '../dialect.ts';

/** The alias the memberships table must have in the query: `selectFrom('memberships as m')`. */
export const MEMBERSHIP_ALIAS = 'm';

const PROFILE = sql.ref(`${MEMBERSHIP_ALIAS}.profile`);

/** The text at `path` in the profile (NULL when missing or JSON null). */
export function profileText(dialect: DialectName, path: readonly string[]): RawBuilder<unknown> {
  return dialect === 'sqlite'
    ? sql`json_extract(${PROFILE}, ${sql.lit(sqlitePath(path))})`
    : sql`(${PROFILE}::jsonb #>> ${sql.lit(`{${path.map((name) => `"${name}"`).join(',')}}`)})`;
}

/** The set-returning source of a JSON array in the profile, aliased `j`; empty unless it is an array. */
export function profileArray(dialect: DialectName, name: string): RawBuilder<unknown> {
  if (dialect === 'sqlite') return sql`json_each(${PROFILE}, ${sql.lit(sqlitePath([name]))}) AS j`;
  // jsonb_array_elements raises on a non-array; a client's odd data must never become a 500.
  const array = sql`(${PROFILE}::jsonb -> ${sql.lit(name)})`;
  return sql`jsonb_array_elements(CASE WHEN jsonb_typeof(${array}) = 'array' THEN ${array} END) WITH ORDINALITY AS j(el, n)`;
}

/** The text of sub-attribute `name` of the current element `j` (NULL unless the element is an object). */
export function elementText(dialect: DialectName, name: string): RawBuilder<unknown> {
  // SQLite: json_extract on a bare string element would raise "malformed JSON"; CASE keeps it away.
  return dialect === 'sqlite'
    ? sql`(CASE WHEN j.type = 'object' THEN json_extract(j.value, ${sql.lit(sqlitePath([name]))}) END)`
    : sql`(j.el ->> ${sql.lit(name)})`;
}

/** Whether sub-attribute `name` of element `j` is the JSON literal `expected`; never NULL. */
export function elementBooleanIs(dialect: DialectName, name: string, expected: boolean): Expression<SqlBool> {
  const literal = expected ? 'true' : 'false';
  return dialect === 'sqlite'
    ? sql<SqlBool>`(COALESCE(${elementJsonType(name)}, '') = ${sql.lit(literal)})`
    : sql<SqlBool>`COALESCE((j.el -> ${sql.lit(name)}) = ${sql.lit(literal)}::jsonb, FALSE)`;
}

/** Whether sub-attribute `name` of element `j` holds anything but JSON null; never NULL. */
export function elementHasValue(dialect: DialectName, name: string): Expression<SqlBool> {
  return dialect === 'sqlite'
    ? sql<SqlBool>`(COALESCE(${elementJsonType(name)}, 'null') <> 'null')`
    : sql<SqlBool>`COALESCE(jsonb_typeof(j.el -> ${sql.lit(name)}) <> 'null', FALSE)`;
}

/** Element order for "the primary value, else the first" (RFC 7644 §3.4.2.3). */
export function elementPosition(dialect: DialectName): RawBuilder<unknown> {
  return dialect === 'sqlite' ? sql`j.key` : sql`j.n`;
}

function elementJsonType(name: string): RawBuilder<unknown> {
  return sql`(CASE WHEN j.type = 'object' THEN json_type(j.value, ${sql.lit(sqlitePath([name]))}) END)`;
}

function sqlitePath(path: readonly string[]): string {
  return `$${path.map((name) => `."${name}"`).join('')}`;
}
