// Okta's public "SCIM 2.0 SPEC test" (an OIN submission requirement), re-expressed as our own
// requests and assertions, in the order Okta runs them. See docs/idp-requests.md.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const OKTA_HEADERS = { 'user-agent': 'Okta SCIM Client 1.0.0' };

function oktaUser(userName: string, externalId: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    name: { givenName: 'Jane', familyName: 'Doe' },
    emails: [{ primary: true, value: userName.toLowerCase(), type: 'work' }],
    displayName: 'Jane Doe',
    locale: 'en-US',
    externalId,
    groups: [],
    password: 'tP9z!x2a',
    active: true,
  };
}

for (const kind of STORE_KINDS) {
  describe(`Okta SCIM 2.0 SPEC test (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let createdId: string;
    before(async () => {
      t = await setupApp(kind);
      for (let i = 1; i <= 3; i++) {
        const res = await t.scim('POST', 'Users', oktaUser(`existing${i}@acme.com`, `00uexisting${i}`));
        assert.equal(res.statusCode, 201);
      }
    });
    after(() => t.cleanup());

    it('answers the connection test GET /Users?startIndex=1&count=2 with a ListResponse', async () => {
      const res = await t.scim('GET', 'Users?startIndex=1&count=2', undefined, { headers: OKTA_HEADERS });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
      const body = res.json();
      assert.deepEqual(body.schemas, ['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
      assert.equal(body.itemsPerPage, 2);
      assert.equal(body.Resources.length, 2);
    });

    it('returns numeric paging fields and a complete first resource for count=1', async () => {
      const res = await t.scim('GET', 'Users?count=1&startIndex=1', undefined, { headers: OKTA_HEADERS });
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(typeof body.itemsPerPage, 'number');
      assert.equal(typeof body.startIndex, 'number');
      assert.equal(typeof body.totalResults, 'number');
      assert.equal(body.itemsPerPage, 1);
      assert.equal(body.startIndex, 1);
      assert.equal(body.totalResults, 4); // the Admin created by init, plus three users
      const [user] = body.Resources;
      assert.ok(user.id);
      assert.ok(user.userName);
      assert.equal(typeof user.active, 'boolean');
      const second = (await t.scim('GET', 'Users?count=1&startIndex=2')).json().Resources[0];
      assert.equal(second.name.givenName, 'Jane');
      assert.equal(second.name.familyName, 'Doe');
      assert.equal(second.emails[0].value, 'existing1@acme.com');
    });

    it('answers 404 with an Error body whose detail is set for an unknown id', async () => {
      const res = await t.scim('GET', 'Users/010101010101-not-a-user');
      assert.equal(res.statusCode, 404);
      const body = res.json();
      assert.deepEqual(body.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
      assert.equal(body.status, '404');
      assert.ok(body.detail.length > 0);
    });

    it('answers an unknown userName filter with 200 and totalResults 0', async () => {
      const res = await t.scim(
        'GET',
        `Users?filter=${encodeURIComponent('userName eq "nobody-here@acme.com"')}&startIndex=1&count=100`,
      );
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(body.totalResults, 0);
      assert.deepEqual(body.Resources, []);
    });

    it('creates a user, echoing the mixed-case userName exactly as sent', async () => {
      const res = await t.scim('POST', 'Users', oktaUser('Jane.Doe@Acme.com', '00ujl29u0le5T6Aj10h7'), {
        headers: OKTA_HEADERS,
      });
      assert.equal(res.statusCode, 201);
      const body = res.json();
      createdId = body.id;
      assert.equal(body.userName, 'Jane.Doe@Acme.com');
      assert.equal(body.active, true);
      assert.equal(body.externalId, '00ujl29u0le5T6Aj10h7');
      assert.equal(body.password, undefined);
      assert.equal(res.headers.location, `https://roster.test/scim/v2/Users/${createdId}`);
      assert.equal(body.meta.location, res.headers.location);
    });

    it('finds the created user by its id', async () => {
      const res = await t.scim('GET', `Users/${createdId}`);
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().userName, 'Jane.Doe@Acme.com');
    });

    it('answers the same POST again with 409', async () => {
      const res = await t.scim('POST', 'Users', oktaUser('Jane.Doe@Acme.com', '00ujl29u0le5T6Aj10h7'));
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().status, '409');
      assert.equal(res.json().scimType, 'uniqueness');
    });

    it('finds the user with an uppercase userName filter', async () => {
      const res = await t.scim(
        'GET',
        `Users?filter=${encodeURIComponent('userName eq "JANE.DOE@ACME.COM"')}`,
      );
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(body.totalResults, 1);
      assert.equal(body.Resources[0].id, createdId);
      assert.equal(body.Resources[0].userName, 'Jane.Doe@Acme.com');
    });

    it('answers a bad Authorization header with 401 and status "401"', async () => {
      const res = await t.scim('GET', 'Users', undefined, { token: 'rst_sat_bad' });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().status, '401');
      assert.match(String(res.headers['www-authenticate']), /^Bearer/);
      const missing = await t.scim('GET', 'Users', undefined, { token: null });
      assert.equal(missing.statusCode, 401);
    });

    it('answers the optional GET /Groups with a list response', async () => {
      const res = await t.scim('GET', 'Groups');
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.deepEqual(body.schemas, ['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
      assert.equal(typeof body.totalResults, 'number');
      assert.ok(Array.isArray(body.Resources));
    });
  });
}
