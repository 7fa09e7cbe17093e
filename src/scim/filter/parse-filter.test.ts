import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../scim-error.ts';
import type { AttributePath, CompareOperator, FilterNode, FilterValue } from './ast.ts';
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parseAttributePath, parseFilter } from './parse-filter.ts';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** `p('name.givenName')`, `p('department', ENTERPRISE)`. */
function p(dotted: string, schema?: string): AttributePath {
  const [attribute, subAttribute] = dotted.split('.') as [string, string | undefined];
  return {
    ...(schema === undefined ? {} : { schema }),
    attribute,
    ...(subAttribute === undefined ? {} : { subAttribute }),
  };
}
const cmp = (path: string | AttributePath, op: CompareOperator, value: FilterValue): FilterNode => ({
  kind: 'compare',
  path: typeof path === 'string' ? p(path) : path,
  op,
  value,
});
const pr = (path: string | AttributePath): FilterNode => ({
  kind: 'present',
  path: typeof path === 'string' ? p(path) : path,
});
const and = (left: FilterNode, right: FilterNode): FilterNode => ({ kind: 'and', left, right });
const or = (left: FilterNode, right: FilterNode): FilterNode => ({ kind: 'or', left, right });
const not = (filter: FilterNode): FilterNode => ({ kind: 'not', filter });
const vp = (path: string | AttributePath, filter: FilterNode): FilterNode => ({
  kind: 'valuePath',
  path: typeof path === 'string' ? p(path) : path,
  filter,
});

const A = cmp('userName', 'eq', 'a');
const B = cmp('userName', 'eq', 'b');
const C = cmp('userName', 'eq', 'c');

