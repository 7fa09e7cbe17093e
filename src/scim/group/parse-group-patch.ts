// PATCH /Groups/{id} (RFC 7644 §3.5.2) → a list of changes, as Okta and Entra ID send them
// (docs/idp-requests.md, Groups):
// - Okta renames with a path-less `replace` whose value also carries the read-only `id`
//   (`{"id": "…", "displayName": "…"}`): `id`, `schemas` and `meta` in a value are ignored;
// - Okta adds with `{"op":"add","path":"members","value":[{"value":"<id>","display":"…"}]}` and
//   removes one member with `{"op":"remove","path":"members[value eq \"<id>\"]"}`;
// - Entra capitalises ops (`Add`, `Remove`, `Replace`), sends several operations per request, adds
//   and removes with a `members` value list (a `Remove` with a value removes only the listed
//   members, never all: IDP-CLIENTS failure mode 9), and replaces `displayName` by path;
// - `remove` of `members` without a value removes every member (RFC 7644 §3.5.2.2).
// The changes are applied in order by the use case, all in one transaction: all or nothing.
import type { FilterNode } from '../filter/ast.ts';
import { parseFilter } from '../filter/parse-filter.ts';
import { MAX_OPERATIONS } from '../patch/parse-patch-body.ts';
import { GROUP_SCHEMA, PATCH_OP_SCHEMA } from '../schemas/urns.ts';
import { ScimError } from '../scim-error.ts';
import { displayNameOf, externalIdOf, hasKey, isObject, memberIdsOf, memberOf } from './member-values.ts';

export type GroupChange =
  | { readonly kind: 'displayName'; readonly value: string }
  | { readonly kind: 'externalId'; readonly value: string | null }
  | { readonly kind: 'addMembers'; readonly ids: readonly string[] }
  | { readonly kind: 'removeMembers'; readonly ids: readonly string[] }
  | { readonly kind: 'replaceMembers'; readonly ids: readonly string[] }
  | { readonly kind: 'removeAllMembers' };

type Op = 'add' | 'replace' | 'remove';

interface GroupPath {
  readonly attribute: 'displayName' | 'externalId' | 'members';
  /** `members[value eq "a" or value eq "b"]`: the ids the filter names. */
  readonly memberIds?: readonly string[];
}

function invalidSyntax(detail: string): ScimError {
  return new ScimError(400, detail, 'invalidSyntax');
}

function invalidPath(text: string, why: string): ScimError {
  return new ScimError(400, `Invalid path "${text}": ${why}`, 'invalidPath');
}

const ATTRIBUTES = new Map<string, GroupPath['attribute']>([
  ['displayname', 'displayName'],
  ['externalid', 'externalId'],
  ['members', 'members'],
]);

/** `value eq "a"`, or several joined by `or`: the ids. */
function idsOfMemberFilter(node: FilterNode, text: string): string[] {
  if (node.kind === 'or')
    return [...idsOfMemberFilter(node.left, text), ...idsOfMemberFilter(node.right, text)];
  if (
    node.kind === 'compare' &&
    node.op === 'eq' &&
    node.path.subAttribute === undefined &&
    node.path.attribute.toLowerCase() === 'value' &&
    typeof node.value === 'string'
  ) {
    return [node.value];
  }
  throw invalidPath(text, 'a members filter must be value eq "<id>" (or several joined by or)');
}

function parseGroupPath(text: string): GroupPath {
  const prefix = `${GROUP_SCHEMA.toLowerCase()}:`;
  let rest = text.trim();
  if (rest.toLowerCase().startsWith(prefix)) rest = rest.slice(prefix.length);
  const match = /^([A-Za-z]+)(?:\[(.*)\])?$/s.exec(rest);
  const attribute = match?.[1] === undefined ? undefined : ATTRIBUTES.get(match[1].toLowerCase());
  if (!match || attribute === undefined) {
    throw invalidPath(text, 'a Group has displayName, externalId and members');
  }
  if (match[2] === undefined) return { attribute };
  if (attribute !== 'members') throw invalidPath(text, `${attribute} is not multi-valued`);
  let filter: FilterNode;
  try {
    filter = parseFilter(match[2]);
  } catch (error) {
    throw error instanceof ScimError ? invalidPath(text, error.detail) : error;
  }
  return { attribute, memberIds: idsOfMemberFilter(filter, text) };
}

