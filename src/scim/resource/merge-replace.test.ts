import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENTERPRISE_USER_SCHEMA as ENT, USER_SCHEMA } from '../schemas/urns.ts';
import { mergeReplace } from './merge-replace.ts';
import { normalizeUserInput } from './normalize-user.ts';
import type { ScimUserDocument } from './scim-user.ts';

const CURRENT: ScimUserDocument = {
  schemas: [USER_SCHEMA, ENT],
  userName: 'jane@acme.com',
  externalId: 'e-1',
  name: { givenName: 'Jane', familyName: 'Doe', formatted: 'Jane Doe' },
  displayName: 'Jane Doe',
  title: 'Engineer',
  active: false,
  emails: [
    { value: 'jane@acme.com', type: 'work', primary: true },
    { value: 'jane@home.example', type: 'home' },
  ],
  [ENT]: { department: 'Sales', costCenter: 'CC-1', manager: { value: 'm-9', displayName: 'Megan' } },
};

const CASES: { name: string; body: Record<string, unknown>; expect: (d: ScimUserDocument) => void }[] = [
  { name: 'a body repeating the document changes nothing', body: { ...CURRENT }, expect: () => {} },
  {
    name: 'a body with only name.givenName keeps familyName and formatted (failure mode 13)',
    body: { userName: 'jane@acme.com', name: { givenName: 'J' } },
    expect: (d) => {
      d.name = { ...d.name, givenName: 'J' };
    },
  },
  {
    name: 'a body without active keeps active (failure mode 13)',
    body: { userName: 'jane@acme.com', displayName: 'JD' },
    expect: (d) => {
      d.displayName = 'JD';
    },
  },
  {
    name: "Okta's reactivation PUT with active true reactivates",
    body: { ...CURRENT, active: true },
    expect: (d) => {
      d.active = true;
    },
  },
  {
    name: 'a multi-valued attribute in the body replaces the whole array',
    body: { userName: 'jane@acme.com', emails: [{ value: 'jane@acme.com', type: 'work', primary: true }] },
    expect: (d) => {
      d.emails = [{ value: 'jane@acme.com', type: 'work', primary: true }];
    },
  },
  {
    name: 'an empty array clears a multi-valued attribute',
    body: { userName: 'jane@acme.com', emails: [] },
    expect: (d) => {
      delete d.emails;
    },
  },
  {
    name: 'an explicit null clears a single attribute',
    body: { userName: 'jane@acme.com', title: null },
    expect: (d) => {
      delete d.title;
    },
  },
  {
    name: 'an explicit null sub-attribute clears only that part of name',
    body: { userName: 'jane@acme.com', name: { formatted: null } },
    expect: (d) => {
      d.name = { givenName: 'Jane', familyName: 'Doe' };
    },
  },
  {
    name: 'the enterprise extension is merged attribute by attribute',
    body: { userName: 'jane@acme.com', [ENT]: { department: 'Legal' } },
    expect: (d) => {
      d[ENT] = { ...d[ENT], department: 'Legal' };
    },
  },
  {
    name: 'manager is merged too: a new manager id keeps the other manager parts',
    body: { userName: 'jane@acme.com', [`${ENT}:manager.value`]: 'm-10' },
    expect: (d) => {
      d[ENT] = { ...d[ENT], manager: { value: 'm-10', displayName: 'Megan' } };
    },
  },
  {
    name: 'a null extension clears it and its schema URN',
    body: { userName: 'jane@acme.com', [ENT]: null },
    expect: (d) => {
      delete d[ENT];
      d.schemas = [USER_SCHEMA];
    },
  },
  {
    name: 'clearing every name part removes name',
    body: { userName: 'jane@acme.com', name: { givenName: null, familyName: null, formatted: null } },
    expect: (d) => {
      delete d.name;
    },
  },
];

describe('mergeReplace', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const current = structuredClone(CURRENT);
      const input = normalizeUserInput(c.body);
      const inputCopy = structuredClone(input);
      const want = structuredClone(CURRENT);
      c.expect(want);
      assert.deepEqual(mergeReplace(current, input), want);
      assert.deepEqual(current, CURRENT, 'current must not be modified');
      assert.deepEqual(input, inputCopy, 'input must not be modified');
    });
  }

  it('keeps server-owned attributes the body cannot carry (id, meta)', () => {
    const current = { ...CURRENT, id: 'm-1', meta: { resourceType: 'User' } };
    const result = mergeReplace(current, normalizeUserInput({ id: 'forged', userName: 'jane@acme.com' }));
    assert.equal(result.id, 'm-1');
    assert.deepEqual(result.meta, { resourceType: 'User' });
  });
});
