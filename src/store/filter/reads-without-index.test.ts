import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFilter } from '../../scim/filter/parse-filter.ts';
import { readsWithoutIndex } from './reads-without-index.ts';

const CASES: [filter: string, scans: boolean][] = [
  ['userName eq "jane@acme.test"', false],
  ['externalId eq "00u1"', false],
  ['emails.value eq "jane@acme.test"', false],
  ['emails[type eq "work"].value eq "jane@acme.test"', false],
  ['userName sw "jane"', false],
  ['displayName sw "Jane"', false],
  ['displayName co "ane"', true],
  ['emails.value co "acme"', true],
  ['userName ew "@acme.test"', true],
  ['userName ne "jane@acme.test"', true],
  ['title pr', true],
  ['meta.lastModified gt "2026-01-01T00:00:00Z"', true],
  ['meta.created le "2026-01-01T00:00:00Z"', true],
  ['not (userName eq "jane@acme.test")', true],
  ['userName eq "jane@acme.test" and displayName co "ane"', false],
  ['displayName co "ane" and userName sw "j"', false],
  ['displayName co "ane" and title pr', true],
  ['userName eq "a" or userName eq "b"', false],
  ['userName eq "a" or displayName co "b"', true],
  ['emails[value co "acme"]', true],
  ['emails[type eq "work" and value co "acme"]', true],
  ['emails[type eq "work" and value sw "jane"]', false],
  ['title eq "Engineer"', true],
  ['name.givenName eq "Jane"', false],
  ['name.formatted eq "Jane Doe"', true],
  ['id eq "01a2271e-59ab-7d50-8000-000000000000"', false],
  ['USERNAME EQ "jane@acme.test"', false],
  ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "jane@acme.test"', false],
  ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "42"', true],
];

describe('which filters may read every member', () => {
  for (const [filter, scans] of CASES) {
    it(`${filter}: ${scans ? 'may read every member' : 'is narrowed by an index'}`, () => {
      assert.equal(readsWithoutIndex(parseFilter(filter)), scans);
    });
  }
});
