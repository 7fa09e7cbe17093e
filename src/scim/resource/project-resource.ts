// `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9) and the `returned`
// characteristic (RFC 7643 §2.2): `always` attributes (`id`, plus `schemas`) are in every
// response, `never` ones (`password`) in none, `request` ones only when asked for by name.
// Names are case-insensitive, may be URN-prefixed and may name sub-attributes
// (`name.givenName`, `emails.value`, `urn:…:enterprise:2.0:User:department`); unknown names are
// ignored (Entra asks Users for `excludedAttributes=members`).
import type { AttributeDefinition } from '../schemas/attribute-definition.ts';
import {
  findAttribute,
  resolveAttributePath,
  USER_RESOURCE_ATTRIBUTES,
} from '../schemas/resolve-attribute.ts';
import type { ScimComplex, ScimValue } from './scim-user.ts';
import { isComplex } from './scim-user.ts';

export interface ProjectionOptions {
  /** Values of the `attributes` query parameter, raw (comma-separated) or already split. */
  readonly attributes?: string | readonly string[] | undefined;
  readonly excludedAttributes?: string | readonly string[] | undefined;
}

/** `"userName, name.givenName,,emails"` → `['userName', 'name.givenName', 'emails']`. */
export function parseAttributeList(value: string | readonly string[] | undefined): string[] {
  const parts = typeof value === 'string' ? [value] : (value ?? []);
  return parts
    .flatMap((part) => part.split(','))
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

interface Selection {
  all: boolean;
  readonly children: Map<string, Selection>;
}

function buildSelection(chains: readonly (readonly AttributeDefinition[])[]): Selection {
  const root: Selection = { all: false, children: new Map() };
  for (const chain of chains) {
    let node = root;
    for (const definition of chain) {
      let child = node.children.get(definition.name);
      if (!child) {
        child = { all: false, children: new Map() };
        node.children.set(definition.name, child);
      }
      node = child;
    }
    node.all = true;
  }
  return root;
}

/** A deep copy of a JSON value (what a resource holds); cheaper than structuredClone for small ones. */
function copyJson(value: ScimValue): ScimValue {
  if (Array.isArray(value)) return value.map(copyJson);
  if (!isComplex(value)) return value;
  const copy: ScimComplex = {};
  for (const [key, sub] of Object.entries(value)) {
    if (sub === undefined) continue;
    // An own "__proto__" key (JSON.parse makes one) stays a key; assigning it would set the prototype.
    if (key === '__proto__')
      Object.defineProperty(copy, key, {
        value: copyJson(sub),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else copy[key] = copyJson(sub);
  }
  return copy;
}

function hasOwnKey(value: ScimComplex): boolean {
  for (const key in value) if (Object.hasOwn(value, key)) return true;
  return false;
}

function isEmpty(value: ScimValue): boolean {
  return (Array.isArray(value) && value.length === 0) || (isComplex(value) && !hasOwnKey(value));
}

const NO_DEFINITIONS: readonly AttributeDefinition[] = [];

/** Copies `value` keeping what `selection` asks for; no selection = the default set. */
function projectValue(definition: AttributeDefinition, value: ScimValue, selection?: Selection): ScimValue {
  if (Array.isArray(value)) {
    // One pass, no intermediate array: a page of 100 members projects a few hundred of these.
    const kept: ScimValue[] = [];
    for (const element of value) {
      const projected = projectValue(definition, element, selection);
      if (!isEmpty(projected)) kept.push(projected);
    }
    return kept;
  }
  return isComplex(value)
    ? projectComplex(value, definition.subAttributes ?? NO_DEFINITIONS, selection)
    : value;
}

function projectComplex(
  value: ScimComplex,
  definitions: readonly AttributeDefinition[],
  selection?: Selection,
): ScimComplex {
  const result: ScimComplex = {};
  // for…in over a JSON object (own, enumerable keys only) without Object.entries' pair arrays.
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const sub = value[key];
    if (sub === undefined) continue;
    const definition = findAttribute(definitions, key);
    if (!definition) {
      if (!selection || key === 'schemas') result[key] = copyJson(sub);
      continue;
    }
    if (definition.returned === 'never') continue;
    const child = selection?.children.get(definition.name);
    let projected: ScimValue | undefined;
    if (definition.returned === 'always' || (!selection && definition.returned !== 'request')) {
      projected = projectValue(definition, sub);
    } else if (child) {
      projected = projectValue(definition, sub, child.all ? undefined : child);
    }
    if (projected !== undefined && !(child && !child.all && isEmpty(projected)))
      result[definition.name] = projected;
  }
  return result;
}

function exclude(value: ScimValue | undefined, chain: readonly AttributeDefinition[]): void {
  const [first, ...rest] = chain;
  if (!first || first.returned === 'always') return; // §3.9: no effect on `always` attributes
  if (Array.isArray(value)) {
    for (const element of value) exclude(element, chain);
    const kept = value.filter((element) => !isEmpty(element));
    value.splice(0, value.length, ...kept);
    return;
  }
  if (!isComplex(value)) return;
  if (rest.length === 0) {
    delete value[first.name];
    return;
  }
  const sub = value[first.name];
  exclude(sub, rest);
  if (sub !== undefined && isEmpty(sub)) delete value[first.name];
}

/** A new, projected copy of `resource`; the input is not modified. */
export function projectResource(
  resource: ScimComplex,
  options: ProjectionOptions = {},
  definitions: readonly AttributeDefinition[] = USER_RESOURCE_ATTRIBUTES,
): ScimComplex {
  const resolve = (names: string[]) =>
    names
      .map((name) => resolveAttributePath(name, definitions))
      .filter((chain): chain is readonly AttributeDefinition[] => chain !== undefined);
  const requested = parseAttributeList(options.attributes);
  const selection = requested.length > 0 ? buildSelection(resolve(requested)) : undefined;
  const result = projectComplex(resource, definitions, selection);
  for (const chain of resolve(parseAttributeList(options.excludedAttributes))) exclude(result, chain);
  return result;
}
