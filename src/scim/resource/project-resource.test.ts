import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENTERPRISE_USER_SCHEMA as ENT, USER_SCHEMA } from '../schemas/urns.ts';
import type { ProjectionOptions } from './project-resource.ts';
import { parseAttributeList, projectResource } from './project-resource.ts';
import type { ScimUserDocument } from './scim-user.ts';

const USER: ScimUserDocument = {
  schemas: [USER_SCHEMA, ENT],
  id: 'm-1',
  externalId: 'ext-1',
  userName: 'jane@acme.com',
  name: { givenName: 'Jane', familyName: 'Doe' },
  displayName: 'Jane Doe',
  active: true,
  emails: [
    { value: 'jane@acme.com', type: 'work', primary: true },
    { value: 'jane@home.example', type: 'home' },
  ],
  roles: [{ value: 'member', display: 'Member', primary: true }],
  [ENT]: { department: 'Sales', manager: { value: 'm-9', displayName: 'Megan' } },
  meta: { resourceType: 'User', location: 'https://roster.example/scim/v2/Users/m-1' },
};
/** A stored document that still carries a password must never show it. */
const WITH_PASSWORD = { ...USER, password: 'secret' } as ScimUserDocument;

const ALWAYS = { schemas: USER.schemas, id: 'm-1' };
const { password: _dropped, ...FULL } = WITH_PASSWORD;

interface Case {
  name: string;
  options: ProjectionOptions;
  resource?: ScimUserDocument;
  expected: Record<string, unknown>;
}

