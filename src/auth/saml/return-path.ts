// Where a sign-in may send the browser afterwards: a path on this site, nothing else. RelayState
// from an IdP-initiated sign-in is attacker-influenced (anyone can post a valid-looking form to
// the ACS), so it is honoured only as a same-origin relative path: "/…", never "//host" or
// "/\host" (which browsers read as another host), no scheme, no control characters (a tab or
// newline is dropped by URL parsers, turning "/\t/evil" into "//evil").
const MAX_LENGTH = 500;

/** `value` when it is a safe same-site path, else ''. */
export function safeReturnPath(value: string): string {
  if (value.length === 0 || value.length > MAX_LENGTH) return '';
  if (!value.startsWith('/') || value.startsWith('//')) return '';
  if (value.includes('\\')) return '';
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) return '';
  }
  // A same-origin URL after the browser's own parsing, to be sure.
  const base = 'https://roster.invalid';
  try {
    if (new URL(value, base).origin !== base) return '';
  } catch {
    return '';
  }
  return value;
}
