// GET /Groups filters (RFC 7644 §3.4.2.2) → the conditions a group list is asked with. What Okta
// and Entra send (docs/idp-requests.md, Groups): `displayName eq "…"`, `externalId eq "…"`,
// `id eq "…"`, and `members[value eq "…"]` (also written `members.value eq "…"`), joined by `and`.
// Anything else is a 400 `invalidFilter` that says what is supported, never a silent full list.
import type { FilterNode } from '../filter/ast.ts';
import { parseFilter } from '../filter/parse-filter.ts';
import { GROUP_SCHEMA } from '../schemas/urns.ts';
import { ScimError } from '../scim-error.ts';

export interface GroupFilter {
  id?: string;
  displayName?: string;
  externalId?: string;
  memberId?: string;
}

const SUPPORTED =
  'Groups are filtered with eq on displayName, externalId, id or members.value (members[value eq "…"]), joined by and';

/** Lower-cased filter names → conditions (a Map: a name such as `constructor` finds nothing). */
const KEYS = new Map<string, keyof GroupFilter>([
  ['id', 'id'],
  ['displayname', 'displayName'],
  ['externalid', 'externalId'],
  ['members.value', 'memberId'],
]);

function unsupported(why: string): ScimError {
  return new ScimError(400, `${why}. ${SUPPORTED}.`, 'invalidFilter');
}

function eqString(node: FilterNode): { name: string; value: string } | undefined {
  if (node.kind !== 'compare' || node.op !== 'eq' || typeof node.value !== 'string') return undefined;
  if (node.path.schema !== undefined && node.path.schema.toLowerCase() !== GROUP_SCHEMA.toLowerCase())
    return undefined;
  const name =
    node.path.subAttribute === undefined
      ? node.path.attribute
      : `${node.path.attribute}.${node.path.subAttribute}`;
  return { name: name.toLowerCase(), value: node.value };
}

function collect(node: FilterNode, into: GroupFilter): void {
  if (node.kind === 'and') {
    collect(node.left, into);
    collect(node.right, into);
    return;
  }
  let name: string | undefined;
  let value: string | undefined;
  if (node.kind === 'valuePath' && node.path.attribute.toLowerCase() === 'members') {
    const inner = eqString(node.filter);
    if (inner?.name === 'value') {
      name = 'members.value';
      value = inner.value;
    }
  } else {
    const compared = eqString(node);
    name = compared?.name;
    value = compared?.value;
  }
  const key = name === undefined ? undefined : KEYS.get(name);
  if (key === undefined || value === undefined) throw unsupported('This filter is not supported on Groups');
  if (into[key] !== undefined && into[key] !== value) {
    // `a eq "x" and a eq "y"` matches nothing; say so rather than guess.
    throw unsupported(`The filter compares ${key} twice`);
  }
  into[key] = value;
}

export function parseGroupFilter(text: string): GroupFilter {
  const conditions: GroupFilter = {};
  collect(parseFilter(text), conditions);
  return conditions;
}
