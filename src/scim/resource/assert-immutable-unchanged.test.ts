import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../scim-error.ts';
import { assertImmutableUnchanged } from './assert-immutable-unchanged.ts';
import type { ScimUserDocument } from './scim-user.ts';

const BEFORE: ScimUserDocument = {
  userName: 'jane.doe@acme.com',
  emails: [{ value: 'jane.doe@acme.com', type: 'work', primary: true }],
  active: true,
};

const CASES: { name: string; before?: ScimUserDocument; after: ScimUserDocument; refused?: RegExp }[] = [
  { name: 'the unchanged document passes', after: BEFORE },
  { name: 'other attributes may change', after: { ...BEFORE, displayName: 'J', active: false } },
  { name: 'a change of userName case only is allowed', after: { ...BEFORE, userName: 'Jane.Doe@ACME.com' } },
  {
    name: 'a different userName is refused',
    after: { ...BEFORE, userName: 'jane@acme.com' },
    refused: /userName/,
  },
  { name: 'removing userName is refused', after: { emails: BEFORE.emails }, refused: /userName/ },
  {
    name: 'a primary email differing only in case is allowed',
    after: { ...BEFORE, emails: [{ value: 'JANE.DOE@acme.com', type: 'work', primary: true }] },
  },
  {
    name: 'a different primary email is refused',
    after: { ...BEFORE, emails: [{ value: 'jd@acme.com', type: 'work', primary: true }] },
    refused: /email address cannot be changed/,
  },
  {
    name: 'moving primary to another email is refused',
    after: {
      ...BEFORE,
      emails: [
        { value: 'jane.doe@acme.com', type: 'work' },
        { value: 'jane@home.example', type: 'home', primary: true },
      ],
    },
    refused: /email/,
  },
  { name: 'removing every email is refused', after: { userName: BEFORE.userName }, refused: /email/ },
  {
    name: 'adding a secondary email is allowed',
    after: { ...BEFORE, emails: [...(BEFORE.emails ?? []), { value: 'jane@home.example', type: 'home' }] },
  },
  {
    name: 'changing a secondary email is allowed',
    before: { ...BEFORE, emails: [...(BEFORE.emails ?? []), { value: 'old@home.example', type: 'home' }] },
    after: { ...BEFORE, emails: [...(BEFORE.emails ?? []), { value: 'new@home.example', type: 'home' }] },
  },
  {
    name: 'setting an email where there was none is allowed',
    before: { userName: 'a@x.com' },
    after: { userName: 'a@x.com', emails: [{ value: 'a@x.com', primary: true }] },
  },
  {
    name: 'setting a userName where there was none is allowed',
    before: { displayName: 'x' },
    after: { userName: 'new' },
  },
];

describe('assertImmutableUnchanged', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const run = () => assertImmutableUnchanged(c.before ?? BEFORE, c.after);
      if (!c.refused) {
        run();
        return;
      }
      assert.throws(
        run,
        (error: unknown) =>
          error instanceof ScimError &&
          error.status === 400 &&
          error.scimType === 'mutability' &&
          c.refused?.test(error.detail) === true,
      );
    });
  }
});
