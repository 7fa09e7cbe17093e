// A validated `sortBy` (resolveSortBy) → the expression to ORDER BY (RFC 7644 §3.4.2.3). Strings that
// compare case-insensitively sort case-insensitively (folded, dialect.fold); a multi-valued attribute
// sorts by its primary value, else its first. The caller adds the direction and a unique tie-breaker
// (m.seq) for stable pages. NULLs (an absent attribute) sort first in SQLite and last in PostgreSQL
// unless the caller says NULLS LAST.
import { type Expression, sql } from 'kysely';
import type { ResolvedSort } from '../../scim/filter/ast.ts';
import type { SqlDialect } from '../dialect.ts';
import { UnsupportedQueryError } from '../errors.ts';
import { elementSource, rowLeaf } from './membership-attributes.ts';
import type { Leaf } from './sql-leaf.ts';

export function compileSort(sort: ResolvedSort, dialect: SqlDialect): Expression<unknown> {
  const { path, key } = sort;
  if (path.attribute.multiValued) {
    const source = elementSource(path.attribute, new Set([key.name]), { dialect });
    return source.first(sortKey(source.leaf(key), sort, dialect));
  }
  return sortKey(rowLeaf(path, dialect), sort, dialect);
}

function sortKey(leaf: Leaf, sort: ResolvedSort, dialect: SqlDialect): Expression<unknown> {
  switch (leaf.kind) {
    case 'text':
      return leaf.caseExact ? leaf.expr : dialect.fold(leaf.expr);
    case 'boolean':
      return sql`(CASE WHEN ${leaf.isTrue} THEN 1 WHEN ${leaf.isFalse} THEN 0 END)`;
    case 'absent':
      return sql`NULL`;
    case 'opaque':
      throw new UnsupportedQueryError('sortBy', `cannot sort by '${sort.text}': ${leaf.reason}`);
  }
}