const CASES: Case[] = [
  {
    name: 'without parameters every default attribute is returned, password never',
    options: {},
    expected: FULL,
  },
  {
    name: 'attributes=userName returns userName plus id and schemas',
    options: { attributes: 'userName' },
    expected: { ...ALWAYS, userName: USER.userName },
  },
  {
    name: 'attributes=name.givenName keeps only that sub-attribute',
    options: { attributes: 'name.givenName' },
    expected: { ...ALWAYS, name: { givenName: 'Jane' } },
  },
  {
    name: 'attributes=emails.value keeps the value of every email',
    options: { attributes: 'emails.value' },
    expected: { ...ALWAYS, emails: [{ value: 'jane@acme.com' }, { value: 'jane@home.example' }] },
  },
  {
    name: 'a URN-prefixed enterprise attribute keeps only it inside the extension',
    options: { attributes: `${ENT}:department` },
    expected: { ...ALWAYS, [ENT]: { department: 'Sales' } },
  },
  {
    name: 'the enterprise URN alone keeps the whole extension',
    options: { attributes: ENT },
    expected: { ...ALWAYS, [ENT]: USER[ENT] },
  },
  {
    name: 'a URN-prefixed manager.value keeps only the manager id',
    options: { attributes: `${ENT}:manager.value` },
    expected: { ...ALWAYS, [ENT]: { manager: { value: 'm-9' } } },
  },
  {
    name: 'attribute names are case-insensitive',
    options: { attributes: 'USERNAME,NAME.GIVENNAME' },
    expected: { ...ALWAYS, userName: USER.userName, name: { givenName: 'Jane' } },
  },
  {
    name: 'a core-URN-prefixed name is understood',
    options: { attributes: `${USER_SCHEMA}:displayName` },
    expected: { ...ALWAYS, displayName: 'Jane Doe' },
  },
  {
    name: 'the comma-separated value is trimmed and empty entries ignored',
    options: { attributes: ' userName , ,displayName,' },
    expected: { ...ALWAYS, userName: USER.userName, displayName: 'Jane Doe' },
  },
  {
    name: 'an already split list is accepted',
    options: { attributes: ['userName', 'active'] },
    expected: { ...ALWAYS, userName: USER.userName, active: true },
  },
  {
    name: 'asking for password by name still does not return it',
    options: { attributes: 'password,userName' },
    resource: WITH_PASSWORD,
    expected: { ...ALWAYS, userName: USER.userName },
  },
  {
    name: 'an unknown attribute alone leaves only id and schemas',
    options: { attributes: 'members' },
    expected: ALWAYS,
  },
  { name: 'attributes=id returns id and schemas once', options: { attributes: 'id' }, expected: ALWAYS },
  {
    name: 'attributes=meta returns meta',
    options: { attributes: 'meta' },
    expected: { ...ALWAYS, meta: USER.meta },
  },
  {
    name: 'attributes=meta.location returns only the location',
    options: { attributes: 'meta.location' },
    expected: { ...ALWAYS, meta: { location: USER.meta?.location } },
  },
  {
    name: 'excludedAttributes=emails drops emails',
    options: { excludedAttributes: 'emails' },
    expected: (({ emails: _e, ...rest }) => rest)(FULL),
  },
  {
    name: "Entra's excludedAttributes=members (unknown on Users) changes nothing",
    options: { excludedAttributes: 'members' },
    expected: FULL,
  },
  {
    name: 'excludedAttributes cannot drop id (returned always)',
    options: { excludedAttributes: 'id' },
    expected: FULL,
  },
  {
    name: 'excludedAttributes=name.givenName drops only the given name',
    options: { excludedAttributes: 'name.givenName' },
    expected: { ...FULL, name: { familyName: 'Doe' } },
  },
  {
    name: 'excludedAttributes=emails.type drops the type of every email',
    options: { excludedAttributes: 'emails.type' },
    expected: {
      ...FULL,
      emails: [{ value: 'jane@acme.com', primary: true }, { value: 'jane@home.example' }],
    },
  },
  {
    name: 'excludedAttributes of the enterprise URN drops the extension',
    options: { excludedAttributes: ENT },
    expected: (({ [ENT]: _x, ...rest }) => rest)(FULL),
  },
  {
    name: 'excludedAttributes of a URN-prefixed department keeps the rest of the extension',
    options: { excludedAttributes: `${ENT}:department` },
    expected: { ...FULL, [ENT]: { manager: { value: 'm-9', displayName: 'Megan' } } },
  },
  {
    name: 'excluding every name part leaves no empty name object',
    options: { excludedAttributes: 'name.givenName,name.familyName' },
    expected: (({ name: _n, ...rest }) => rest)(FULL),
  },
  {
    name: 'attributes and excludedAttributes together: exclusion applies to the selection',
    options: { attributes: 'name,emails', excludedAttributes: 'EMAILS' },
    expected: { ...ALWAYS, name: USER.name },
  },
  {
    name: 'asking for a sub-attribute the resource lacks returns no empty object',
    options: { attributes: 'name.middleName' },
    expected: ALWAYS,
  },
  {
    name: 'roles are returned by default',
    options: { attributes: 'roles' },
    expected: { ...ALWAYS, roles: USER.roles },
  },
];

describe('projectResource', () => {
  it('has at least 20 table cases', () => assert.ok(CASES.length >= 20));

  for (const c of CASES) {
    it(c.name, () => {
      const resource = structuredClone(c.resource ?? WITH_PASSWORD);
      const before = structuredClone(resource);
      assert.deepEqual(projectResource(resource, c.options), c.expected);
      assert.deepEqual(resource, before, 'the resource must not be modified');
    });
  }

  it('returns copies: editing the projection does not touch the resource', () => {
    const resource = structuredClone(USER);
    const projected = projectResource(resource) as ScimUserDocument;
    projected.name = { givenName: 'Changed' };
    projected.emails?.pop();
    assert.deepEqual(resource, USER);
  });
});

describe('parseAttributeList', () => {
  it('splits, trims and drops empty names', () => {
    assert.deepEqual(parseAttributeList(' a, b ,,c.d '), ['a', 'b', 'c.d']);
  });
  it('accepts a repeated query parameter (an array of comma lists)', () => {
    assert.deepEqual(parseAttributeList(['a,b', 'c']), ['a', 'b', 'c']);
  });
  it('treats undefined and the empty string as no list', () => {
    assert.deepEqual(parseAttributeList(undefined), []);
    assert.deepEqual(parseAttributeList(''), []);
  });
});
