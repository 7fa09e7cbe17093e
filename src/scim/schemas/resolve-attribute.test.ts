import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  containsForbiddenName,
  findAttribute,
  formatAttributePath,
  resolveAttributePath,
  USER_RESOURCE_ATTRIBUTES,
} from './resolve-attribute.ts';
import { ENTERPRISE_USER_SCHEMA as ENT, USER_SCHEMA } from './urns.ts';

describe('resolveAttributePath', () => {
  const cases: [string, string | undefined][] = [
    ['userName', 'userName'],
    ['USERNAME', 'userName'],
    ['name.givenName', 'name.givenName'],
    ['Name.GivenName', 'name.givenName'],
    [`${USER_SCHEMA}:name.givenName`, 'name.givenName'],
    [ENT, ENT],
    [`${ENT.toLowerCase()}:department`, `${ENT}:department`],
    [`${ENT}:manager.value`, `${ENT}:manager.value`],
    ['emails.value', 'emails.value'],
    ['id', 'id'],
    ['meta.lastModified', 'meta.lastModified'],
    ['name..givenName', undefined],
    ['.name', undefined],
    ['name.', undefined],
    ['department', undefined],
    ['urn:example:custom:User:badge', undefined],
    ['__proto__', undefined],
    ['constructor', undefined],
    ['name.constructor', undefined],
    [USER_SCHEMA, undefined],
  ];
  for (const [text, expected] of cases) {
    it(`resolves "${text}" to ${expected ?? 'nothing'}`, () => {
      const chain = resolveAttributePath(text);
      assert.equal(chain ? formatAttributePath(chain) : undefined, expected);
    });
  }
});

describe('findAttribute', () => {
  it('finds each definition by its name as defined and in any other case, the same one', () => {
    const lists = [
      USER_RESOURCE_ATTRIBUTES,
      ...USER_RESOURCE_ATTRIBUTES.flatMap((d) => (d.subAttributes ? [d.subAttributes] : [])),
    ];
    for (const definitions of lists) {
      for (const definition of definitions) {
        for (const name of [definition.name, definition.name.toUpperCase(), definition.name.toLowerCase()]) {
          assert.equal(findAttribute(definitions, name), definition, name);
        }
      }
    }
    assert.equal(findAttribute(USER_RESOURCE_ATTRIBUTES, 'department'), undefined);
    assert.equal(findAttribute(USER_RESOURCE_ATTRIBUTES, '__proto__'), undefined);
  });
});

describe('containsForbiddenName', () => {
  it('finds __proto__, constructor and prototype as names in any case', () => {
    for (const text of [
      '__proto__',
      'a.__PROTO__.b',
      'constructor.prototype',
      'emails[Constructor eq "x"]',
    ]) {
      assert.equal(containsForbiddenName(text), true, text);
    }
  });
  it('ignores those words inside string literals and longer names', () => {
    for (const text of [
      'emails[value eq "prototype@acme.com"]',
      'emails[value eq "a\\"constructor"]',
      'name.givenName',
    ]) {
      assert.equal(containsForbiddenName(text), false, text);
    }
  });
});
