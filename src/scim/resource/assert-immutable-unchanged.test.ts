import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../scim-error.ts';
import {
  assertImmutableUnchanged,
  identityChanges,
  keepStoredIdentity,
} from './assert-immutable-unchanged.ts';
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

describe('identityChanges', () => {
  it('names each change with the stored and the requested value', () => {
    const after: ScimUserDocument = {
      userName: 'jd@acme.com',
      emails: [{ value: 'jd@acme.com', type: 'work', primary: true }],
    };
    assert.deepEqual(identityChanges(BEFORE, after), [
      { attribute: 'userName', before: 'jane.doe@acme.com', after: 'jd@acme.com' },
      { attribute: 'email', before: 'jane.doe@acme.com', after: 'jd@acme.com' },
    ]);
  });

  it('gives null for a removed value', () => {
    assert.deepEqual(identityChanges(BEFORE, { userName: BEFORE.userName }), [
      { attribute: 'email', before: 'jane.doe@acme.com', after: null },
    ]);
  });

  it('finds no change in a change of case', () => {
    assert.deepEqual(
      identityChanges(BEFORE, {
        userName: 'JANE.DOE@acme.com',
        emails: [{ value: 'Jane.Doe@ACME.com', type: 'work', primary: true }],
      }),
      [],
    );
  });
});

describe('keepStoredIdentity', () => {
  it('puts back the stored userName and emails, and keeps the rest of the request', () => {
    const after: ScimUserDocument = {
      userName: 'jd@acme.com',
      displayName: 'J. Doe',
      emails: [{ value: 'jd@acme.com', type: 'work', primary: true }],
      active: false,
    };
    const kept = keepStoredIdentity(BEFORE, after, identityChanges(BEFORE, after));
    assert.deepEqual(kept, { ...after, userName: BEFORE.userName, emails: BEFORE.emails });
    assert.equal(after.userName, 'jd@acme.com', 'the request is not modified');
  });

  it('puts back only what was refused', () => {
    const after: ScimUserDocument = { ...BEFORE, userName: 'jd@acme.com' };
    const [userName] = identityChanges(BEFORE, after);
    assert.ok(userName);
    const withEmail = { ...after, emails: [{ value: 'new@acme.com', primary: true }] };
    assert.deepEqual(keepStoredIdentity(BEFORE, withEmail, [userName]).emails, withEmail.emails);
  });
});
