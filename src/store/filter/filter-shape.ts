// A filter's shape: the tree with its string values taken out, so that `userName eq "a@x"` and
// `userName eq "b@y"` share one compiled query (query-templates.ts). Other values (numbers,
// booleans, null) stay in the shape: they can change the SQL.
import type { FilterNode } from '../../scim/filter/ast.ts';

export interface FilterShape {
  /** The filter with its i-th string value replaced by `{ slot: i }`; JSON, for a cache key. */
  readonly key: string;
  readonly values: readonly string[];
  /** The filter again, with `values[i]` (or whatever stands for it) in slot i. */
  fill(values: readonly unknown[]): FilterNode;
}

export function filterShape(filter: FilterNode): FilterShape {
  const values: string[] = [];
  const shaped = (node: FilterNode): FilterNode => {
    switch (node.kind) {
      case 'and':
      case 'or':
        return { kind: node.kind, left: shaped(node.left), right: shaped(node.right) };
      case 'not':
        return { kind: 'not', filter: shaped(node.filter) };
      case 'valuePath':
        return { ...node, filter: shaped(node.filter) };
      case 'present':
        return node;
      case 'compare':
        if (typeof node.value !== 'string') return node;
        values.push(node.value);
        return { ...node, value: { slot: values.length - 1 } as unknown as string };
    }
  };
  const shape = shaped(filter);
  const fill = (replacements: readonly unknown[]): FilterNode => {
    const filled = (node: FilterNode): FilterNode => {
      switch (node.kind) {
        case 'and':
        case 'or':
          return { kind: node.kind, left: filled(node.left), right: filled(node.right) };
        case 'not':
          return { kind: 'not', filter: filled(node.filter) };
        case 'valuePath':
          return { ...node, filter: filled(node.filter) };
        case 'present':
          return node;
        case 'compare': {
          const slot = (node.value as unknown as { slot?: number } | null)?.slot;
          return slot === undefined ? node : { ...node, value: replacements[slot] as string };
        }
      }
    };
    return filled(shape);
  };
  return { key: JSON.stringify(shape), values, fill };
}
