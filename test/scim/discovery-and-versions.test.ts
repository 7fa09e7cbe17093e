// Discovery documents over HTTP, and ETag / If-Match / If-None-Match on Users.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';

describe('SCIM discovery over HTTP', () => {
  let t: TestApp;
  before(async () => {
    t = await setupApp('sqlite');
  });
  after(() => t.cleanup());

  it('describes what Roster really supports in /ServiceProviderConfig, without a token', async () => {
    const res = await t.scim('GET', 'ServiceProviderConfig', undefined, { token: null });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
    const body = res.json();
    assert.equal(body.patch.supported, true);
    assert.equal(body.bulk.supported, false);
    assert.equal(body.filter.supported, true);
    assert.equal(body.filter.maxResults, 200);
    assert.equal(body.sort.supported, true);
    assert.equal(body.etag.supported, true);
    assert.equal(body.changePassword.supported, false);
    assert.equal(body.authenticationSchemes[0].type, 'oauthbearertoken');
    assert.equal(body.meta.location, 'https://roster.test/scim/v2/ServiceProviderConfig');
  });

  it("lists User, Group and, for Okta's entitlements, Role and Workspace", async () => {
    const body = (await t.scim('GET', 'ResourceTypes')).json();
    assert.equal(body.totalResults, 4);
    assert.deepEqual(
      body.Resources.map((type: { id: string; endpoint: string }) => [type.id, type.endpoint]),
      [
        ['User', '/Users'],
        ['Group', '/Groups'],
        ['Role', '/Roles'],
        ['Workspace', '/Workspaces'],
      ],
    );
    assert.equal(body.Resources[0].id, 'User');
    assert.equal(body.Resources[1].id, 'Group');
    assert.equal(body.Resources[1].endpoint, '/Groups');
    assert.equal(body.Resources[1].schema, 'urn:ietf:params:scim:schemas:core:2.0:Group');
    assert.equal(body.Resources[0].endpoint, '/Users');
    assert.equal(
      body.Resources[0].schemaExtensions[0].schema,
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    );
    assert.equal((await t.scim('GET', 'ResourceTypes/User')).statusCode, 200);
    assert.equal((await t.scim('GET', 'ResourceTypes/Group')).statusCode, 200);
    assert.equal(
      (await t.scim('GET', 'ResourceTypes/Role')).json().schema,
      'urn:okta:scim:schemas:core:1.0:Role',
    );
    assert.equal((await t.scim('GET', 'ResourceTypes/License')).statusCode, 404);
  });

  it("serves the User, EnterpriseUser and Group schemas, and Okta's Role and Entitlement", async () => {
    const body = (await t.scim('GET', 'Schemas')).json();
    const ids = body.Resources.map((s: { id: string }) => s.id).sort();
    assert.deepEqual(ids, [
      'urn:ietf:params:scim:schemas:core:2.0:Group',
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      'urn:okta:scim:schemas:core:1.0:Entitlement',
      'urn:okta:scim:schemas:core:1.0:Role',
    ]);
    const group = (await t.scim('GET', 'Schemas/urn:ietf:params:scim:schemas:core:2.0:Group')).json();
    assert.deepEqual(
      group.attributes.map((a: { name: string }) => a.name),
      ['displayName', 'members'],
    );
    const user = (await t.scim('GET', 'Schemas/urn:ietf:params:scim:schemas:core:2.0:User')).json();
    const roles = user.attributes.find((a: { name: string }) => a.name === 'roles');
    assert.equal(roles.mutability, 'readWrite');
  });
});

describe('versions of Users', () => {
  let t: TestApp;
  let id: string;
  let etag: string;
  before(async () => {
    t = await setupApp('sqlite');
    const res = await t.scim('POST', 'Users', {
      userName: 'v@acme.test',
      emails: [{ value: 'v@acme.test' }],
    });
    id = res.json().id;
    etag = String(res.headers.etag);
  });
  after(() => t.cleanup());

  it('returns the same weak ETag in the header and meta.version', async () => {
    const res = await t.scim('GET', `Users/${id}`);
    assert.equal(res.headers.etag, etag);
    assert.equal(res.json().meta.version, etag);
    assert.match(etag, /^W\/"\d+"$/);
  });

  it('answers 304 to If-None-Match with the current ETag', async () => {
    const res = await t.scim('GET', `Users/${id}`, undefined, { headers: { 'if-none-match': etag } });
    assert.equal(res.statusCode, 304);
  });

  it('applies a PATCH whose If-Match is current, and changes the ETag', async () => {
    const res = await t.scim(
      'PATCH',
      `Users/${id}`,
      { Operations: [{ op: 'replace', path: 'displayName', value: 'Vee' }] },
      { headers: { 'if-match': etag } },
    );
    assert.equal(res.statusCode, 200);
    assert.notEqual(res.headers.etag, etag);
    assert.equal(res.json().meta.version, res.headers.etag);
  });

  it('refuses a PUT whose If-Match is stale with 412, storing nothing', async () => {
    const res = await t.scim(
      'PUT',
      `Users/${id}`,
      { userName: 'v@acme.test', displayName: 'Stale' },
      { headers: { 'if-match': etag } },
    );
    assert.equal(res.statusCode, 412);
    assert.equal((await t.scim('GET', `Users/${id}`)).json().displayName, 'Vee');
  });

  it('accepts If-Match: *', async () => {
    const res = await t.scim(
      'PUT',
      `Users/${id}`,
      { userName: 'v@acme.test', displayName: 'Star' },
      { headers: { 'if-match': '*' } },
    );
    assert.equal(res.statusCode, 200);
  });
});
