// The bracket part of a PATCH path (`emails[type eq "work"]`, RFC 7644 §3.5.2 `valuePath`).
// Parsing and matching belong to ../filter/; this module only ties them to the attribute
// definitions: names in the filter must be sub-attributes of the filtered attribute, and an
// `eq`-only filter can describe the element to create when nothing matches (add-on-miss).
import type { FilterNode } from '../filter/ast.ts';
import { matchFilter } from '../filter/match-filter.ts';
import { parseFilter } from '../filter/parse-filter.ts';
import type { ScimComplex } from '../resource/scim-user.ts';
import type { AttributeDefinition } from '../schemas/attribute-definition.ts';
import { findAttribute } from '../schemas/resolve-attribute.ts';
import { ScimError } from '../scim-error.ts';

function invalidPath(detail: string): ScimError {
  return new ScimError(400, detail, 'invalidPath');
}

/** Rewrites the filter's names to canonical spelling; unknown names are a bad path. */
function canonicalize(node: FilterNode, definition: AttributeDefinition): FilterNode {
  switch (node.kind) {
    case 'and':
    case 'or':
      return {
        ...node,
        left: canonicalize(node.left, definition),
        right: canonicalize(node.right, definition),
      };
    case 'not':
      return { ...node, filter: canonicalize(node.filter, definition) };
    case 'valuePath':
      throw invalidPath(`value filters cannot be nested inside ${definition.name}[…]`);
    case 'compare':
    case 'present': {
      const sub = findAttribute(definition.subAttributes ?? [], node.path.attribute);
      if (node.path.schema !== undefined || node.path.subAttribute !== undefined || !sub) {
        throw invalidPath(`${definition.name} has no sub-attribute '${node.path.attribute}' to filter on`);
      }
      return { ...node, path: { attribute: sub.name } };
    }
  }
}

/** Parses the text between the brackets; any filter error becomes a 400 `invalidPath`. */
export function parseValueFilter(text: string, definition: AttributeDefinition): FilterNode {
  let node: FilterNode;
  try {
    node = parseFilter(text);
  } catch (error) {
    if (error instanceof ScimError) throw invalidPath(error.detail);
    throw error;
  }
  return canonicalize(node, definition);
}

/**
 * Whether one element of `definition` matches. The element is presented to the matcher inside a
 * one-element resource (`{emails: [element]}` against `emails[filter]`), so that the matcher applies
 * its own knowledge of the attribute (caseExact, types) exactly as it does for `GET ?filter=`.
 */
export function matchesElement(
  filter: FilterNode,
  definition: AttributeDefinition,
  element: ScimComplex,
): boolean {
  const wrapped: FilterNode = { kind: 'valuePath', path: { attribute: definition.name }, filter };
  return matchFilter(wrapped, { [definition.name]: [element] });
}

/**
 * The sub-attributes an `eq`-only filter pins down: `type eq "work"` → `{type: "work"}`;
 * `type eq "work" and primary eq true` → both. Undefined when the filter says anything else
 * (`or`, `not`, `co`, …): then there is no single element to create.
 */
export function elementFromFilter(filter: FilterNode): ScimComplex | undefined {
  if (filter.kind === 'and') {
    const left = elementFromFilter(filter.left);
    const right = elementFromFilter(filter.right);
    if (!left || !right) return undefined;
    for (const [key, value] of Object.entries(right)) {
      if (Object.hasOwn(left, key) && left[key] !== value) return undefined;
      left[key] = value;
    }
    return left;
  }
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.value !== null) {
    return { [filter.path.attribute]: filter.value };
  }
  return undefined;
}
