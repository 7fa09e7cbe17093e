// A filter's shape: the tree with its string values taken out, so that `userName eq "a@x"` and
// `userName eq "b@y"` share one compiled query (query-templates.ts). Other values (numbers,
// booleans, null) stay in the shape: they can change the SQL.
import type { CompareNode, FilterNode } from '../../scim/filter/ast.ts';

export interface FilterShape {
  /** The filter with its i-th string value replaced by `{ slot: i }`; JSON, for a cache key. */
  readonly key: string;
  readonly values: readonly string[];
  /** The filter again, with `values[i]` (or whatever stands for it) in slot i. */
  fill(values: readonly unknown[]): FilterNode;
}

/** `node` with each comparison replaced by what `change` makes of it. */
function mapComparisons(node: FilterNode, change: (compare: CompareNode) => CompareNode): FilterNode {
  switch (node.kind) {
    case 'and':
    case 'or':
      return {
        kind: node.kind,
        left: mapComparisons(node.left, change),
        right: mapComparisons(node.right, change),
      };
    case 'not':
      return { kind: 'not', filter: mapComparisons(node.filter, change) };
    case 'valuePath':
      return { ...node, filter: mapComparisons(node.filter, change) };
    case 'present':
      return node;
    case 'compare':
      return change(node);
  }
}

/** The slot a shaped comparison's value stands for, if it is one. */
function slotOf(node: CompareNode): number | undefined {
  const value = node.value as unknown;
  return typeof value === 'object' && value !== null ? (value as { slot: number }).slot : undefined;
}

export function filterShape(filter: FilterNode): FilterShape {
  const values: string[] = [];
  const shape = mapComparisons(filter, (node) => {
    if (typeof node.value !== 'string') return node;
    values.push(node.value);
    return { ...node, value: { slot: values.length - 1 } as unknown as string };
  });
  return {
    key: JSON.stringify(shape),
    values,
    fill: (replacements) =>
      mapComparisons(shape, (node) => {
        const slot = slotOf(node);
        return slot === undefined ? node : { ...node, value: replacements[slot] as string };
      }),
  };
}
