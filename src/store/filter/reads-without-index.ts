// Whether a filter may make the database read every member of the organization. Indexes serve
// `eq` and `sw` on the attributes that have one (userName, externalId, displayName, the name's
// given and family parts, an email's value, the id); nothing serves `co`, `ew`, `ne`, `pr`, an
// ordering comparison, a `not`, or any comparison on another attribute. `and` needs one side served
// to narrow the read; `or` needs both. The store runs such reads where they cannot hold up the
// server's other requests (sqlite/scan-reader.ts). A reading of the filter's form, not a query
// plan: a wrong guess only moves a read to the other thread or keeps it on the server's own.
import type { AttributePath, FilterNode } from '../../scim/filter/ast.ts';
import { USER_SCHEMA } from '../../scim/schemas/urns.ts';

const INDEXED = new Set([
  'id',
  'username',
  'externalid',
  'displayname',
  'name.givenname',
  'name.familyname',
  'emails.value',
]);

/** `emails.value`, or `value` inside `emails[…]` as `emails.value`; lower case. */
function nameOf(path: AttributePath, within: AttributePath | undefined): string {
  const parts = within
    ? [within.attribute, path.attribute]
    : [path.attribute, ...(path.subAttribute === undefined ? [] : [path.subAttribute])];
  return parts.join('.').toLowerCase();
}

function isIndexed(path: AttributePath, within: AttributePath | undefined): boolean {
  const schema = (within ?? path).schema;
  return (schema === undefined || schema === USER_SCHEMA) && INDEXED.has(nameOf(path, within));
}

export function readsWithoutIndex(filter: FilterNode, within?: AttributePath): boolean {
  switch (filter.kind) {
    case 'compare':
      return !((filter.op === 'eq' || filter.op === 'sw') && isIndexed(filter.path, within));
    case 'present':
    case 'not':
      return true;
    case 'and':
      return readsWithoutIndex(filter.left, within) && readsWithoutIndex(filter.right, within);
    case 'or':
      return readsWithoutIndex(filter.left, within) || readsWithoutIndex(filter.right, within);
    case 'valuePath':
      return readsWithoutIndex(filter.filter, filter.path);
  }
}
