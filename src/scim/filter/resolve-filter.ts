// Turns a parsed filter (and a `sortBy`) into what the store compiles: validated (400 `invalidFilter`,
// `invalidValue` for sortBy, see validate-filter.ts), in canonical form, and with each path carrying
// its catalogue definitions (ast.ts, ResolvedFilter), so that the SQL compiler looks nothing up.

import type { AttributeDefinition } from '../schemas/attribute-definition.ts';
import { USER_SCHEMA } from '../schemas/urns.ts';
import { ScimError } from '../scim-error.ts';
import type { AttributePath, FilterNode, ResolvedFilter, ResolvedFilterPath, ResolvedSort } from './ast.ts';
import { parseAttributePath } from './parse-filter.ts';
import {
  comparisonTarget,
  type ResolvedPath,
  resolveElementPath,
  resolvePath,
} from './resolve-filter-path.ts';
import { invalidFilter } from './tokenize-filter.ts';
import { validateFilter } from './validate-filter.ts';

export function resolveFilter(filter: FilterNode): ResolvedFilter {
  return attach(validateFilter(filter), undefined);
}

/**
 * `node` is canonical (validateFilter), so every path resolves; `parent` is the attribute whose
 * element a bracketed filter reads.
 */
function attach(node: FilterNode, parent: AttributeDefinition | undefined): ResolvedFilter {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { kind: node.kind, left: attach(node.left, parent), right: attach(node.right, parent) };
    case 'not':
      return { kind: 'not', filter: attach(node.filter, parent) };
    case 'present':
      return { kind: 'present', path: pathIn(node.path, parent) };
    case 'compare':
      // validateFilter wrote nulls as `pr` and numbers as their text.
      return {
        kind: 'compare',
        path: pathIn(node.path, parent),
        op: node.op,
        value: node.value as string | boolean,
      };
    case 'valuePath': {
      const resolved = mustResolve(node.path);
      return {
        kind: 'valuePath',
        path: filterPath(resolved),
        filter: attach(node.filter, resolved.attribute),
      };
    }
  }
}

function pathIn(path: AttributePath, parent: AttributeDefinition | undefined): ResolvedFilterPath {
  if (parent === undefined) return filterPath(mustResolve(path));
  const sub = resolveElementPath(parent, path);
  if (typeof sub === 'string') throw invalidFilter(sub);
  return { attribute: sub };
}

function mustResolve(path: AttributePath): ResolvedPath {
  const resolved = resolvePath(path);
  if (typeof resolved === 'string') throw invalidFilter(resolved);
  return resolved;
}

function filterPath(resolved: ResolvedPath): ResolvedFilterPath {
  return {
    ...(resolved.schema === USER_SCHEMA ? {} : { schema: resolved.schema }),
    attribute: resolved.attribute,
    ...(resolved.subAttribute === undefined ? {} : { subAttribute: resolved.subAttribute }),
  };
}

/**
 * `sortBy` (RFC 7644 §3.4.2.3): a (sub-)attribute with a value of its own; a multi-valued attribute
 * sorts by its `value`. 400 `invalidValue` otherwise.
 */
export function resolveSortBy(sortBy: string): ResolvedSort {
  const resolved = resolvePath(parseAttributePath(sortBy, 'invalidValue'));
  if (typeof resolved === 'string') throw invalidSort(resolved);
  const key = comparisonTarget(resolved);
  if (key === undefined) {
    throw invalidSort(`'${sortBy}' is a complex attribute: sort by one of its sub-attributes`);
  }
  return { path: filterPath(resolved), key, text: sortBy };
}

function invalidSort(detail: string): ScimError {
  return new ScimError(400, `Invalid sortBy: ${detail}`, 'invalidValue');
}
