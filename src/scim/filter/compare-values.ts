// Value semantics shared by the validator and the in-memory matcher: ordering of strings, dateTime
// parsing, and what "present" means (case folding is ../fold-case.ts). The SQL compiler reproduces
// the same rules with the dialects' fold (src/store/dialect.ts), LIKE/GLOB and ISO-8601 string
// comparison (src/store/filter/).

/**
 * Orders strings by code point, which is how SQLite (BINARY) and PostgreSQL (C collations) compare
 * UTF-8 text; plain `<` on JavaScript strings orders UTF-16 code units and disagrees above U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i += 1) {
    const diff = left[i]!.codePointAt(0)! - right[i]!.codePointAt(0)!;
    if (diff !== 0) return diff;
  }
  return left.length - right.length;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * Parses an xsd:dateTime (RFC 7643 §2.3.5) strictly — `Date.parse` alone would accept "March 7" —
 * and returns its instant in epoch milliseconds. A value without an offset is read as UTC.
 */
export function parseDateTime(value: string): number | undefined {
  const match = DATE_TIME.exec(value);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as number[];
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth) return undefined;
  if (hour! > 23 || minute! > 59 || second! > 59) return undefined;
  const zone = match[8] ?? 'Z';
  const fraction = (match[7] ?? '').slice(0, 4);
  const time = Date.parse(`${match.slice(1, 4).join('-')}T${match.slice(4, 7).join(':')}${fraction}${zone}`);
  return Number.isNaN(time) ? undefined : time;
}

/** The stored form of a dateTime (`toISOString()`, UTC, milliseconds), or undefined if invalid. */
export function normaliseDateTime(value: string): string | undefined {
  const time = parseDateTime(value);
  return time === undefined ? undefined : new Date(time).toISOString();
}

/** RFC 7644 §3.4.2.2 `pr`: "has a non-empty, non-null value" — so not "", not [] and not {}. */
export function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.some(isPresent);
  if (typeof value === 'object') return Object.values(value).some(isPresent);
  return true;
}
