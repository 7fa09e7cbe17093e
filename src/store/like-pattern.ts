// LIKE patterns from client text: its own `%`, `_` and `\` are literal characters, never wildcards
// (used with ESCAPE '\', which both engines understand).

/** Above every character a folded prefix can be followed by (byte order in SQLite and C collations). */
export const PREFIX_END = '\u{10FFFF}';

export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** The pattern of `co` (contains), `sw` (starts with) or `ew` (ends with) `value`. */
export function likePattern(op: 'co' | 'sw' | 'ew', value: string): string {
  const escaped = escapeLike(value);
  if (op === 'co') return `%${escaped}%`;
  return op === 'sw' ? `${escaped}%` : `%${escaped}`;
}
