// PATCH paths (RFC 7644 §3.5.2, figure 1):
//
//   PATH = attrPath / valuePath [subAttr]
//
// i.e. `name.givenName`, `urn:…:enterprise:2.0:User:manager.value`, `emails[type eq "work"]`,
// `emails[type eq "work"].value`. Names are case-insensitive and resolved to their definitions
// here, so nothing downstream ever indexes an object with a name the client typed. Every problem
// is a 400 `invalidPath`; a path naming `__proto__`, `constructor` or `prototype` anywhere is
// refused outright (docs/idp-requests.md failure mode 14: prototype pollution through PATCH paths).
import type { FilterNode } from '../filter/ast.ts';
import type { AttributeDefinition } from '../schemas/attribute-definition.ts';
import {
  containsForbiddenName,
  findAttribute,
  isAttributeName,
  resolveAttributePath,
} from '../schemas/resolve-attribute.ts';
import { ScimError } from '../scim-error.ts';
import { parseValueFilter } from './value-filter.ts';

export interface PatchPath {
  /** The path as the client sent it, for messages. */
  readonly text: string;
  /** Definitions from the resource root: [name, givenName], [extension, manager, value], [emails]. */
  readonly attribute: readonly AttributeDefinition[];
  /** The value filter on the last (multi-valued) attribute of `attribute`. */
  readonly filter?: FilterNode;
  /** The sub-attribute after the filter: `value` in `emails[type eq "work"].value`. */
  readonly subAttribute?: AttributeDefinition;
}

function invalidPath(text: string, why: string): ScimError {
  return new ScimError(400, `Invalid path "${text}": ${why}`, 'invalidPath');
}

/** Index of the `]` closing the `[` at `open`, skipping string literals; -1 when unclosed. */
function findClosingBracket(text: string, open: number): number {
  let inString = false;
  for (let i = open + 1; i < text.length; i += 1) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === ']') return i;
    else if (char === '[') return -1;
  }
  return -1;
}

/** The dotted names of an attribute path, after any URN prefix (a URN ends at its last colon). */
function namesOf(attributeText: string): string[] {
  const bare = /^urn:/i.test(attributeText)
    ? attributeText.slice(attributeText.lastIndexOf(':') + 1)
    : attributeText;
  return bare.split('.');
}

/**
 * Parses and resolves a path. With `unknown: 'ignore'` (keys of a path-less value) an unknown
 * attribute gives undefined instead of an error; malformed or forbidden paths always throw.
 */
export function parsePath(text: string): PatchPath;
export function parsePath(text: string, options: { unknown: 'ignore' }): PatchPath | undefined;
export function parsePath(text: string, options?: { unknown: 'ignore' }): PatchPath | undefined {
  const path = text.trim();
  if (path === '') throw invalidPath(text, 'the path is empty');
  if (containsForbiddenName(path)) {
    throw invalidPath(text, 'it names __proto__, constructor or prototype, which are not attributes');
  }
  const open = path.indexOf('[');
  const close = open === -1 ? -1 : findClosingBracket(path, open);
  if (open !== -1 && close === -1) throw invalidPath(text, "'[' has no matching ']'");
  if (open === -1 && path.includes(']')) throw invalidPath(text, "']' without '['");
  const attributeText = open === -1 ? path : path.slice(0, open);
  const tail = open === -1 ? '' : path.slice(close + 1);
  if (!namesOf(attributeText).every(isAttributeName)) throw invalidPath(text, 'malformed attribute name');
  if (tail !== '' && !(tail.startsWith('.') && isAttributeName(tail.slice(1)))) {
    throw invalidPath(text, `unexpected '${tail}' after ']'`);
  }
  const attribute = resolveAttributePath(attributeText);
  if (!attribute) {
    if (options?.unknown === 'ignore') return undefined;
    throw invalidPath(text, `no attribute '${attributeText}' in the User resource`);
  }
  if (open === -1) return { text, attribute };

  const filtered = attribute[attribute.length - 1];
  if (!filtered?.multiValued) throw invalidPath(text, 'a value filter needs a multi-valued attribute');
  let filter: FilterNode;
  try {
    filter = parseValueFilter(path.slice(open + 1, close), filtered);
  } catch (error) {
    throw error instanceof ScimError ? invalidPath(text, error.detail) : error;
  }
  if (tail === '') return { text, attribute, filter };
  const subAttribute = findAttribute(filtered.subAttributes ?? [], tail.slice(1));
  if (!subAttribute) throw invalidPath(text, `${filtered.name} has no sub-attribute '${tail.slice(1)}'`);
  return { text, attribute, filter, subAttribute };
}

/** Every definition the path goes through, the target last. */
export function definitionsOf(path: PatchPath): readonly AttributeDefinition[] {
  return path.subAttribute ? [...path.attribute, path.subAttribute] : path.attribute;
}
