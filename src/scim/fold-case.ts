// The one rule for "ignoring case" in Roster: ASCII letters only, A–Z → a–z; every other character,
// `İ` (U+0130), the Kelvin sign (U+212A), `ß`, `É`, compares as itself. It applies to emails,
// userNames and every SCIM attribute that is not caseExact, in SQL on both stores (the dialects'
// `fold`, src/store/dialect.ts) and in memory (the filter matcher, the sign-in throttle's key).
//
// Why ASCII: it is what SQLite's built-in lower() does and what PostgreSQL's lower() does under the
// "C" collation, so both stores and this function agree exactly, whatever the database's locale.
// Unicode folding differs between engines, locales and versions (PostgreSQL folded `İ` to `i` under
// a UTF-8 locale while SQLite and the throttle did not, which let `admİn@…` reach admin@…'s account
// with a fresh sign-in throttle). Identity providers send the userName and email exactly as stored,
// so provisioning never needs more; two people whose addresses differ only by a non-ASCII letter's
// case are, for Roster, two addresses.

/** `value` with A–Z lowered and nothing else changed. */
export function foldCase(value: string): string {
  return /[A-Z]/.test(value) ? value.replace(/[A-Z]+/g, (letters) => letters.toLowerCase()) : value;
}
