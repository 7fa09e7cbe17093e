// One PATCH operation applied to a working copy of the resource (RFC 7644 §3.5.2). The copy is
// mutated in place; applyPatch owns copying, atomicity and the checks that span operations.
import {
  assertSinglePrimary,
  coerceComplex,
  coerceSingleValue,
  fromBareValue,
} from '../resource/coerce-value.ts';
import type { ScimComplex, ScimValue } from '../resource/scim-user.ts';
import { isComplex } from '../resource/scim-user.ts';
import type { AttributeDefinition } from '../schemas/attribute-definition.ts';
import { findAttribute, isForbiddenName } from '../schemas/resolve-attribute.ts';
import { badRequest, ScimError } from '../scim-error.ts';
import type { Op } from './multi-valued.ts';
import { applyToAttribute, elementsOf, isEmptyValue, setElements } from './multi-valued.ts';
import type { PatchOperation } from './parse-patch-body.ts';
import type { PatchPath } from './parse-path.ts';
import { definitionsOf, parsePath } from './parse-path.ts';
import { elementFromFilter, matchesElement } from './value-filter.ts';

const COERCE = { keepNulls: false } as const;

/** Follows `chain` from `document`, creating missing objects when `create` is set. */
function containerAt(document: ScimComplex, chain: readonly AttributeDefinition[], create: boolean) {
  let container: ScimComplex = document;
  for (const definition of chain) {
    let next = container[definition.name];
    if (!isComplex(next)) {
      if (!create) return undefined;
      next = {};
      container[definition.name] = next;
    }
    container = next;
  }
  return container;
}

/** Deletes the now-empty objects along `chain`, deepest first (no `name: {}` left behind). */
function prune(document: ScimComplex, chain: readonly AttributeDefinition[]): void {
  for (let depth = chain.length; depth > 0; depth -= 1) {
    const parent = containerAt(document, chain.slice(0, depth - 1), false);
    const name = chain[depth - 1]?.name;
    if (parent && name !== undefined && isEmptyValue(parent[name])) delete parent[name];
  }
}

/**
 * Writes `value` into `container[definition.name]`. A complex value is merged sub-attribute by
 * sub-attribute (RFC 7644 §3.5.2.3: "Sub-attributes that are not specified in the value
 * parameter are left unchanged"), so `{"name": {"givenName": "J"}}` keeps `familyName`.
 * Read-only and unknown sub-attributes inside a value are ignored (RFC 7644 §3.3).
 */
function setValue(
  container: ScimComplex,
  definition: AttributeDefinition,
  value: ScimValue,
  op: Op,
  where: string,
) {
  if (value === null) {
    delete container[definition.name]; // RFC 7643 §2.5: null is "unassigned"
    return;
  }
  if (definition.mutability === 'readOnly' || definition.mutability === 'writeOnly') return;
  if (definition.multiValued) {
    applyToAttribute(container, op, definition, value);
    return;
  }
  if (definition.type !== 'complex') {
    container[definition.name] = coerceSingleValue(definition, value, where, COERCE);
    return;
  }
  // Entra's bare-string manager (../resource/coerce-value.ts, fromBareValue).
  const object = fromBareValue(definition, value);
  if (!isComplex(object)) throw badRequest(`${where} must be an object`);
  const current = container[definition.name];
  const target: ScimComplex = isComplex(current) ? current : {};
  for (const [key, sub] of Object.entries(object)) {
    if (isForbiddenName(key)) throw new ScimError(400, `${where}.${key} is not an attribute`, 'invalidPath');
    const subDefinition = findAttribute(definition.subAttributes ?? [], key);
    if (subDefinition && sub !== undefined) {
      setValue(target, subDefinition, sub, op, `${where}.${subDefinition.name}`);
    }
  }
  if (isEmptyValue(target)) delete container[definition.name];
  else container[definition.name] = target;
}

/** `emails.type` without a filter: every element (one is created when there are none). */
function applyToEachElement(
  container: ScimComplex,
  op: Op,
  list: AttributeDefinition,
  sub: AttributeDefinition,
  value: ScimValue | undefined,
) {
  const elements = elementsOf(container, list);
  const where = `${list.name}.${sub.name}`;
  if (op === 'remove' || value === undefined || value === null) {
    for (const element of elements) if (isComplex(element)) delete element[sub.name];
  } else if (elements.length === 0) {
    // RFC 7644 §3.5.2.3: replacing an attribute that has no value is an add.
    const element: ScimComplex = {};
    setValue(element, sub, value, op, where);
    elements.push(element);
  } else {
    for (const element of elements) if (isComplex(element)) setValue(element, sub, value, op, where);
    // `emails.primary: true` marks every element: refused, not resolved by "last one wins".
    if (sub.name === 'primary') assertSinglePrimary(elements, where);
  }
  setElements(container, list, elements);
}

