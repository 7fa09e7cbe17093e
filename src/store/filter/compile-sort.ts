// `sortBy` → the expression to ORDER BY (RFC 7644 §3.4.2.3). Strings that compare case-insensitively
// sort case-insensitively (folded, fold-sql.ts); a multi-valued attribute sorts by its primary value, else its
// first. The caller adds the direction and a unique tie-breaker (m.seq) for stable pages. NULLs (an
// absent attribute) sort first in SQLite and last in PostgreSQL unless the caller says NULLS LAST.
import { type Expression, sql } from 'kysely';
import { parseAttributePath } from '../../scim/filter/parse-filter.ts';
import { comparisonTarget, resolvePath } from '../../scim/filter/resolve-filter-path.ts';
import { ScimError } from '../../scim/scim-error.ts';
import type { DialectName } from '../dialect.ts';
import { foldSql } from '../fold-sql.ts';
import { elementSource, rowLeaf } from './membership-attributes.ts';
import type { Leaf } from './sql-leaf.ts';

export function compileSort(sortBy: string, dialect: DialectName): Expression<unknown> {
  const resolved = resolvePath(parseAttributePath(sortBy, 'invalidValue'));
  if (typeof resolved === 'string') throw invalidSort(`${resolved}`);
  const target = comparisonTarget(resolved);
  if (target === undefined) {
    throw invalidSort(`'${sortBy}' is a complex attribute: sort by one of its sub-attributes`);
  }
  if (resolved.attribute.multiValued) {
    const source = elementSource(resolved.attribute, new Set([target.name]), dialect);
    return source.first(sortKey(source.leaf(target), sortBy, dialect));
  }
  return sortKey(rowLeaf(resolved, dialect), sortBy, dialect);
}

function sortKey(leaf: Leaf, sortBy: string, dialect: DialectName): Expression<unknown> {
  switch (leaf.kind) {
    case 'text':
      return leaf.caseExact ? leaf.expr : foldSql(leaf.expr, dialect);
    case 'boolean':
      return sql`(CASE WHEN ${leaf.isTrue} THEN 1 WHEN ${leaf.isFalse} THEN 0 END)`;
    case 'absent':
      return sql`NULL`;
    case 'opaque':
      throw invalidSort(`cannot sort by '${sortBy}': ${leaf.reason}`);
  }
}

function invalidSort(detail: string): ScimError {
  return new ScimError(400, `Invalid sortBy: ${detail}`, 'invalidValue');
}