const VALID: ReadonlyArray<readonly [string, FilterNode]> = [
  // What Okta and Entra ID send (docs/idp-requests.md).
  ['userName eq "jane.doe@acme.com"', cmp('userName', 'eq', 'jane.doe@acme.com')],
  ['userName eq "JANE.DOE@ACME.COM"', cmp('userName', 'eq', 'JANE.DOE@ACME.COM')],
  ['externalId eq "00ujl29u0le5T6Aj10h7"', cmp('externalId', 'eq', '00ujl29u0le5T6Aj10h7')],
  [
    'externalId eq "2819c223-7f76-453a-919d-413861904646"',
    cmp('externalId', 'eq', '2819c223-7f76-453a-919d-413861904646'),
  ],
  [
    'emails[type eq "work"].value eq "jane@acme.com"',
    vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'eq', 'jane@acme.com'))),
  ],
  ['displayName eq "Jane Doe"', cmp('displayName', 'eq', 'Jane Doe')],
  ['displayName eq "Engineering"', cmp('displayName', 'eq', 'Engineering')],
  [
    'userName eq "jane@acme.com" and externalId eq "abc"',
    and(cmp('userName', 'eq', 'jane@acme.com'), cmp('externalId', 'eq', 'abc')),
  ],
  ['members[value eq "2819c223"]', vp('members', cmp('value', 'eq', '2819c223'))],
  // Every operator, in several spellings (RFC 7644 §3.4.2.2: operators are case-insensitive).
  ['userName eq "a"', A],
  ['userName EQ "a"', A],
  ['userName Eq "a"', A],
  ['userName ne "a"', cmp('userName', 'ne', 'a')],
  ['userName NE "a"', cmp('userName', 'ne', 'a')],
  ['title co "Engineer"', cmp('title', 'co', 'Engineer')],
  ['title CO "Engineer"', cmp('title', 'co', 'Engineer')],
  ['userName sw "J"', cmp('userName', 'sw', 'J')],
  ['userName Sw "J"', cmp('userName', 'sw', 'J')],
  ['userName ew "@acme.com"', cmp('userName', 'ew', '@acme.com')],
  ['userName EW "@acme.com"', cmp('userName', 'ew', '@acme.com')],
  ['meta.lastModified gt "2011-05-13T04:42:34Z"', cmp('meta.lastModified', 'gt', '2011-05-13T04:42:34Z')],
  ['meta.lastModified GT "2011-05-13T04:42:34Z"', cmp('meta.lastModified', 'gt', '2011-05-13T04:42:34Z')],
  ['meta.lastModified ge "2011-05-13T04:42:34Z"', cmp('meta.lastModified', 'ge', '2011-05-13T04:42:34Z')],
  ['meta.created lt "2011-05-13T04:42:34Z"', cmp('meta.created', 'lt', '2011-05-13T04:42:34Z')],
  ['meta.created LT "2011-05-13T04:42:34Z"', cmp('meta.created', 'lt', '2011-05-13T04:42:34Z')],
  ['meta.created le "2011-05-13T04:42:34Z"', cmp('meta.created', 'le', '2011-05-13T04:42:34Z')],
  ['meta.created Le "2011-05-13T04:42:34Z"', cmp('meta.created', 'le', '2011-05-13T04:42:34Z')],
  ['userName gt "m"', cmp('userName', 'gt', 'm')],
  ['userName ge "m"', cmp('userName', 'ge', 'm')],
  ['userName lt "m"', cmp('userName', 'lt', 'm')],
  ['userName le "m"', cmp('userName', 'le', 'm')],
  ['title pr', pr('title')],
  ['title PR', pr('title')],
  ['TITLE Pr', pr('TITLE')],
  ['name.givenName pr', pr('name.givenName')],
  ['emails pr', pr('emails')],
  [`${ENTERPRISE}:manager pr`, pr(p('manager', ENTERPRISE))],
  // Attribute names keep the case they were written in; meaning ignores it (validateFilter).
  ['USERNAME eq "a"', cmp('USERNAME', 'eq', 'a')],
  ['Emails.Value eq "a"', cmp('Emails.Value', 'eq', 'a')],
  // Logical operators and precedence: and binds tighter than or; both associate to the left.
  ['userName eq "a" and userName eq "b"', and(A, B)],
  ['userName eq "a" AND userName eq "b"', and(A, B)],
  ['userName eq "a" And userName eq "b"', and(A, B)],
  ['userName eq "a" or userName eq "b"', or(A, B)],
  ['userName eq "a" OR userName eq "b"', or(A, B)],
  ['userName eq "a" Or userName eq "b"', or(A, B)],
  ['userName eq "a" or userName eq "b" and userName eq "c"', or(A, and(B, C))],
  ['userName eq "a" and userName eq "b" or userName eq "c"', or(and(A, B), C)],
  ['userName eq "a" or userName eq "b" or userName eq "c"', or(or(A, B), C)],
  ['userName eq "a" and userName eq "b" and userName eq "c"', and(and(A, B), C)],
  ['(userName eq "a" or userName eq "b") and userName eq "c"', and(or(A, B), C)],
  ['userName eq "a" and (userName eq "b" or userName eq "c")', and(A, or(B, C))],
  ['((userName eq "a"))', A],
  ['(((userName eq "a") or (userName eq "b")))', or(A, B)],
  ['(userName eq "a")and(userName eq "b")', and(A, B)],
  // not (RFC 7644: `not` always takes a parenthesised filter).
  ['not (userName eq "a")', not(A)],
  ['NOT (userName eq "a")', not(A)],
  ['not(userName eq "a")', not(A)],
  ['not (userName eq "a" or userName eq "b")', not(or(A, B))],
  ['not (not (userName eq "a"))', not(not(A))],
  ['userName eq "a" and not (userName eq "b")', and(A, not(B))],
  ['not (userName eq "a") or userName eq "b"', or(not(A), B)],
  ['not (title pr)', not(pr('title'))],
  ['not (emails[type eq "work"])', not(vp('emails', cmp('type', 'eq', 'work')))],
  // Schema URNs (RFC 7644 §3.10), split at the last colon: the URN itself holds "2.0".
  [`${CORE}:userName eq "a"`, cmp(p('userName', CORE), 'eq', 'a')],
  [`${CORE}:name.givenName eq "Jane"`, cmp(p('name.givenName', CORE), 'eq', 'Jane')],
  [`${ENTERPRISE}:department eq "Sales"`, cmp(p('department', ENTERPRISE), 'eq', 'Sales')],
  [
    `${ENTERPRISE}:manager.value eq "26118915-6090"`,
    cmp(p('manager.value', ENTERPRISE), 'eq', '26118915-6090'),
  ],
  [`${ENTERPRISE}:employeeNumber pr`, pr(p('employeeNumber', ENTERPRISE))],
  [`${CORE.toUpperCase()}:userName eq "a"`, cmp(p('userName', CORE.toUpperCase()), 'eq', 'a')],
  [`${CORE}:emails[type eq "work"]`, vp(p('emails', CORE), cmp('type', 'eq', 'work'))],
  [
    'urn:example:custom:1.0:Thing:color eq "red"',
    cmp(p('color', 'urn:example:custom:1.0:Thing'), 'eq', 'red'),
  ],
  // Sub-attributes.
  ['name.givenName eq "Jane"', cmp('name.givenName', 'eq', 'Jane')],
  ['name.familyName sw "D"', cmp('name.familyName', 'sw', 'D')],
  ['meta.resourceType eq "User"', cmp('meta.resourceType', 'eq', 'User')],
  ['emails.value co "@acme"', cmp('emails.value', 'co', '@acme')],
  ['addresses.postalCode sw "94"', cmp('addresses.postalCode', 'sw', '94')],
  ['x509Certificates.value pr', pr('x509Certificates.value')],
  ['groups.$ref pr', pr('groups.$ref')],
  ['my-attr_2 pr', pr('my-attr_2')],
  // Value filters, evaluated per element.
  ['emails[type eq "work"]', vp('emails', cmp('type', 'eq', 'work'))],
  [
    'emails[type eq "work" and value co "@acme"]',
    vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@acme'))),
  ],
  ['emails[not (type eq "work")]', vp('emails', not(cmp('type', 'eq', 'work')))],
  [
    'emails[(type eq "work" or type eq "home") and primary eq true]',
    vp('emails', and(or(cmp('type', 'eq', 'work'), cmp('type', 'eq', 'home')), cmp('primary', 'eq', true))),
  ],
  ['emails[ type eq "work" ]', vp('emails', cmp('type', 'eq', 'work'))],
  ['emails[value pr]', vp('emails', pr('value'))],
  [
    'emails[type eq "work"] and userName sw "j"',
    and(vp('emails', cmp('type', 'eq', 'work')), cmp('userName', 'sw', 'j')),
  ],
  [
    'emails[type eq "work"] or emails[type eq "home"]',
    or(vp('emails', cmp('type', 'eq', 'work')), vp('emails', cmp('type', 'eq', 'home'))),
  ],
  [
    'addresses[type eq "work" and postalCode sw "9"]',
    vp('addresses', and(cmp('type', 'eq', 'work'), cmp('postalCode', 'sw', '9'))),
  ],
  ['name[givenName eq "Jane"]', vp('name', cmp('givenName', 'eq', 'Jane'))],
  // The PATCH-path shape with a trailing sub-attribute (Entra ID), read per element (see ast.ts).
  [
    'emails[type eq "work"].value co "@acme"',
    vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@acme'))),
  ],
  ['emails[type eq "work"].value pr', vp('emails', and(cmp('type', 'eq', 'work'), pr('value')))],
  [
    'emails[type eq "work"].value ne "x"',
    not(vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'eq', 'x')))),
  ],
  [
    'EMAILS[TYPE EQ "work"].VALUE EQ "x"',
    vp('EMAILS', and(cmp('TYPE', 'eq', 'work'), cmp('VALUE', 'eq', 'x'))),
  ],
  [
    'emails[type eq "work"].value eq "x" and active eq true',
    and(vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'eq', 'x'))), cmp('active', 'eq', true)),
  ],
  // JSON string literals (RFC 8259 §7).
  ['userName eq "say \\"hi\\""', cmp('userName', 'eq', 'say "hi"')],
  ['userName eq "back\\\\slash"', cmp('userName', 'eq', 'back\\slash')],
  ['userName eq "a\\/b"', cmp('userName', 'eq', 'a/b')],
  ['userName eq "Jos\\u00e9"', cmp('userName', 'eq', 'José')],
  ['userName eq "Jos\\u00E9"', cmp('userName', 'eq', 'José')],
  ['userName eq "\\ud83d\\ude00"', cmp('userName', 'eq', '😀')],
  ['userName eq "line\\nbreak\\ttab\\r\\b\\f"', cmp('userName', 'eq', 'line\nbreak\ttab\r\b\f')],
  ['userName eq ""', cmp('userName', 'eq', '')],
  ['userName eq "José Zoë 日本"', cmp('userName', 'eq', 'José Zoë 日本')],
  ['userName eq "a) or (b"', cmp('userName', 'eq', 'a) or (b')],
  ['userName eq "x] and [y"', cmp('userName', 'eq', 'x] and [y')],
  ['userName eq "100%_"', cmp('userName', 'eq', '100%_')],
  ['userName eq "  padded  "', cmp('userName', 'eq', '  padded  ')],
  // Numbers and literals (true/false/null are case-insensitive too).
  ['x eq 1', cmp('x', 'eq', 1)],
  ['x eq -1', cmp('x', 'eq', -1)],
  ['x eq 0', cmp('x', 'eq', 0)],
  ['x gt 1.5', cmp('x', 'gt', 1.5)],
  ['x lt 1e3', cmp('x', 'lt', 1000)],
  ['x le -0.5E-2', cmp('x', 'le', -0.005)],
  ['active eq true', cmp('active', 'eq', true)],
  ['active eq false', cmp('active', 'eq', false)],
  ['active eq True', cmp('active', 'eq', true)],
  ['active eq FALSE', cmp('active', 'eq', false)],
  ['title eq null', cmp('title', 'eq', null)],
  ['title ne NULL', cmp('title', 'ne', null)],
  // Tolerance: unquoted values are read as strings.
  ['userName eq jane@acme.com', cmp('userName', 'eq', 'jane@acme.com')],
  ['userName eq Jane', cmp('userName', 'eq', 'Jane')],
  ['externalId eq 00ujl29u0le5T6Aj10h7', cmp('externalId', 'eq', '00ujl29u0le5T6Aj10h7')],
  [
    'userName eq jane@acme.com and active eq true',
    and(cmp('userName', 'eq', 'jane@acme.com'), cmp('active', 'eq', true)),
  ],
  ['(userName eq jane)', cmp('userName', 'eq', 'jane')],
  ['emails[value eq jane@acme.com]', vp('emails', cmp('value', 'eq', 'jane@acme.com'))],
  ['userName eq 123abc', cmp('userName', 'eq', '123abc')],
  ['userName eq 1.2.3', cmp('userName', 'eq', '1.2.3')],
  ['userName eq truely', cmp('userName', 'eq', 'truely')],
  ['userName eq urn:x:y', cmp('userName', 'eq', 'urn:x:y')],
  // Whitespace IdPs and people add.
  ['  userName eq "a"  ', A],
  ['userName   eq    "a"', A],
  ['userName\teq\t"a"', A],
  ['userName eq "a"\nand\nuserName eq "b"', and(A, B)],
  ['userName eq"a"', A],
  ['( userName eq "a" )', A],
  ['not  ( userName eq "a" )', not(A)],
];

