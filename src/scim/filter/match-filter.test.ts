import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchFilter } from './match-filter.ts';
import { parseFilter } from './parse-filter.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const jane: Record<string, unknown> = {
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: '00ujl29u0le5T6Aj10h7',
  userName: 'Jane.Doe@acme.com',
  name: { givenName: 'Jane', familyName: 'Doe', formatted: 'Jane Doe' },
  displayName: 'Jane Doe',
  nickName: '',
  emails: [
    { value: 'jane@other.org', type: 'work' },
    { value: 'jane.doe@acme.com', type: 'home', primary: true },
  ],
  phoneNumbers: [],
  addresses: [{ type: 'work', locality: 'Paris', postalCode: '75001' }],
  active: true,
  roles: [{ value: 'admin', display: 'Admin', primary: true }],
  meta: {
    resourceType: 'User',
    created: '2024-01-15T10:00:00.000Z',
    lastModified: '2024-03-01T12:30:00.000Z',
    version: 'W/"3"',
  },
  [ENTERPRISE]: { department: 'Sales', manager: { value: 'boss-1', displayName: 'Big Boss' } },
};

const josé: Record<string, unknown> = {
  id: 'b1',
  userName: 'josé@acme.com',
  name: { givenName: 'José' },
  active: false,
  roles: [],
  emails: [{ value: 'JOSÉ@ACME.COM', type: 'Work' }],
};

type Case = readonly [string, string, boolean, Record<string, unknown>?];

