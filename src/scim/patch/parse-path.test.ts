import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENTERPRISE_USER_SCHEMA as ENT } from '../schemas/urns.ts';
import { ScimError } from '../scim-error.ts';
import { parsePath } from './parse-path.ts';

const names = (text: string) => {
  const path = parsePath(text);
  return {
    attribute: path.attribute.map((definition) => definition.name),
    filtered: path.filter !== undefined,
    sub: path.subAttribute?.name,
  };
};

describe('parsePath', () => {
  const cases: [string, ReturnType<typeof names>][] = [
    ['userName', { attribute: ['userName'], filtered: false, sub: undefined }],
    ['NAME.givenname', { attribute: ['name', 'givenName'], filtered: false, sub: undefined }],
    [`${ENT}:manager.value`, { attribute: [ENT, 'manager', 'value'], filtered: false, sub: undefined }],
    [ENT, { attribute: [ENT], filtered: false, sub: undefined }],
    ['emails[type eq "work"]', { attribute: ['emails'], filtered: true, sub: undefined }],
    ['Emails[Type eq "work"].VALUE', { attribute: ['emails'], filtered: true, sub: 'value' }],
    ['emails[value eq "a]b"].type', { attribute: ['emails'], filtered: true, sub: 'type' }],
    ['emails.value', { attribute: ['emails', 'value'], filtered: false, sub: undefined }],
  ];
  for (const [text, expected] of cases) {
    it(`resolves ${text} to its definitions`, () => assert.deepEqual(names(text), expected));
  }

  it('rewrites filter names to their canonical spelling', () => {
    const path = parsePath('emails[TYPE eq "work"]');
    assert.deepEqual(path.filter, { kind: 'compare', path: { attribute: 'type' }, op: 'eq', value: 'work' });
  });

  it('gives undefined for an unknown attribute when asked to ignore unknowns', () => {
    assert.equal(parsePath('favouriteColour', { unknown: 'ignore' }), undefined);
  });

  for (const text of [
    '',
    'emails[',
    'emails]',
    'a..b',
    '__proto__',
    'emails[type eq "work"]x',
    'name[givenName eq "x"]',
  ]) {
    it(`refuses ${JSON.stringify(text)} with invalidPath even when ignoring unknowns`, () => {
      assert.throws(
        () => parsePath(text, { unknown: 'ignore' }),
        (error: unknown) => error instanceof ScimError && error.scimType === 'invalidPath',
      );
    });
  }
});