const deep = (depth: number) => `${'('.repeat(depth)}userName eq "a"${')'.repeat(depth)}`;

const INVALID: ReadonlyArray<readonly [string, string, RegExp]> = [
  ['an empty filter', '', /the filter is empty/],
  ['a blank filter', '   \t ', /the filter is empty/],
  [
    'a filter over the length limit',
    `userName eq "${'x'.repeat(MAX_FILTER_LENGTH)}"`,
    /characters long; the limit is 4096/,
  ],
  [
    'parentheses nested too deep',
    deep(MAX_FILTER_DEPTH + 1),
    /nesting deeper than 50 levels at character 51/,
  ],
  [
    'not nested too deep',
    `${'not ('.repeat(MAX_FILTER_DEPTH + 1)}title pr${')'.repeat(MAX_FILTER_DEPTH + 1)}`,
    /nesting deeper than 50/,
  ],
  ['an unterminated string', 'userName eq "abc', /unterminated string starting at character 13/],
  ['a string ended by an escaped quote', 'userName eq "abc\\"', /unterminated string/],
  ['a string ending in a lone backslash', 'userName eq "abc\\', /unterminated string/],
  ['an unknown escape', 'userName eq "a\\x"', /invalid escape \\x at character 15/],
  ['a short \\u escape', 'userName eq "\\u12"', /invalid \\u escape at character 14/],
  ['a \\u escape with a non-hex digit', 'userName eq "\\u12G4"', /invalid \\u escape/],
  [
    'a missing right operand of and',
    'userName eq "a" and',
    /expected an attribute path, '\(' or 'not' at character 20/,
  ],
  [
    'a missing left operand of and',
    'and userName eq "a"',
    /expected an attribute path.*at character 1, found 'and'/,
  ],
  ['a doubled or', 'userName eq "a" or or userName eq "b"', /at character 20, found 'or'/],
  ['empty parentheses', '()', /expected an attribute path, '\(' or 'not' at character 2, found '\)'/],
  ['not with empty parentheses', 'not ()', /expected an attribute path/],
  ['a missing value at the end', 'userName eq', /missing value after 'eq' at character 12/],
  ['a missing value before a parenthesis', '(userName eq)', /missing value after 'eq' at character 13/],
  ['a keyword where the value should be', 'userName eq and title pr', /found the keyword 'and'/],
  ['an operator where the value should be', 'userName eq eq', /found the keyword 'eq'/],
  ['a missing operator', 'userName', /expected an operator after 'userName'/],
  ['a value without an operator', 'userName "x"', /expected an operator after 'userName' at character 10/],
  ['a closing parenthesis instead of an operator', '(userName)', /expected an operator/],
  ['an unknown operator', 'userName equals "x"', /unknown operator 'equals' at character 10/],
  ['a symbolic operator', 'userName == "x"', /unknown operator '=='/],
  ['the SQL operator like', 'userName like "x"', /unknown operator 'like'/],
  ['the operator in', 'userName in "x"', /unknown operator 'in'/],
  ['an unclosed parenthesis', '(userName eq "a"', /missing '\)' for the '\(' at character 1/],
  ['an extra closing parenthesis', 'userName eq "a")', /unbalanced '\)' at character 16/],
  ['one parenthesis short', '((userName eq "a")', /missing '\)'/],
  ['an unclosed bracket', 'emails[type eq "work"', /missing '\]' for the '\[' at character 7/],
  ['a bracket closed by a parenthesis', 'emails[type eq "work")', /missing '\]'.*found '\)' at character 22/],
  ['a stray closing bracket', 'userName eq "a"]', /unbalanced '\]' at character 16/],
  ['a closing bracket without an opening one', 'emails type eq "work"]', /unknown operator 'type'/],
  ['a bracket opening the filter', '[type eq "work"]', /expected an attribute path.*found '\['/],
  [
    'trailing garbage after a value',
    'userName eq "a" "b"',
    /expected 'and', 'or' or the end of the filter at character 17, found the string "b"/,
  ],
  ['a trailing word', 'userName eq "a" x', /at character 17, found 'x'/],
  ['a trailing operator', 'userName eq "a" pr', /found 'pr'/],
  ['a bracket nested in a bracket', 'emails[type[value eq "x"] eq "y"]', /value filters cannot be nested/],
  [
    'a value path inside a value filter',
    'emails[type eq "a" and addresses[type eq "b"]]',
    /'\[' at character 33 is inside the '\[' at character 7/,
  ],
  ['pr with a string value', 'title pr "x"', /'pr' takes no value, found the string "x" at character 10/],
  ['pr with a bare value', 'title pr x', /'pr' takes no value/],
  ['pr with a literal', 'title pr true', /'pr' takes no value/],
  ['not without parentheses', 'not userName eq "a"', /expected '\(' after 'not' at character 1/],
  ['an unclosed not', 'not (userName eq "a"', /missing '\)'/],
  ['single-quoted strings', "userName eq 'jane'", /double quotes, not single quotes/],
  ['an attribute starting with a digit', '1abc eq "x"', /invalid attribute path '1abc' at character 1/],
  ['an attribute with two dots', 'a.b.c eq "x"', /more than one sub-attribute level/],
  ['an attribute starting with a dot', '.x eq "y"', /invalid attribute path '.x'/],
  ['an attribute with a trailing dot', 'userName. eq "x"', /invalid attribute path/],
  ['a URN without an attribute', 'urn:foo:bar: eq "x"', /invalid attribute path/],
  [
    'a string where the attribute should be',
    '"userName" eq "x"',
    /expected an attribute path.*found the string/,
  ],
  [
    'a value filter on a sub-attribute',
    'emails.value[type eq "x"]',
    /must follow an attribute, not 'emails.value'/,
  ],
  [
    'an invalid sub-attribute after a value filter',
    'emails[type eq "work"].1x eq "a"',
    /invalid sub-attribute/,
  ],
  [
    'a sub-attribute after a value filter without an operator',
    'emails[type eq "work"].value',
    /expected an operator/,
  ],
  [
    'two sub-attribute levels after a value filter',
    'emails[type eq "work"].value.x eq "a"',
    /invalid sub-attribute/,
  ],
  ['an open parenthesis at the end', 'userName eq "a" and (', /expected an attribute path/],
];

