// Operations on the whole of a multi-valued attribute (RFC 7644 §3.5.2.1–3): `add` appends
// without duplicates, `replace` swaps the whole array, `remove` drops it — or, with a `value`,
// only the listed values (Entra removes group members that way; never "remove all").

import { foldCase } from '../fold-case.ts';
import {
  assertSinglePrimary,
  coerceAttributeValue,
  MAX_MULTI_VALUED_ELEMENTS,
} from '../resource/coerce-value.ts';
import type { ScimComplex, ScimValue } from '../resource/scim-user.ts';
import { isComplex } from '../resource/scim-user.ts';
import type { AttributeDefinition } from '../schemas/attribute-definition.ts';
import { findAttribute } from '../schemas/resolve-attribute.ts';
import { badRequest } from '../scim-error.ts';

export type Op = 'add' | 'replace' | 'remove';

export function elementsOf(container: ScimComplex, definition: AttributeDefinition): ScimValue[] {
  const value = container[definition.name];
  return Array.isArray(value) ? value : [];
}

export function isEmptyValue(value: ScimValue | undefined): boolean {
  return (
    value === undefined ||
    value === null ||
    (Array.isArray(value) && value.length === 0) ||
    (isComplex(value) && Object.keys(value).length === 0)
  );
}

/** Stores `elements` (dropping empty ones); an empty list removes the attribute (RFC 7643 §2.5). */
export function setElements(
  container: ScimComplex,
  definition: AttributeDefinition,
  elements: ScimValue[],
): void {
  const kept = elements.filter((element) => !isEmptyValue(element));
  if (kept.length > MAX_MULTI_VALUED_ELEMENTS) {
    throw badRequest(`${definition.name} would have more than ${MAX_MULTI_VALUED_ELEMENTS} values`);
  }
  if (kept.length === 0) delete container[definition.name];
  else container[definition.name] = kept;
}

function sameText(a: ScimValue | undefined, b: ScimValue | undefined, caseExact: boolean): boolean {
  if (typeof a === 'string' && typeof b === 'string' && !caseExact) return foldCase(a) === foldCase(b);
  return a === b;
}

function canonicalJson(value: ScimValue | undefined): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (!isComplex(value)) return JSON.stringify(value) ?? 'undefined';
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
}

/**
 * Two values are the same when their `value` sub-attributes are equal (respecting caseExact) and
 * their `type`s do not disagree; values without a `value` compare whole.
 */
export function sameElement(definition: AttributeDefinition, a: ScimValue, b: ScimValue): boolean {
  if (!isComplex(a) || !isComplex(b)) return sameText(a, b, definition.caseExact);
  if (a.value === undefined && b.value === undefined) return canonicalJson(a) === canonicalJson(b);
  const valueDefinition = findAttribute(definition.subAttributes ?? [], 'value');
  if (!sameText(a.value, b.value, valueDefinition?.caseExact ?? false)) return false;
  return a.type === undefined || b.type === undefined || sameText(a.type, b.type, false);
}

function coerceElements(definition: AttributeDefinition, value: ScimValue): ScimValue[] {
  const coerced = coerceAttributeValue(definition, value, definition.name, { keepNulls: false });
  return Array.isArray(coerced) ? coerced : [coerced];
}

/** An operation whose path is exactly the multi-valued attribute (`emails`, no filter). */
export function applyToAttribute(
  container: ScimComplex,
  op: Op,
  definition: AttributeDefinition,
  value: ScimValue | undefined,
): void {
  if (value === undefined || value === null) {
    delete container[definition.name];
    return;
  }
  const incoming = coerceElements(definition, value);
  if (op === 'remove') {
    const kept = elementsOf(container, definition).filter(
      (element) => !incoming.some((listed) => sameElement(definition, element, listed)),
    );
    setElements(container, definition, kept);
  } else if (op === 'replace') {
    setElements(container, definition, incoming);
  } else {
    const merged = [...elementsOf(container, definition)];
    for (const element of incoming) {
      const existing = merged.find((candidate) => sameElement(definition, candidate, element));
      // Merged in place so that the element keeps its identity (see settlePrimaries); the stored
      // spelling of `value` is kept.
      if (isComplex(existing) && isComplex(element)) {
        const kept = existing.value;
        Object.assign(existing, element);
        if (kept !== undefined) existing.value = kept;
      } else if (existing === undefined) merged.push(element);
    }
    assertSinglePrimary(incoming, definition.name);
    setElements(container, definition, merged);
  }
}
