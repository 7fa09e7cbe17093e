// A "leaf" is the SQL for one attribute value the filter compares: a column, a JSON extraction, or
// something derived (`active` from `status`). This module turns a leaf and a SCIM operator into a
// condition that is never NULL — TRUE or FALSE only — so that `not (…)` keeps its SCIM meaning
// (RFC 7644 §3.4.2.2: `not (title eq "x")` matches members without a title). The guard is an
// `expr IS NOT NULL AND …` rather than COALESCE, which would hide the expression from the indexes.
import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { CompareOperator } from '../../scim/filter/ast.ts';
import { ScimError } from '../../scim/scim-error.ts';
import type { DialectName } from '../dialect.ts';
import { foldSql } from '../fold-sql.ts';

export type Leaf =
  /** Text (also dateTime, stored as ISO-8601 UTC strings that order like the instants they name). */
  | {
      kind: 'text';
      expr: Expression<unknown>;
      nullable: boolean;
      caseExact: boolean;
      /** An (organization_id, expression) index of `memberships` holds what the comparison reads. */
      indexed?: boolean;
    }
  /** A boolean, as three conditions that are each TRUE or FALSE. */
  | {
      kind: 'boolean';
      isTrue: Expression<SqlBool>;
      isFalse: Expression<SqlBool>;
      present: Expression<SqlBool>;
    }
  /** Nothing is ever stored there (`groups` until group push, `roles.type`): matches nothing. */
  | { kind: 'absent' }
  /** Present on every member but not comparable in SQL (`meta.location` depends on the request URL). */
  | { kind: 'opaque'; name: string; reason: string };

export const TRUE: RawBuilder<SqlBool> = sql<SqlBool>`(1 = 1)`;
export const FALSE: RawBuilder<SqlBool> = sql<SqlBool>`(1 = 0)`;

const ORDER_SQL = { eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' } as const;

/** Above every character a lowered prefix can be followed by, in SQLite's byte order. */
const PREFIX_END = '\u{10FFFF}';

/** `leaf op value` for every operator but `ne`, which the compiler writes as `NOT (eq)`. */
export function compareLeaf(
  leaf: Leaf,
  op: Exclude<CompareOperator, 'ne'>,
  value: string | boolean,
  dialect: DialectName,
): Expression<SqlBool> {
  switch (leaf.kind) {
    case 'absent':
      return FALSE;
    case 'opaque':
      throw new ScimError(
        400,
        `Invalid filter: '${leaf.name}' cannot be compared: ${leaf.reason}`,
        'invalidFilter',
      );
    case 'boolean':
      if (op !== 'eq' || typeof value !== 'boolean') {
        throw new ScimError(400, 'Invalid filter: booleans only support eq, ne and pr', 'invalidFilter');
      }
      return value ? leaf.isTrue : leaf.isFalse;
    case 'text': {
      if (typeof value !== 'string') {
        throw new ScimError(400, 'Invalid filter: a string attribute needs a string value', 'invalidFilter');
      }
      const condition = compareText(leaf, op, value, dialect);
      if (!leaf.nullable) return condition;
      // Guarded on the very expression compared (the folded col is NULL exactly when col is), so
      // that a scan can read it from the (organization_id, folded col) index instead of the table.
      const compared = leaf.caseExact ? leaf.expr : foldSql(leaf.expr, dialect);
      return sql<SqlBool>`(${compared} IS NOT NULL AND ${condition})`;
    }
  }
}

/** `leaf pr`: present, not null and not the empty string (RFC 7644 §3.4.2.2). */
export function leafPresent(leaf: Leaf): Expression<SqlBool> {
  switch (leaf.kind) {
    case 'absent':
      return FALSE;
    case 'opaque':
      return TRUE;
    case 'boolean':
      return leaf.present;
    case 'text':
      return leaf.nullable
        ? sql<SqlBool>`(${leaf.expr} IS NOT NULL AND ${leaf.expr} <> '')`
        : sql<SqlBool>`(${leaf.expr} <> '')`;
  }
}

function compareText(
  leaf: Leaf & { kind: 'text' },
  op: Exclude<CompareOperator, 'ne'>,
  value: string,
  dialect: DialectName,
): RawBuilder<SqlBool> {
  if (op === 'co' || op === 'sw' || op === 'ew') {
    if (leaf.caseExact && dialect === 'sqlite') {
      // SQLite's LIKE ignores ASCII case whatever we do; GLOB is its case-sensitive matcher.
      return sql<SqlBool>`(${leaf.expr} GLOB ${wrapPattern(op, escapeGlob(value), '*')})`;
    }
    const pattern = wrapPattern(op, escapeLike(value), '%');
    // Folded on both sides (fold-sql.ts) rather than ILIKE or SQLite's LIKE folding, so both
    // databases fold alike.
    if (leaf.caseExact) return sql<SqlBool>`(${leaf.expr} LIKE ${pattern} ESCAPE '\\')`;
    const folded = foldSql(leaf.expr, dialect);
    const like = sql<SqlBool>`(${folded} LIKE ${foldSql(pattern, dialect)} ESCAPE '\\')`;
    if (op !== 'sw' || dialect !== 'sqlite') return like;
    // SQLite never turns LIKE on an expression into an index range, so `sw` says the range itself:
    // in SQLite's byte order every string starting with the prefix lies in [prefix, prefix || U+10FFFF),
    // which the (organization_id, folded col) indexes answer; the LIKE keeps the match exact.
    return sql<SqlBool>`(${folded} >= ${foldSql(value, dialect)} AND ${folded} < ${foldSql(value + PREFIX_END, dialect)} AND ${like})`;
  }
  const operator = sql.raw(ORDER_SQL[op]);
  // `fold(col) = fold(?)` is the shape of the expression indexes (organization_id, fold(col)).
  return leaf.caseExact
    ? sql<SqlBool>`(${leaf.expr} ${operator} ${value})`
    : sql<SqlBool>`(${foldSql(leaf.expr, dialect)} ${operator} ${foldSql(value, dialect)})`;
}

function wrapPattern(op: 'co' | 'sw' | 'ew', escaped: string, any: string): string {
  if (op === 'co') return `${any}${escaped}${any}`;
  return op === 'sw' ? `${escaped}${any}` : `${any}${escaped}`;
}

/** A value's own `%`, `_` and `\` are literal characters, not wildcards (used with ESCAPE '\'). */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** GLOB has no escape character: `*`, `?` and `[` become one-character classes. */
export function escapeGlob(value: string): string {
  return value.replace(/[*?[]/g, (char) => `[${char}]`);
}