function assertInvalidFilter(run: () => unknown, message?: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ScimError, `expected a ScimError, got ${String(error)}`);
    assert.equal(error.status, 400);
    assert.equal(error.scimType, 'invalidFilter');
    if (message) assert.match(error.detail, message);
    return true;
  });
}

describe('parseFilter', () => {
  for (const [text, expected] of VALID) {
    it(`reads ${JSON.stringify(text)}`, () => assert.deepEqual(parseFilter(text), expected));
  }
  for (const [reason, text, message] of INVALID) {
    it(`rejects ${reason} with 400 invalidFilter`, () =>
      assertInvalidFilter(() => parseFilter(text), message));
  }

  it('accepts nesting up to the depth limit', () => {
    assert.deepEqual(parseFilter(deep(MAX_FILTER_DEPTH)), A);
  });

  it('parses a long flat chain of or without recursion trouble', () => {
    const text = Array.from({ length: 200 }, (_, i) => `userName eq "${i}"`).join(' or ');
    assert.equal(parseFilter(text).kind, 'or');
  });

  it('rejects a value that is not a string at all', () => {
    assertInvalidFilter(() => parseFilter(42 as unknown as string), /must be a string/);
  });

  it('never throws anything but a 400 invalidFilter, whatever the input', () => {
    const pieces = [
      'userName',
      'emails',
      '[',
      ']',
      '(',
      ')',
      '"x"',
      '"',
      '\\',
      'eq',
      'pr',
      'and',
      'or',
      'not',
      '.v',
      ' ',
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let round = 0; round < 3000; round += 1) {
      const length = 1 + Math.floor(random() * 12);
      const text = Array.from({ length }, () => pieces[Math.floor(random() * pieces.length)]).join(' ');
      try {
        parseFilter(text);
      } catch (error) {
        assert.ok(
          error instanceof ScimError && error.scimType === 'invalidFilter',
          `${text}: ${String(error)}`,
        );
      }
    }
  });
});

describe('parseAttributePath', () => {
  it('reads a sortBy value with a schema URN and a sub-attribute', () => {
    assert.deepEqual(parseAttributePath(`${ENTERPRISE}:manager.value`), p('manager.value', ENTERPRISE));
  });

  it('reports errors with the scimType the caller asks for', () => {
    assert.throws(
      () => parseAttributePath('name..x', 'invalidValue'),
      (error: unknown) => error instanceof ScimError && error.scimType === 'invalidValue',
    );
  });

  it('rejects an empty path', () => {
    assert.throws(() => parseAttributePath('  '), /the attribute path is empty/);
  });
});
