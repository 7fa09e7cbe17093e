// A validated SCIM filter (resolveFilter, src/scim/filter/resolve-filter.ts) → a Kysely boolean
// expression over `memberships as m`, the same for SQLite and PostgreSQL. Use it as
//
//   db.selectFrom('memberships as m').where('m.organization_id', '=', orgId).where(compileFilter(f, d))
//
// The organization condition is the caller's, but the expressions the compiler writes (fold(col) =
// fold(?), emails via member_emails) are shaped for the (organization_id, …) indexes that condition
// opens; given the organization's id too (`{ organizationId }`), a search on an email value starts
// from the emails index instead of visiting every member. Values are always bound parameters. On any
// valid filter the result equals `matchFilter` over the members' SCIM resources; what SQL cannot
// compare (`meta.location`) is an UnsupportedQueryError.
import { type Expression, type SqlBool, sql } from 'kysely';
import type { FilterAttribute, ResolvedFilter, ResolvedFilterPath } from '../../scim/filter/ast.ts';
import type { SqlDialect } from '../dialect.ts';
import { UnsupportedQueryError } from '../errors.ts';
import { type ElementSource, elementSource, MEMBERSHIP_ALIAS, rowLeaf } from './membership-attributes.ts';
import { compareLeaf, FALSE, type Leaf, leafPresent } from './sql-leaf.ts';

export { compileSort } from './compile-sort.ts';
export { MEMBERSHIP_ALIAS };

/** Where paths are read: the member row, one element of a multi-valued attribute, or `name[…]`. */
type Scope = (
  | { kind: 'row' }
  | { kind: 'element'; attribute: FilterAttribute; source: ElementSource }
  | { kind: 'complex'; parent: ResolvedFilterPath }
) &
  Target;

/** The database, and the organization the caller restricts the query to (when it says). */
interface Target {
  dialect: SqlDialect;
  organizationId?: string | undefined;
}

export interface CompileOptions {
  /** The organization of the caller's `m.organization_id = ?`: lets email searches start from their index. */
  organizationId?: string;
}

export function compileFilter(
  filter: ResolvedFilter,
  dialect: SqlDialect,
  options: CompileOptions = {},
): Expression<SqlBool> {
  return compileNode(filter, {
    kind: 'row',
    dialect,
    organizationId: options.organizationId,
  });
}

function compileNode(node: ResolvedFilter, scope: Scope): Expression<SqlBool> {
  switch (node.kind) {
    case 'and':
    case 'or': {
      // Chains are flattened into one (a OR b OR c …): no nesting depth for SQLite's parser to hit.
      const parts = flatten(node).map((part) => compileNode(part, scope));
      return sql<SqlBool>`(${sql.join(parts, sql.raw(node.kind === 'and' ? ' AND ' : ' OR '))})`;
    }
    case 'not':
      // Every condition below is TRUE or FALSE, never NULL (see sql-leaf.ts), so NOT is SCIM's not.
      return sql<SqlBool>`(NOT ${compileNode(node.filter, scope)})`;
    case 'present':
      return compileAt(node.path, scope, leafPresent, true);
    case 'compare': {
      if (node.op === 'ne') return sql<SqlBool>`(NOT ${compileNode({ ...node, op: 'eq' }, scope)})`;
      const { op, value } = node;
      const build = (leaf: Leaf) => compareLeaf(leaf, op, value, scope.dialect);
      return compileAt(node.path, scope, build, false, op === 'co' || op === 'ew');
    }
    case 'valuePath':
      return compileValuePath(node, scope);
  }
}

function flatten(node: ResolvedFilter & { kind: 'and' | 'or' }): ResolvedFilter[] {
  const parts: ResolvedFilter[] = [];
  const stack: ResolvedFilter[] = [node];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next.kind === node.kind) stack.push(next.right, next.left);
    else parts.push(next);
  }
  return parts;
}

