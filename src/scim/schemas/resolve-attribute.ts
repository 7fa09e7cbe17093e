// Attribute names → definitions, case-insensitively (RFC 7643 §2.1), including URN-prefixed
// names (RFC 7644 §3.10). In a User resource the Enterprise extension is one complex attribute
// whose name is its URN, so `urn:…:enterprise:2.0:User:manager.value` resolves to the chain
// [extension, manager, value]. Lookups go through arrays of definitions, never through a plain
// object indexed by client input, so `__proto__` or `constructor` can only ever be "unknown".

import type { AttributeDefinition } from './attribute-definition.ts';
import { defineAttribute } from './attribute-definition.ts';
import { ENTERPRISE_USER_ATTRIBUTES } from './enterprise-user-attributes.ts';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from './urns.ts';
import { COMMON_ATTRIBUTES, USER_ATTRIBUTES } from './user-attributes.ts';

/** The Enterprise User extension seen as one complex attribute of the User resource. */
export const ENTERPRISE_EXTENSION_ATTRIBUTE: AttributeDefinition = defineAttribute(
  ENTERPRISE_USER_SCHEMA,
  'complex',
  'Enterprise User extension (RFC 7643 §4.3).',
  { subAttributes: ENTERPRISE_USER_ATTRIBUTES },
);

/** Every top-level attribute of a Roster User resource. */
export const USER_RESOURCE_ATTRIBUTES: readonly AttributeDefinition[] = [
  ...COMMON_ATTRIBUTES,
  ...USER_ATTRIBUTES,
  ENTERPRISE_EXTENSION_ATTRIBUTE,
];

/** Names that must never be used as keys of an object built from client input. */
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * True when a path mentions `__proto__`, `constructor` or `prototype` as a name anywhere (any
 * case) — outside string literals, so `emails[value eq "prototype@acme.com"]` stays usable.
 */
export function containsForbiddenName(text: string): boolean {
  const withoutLiterals = text.replace(/"(?:[^"\\]|\\.)*"?/g, ' ');
  return withoutLiterals.split(/[^A-Za-z0-9_$]+/).some(isForbiddenName);
}

export function isForbiddenName(name: string): boolean {
  return FORBIDDEN_NAMES.has(name.toLowerCase());
}

/** ATTRNAME of RFC 7644 §3.10 (plus `$ref`, RFC 7643 §2.4). */
const ATTRIBUTE_NAME = /^(?:\$ref|[A-Za-z][A-Za-z0-9_-]*)$/;

export function isAttributeName(name: string): boolean {
  return ATTRIBUTE_NAME.test(name) && !isForbiddenName(name);
}

/**
 * Each list of definitions by name as defined and by lower-cased name, built on first use (the
 * lists are constants). Stored documents use the defined names, so most lookups end at the first
 * map without lower-casing (a page of 100 members looks up about 1,500 names).
 */
const indexes = new WeakMap<
  readonly AttributeDefinition[],
  { exact: Map<string, AttributeDefinition>; lower: Map<string, AttributeDefinition> }
>();

/** Finds a definition by name, ignoring case. */
export function findAttribute(
  definitions: readonly AttributeDefinition[],
  name: string,
): AttributeDefinition | undefined {
  let index = indexes.get(definitions);
  if (!index) {
    index = { exact: new Map(), lower: new Map() };
    for (const definition of definitions) {
      const lower = definition.name.toLowerCase();
      if (!index.lower.has(lower)) index.lower.set(lower, definition);
    }
    // A name as defined finds what its lower-cased form finds (the first definition of that name).
    for (const definition of definitions) {
      index.exact.set(definition.name, index.lower.get(definition.name.toLowerCase())!);
    }
    indexes.set(definitions, index);
  }
  return index.exact.get(name) ?? index.lower.get(name.toLowerCase());
}

/** Splits a URN prefix off `text`: the extension chain to start from and the dotted rest. */
function splitSchemaPrefix(text: string): { start: AttributeDefinition[]; rest: string } | undefined {
  const lower = text.toLowerCase();
  if (!lower.startsWith('urn:')) return { start: [], rest: text };
  const enterprise = ENTERPRISE_USER_SCHEMA.toLowerCase();
  if (lower === enterprise) return { start: [ENTERPRISE_EXTENSION_ATTRIBUTE], rest: '' };
  if (lower.startsWith(`${enterprise}:`)) {
    return { start: [ENTERPRISE_EXTENSION_ATTRIBUTE], rest: text.slice(enterprise.length + 1) };
  }
  const core = USER_SCHEMA.toLowerCase();
  if (lower.startsWith(`${core}:`)) return { start: [], rest: text.slice(core.length + 1) };
  const group = GROUP_SCHEMA.toLowerCase();
  if (lower.startsWith(`${group}:`)) return { start: [], rest: text.slice(group.length + 1) };
  return undefined; // an unknown schema URN
}

/**
 * Resolves `name`, `name.givenName`, `urn:…:core:2.0:User:name.givenName`,
 * `urn:…:enterprise:2.0:User`, `urn:…:enterprise:2.0:User:manager.value` into the chain of
 * definitions from the resource root. Undefined when any part is unknown or malformed.
 */
export function resolveAttributePath(
  text: string,
  root: readonly AttributeDefinition[] = USER_RESOURCE_ATTRIBUTES,
): readonly AttributeDefinition[] | undefined {
  const split = splitSchemaPrefix(text);
  if (!split) return undefined;
  const chain = [...split.start];
  if (split.rest === '') return chain.length > 0 ? chain : undefined;
  let candidates = chain.length > 0 ? (chain[0]?.subAttributes ?? []) : root;
  for (const name of split.rest.split('.')) {
    if (!isAttributeName(name)) return undefined;
    const definition = findAttribute(candidates, name);
    if (!definition) return undefined;
    chain.push(definition);
    candidates = definition.subAttributes ?? [];
  }
  return chain;
}

/** The canonical dotted name of a chain, e.g. `name.givenName` or `urn:…:User:manager.value`. */
export function formatAttributePath(chain: readonly AttributeDefinition[]): string {
  const [first, ...rest] = chain;
  if (!first) return '';
  if (first === ENTERPRISE_EXTENSION_ATTRIBUTE) {
    return rest.length > 0 ? `${first.name}:${rest.map((d) => d.name).join('.')}` : first.name;
  }
  return chain.map((definition) => definition.name).join('.');
}
