// A "leaf" is the SQL for one attribute value the filter compares: a column, a JSON extraction, or
// something derived (`active` from `status`). This module turns a leaf and a SCIM operator into a
// condition that is never NULL — TRUE or FALSE only — so that `not (…)` keeps its SCIM meaning
// (RFC 7644 §3.4.2.2: `not (title eq "x")` matches members without a title). The guard is an
// `expr IS NOT NULL AND …` rather than COALESCE, which would hide the expression from the indexes.
import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { CompareOperator } from '../../scim/filter/ast.ts';
import type { SqlDialect } from '../dialect.ts';
import { UnsupportedQueryError } from '../errors.ts';
import { likePattern, PREFIX_END } from '../like-pattern.ts';

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
  /** Nothing is ever stored there (`roles.type`): matches nothing. */
  | { kind: 'absent' }
  /** Present on every member but not comparable in SQL (`meta.location` depends on the request URL). */
  | { kind: 'opaque'; name: string; reason: string };

export const TRUE: RawBuilder<SqlBool> = sql<SqlBool>`(1 = 1)`;
export const FALSE: RawBuilder<SqlBool> = sql<SqlBool>`(1 = 0)`;

const ORDER_SQL = { eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' } as const;

/** `leaf op value` for every operator but `ne`, which the compiler writes as `NOT (eq)`. */
export function compareLeaf(
  leaf: Leaf,
  op: Exclude<CompareOperator, 'ne'>,
  value: string | boolean,
  dialect: SqlDialect,
): Expression<SqlBool> {
  switch (leaf.kind) {
    case 'absent':
      return FALSE;
    case 'opaque':
      throw new UnsupportedQueryError('filter', `'${leaf.name}' cannot be compared: ${leaf.reason}`);
    case 'boolean':
      // A validated filter compares booleans with eq and true or false only (resolveFilter).
      if (op !== 'eq' || typeof value !== 'boolean') {
        throw new UnsupportedQueryError('filter', 'booleans only support eq, ne and pr');
      }
      return value ? leaf.isTrue : leaf.isFalse;
    case 'text': {
      if (typeof value !== 'string') {
        throw new UnsupportedQueryError('filter', 'a string attribute needs a string value');
      }
      const condition = compareText(leaf, op, value, dialect);
      if (!leaf.nullable) return condition;
      // Guarded on the very expression compared (the folded col is NULL exactly when col is), so
      // that a scan can read it from the (organization_id, folded col) index instead of the table.
      const compared = leaf.caseExact ? leaf.expr : dialect.fold(leaf.expr);
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
  dialect: SqlDialect,
): RawBuilder<SqlBool> {
  if (op === 'co' || op === 'sw' || op === 'ew') {
    if (leaf.caseExact) return dialect.matchCaseExact(leaf.expr, op, value);
    // Folded on both sides (dialect.fold) rather than ILIKE or SQLite's LIKE folding, so both
    // databases fold alike.
    const folded = dialect.fold(leaf.expr);
    const like = sql<SqlBool>`(${folded} LIKE ${dialect.fold(likePattern(op, value))} ESCAPE '\\')`;
    if (op !== 'sw' || !dialect.likeNeedsRange) return like;
    // A planner that never turns LIKE on an expression into an index range (SQLite) is told the
    // range: in byte order every string starting with the prefix lies in [prefix, prefix ||
    // U+10FFFF), which the (organization_id, folded col) indexes answer; the LIKE keeps it exact.
    return sql<SqlBool>`(${folded} >= ${dialect.fold(value)} AND ${folded} < ${dialect.fold(value + PREFIX_END)} AND ${like})`;
  }
  const operator = sql.raw(ORDER_SQL[op]);
  // `fold(col) = fold(?)` is the shape of the expression indexes (organization_id, fold(col)).
  return leaf.caseExact
    ? sql<SqlBool>`(${leaf.expr} ${operator} ${value})`
    : sql<SqlBool>`(${dialect.fold(leaf.expr)} ${operator} ${dialect.fold(value)})`;
}
