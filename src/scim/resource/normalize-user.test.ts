import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENTERPRISE_USER_SCHEMA as ENT, USER_SCHEMA } from '../schemas/urns.ts';
import type { ScimType } from '../scim-error.ts';
import { ScimError } from '../scim-error.ts';
import { normalizeUserInput, requireUserName, toUserDocument } from './normalize-user.ts';

const CORE_ONLY = [USER_SCHEMA];
const WITH_ENT = [USER_SCHEMA, ENT];

interface Case {
  name: string;
  body: unknown;
  expected?: Record<string, unknown>;
  error?: ScimType;
}

const CASES: Case[] = [
  {
    name: "Okta's create body is accepted; password and groups are dropped",
    body: {
      schemas: [USER_SCHEMA],
      userName: 'jane.doe@acme.com',
      name: { givenName: 'Jane', familyName: 'Doe' },
      emails: [{ primary: true, value: 'jane.doe@acme.com', type: 'work' }],
      displayName: 'Jane Doe',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: 'tP9z!x2a',
      active: true,
    },
    expected: {
      schemas: CORE_ONLY,
      userName: 'jane.doe@acme.com',
      name: { givenName: 'Jane', familyName: 'Doe' },
      emails: [{ primary: true, value: 'jane.doe@acme.com', type: 'work' }],
      displayName: 'Jane Doe',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      active: true,
    },
  },
  {
    name: "Entra's create body keeps the enterprise extension, and roles: [] as no IdP-assigned role",
    body: {
      schemas: [USER_SCHEMA, ENT],
      externalId: '3c8a1f0e',
      userName: 'alex@contoso.com',
      active: true,
      name: { formatted: 'Alex Wilber', givenName: 'Alex', familyName: 'Wilber' },
      emails: [{ primary: true, type: 'work', value: 'alex@contoso.com' }],
      roles: [],
      [ENT]: { department: 'Sales', manager: { value: 'm-9' } },
    },
    expected: {
      schemas: WITH_ENT,
      externalId: '3c8a1f0e',
      userName: 'alex@contoso.com',
      active: true,
      name: { formatted: 'Alex Wilber', givenName: 'Alex', familyName: 'Wilber' },
      emails: [{ primary: true, type: 'work', value: 'alex@contoso.com' }],
      roles: [],
      [ENT]: { department: 'Sales', manager: { value: 'm-9' } },
    },
  },
  {
    name: 'attribute names in any case are rewritten to canonical names (USERNAME → userName)',
    body: { USERNAME: 'a@x.com', DisplayName: 'A', EXTERNALID: 'e1' },
    expected: { schemas: CORE_ONLY, userName: 'a@x.com', displayName: 'A', externalId: 'e1' },
  },
  {
    name: 'sub-attribute names in any case are rewritten (Name.GivenName → name.givenName)',
    body: { userName: 'a', Name: { GivenName: 'G', FAMILYNAME: 'F' } },
    expected: { schemas: CORE_ONLY, userName: 'a', name: { givenName: 'G', familyName: 'F' } },
  },
  {
    name: 'sub-attributes of multi-valued elements are rewritten too',
    body: { userName: 'a', Emails: [{ Value: 'a@x.com', TYPE: 'work', Primary: true }] },
    expected: {
      schemas: CORE_ONLY,
      userName: 'a',
      emails: [{ value: 'a@x.com', type: 'work', primary: true }],
    },
  },
  {
    name: 'the enterprise URN key is recognised in any case',
    body: { userName: 'a', [ENT.toLowerCase()]: { Department: 'Ops' } },
    expected: { schemas: WITH_ENT, userName: 'a', [ENT]: { department: 'Ops' } },
  },
  {
    name: 'a URN-prefixed flat enterprise key lands in the extension',
    body: { userName: 'a', [`${ENT}:department`]: 'X' },
    expected: { schemas: WITH_ENT, userName: 'a', [ENT]: { department: 'X' } },
  },
  {
    name: 'flat URN keys and the nested extension object are merged',
    body: { userName: 'a', [`${ENT}:department`]: 'X', [ENT]: { costCenter: 'CC' } },
    expected: { schemas: WITH_ENT, userName: 'a', [ENT]: { department: 'X', costCenter: 'CC' } },
  },
  {
    name: "Entra's bare-string manager in the extension object is read as manager.value",
    body: { userName: 'a', [ENT]: { department: 'Sales', manager: 'm-9' } },
    expected: { schemas: WITH_ENT, userName: 'a', [ENT]: { department: 'Sales', manager: { value: 'm-9' } } },
  },
  {
    name: "Entra's bare-string manager under a URN-prefixed key is read as manager.value",
    body: { userName: 'a', [`${ENT}:manager`]: 'm-9' },
    expected: { schemas: WITH_ENT, userName: 'a', [ENT]: { manager: { value: 'm-9' } } },
  },
  {
    name: "Okta's manager object is kept as it is",
    body: { userName: 'a', [ENT]: { manager: { value: 'm-9' } } },
    expected: { schemas: WITH_ENT, userName: 'a', [ENT]: { manager: { value: 'm-9' } } },
  },
  {
    name: 'a URN-prefixed manager.value key sets the manager',
    body: { userName: 'a', [`${ENT}:manager.value`]: 'm-1' },
    expected: { schemas: WITH_ENT, userName: 'a', [ENT]: { manager: { value: 'm-1' } } },
  },
  {
    name: 'a core-URN-prefixed key reaches the core attribute',
    body: { [`${USER_SCHEMA}:userName`]: 'a', [`${USER_SCHEMA}:name.givenName`]: 'G' },
    expected: { schemas: CORE_ONLY, userName: 'a', name: { givenName: 'G' } },
  },
  {
    name: 'a dotted key name.givenName is accepted (tolerance)',
    body: { userName: 'a', 'name.givenName': 'G', name: { familyName: 'F' } },
    expected: { schemas: CORE_ONLY, userName: 'a', name: { givenName: 'G', familyName: 'F' } },
  },
  {
    name: 'Entra: active "True" is the boolean true',
    body: { userName: 'a', active: 'True' },
    expected: { schemas: CORE_ONLY, userName: 'a', active: true },
  },
  {
    name: 'Entra: active "False" is the boolean false',
    body: { userName: 'a', active: 'False' },
    expected: { schemas: CORE_ONLY, userName: 'a', active: false },
  },
  { name: 'active "yes" is refused', body: { userName: 'a', active: 'yes' }, error: 'invalidValue' },
  { name: 'active 0 is refused', body: { userName: 'a', active: 0 }, error: 'invalidValue' },
  {
    name: 'Entra: "primary": "True" is the boolean true',
    body: { userName: 'a', emails: [{ value: 'a@x.com', primary: 'True' }] },
    expected: { schemas: CORE_ONLY, userName: 'a', emails: [{ value: 'a@x.com', primary: true }] },
  },
  {
    name: 'two primary emails are refused (RFC 7643 §2.4)',
    body: {
      userName: 'a',
      emails: [
        { value: 'a@x.com', primary: true },
        { value: 'b@x.com', primary: 'true' },
      ],
    },
    error: 'invalidValue',
  },
  {
    name: 'a single email object is wrapped in an array',
    body: { userName: 'a', emails: { value: 'a@x.com', type: 'work' } },
    expected: { schemas: CORE_ONLY, userName: 'a', emails: [{ value: 'a@x.com', type: 'work' }] },
  },
  {
    name: 'an email given as a bare string is refused',
    body: { userName: 'a', emails: 'a@x.com' },
    error: 'invalidValue',
  },
  {
    name: 'name given as a string is refused',
    body: { userName: 'a', name: 'Jane Doe' },
    error: 'invalidValue',
  },
  { name: 'a numeric userName is refused', body: { userName: 42 }, error: 'invalidValue' },
  {
    name: 'an array displayName is refused',
    body: { userName: 'a', displayName: ['A'] },
    error: 'invalidValue',
  },
  {
    name: 'an explicit null is kept so that PUT can clear',
    body: { userName: 'a', displayName: null, [ENT]: null },
    expected: { schemas: CORE_ONLY, userName: 'a', displayName: null, [ENT]: null },
  },
  {
    name: 'a null sub-attribute is kept as null',
    body: { userName: 'a', name: { givenName: null, familyName: 'F' } },
    expected: { schemas: CORE_ONLY, userName: 'a', name: { givenName: null, familyName: 'F' } },
  },
  {
    name: 'null elements and null sub-attributes of multi-valued values are dropped',
    body: { userName: 'a', emails: [null, { value: 'a@x.com', display: null }] },
    expected: { schemas: CORE_ONLY, userName: 'a', emails: [{ value: 'a@x.com' }] },
  },
  {
    name: 'read-only id and meta are ignored',
    body: { id: 'forged', meta: { resourceType: 'User' }, userName: 'a' },
    expected: { schemas: CORE_ONLY, userName: 'a' },
  },
  {
    name: "the manager's read-only displayName is ignored",
    body: { userName: 'a', [ENT]: { manager: { value: 'm', displayName: 'Boss' } } },
    expected: { schemas: WITH_ENT, userName: 'a', [ENT]: { manager: { value: 'm' } } },
  },
  {
    name: 'unknown attributes are dropped (tolerance)',
    body: { userName: 'a', favouriteColour: 'teal', 'urn:example:custom:User:badge': 'B' },
    expected: { schemas: CORE_ONLY, userName: 'a' },
  },
  {
    name: 'unknown schema URNs in schemas are tolerated',
    body: { schemas: [USER_SCHEMA, 'urn:example:custom:User'], userName: 'a' },
    expected: { schemas: CORE_ONLY, userName: 'a' },
  },
  {
    name: 'schemas that is not an array is refused',
    body: { schemas: USER_SCHEMA, userName: 'a' },
    error: 'invalidValue',
  },
  {
    name: 'schemas holding a number is refused',
    body: { schemas: [1], userName: 'a' },
    error: 'invalidValue',
  },
  { name: 'a body that is an array is refused', body: [{ userName: 'a' }], error: 'invalidSyntax' },
  { name: 'a body that is a string is refused', body: 'userName=a', error: 'invalidSyntax' },
  { name: 'a null body is refused', body: null, error: 'invalidSyntax' },
  {
    name: 'a string over 1024 characters is refused',
    body: { userName: 'a', title: 'x'.repeat(1025) },
    error: 'invalidValue',
  },
  {
    name: 'a string of exactly 1024 characters is accepted',
    body: { userName: 'a', title: 'x'.repeat(1024) },
    expected: { schemas: CORE_ONLY, userName: 'a', title: 'x'.repeat(1024) },
  },
  {
    name: 'more than 100 emails are refused',
    body: { userName: 'a', emails: Array.from({ length: 101 }, (_, i) => ({ value: `u${i}@x.com` })) },
    error: 'invalidValue',
  },
  {
    name: 'the same attribute twice in different cases is refused',
    body: { userName: 'a', USERNAME: 'b' },
    error: 'invalidSyntax',
  },
  {
    name: 'the same enterprise attribute flat and nested is refused',
    body: { userName: 'a', [`${ENT}:department`]: 'X', [ENT]: { department: 'Y' } },
    error: 'invalidSyntax',
  },
  {
    name: 'userName and externalId are kept exactly as sent',
    body: { userName: 'Jane.Doe@ACME.com', externalId: 'AbC' },
    expected: { schemas: CORE_ONLY, userName: 'Jane.Doe@ACME.com', externalId: 'AbC' },
  },
  {
    name: 'a __proto__ key is never copied (prototype pollution)',
    body: JSON.parse('{"userName":"a","__proto__":{"isAdmin":true},"name":{"__proto__":{"isAdmin":true}}}'),
    expected: { schemas: CORE_ONLY, userName: 'a' },
  },
  {
    name: 'constructor and prototype keys are never copied',
    body: { userName: 'a', constructor: { prototype: { isAdmin: true } }, prototype: { isAdmin: true } },
    expected: { schemas: CORE_ONLY, userName: 'a' },
  },
  {
    name: 'an email element carrying __proto__ is copied without it',
    body: JSON.parse('{"userName":"a","emails":[{"value":"a@x.com","__proto__":{"isAdmin":true}}]}'),
    expected: { schemas: CORE_ONLY, userName: 'a', emails: [{ value: 'a@x.com' }] },
  },
  {
    name: 'a body without userName normalizes (the create helper checks it)',
    body: { displayName: 'No user name' },
    expected: { schemas: CORE_ONLY, displayName: 'No user name' },
  },
];