function pathChange(
  op: Op,
  path: GroupPath,
  text: string,
  hasValue: boolean,
  value: unknown,
  where: string,
): GroupChange {
  switch (path.attribute) {
    case 'displayName':
      if (op === 'remove')
        throw new ScimError(400, `${where}: displayName is required and cannot be removed`, 'mutability');
      return { kind: 'displayName', value: displayNameOf(value, `${where}.value`) };
    case 'externalId':
      return { kind: 'externalId', value: op === 'remove' ? null : externalIdOf(value, `${where}.value`) };
    case 'members': {
      if (path.memberIds !== undefined) {
        if (op !== 'remove')
          throw invalidPath(text, `${op} cannot target a filtered members path; use path "members"`);
        return { kind: 'removeMembers', ids: path.memberIds };
      }
      if (op === 'remove') {
        return hasValue && value !== null
          ? { kind: 'removeMembers', ids: memberIdsOf(value, `${where}.value`) }
          : { kind: 'removeAllMembers' };
      }
      const ids = memberIdsOf(value, `${where}.value`);
      return op === 'add' ? { kind: 'addMembers', ids } : { kind: 'replaceMembers', ids };
    }
  }
}

/** A path-less add or replace: each known key of the value object is a change. */
function pathlessChanges(op: 'add' | 'replace', value: unknown, where: string): GroupChange[] {
  if (!isObject(value)) throw invalidSyntax(`${where}: a path-less ${op} needs an object value`);
  const changes: GroupChange[] = [];
  for (const [key, sub] of Object.entries(value)) {
    const attribute = ATTRIBUTES.get(key.toLowerCase());
    if (attribute === undefined) continue; // id (Okta sends it), schemas, meta, unknown attributes
    changes.push(pathChange(op, { attribute }, key, true, sub, `${where}.value.${attribute}`));
  }
  return changes;
}

function parseOperation(raw: unknown, index: number): GroupChange[] {
  const where = `Operations[${index}]`;
  if (!isObject(raw)) throw invalidSyntax(`${where} must be an object`);
  const op = memberOf(raw, 'op');
  if (typeof op !== 'string') throw invalidSyntax(`${where}.op is required (add, replace or remove)`);
  const lower = op.toLowerCase();
  if (lower !== 'add' && lower !== 'replace' && lower !== 'remove') {
    throw invalidSyntax(`${where}.op "${op}" is not add, replace or remove`);
  }
  const rawPath = memberOf(raw, 'path');
  if (rawPath !== undefined && rawPath !== null && typeof rawPath !== 'string') {
    throw new ScimError(400, `${where}.path must be a string`, 'invalidPath');
  }
  const hasValue = hasKey(raw, 'value');
  const value = memberOf(raw, 'value');
  if (typeof rawPath !== 'string' || rawPath.trim() === '') {
    if (lower === 'remove') throw new ScimError(400, `${where}: remove needs a path`, 'noTarget');
    if (!hasValue) throw invalidSyntax(`${where}: "${op}" needs a value`);
    return pathlessChanges(lower, value, where);
  }
  if (lower !== 'remove' && !hasValue) throw invalidSyntax(`${where}: "${op}" needs a value`);
  let path: GroupPath;
  try {
    path = parseGroupPath(rawPath);
  } catch (error) {
    throw error instanceof ScimError
      ? new ScimError(400, `${where}: ${error.detail}`, error.scimType)
      : error;
  }
  return [pathChange(lower, path, rawPath, hasValue, value, where)];
}

export function parseGroupPatch(body: unknown): GroupChange[] {
  if (!isObject(body)) throw invalidSyntax('The request body must be a PatchOp JSON object');
  const schemas = memberOf(body, 'schemas');
  if (schemas !== undefined) {
    const list = typeof schemas === 'string' ? [schemas] : schemas;
    const ok =
      Array.isArray(list) &&
      list.some((urn) => typeof urn === 'string' && urn.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase());
    if (!ok) throw invalidSyntax(`schemas must contain "${PATCH_OP_SCHEMA}"`);
  }
  const operations = memberOf(body, 'operations');
  if (!Array.isArray(operations)) throw invalidSyntax('Operations must be an array of operations');
  if (operations.length > MAX_OPERATIONS) {
    throw invalidSyntax(`Operations has ${operations.length} operations; the limit is ${MAX_OPERATIONS}`);
  }
  return operations.flatMap(parseOperation);
}
