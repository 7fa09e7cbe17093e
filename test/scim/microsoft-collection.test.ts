// The User requests of Microsoft's SCIM reference collection (AzureAD/SCIMReferenceCode,
// PostmanCollection.json, "User tests with garbage"; docs/idp-requests.md), replayed with its bodies
// and its expectations, where Roster's documented rules do not differ. Its users all carry one
// externalId, which RFC 7643 §3.1 leaves to the client: each create is a 201. On SQLite and
// PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** The one externalId of every user of the collection. */
const SHARED_EXTERNAL_ID = '22fbc523-6032-4c5f-939d-5d4850cf3e52';

/** The collection's user body: addresses with null parts, phones, roles: [], a meta to ignore. */
function collectionUser(
  userName: string | undefined,
  primaryEmail: string,
  extra: Record<string, unknown> = {},
) {
  return {
    ...(userName === undefined ? {} : { userName }),
    active: true,
    addresses: [
      {
        country: 'Bermuda',
        formatted: '9132 Jennifer Way Suite 040\nSouth Nancy, MI 55645',
        locality: 'West Mercedes',
        postalCode: '99265',
        region: 'Montana',
        streetAddress: '4939 Hess Fork',
        type: 'work',
        primary: false,
      },
      {
        country: null,
        formatted: '18522 Lisa Unions\nEast Gregory, CT 52311',
        locality: null,
        postalCode: null,
        region: null,
        streetAddress: null,
        type: 'other',
        primary: false,
      },
    ],
    displayName: 'Kimberly Baker',
    emails: [
      { type: 'work', primary: true, value: primaryEmail },
      { type: 'other', primary: false, value: `other.${primaryEmail}` },
    ],
    meta: {
      created: '2019-09-18T18:15:26.5788954+00:00',
      lastModified: '2019-09-18T18:15:26.5788976+00:00',
      resourceType: 'User',
    },
    name: {
      formatted: 'Daniel Mcgee',
      familyName: 'OMalley',
      givenName: 'Darl',
      honorificPrefix: null,
      honorificSuffix: null,
    },
    phoneNumbers: [
      { type: 'fax', primary: false, value: '312-320-0500' },
      { type: 'mobile', primary: false, value: '312-320-1707' },
      { type: 'work', primary: true, value: '312-320-0932' },
    ],
    preferredLanguage: 'xh',
    roles: [],
    title: 'Site engineer',
    externalId: SHARED_EXTERNAL_ID,
    schemas: [CORE],
    ...extra,
  };
}

for (const kind of STORE_KINDS) {
  describe(`Microsoft's SCIM reference collection, users (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let omalleyId: string;
    before(async () => {
      t = await setupApp(kind);
    });
    after(() => t.cleanup());

    it('creates "OMalley" (201), echoing userName and active', async () => {
      const res = await t.scim('POST', 'Users', collectionUser('OMalley', 'anna33@example.com'));
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().userName, 'OMalley');
      assert.equal(res.json().active, true);
      assert.equal(res.json().externalId, SHARED_EXTERNAL_ID);
      omalleyId = res.json().id;
    });

    it('creates "emp1" with the same externalId and "active": "True" (201)', async () => {
      const res = await t.scim(
        'POST',
        'Users',
        collectionUser('emp1', 'anna33@gmail.example', { active: 'True' }),
      );
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().active, true);
    });

    it('creates "emp2", "emp3" and an enterprise user with the same externalId (201 each)', async () => {
      for (const [userName, email, extra] of [
        ['emp2', 'emp2@contoso.example', {}],
        ['emp3', 'emp3@contoso.example', {}],
        ['enterprise', 'enterprise@contoso.example', { [ENTERPRISE]: { Department: 'some department' } }],
      ] as const) {
        const res = await t.scim('POST', 'Users', collectionUser(userName, email, extra));
        assert.equal(res.statusCode, 201, `${userName}: ${res.body}`);
      }
    });

    it('takes "Post EnterpriseUser": capitalised enterprise keys and a manager object ({"Value": …})', async () => {
      const res = await t.scim('POST', 'Users', {
        userName: 'UserName222',
        active: true,
        displayName: 'lennay',
        schemas: [ENTERPRISE, CORE],
        externalId: SHARED_EXTERNAL_ID,
        name: { formatted: 'Adrew Ryan', familyName: 'Ryan', givenName: 'Andrew' },
        emails: [
          { Primary: true, type: 'work', value: 'testing@bob2.example' },
          { Primary: false, type: 'home', value: 'testinghome@bob3.example' },
        ],
        [ENTERPRISE]: { Department: 'bob', Manager: { Value: 'SuzzyQ' } },
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.deepEqual(res.json()[ENTERPRISE], { department: 'bob', manager: { value: 'SuzzyQ' } });
    });

    it('finds every user that shares the externalId', async () => {
      const res = await t.scim(
        'GET',
        `Users?filter=${encodeURIComponent(`externalId eq "${SHARED_EXTERNAL_ID}"`)}`,
      );
      assert.equal(res.statusCode, 200);
      assert.deepEqual(
        res.json().Resources.map((user: { userName: string }) => user.userName),
        ['OMalley', 'emp1', 'emp2', 'emp3', 'enterprise', 'UserName222'],
      );
    });

    it('refuses a user without userName (400) and a body that is not JSON (400)', async () => {
      const missing = await t.scim('POST', 'Users', collectionUser(undefined, 'nobody@contoso.example'));
      assert.equal(missing.statusCode, 400);
      const junk = await t.app.inject({
        method: 'POST',
        url: '/scim/v2/Users',
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
        payload: '{ "acve": tre, "adadfdresses": [',
      });
      assert.equal(junk.statusCode, 400);
    });

    it('answers "emp3 exists" with 409 and a detail, twice', async () => {
      for (let attempt = 0; attempt < 2; attempt++) {
        const res = await t.scim('POST', 'Users', collectionUser('emp3', 'emp3@contoso.example'));
        assert.equal(res.statusCode, 409);
        assert.ok(res.json().detail);
      }
    });

    it('refuses "Put a user no username" (400) and leaves OMalley as he was', async () => {
      const before = (await t.scim('GET', `Users/${omalleyId}`)).json();
      const { userName: _dropped, ...rest } = collectionUser('OMalley', 'anna33@example.com');
      const res = await t.scim('PUT', `Users/${omalleyId}`, {
        ...rest,
        id: omalleyId,
        userame: 'OMalley',
        active: false,
      });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().scimType, 'invalidValue');
      assert.deepEqual((await t.scim('GET', `Users/${omalleyId}`)).json(), before);
    });

    it('accepts "Put a user misspelled attribute" (200), ignoring "adreses"', async () => {
      const { addresses, ...rest } = collectionUser('OMalley', 'anna33@example.com');
      const res = await t.scim('PUT', `Users/${omalleyId}`, {
        ...rest,
        id: omalleyId,
        active: false,
        adreses: addresses,
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.doesNotMatch(res.body, /adreses/i);
      assert.equal(res.json().active, false);
    });

    it('pages with startIndex=1&count=2 over the Admin and the six users', async () => {
      const res = await t.scim('GET', 'Users?startIndex=1&count=2');
      assert.equal(res.json().totalResults, 7);
      assert.equal(res.json().itemsPerPage, 2);
    });
  });
}
