import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../scim-error.ts';
import { parseFilter } from './parse-filter.ts';
import { validateFilter } from './validate-filter.ts';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Input → the canonical filter it validates to, written as a filter too. */
const CANONICAL: ReadonlyArray<readonly [string, string, string]> = [
  ['spells names as the schema does', 'USERNAME eq "a"', 'userName eq "a"'],
  ['spells sub-attribute names as the schema does', 'NAME.GIVENNAME eq "a"', 'name.givenName eq "a"'],
  ['drops the core schema URN', `${CORE}:userName eq "a"`, 'userName eq "a"'],
  [
    'keeps the extension URN, canonically spelled',
    `${ENTERPRISE.toUpperCase()}:Department pr`,
    `${ENTERPRISE}:department pr`,
  ],
  ['compares value when a multi-valued attribute is named alone', 'emails eq "a"', 'emails.value eq "a"'],
  ['keeps pr on a whole multi-valued attribute', 'Emails pr', 'emails pr'],
  [
    'normalises dateTimes to UTC ISO strings',
    'meta.created gt "2024-01-15T11:00:00+01:00"',
    'meta.created gt "2024-01-15T10:00:00.000Z"',
  ],
  [
    'reads a dateTime without offset as UTC',
    'meta.lastModified le "2024-01-15T10:00:00"',
    'meta.lastModified le "2024-01-15T10:00:00.000Z"',
  ],
  [
    'turns an unquoted number into text for a string attribute',
    'externalId eq 12345',
    'externalId eq "12345"',
  ],
  ['rewrites eq null as not pr', 'title eq null', 'not (title pr)'],
  ['rewrites ne null as pr', 'title ne null', 'title pr'],
  [
    'canonicalises names inside brackets',
    'EMAILS[TYPE eq "work" and Primary eq true]',
    'emails[type eq "work" and primary eq true]',
  ],
  [
    'canonicalises the Entra path form',
    'emails[type eq "work"].VALUE eq "x"',
    'emails[type eq "work" and value eq "x"]',
  ],
  ['accepts a bracket on a singular complex attribute', 'name[givenName eq "a"]', 'name[givenName eq "a"]'],
];

const REJECTED: ReadonlyArray<readonly [string, string, RegExp]> = [
  ['an unknown attribute', 'favoriteColor eq "blue"', /unknown attribute 'favoriteColor'/],
  ['an unknown sub-attribute', 'name.nickname eq "a"', /'name' has no sub-attribute 'nickname'/],
  ['a sub-attribute of a simple attribute', 'userName.value eq "a"', /'userName' has no sub-attributes/],
  [
    'an attribute of another schema',
    'urn:example:1.0:Thing:color eq "red"',
    /schema 'urn:example:1.0:Thing'/,
  ],
  ['an extension attribute without its URN', 'department eq "Sales"', /take their schema URN/],
  ['the never-returned password', 'password eq "secret"', /never returned/],
  ['a comparison of a singular complex attribute', 'name eq "Jane"', /'name' is a complex attribute/],
  ['gt on a boolean', 'active gt true', /'active' is a boolean: only eq, ne and pr/],
  ['a string compared with a boolean', 'active eq "true"', /compare it with true or false/],
  ['a boolean compared with a string attribute', 'userName eq true', /'userName' is a string/],
  ['an invalid dateTime', 'meta.created gt "yesterday"', /not an xsd:dateTime/],
  ['an impossible date', 'meta.created gt "2024-02-30T00:00:00Z"', /not an xsd:dateTime/],
  ['co on a dateTime', 'meta.created co "2024"', /'meta.created' is a dateTime/],
  ['a number compared with a dateTime', 'meta.created gt 2024', /not an xsd:dateTime/],
  ['gt with null', 'title gt null', /only eq and ne can/],
  ['an unknown sub-attribute in a bracket', 'emails[kind eq "work"]', /'emails' has no sub-attribute 'kind'/],
  ['a dotted path in a bracket', 'emails[emails.type eq "work"]', /name a sub-attribute of one element/],
  ['a bracket on a simple attribute', 'userName[value eq "a"]', /needs a complex attribute/],
  ['a bracket on an unknown attribute', 'things[value eq "a"]', /unknown attribute 'things'/],
];

describe('validateFilter', () => {
  for (const [name, input, canonical] of CANONICAL) {
    it(`${name}: ${input}`, () => {
      assert.deepEqual(validateFilter(parseFilter(input)), parseFilter(canonical));
    });
  }
  for (const [name, input, message] of REJECTED) {
    it(`rejects ${name} with 400 invalidFilter: ${input}`, () => {
      assert.throws(
        () => validateFilter(parseFilter(input)),
        (error: unknown) =>
          error instanceof ScimError &&
          error.status === 400 &&
          error.scimType === 'invalidFilter' &&
          message.test(error.detail),
      );
    });
  }

  it('rejects a hand-built nested value filter', () => {
    const inner = {
      kind: 'valuePath',
      path: { attribute: 'emails' },
      filter: { kind: 'present', path: { attribute: 'value' } },
    } as const;
    assert.throws(
      () => validateFilter({ kind: 'valuePath', path: { attribute: 'emails' }, filter: inner }),
      /cannot be nested/,
    );
  });
});
