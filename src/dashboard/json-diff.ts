// A compact before/after view of an audit event: the leaves that differ, by dotted path. Arrays
// count as leaves (emails are compared as a whole), so a change reads as one line.

export interface DiffLine {
  path: string;
  before: string | undefined;
  after: string | undefined;
}

function leaves(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out.set(prefix, '{}');
    for (const [key, child] of entries) leaves(child, prefix ? `${prefix}.${key}` : key, out);
    return;
  }
  if (prefix) out.set(prefix, typeof value === 'string' ? value : JSON.stringify(value));
}

/** The paths whose value differs (added, removed or changed), in a stable order. */
export function diffJson(before: unknown, after: unknown): DiffLine[] {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  leaves(before ?? {}, '', a);
  leaves(after ?? {}, '', b);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((path) => a.get(path) !== b.get(path))
    .map((path) => ({ path, before: a.get(path), after: b.get(path) }));
}