/** Merges an object into one element: `replace emails[type eq "work"]` with `{"value": …}`. */
function mergeElement(
  list: AttributeDefinition,
  element: ScimComplex,
  value: ScimValue,
  where: string,
): void {
  const object = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (!isComplex(object)) throw badRequest(`${where} must be an object`);
  const incoming = coerceComplex(list.subAttributes ?? [], object, where, { keepNulls: true });
  for (const [key, sub] of Object.entries(incoming)) {
    if (sub === null) delete element[key];
    else if (sub !== undefined) element[key] = sub;
  }
}

/** `emails[type eq "work"]` and `emails[type eq "work"].value`. */
function applyFiltered(
  container: ScimComplex,
  op: Op,
  list: AttributeDefinition,
  path: PatchPath,
  value: ScimValue | undefined,
) {
  const filter = path.filter!;
  const sub = path.subAttribute;
  const elements = [...elementsOf(container, list)];
  const matched = elements.filter((element) => isComplex(element) && matchesElement(filter, list, element));
  const write = (element: ScimComplex, given: ScimValue) =>
    sub ? setValue(element, sub, given, op, path.text) : mergeElement(list, element, given, path.text);

  if (op === 'remove' || value === undefined || value === null) {
    // RFC 7644 §3.5.2.2 answers noTarget when nothing matches; Roster makes it a no-op so that an
    // IdP retrying a removal that already happened gets a success, not an error loop.
    if (sub) for (const element of matched) if (isComplex(element)) delete element[sub.name];
    setElements(container, list, sub ? elements : elements.filter((element) => !matched.includes(element)));
    return;
  }
  if (matched.length === 0) {
    // Add-on-miss: Entra sends `replace emails[type eq "work"].value` for a person with no work
    // email yet and expects one to be created with the filter's `eq` values.
    const template = elementFromFilter(filter);
    if (!template) {
      throw new ScimError(
        400,
        `No value matches "${path.text}", and the filter does not describe one to add`,
        'noTarget',
      );
    }
    const element = coerceComplex(list.subAttributes ?? [], template, path.text, COERCE);
    write(element, value);
    setElements(container, list, [...elements, element]);
    return;
  }
  for (const element of matched) if (isComplex(element)) write(element, value);
  setElements(container, list, elements);
}

function applyAtPath(document: ScimComplex, op: Op, path: PatchPath, value: ScimValue | undefined): void {
  const chain = path.attribute;
  const listIndex = chain.findIndex((definition) => definition.multiValued);
  const parents = chain.slice(0, listIndex === -1 ? -1 : listIndex);
  const removing = op === 'remove' || value === null || value === undefined;
  const container = containerAt(document, parents, !removing);
  if (container) {
    const target = chain[listIndex === -1 ? chain.length - 1 : listIndex]!;
    const sub = path.subAttribute ?? chain[listIndex + 1];
    if (listIndex === -1) {
      if (removing) delete container[target.name];
      else setValue(container, target, value, op, path.text);
    } else if (path.filter) applyFiltered(container, op, target, path, value);
    else if (sub) applyToEachElement(container, op, target, sub, value);
    else applyToAttribute(container, op, target, value);
  }
  prune(document, parents);
}

/**
 * A path-less add/replace: each key of `value` is applied as if it were a path (Okta sends
 * `{"active": false}`, `{"name": {"givenName": "J"}}`, `{"name.givenName": "J"}`; Entra
 * URN-prefixed keys). Read-only keys are ignored rather than refused (Okta sends `id` along when
 * renaming groups; RFC 7644 §3.3), and so are unknown ones, as in POST/PUT.
 */
function applyPathless(document: ScimComplex, op: Op, value: unknown): void {
  if (!isComplex(value)) throw badRequest('A path-less add or replace needs an object value');
  for (const [key, sub] of Object.entries(value)) {
    const path = parsePath(key, { unknown: 'ignore' });
    if (!path || sub === undefined) continue;
    const ignored = definitionsOf(path).some(
      (d) => d.mutability === 'readOnly' || d.mutability === 'writeOnly',
    );
    if (!ignored) applyAtPath(document, op, path, sub);
  }
}

export function applyOperation(document: ScimComplex, operation: PatchOperation): void {
  const { op, path } = operation;
  const value = operation.value as ScimValue | undefined;
  if (!path) {
    applyPathless(document, op, value);
    return;
  }
  const definitions = definitionsOf(path);
  if (definitions.some((definition) => definition.mutability === 'readOnly')) {
    throw new ScimError(400, `"${path.text}" is read-only`, 'mutability');
  }
  // `password` is accepted and discarded: Roster never stores passwords.
  if (definitions.some((definition) => definition.mutability === 'writeOnly')) return;
  applyAtPath(document, op, path, value);
}