const CASES: readonly Case[] = [
  // Names and string values ignore case unless the attribute is caseExact (RFC 7643 §2.1, §2.2).
  ['matches userName whatever its case', 'userName eq "JANE.DOE@ACME.COM"', true],
  ['reads attribute names whatever their case', 'USERNAME eq "jane.doe@acme.com"', true],
  ['reads sub-attribute names whatever their case', 'Name.GivenName eq "jane"', true],
  ['compares externalId exactly', 'externalId eq "00UJL29U0LE5T6AJ10H7"', false],
  ['matches externalId written exactly', 'externalId eq "00ujl29u0le5T6Aj10h7"', true],
  ['compares id exactly', 'id eq "2819C223-7F76-453A-919D-413861904646"', false],
  ['compares meta.version exactly', 'meta.version eq "w/\\"3\\""', false],
  ['matches meta.version written exactly', 'meta.version eq "W/\\"3\\""', true],
  [
    'matches a core attribute written with its schema URN',
    'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "jane"',
    true,
  ],
  ['matches an extension attribute with its URN', `${ENTERPRISE}:department eq "sales"`, true],
  ['matches an extension sub-attribute', `${ENTERPRISE}:manager.value eq "boss-1"`, true],
  [
    'matches an extension URN written in another case',
    `${ENTERPRISE.toUpperCase()}:department eq "Sales"`,
    true,
  ],
  ['does not find an extension attribute without its URN', 'department eq "Sales"', false],
  // Operators.
  ['matches co anywhere in the value', 'displayName co "E D"', true],
  ['matches sw at the start only', 'userName sw "doe"', false],
  ['matches ew at the end', 'userName ew "@ACME.COM"', true],
  ['orders strings for gt', 'userName gt "jane"', true],
  ['orders strings for lt', 'userName lt "jane"', false],
  ['includes equality in ge', 'userName ge "jane.doe@acme.com"', true],
  ['includes equality in le', 'userName le "JANE.DOE@ACME.COM"', true],
  ['treats an empty co value as matching any string', 'displayName co ""', true],
  ['treats % and _ literally', 'displayName co "%"', false],
  // Multi-valued attributes: any element (RFC 7644 §3.4.2.2).
  ['matches emails.value when any element matches', 'emails.value eq "JANE.DOE@acme.com"', true],
  ['compares value when a multi-valued attribute is named alone', 'emails eq "jane@other.org"', true],
  ['matches a bracket filter within one element', 'emails[type eq "work" and value ew "@other.org"]', true],
  [
    'does not match a bracket filter across two elements',
    'emails[type eq "work" and value co "@acme"]',
    false,
  ],
  ['reads the Entra path form per element', 'emails[type eq "home"].value eq "jane.doe@acme.com"', true],
  [
    'does not mix elements in the Entra path form',
    'emails[type eq "work"].value eq "jane.doe@acme.com"',
    false,
  ],
  ['reads ne in the Entra path form as not eq', 'emails[type eq "work"].value ne "jane.doe@acme.com"', true],
  ['matches a boolean sub-attribute in a bracket', 'emails[primary eq true]', true],
  ['does not treat a missing primary as false', 'emails[type eq "work" and primary eq false]', false],
  ['matches not inside a bracket per element', 'emails[not (type eq "work")]', true],
  ['matches roles.value', 'roles.value eq "ADMIN"', true],
  ['matches roles[primary eq true]', 'roles[primary eq true]', true],
  [
    'treats a singular complex attribute as one element',
    'name[givenName eq "jane" and familyName eq "doe"]',
    true,
  ],
  ['matches addresses sub-attributes', 'addresses[type eq "work" and postalCode sw "75"]', true],
  // pr and absence.
  ['sees a filled attribute as present', 'displayName pr', true],
  ['sees an empty string as absent', 'nickName pr', false],
  ['sees an empty array as absent', 'phoneNumbers pr', false],
  ['sees a filled array as present', 'emails pr', true],
  ['sees a missing attribute as absent', 'title pr', false],
  ['sees a complex attribute with a value as present', 'name pr', true],
  ['sees a false boolean as present', 'active pr', true, josé],
  ['matches ne on a missing attribute', 'title ne "x"', true],
  ['matches not of a comparison on a missing attribute', 'not (title eq "x")', true],
  ['reads eq null as not present', 'title eq null', true],
  ['reads ne null as present', 'displayName ne null', true],
  ['does not match eq null on a present attribute', 'displayName eq null', false],
  ['does not match gt on a missing attribute', 'title gt "a"', false],
  // dateTime compares instants, whatever their written offset.
  ['compares dateTimes as instants', 'meta.created eq "2024-01-15T11:00:00+01:00"', true],
  ['orders dateTimes', 'meta.lastModified gt "2024-02-29T23:59:59Z"', true],
  ['reads a dateTime without offset as UTC', 'meta.created lt "2024-01-15T10:00:01"', true],
  ['does not match an invalid dateTime', 'meta.created gt "yesterday"', false],
  ['does not match co on a dateTime', 'meta.created co "2024"', false],
  // Booleans.
  ['matches active eq true', 'active eq true', true],
  ['matches active ne true on an inactive member', 'active ne true', true, josé],
  ['does not match a boolean with gt', 'active gt false', false],
  ['does not match a boolean with a string', 'active eq "true"', false],
  // Logic.
  ['applies and', 'userName sw "jane" and active eq true', true],
  ['applies or', 'userName eq "x" or displayName eq "jane doe"', true],
  ['negates with not', 'not (userName sw "jane")', false],
  ['binds and tighter than or', 'userName eq "x" or userName eq "y" and active eq true', false],
  ['negates a bracket filter as a whole', 'not (emails[type eq "work" and value co "@acme"])', true],
  // Unknown attributes, and the unquoted-value tolerance.
  ['treats an unknown attribute as absent', 'favoriteColor eq "blue"', false],
  ['matches ne on an unknown attribute', 'favoriteColor ne "blue"', true],
  ['never reads the prototype', 'constructor pr', false],
  ['never reads the prototype of an element', 'emails[constructor pr]', false],
  ['treats an attribute of another schema as absent', 'urn:example:1.0:Thing:userName pr', false],
  [
    'compares an unquoted number with a string by its text',
    'externalId eq 12345',
    true,
    { externalId: '12345' },
  ],
  ['matches an unquoted value', 'userName eq jane.doe@acme.com', true],
  // Case folding beyond ASCII.
  // Case folding is ASCII only, as on both stores (src/scim/fold-case.ts).
  ['does not fold non-ASCII letters', 'userName eq "JOSÉ@ACME.COM"', false, josé],
  ['folds the ASCII letters around them', 'userName eq "JOSé@ACME.COM"', true, josé],
  ['still folds ASCII letters', 'emails.type eq "WORK"', true, josé],
  ['does not read a dotted capital I as i', 'userName eq "İANE.DOE@ACME.COM"', false],
  [
    'does not read the Kelvin sign as k',
    'name.familyName eq "\u212Aoe"',
    false,
    { name: { familyName: 'koe' } },
  ],
];

describe('matchFilter', () => {
  for (const [name, filter, expected, resource = jane] of CASES) {
    it(`${name}: ${filter}`, () => assert.equal(matchFilter(parseFilter(filter), resource), expected));
  }

  it('never reads __proto__, even from a hand-built filter', () => {
    const filter = { kind: 'present', path: { attribute: '__proto__' } } as const;
    assert.equal(matchFilter(filter, jane), false);
  });

  it('never throws on values of unexpected types in the resource', () => {
    const odd = { userName: 42, emails: 'x', name: ['a'], meta: { created: 7 }, active: 'yes' };
    for (const filter of [
      'userName eq "42"',
      'emails.value pr',
      'emails[type eq "x"]',
      'name.givenName pr',
    ]) {
      assert.equal(matchFilter(parseFilter(filter), odd), false);
    }
    assert.equal(matchFilter(parseFilter('meta.created gt "2020-01-01T00:00:00Z"'), odd), false);
    assert.equal(matchFilter(parseFilter('active eq true'), odd), false);
  });
});