describe('normalizeUserInput', () => {
  it('has at least 30 table cases', () => assert.ok(CASES.length >= 30));

  for (const c of CASES) {
    it(c.name, () => {
      if (c.error) {
        assert.throws(
          () => normalizeUserInput(c.body),
          (error: unknown) =>
            error instanceof ScimError && error.status === 400 && error.scimType === c.error,
        );
        return;
      }
      const result = normalizeUserInput(c.body);
      assert.deepEqual(result, c.expected);
      assert.equal(Object.getPrototypeOf(result), Object.prototype);
      assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
    });
  }

  it('names the attribute in the error detail', () => {
    assert.throws(
      () => normalizeUserInput({ userName: 'a', name: { givenName: 7 } }),
      (error: unknown) => error instanceof ScimError && error.detail.includes('name.givenName'),
    );
  });
});

describe('requireUserName', () => {
  it('returns the userName as sent', () => {
    assert.equal(requireUserName(normalizeUserInput({ userName: 'Jane@Acme.com' })), 'Jane@Acme.com');
  });

  for (const [name, body] of [
    ['refuses a body without userName', {}],
    ['refuses a null userName', { userName: null }],
    ['refuses a blank userName', { userName: '   ' }],
  ] as const) {
    it(name, () => {
      assert.throws(
        () => requireUserName(normalizeUserInput(body)),
        (error: unknown) =>
          error instanceof ScimError &&
          error.status === 400 &&
          error.scimType === 'invalidValue' &&
          error.detail === 'userName is required',
      );
    });
  }
});

describe('toUserDocument', () => {
  it('drops explicit nulls, which on create mean the same as absent', () => {
    const input = normalizeUserInput({
      userName: 'a',
      displayName: null,
      name: { givenName: null, familyName: 'F' },
    });
    assert.deepEqual(toUserDocument(input), { schemas: CORE_ONLY, userName: 'a', name: { familyName: 'F' } });
  });
});
