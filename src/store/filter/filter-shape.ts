// A filter's shape: the tree with its string values taken out, so that `userName eq "a@x"` and
// `userName eq "b@y"` share one compiled query (query-templates.ts). Other values (numbers,
// booleans, null) stay in the shape: they can change the SQL. Works on any filter tree of ast.ts,
// validated (ResolvedFilter) or as parsed.
import type { FilterAttribute } from '../../scim/filter/ast.ts';

/** What a filter tree of ast.ts looks like to this module. */
type ShapeNode =
  | { readonly kind: 'compare'; readonly value: unknown }
  | { readonly kind: 'present' }
  | { readonly kind: 'and' | 'or'; readonly left: ShapeNode; readonly right: ShapeNode }
  | { readonly kind: 'not' | 'valuePath'; readonly filter: ShapeNode };

type Compare = ShapeNode & { kind: 'compare' };

export interface FilterShape<Node> {
  /** The filter with its i-th string value replaced by `{ slot: i }`; JSON, for a cache key. */
  readonly key: string;
  readonly values: readonly string[];
  /** The filter again, with `values[i]` (or whatever stands for it) in slot i. */
  fill(values: readonly unknown[]): Node;
}

/** `node` with each comparison replaced by what `change` makes of it. */
function mapComparisons(node: ShapeNode, change: (compare: Compare) => Compare): ShapeNode {
  switch (node.kind) {
    case 'and':
    case 'or':
      return {
        ...node,
        left: mapComparisons(node.left, change),
        right: mapComparisons(node.right, change),
      };
    case 'not':
    case 'valuePath':
      return { ...node, filter: mapComparisons(node.filter, change) };
    case 'present':
      return node;
    case 'compare':
      return change(node);
  }
}

/** The slot a shaped comparison's value stands for, if it is one. */
function slotOf(node: Compare): number | undefined {
  const value = node.value;
  return typeof value === 'object' && value !== null ? (value as { slot: number }).slot : undefined;
}

/** In the key, a validated path's definitions stand as their names (they follow from them). */
function keyOf(shape: ShapeNode): string {
  return JSON.stringify(shape, (name, value: unknown) =>
    (name === 'attribute' || name === 'subAttribute') && typeof value === 'object' && value !== null
      ? (value as FilterAttribute).name
      : value,
  );
}

export function filterShape<Node extends ShapeNode>(filter: Node): FilterShape<Node> {
  const values: string[] = [];
  const shape = mapComparisons(filter, (node) => {
    if (typeof node.value !== 'string') return node;
    values.push(node.value);
    return { ...node, value: { slot: values.length - 1 } };
  });
  return {
    key: keyOf(shape),
    values,
    fill: (replacements) =>
      mapComparisons(shape, (node) => {
        const slot = slotOf(node);
        return slot === undefined ? node : { ...node, value: replacements[slot] };
      }) as Node,
  };
}
