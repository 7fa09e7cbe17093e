// Filter texts for the fuzz tests: well-formed filters built from RFC 7644 §3.4.2.2's grammar over
// the User vocabulary (some name attributes or comparisons Roster refuses, which is fine: the
// answer must then be a 400), and grammar-shaped token soup that is mostly malformed.
import fc from 'fast-check';
import {
  BAD_PATHS,
  casings,
  HOSTILE_STRINGS,
  OPERATORS,
  SIMPLE_PATHS,
  VALUE_PATH_ATTRIBUTES,
} from './fuzz.ts';

const DATES = [
  '2019-06-30T23:59:59.999Z',
  '2020-01-01T00:00:00Z',
  '2024-01-05T09:30:00.000Z',
  '2024-01-15T00:00:00+02:00',
  '2025-12-31T00:00:00Z',
  '2024-02-30T00:00:00Z',
  'yesterday',
];

/** A compValue as filter text: a JSON string from `strings`, a number, true, false, null, a bare word. */
export function compValue(strings: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: strings.map((s) => JSON.stringify(s)) },
    { weight: 1, arbitrary: fc.constantFrom(...DATES).map((s) => JSON.stringify(s)) },
    { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null', 'True', 'NULL') },
    {
      weight: 1,
      arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })).map(String),
    },
    { weight: 1, arbitrary: strings.filter((s) => /^[A-Za-z0-9@._+-]+$/.test(s)) },
  );
}

const simplePath = fc.constantFrom(...SIMPLE_PATHS).chain((path) => casings(path));

/** `attrPath op value` or `attrPath pr`, over `paths`. */
function attributeExpression(paths: fc.Arbitrary<string>, values: fc.Arbitrary<string>) {
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(paths, casings('eq'), values).map(([p, o, v]) => `${p} ${o} ${v}`) },
    {
      weight: 5,
      arbitrary: fc.tuple(paths, fc.constantFrom(...OPERATORS), values).map(([p, o, v]) => `${p} ${o} ${v}`),
    },
    { weight: 2, arbitrary: fc.tuple(paths, casings('pr')).map(([p, o]) => `${p} ${o}`) },
  );
}

/** `attr[valFilter]`, optionally followed by Entra's `.sub op value` tail. */
function valuePathExpression(values: fc.Arbitrary<string>) {
  return fc.constantFrom(...VALUE_PATH_ATTRIBUTES).chain(({ attribute, subs }) => {
    const sub = fc.constantFrom(...subs);
    const inner = fc.letrec<{ f: string }>((tie) => ({
      f: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        attributeExpression(sub, values),
        fc.tuple(tie('f'), fc.constantFrom('and', 'or'), tie('f')).map(([a, k, b]) => `${a} ${k} ${b}`),
        tie('f').map((f) => `not (${f})`),
      ),
    })).f;
    return fc.oneof(
      inner.map((f) => `${attribute}[${f}]`),
      fc
        .tuple(inner, sub, fc.constantFrom(...OPERATORS), values)
        .map(([f, s, o, v]) => `${attribute}[${f}].${s} ${o} ${v}`),
    );
  });
}

/** A well-formed filter (as far as the grammar goes) over the User vocabulary. */
export function grammarFilter(strings: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const values = compValue(strings);
  return fc.letrec<{ filter: string }>((tie) => ({
    filter: fc.oneof(
      { depthSize: 'small', withCrossShrink: true, maxDepth: 4 },
      { weight: 4, arbitrary: attributeExpression(simplePath, values) },
      { weight: 2, arbitrary: valuePathExpression(values) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(tie('filter'), fc.constantFrom('and', 'or', 'AND', 'Or'), tie('filter'))
          .map(([a, k, b]) => `${a} ${k} ${b}`),
      },
      { weight: 1, arbitrary: tie('filter').map((f) => `(${f})`) },
      { weight: 1, arbitrary: tie('filter').map((f) => `not (${f})`) },
    ),
  })).filter;
}

const SOUP_TOKENS = [
  '(',
  ')',
  '[',
  ']',
  '"',
  '\\',
  '.',
  ':',
  'and',
  'or',
  'not',
  'pr',
  ...OPERATORS,
  'EQ',
  'true',
  'null',
  '"a"',
  '"\\u00e9"',
  '"\\ud83d\\ude00"',
  '"\\x"',
  '"\\u12"',
  "'single'",
  '1e999',
  '-0',
  '0x10',
  'userName',
  'emails[type eq "work"]',
  '.value',
  'urn:ietf:params:scim:schemas:core:2.0:User:userName',
  ...BAD_PATHS,
  ...SIMPLE_PATHS.slice(0, 12),
];

/** Grammar-shaped garbage: filter tokens and hostile strings joined by random separators. */
export const tokenSoup: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...SOUP_TOKENS) },
        { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
        { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
      ),
      fc.constantFrom(' ', ' ', ' ', '', '  ', '\t', '\n', '\u00a0'),
    ),
    { minLength: 1, maxLength: 20 },
  )
  .map((parts) => parts.map(([token, separator]) => token + separator).join(''));

/** Deeply nested parentheses, brackets and `not`s, around the parser's depth limit. */
export const deepFilter: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 120 }), fc.constantFrom('(', 'not (', '['), fc.boolean())
  .map(([depth, open, balanced]) => {
    const close = open === '[' ? ']' : ')';
    const core = open === '[' ? 'emails[type eq "work"]' : 'userName eq "a"';
    return `${open.repeat(depth)}${core}${balanced ? close.repeat(depth) : ''}`;
  });