/** `attr[filter]`: the whole bracket inside ONE EXISTS, so it must hold for one element. */
function compileValuePath(node: ResolvedFilter & { kind: 'valuePath' }, scope: Scope): Expression<SqlBool> {
  // resolveFilter refuses nested value filters; a tree built otherwise is refused the same way.
  if (scope.kind !== 'row') throw unsupported('value filters cannot be nested');
  const target: Target = { dialect: scope.dialect, organizationId: scope.organizationId };
  const resolved = node.path;
  if (!resolved.attribute.multiValued) {
    // `name[…]` holds only for a member that has a name, as in matchFilter: without the presence
    // check, `name[not (givenName eq "x")]` would match members with no name at all.
    const present = compileNode({ kind: 'present', path: node.path }, scope);
    const inner = compileNode(node.filter, { ...target, kind: 'complex', parent: resolved });
    return sql<SqlBool>`(${present} AND ${inner})`;
  }
  const source = elementSource(resolved.attribute, readSubAttributes(node.filter), target);
  const condition = compileNode(node.filter, {
    ...target,
    kind: 'element',
    attribute: resolved.attribute,
    source,
  });
  return source.exists(condition);
}

/**
 * The condition `build` makes of the leaf at `path`, wrapped in EXISTS for multi-valued attributes.
 * `scans`: no index can seek the condition (`co`, `ew`), every member must be looked at.
 */
function compileAt(
  path: ResolvedFilterPath,
  scope: Scope,
  build: (leaf: Leaf) => Expression<SqlBool>,
  presence: boolean,
  scans = false,
): Expression<SqlBool> {
  // Inside `attr[…]`, `path.attribute` is the element's sub-attribute (ast.ts, ResolvedFilterPath).
  if (scope.kind === 'element') return build(scope.source.leaf(path.attribute));
  const resolved = scope.kind === 'complex' ? { ...scope.parent, subAttribute: path.attribute } : path;
  const { attribute, subAttribute } = resolved;
  if (attribute.multiValued) {
    // `emails.value eq "x"`: some element matches. `emails pr`: some element has some value.
    const subs = subAttribute === undefined ? (attribute.subAttributes ?? []) : [subAttribute];
    const source = elementSource(attribute, new Set(subs.map((sub) => sub.name)), scope);
    return source.exists(anyOf(subs.map((sub) => build(source.leaf(sub)))));
  }
  if (attribute.type === 'complex' && subAttribute === undefined) {
    // Only `pr` gets here (resolveFilter rejects `name eq …`): present when any part is present.
    if (!presence) throw unsupported(`'${attribute.name}' is complex: compare one of its sub-attributes`);
    return anyOf(
      (attribute.subAttributes ?? []).map((sub) =>
        build(rowLeaf({ ...resolved, subAttribute: sub }, scope.dialect)),
      ),
    );
  }
  const leaf = rowLeaf(resolved, scope.dialect);
  if (scans && leaf.kind === 'text' && leaf.indexed && scope.dialect.rowidScans && scope.organizationId) {
    return scanIndex(build(leaf), scope.organizationId);
  }
  return build(leaf);
}

/**
 * `displayName co "…"` on SQLite (rowidScans): the condition reads only what the (organization_id, fold(col))
 * index holds, so one pass over that index (never the rows, with their profile documents) finds the
 * matching rowids, evaluated once: 6 to 8 times faster than checking row by row at 100k members.
 * The subquery's `m` shadows the outer one, so `condition` is evaluated on the index's rows.
 */
function scanIndex(condition: Expression<SqlBool>, organizationId: string): Expression<SqlBool> {
  const m = (column: string) => sql.ref(`${MEMBERSHIP_ALIAS}.${column}`);
  const rows = sql`memberships AS ${sql.ref(MEMBERSHIP_ALIAS)}`;
  return sql<SqlBool>`(${m('rowid')} IN (SELECT ${m('rowid')} FROM ${rows} WHERE ${m('organization_id')} = ${organizationId} AND ${condition}))`;
}

function anyOf(conditions: Expression<SqlBool>[]): Expression<SqlBool> {
  if (conditions.length === 0) return FALSE;
  return conditions.length === 1 ? conditions[0]! : sql<SqlBool>`(${sql.join(conditions, sql.raw(' OR '))})`;
}

/** The sub-attribute names a bracketed filter reads. */
function readSubAttributes(node: ResolvedFilter, names = new Set<string>()): Set<string> {
  if (node.kind === 'and' || node.kind === 'or') {
    for (const part of flatten(node)) readSubAttributes(part, names);
  } else if (node.kind === 'not' || node.kind === 'valuePath') {
    readSubAttributes(node.filter, names);
  } else {
    names.add(node.path.attribute.name);
  }
  return names;
}

function unsupported(detail: string): UnsupportedQueryError {
  return new UnsupportedQueryError('filter', detail);
}
