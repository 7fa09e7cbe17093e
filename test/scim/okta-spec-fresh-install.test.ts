// Okta's SCIM 2.0 SPEC test (docs/idp-requests.md, [Okta-SPEC]) against a brand-new installation:
// `roster init --admin-name` and `roster tokens create --service` run as an operator runs them (the
// real command, in a child process), then Okta's sequence. Its first check reads
// `Resources[0].name.givenName` of `GET /Users?count=1&startIndex=1`: on a fresh organization that
// is the first Admin, who has a name only if init was given one. On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/create-app.ts';
import type { Store } from '../../src/store/store.ts';
import { rosterEnv, runRoster, runRosterJson } from '../helpers/roster-cli.ts';
import { createTestDatabase, STORE_KINDS, skipReason, type TestDatabase } from '../helpers/stores.ts';

const OKTA_HEADERS = { 'user-agent': 'Okta SCIM Client 1.0.0', accept: 'application/scim+json' };

for (const kind of STORE_KINDS) {
  describe(`Okta SCIM 2.0 SPEC test on a fresh \`roster init\` organization (${kind})`, {
    skip: skipReason(kind),
  }, () => {
    let database: TestDatabase;
    let store: Store;
    let app: FastifyInstance;
    let token: string;
    const userName = `Okta.Spec.${Date.now().toString(36)}@Example.COM`;

    async function scim(method: 'GET' | 'POST', path: string, body?: unknown, bearer = token) {
      return app.inject({
        method,
        url: `/scim/v2/${path}`,
        headers: {
          ...OKTA_HEADERS,
          authorization: `Bearer ${bearer}`,
          ...(body === undefined ? {} : { 'content-type': 'application/scim+json; charset=utf-8' }),
        },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
    }

    before(async () => {
      database = await createTestDatabase(kind);
      const env = rosterEnv(database);
      await runRosterJson(
        [
          'init',
          '--org-name',
          'Fresh Inc',
          '--admin-email',
          'ada@fresh.example',
          '--admin-name',
          'Ada Lovelace',
        ],
        env,
      );
      ({ token } = await runRosterJson<{ token: string }>(
        ['tokens', 'create', '--org', 'fresh-inc', '--name', 'okta', '--role', 'admin', '--service'],
        env,
      ));
      store = database.open();
      app = createApp(loadConfig({ PUBLIC_URL: 'https://roster.test', DATABASE_URL: database.url }), store, {
        logger: false,
      });
    });
    after(async () => {
      await app.close();
      await store.close();
      await database.drop();
    });

    it('Required Test: Test Users endpoint — numeric paging and a complete first User (the Admin)', async () => {
      const res = await scim('GET', 'Users?count=1&startIndex=1');
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(typeof body.itemsPerPage, 'number');
      assert.equal(typeof body.startIndex, 'number');
      assert.equal(typeof body.totalResults, 'number');
      assert.equal(body.totalResults, 1, 'a fresh organization holds its Admin only');
      const [first] = body.Resources;
      assert.ok(first.id);
      assert.equal(first.name.givenName, 'Ada');
      assert.equal(first.name.familyName, 'Lovelace');
      assert.equal(first.userName, 'ada@fresh.example');
      assert.equal(first.active, true);
      assert.equal(first.emails[0].value, 'ada@fresh.example');
    });

    it('Required Test: a userName that does not exist is a 200 with totalResults 0', async () => {
      const res = await scim('GET', `Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().totalResults, 0);
      assert.deepEqual(res.json().Resources, []);
    });

    it('Required Test: creates the User and echoes its userName as sent', async () => {
      const res = await scim('POST', 'Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName,
        name: { givenName: 'Spec', familyName: 'Test' },
        emails: [{ primary: true, value: userName.toLowerCase(), type: 'work' }],
        displayName: 'Spec Test',
        externalId: '00ujl29u0le5T6Aj10h7',
        groups: [],
        password: 'tP9z!x2a',
        active: true,
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().userName, userName);
      assert.equal(res.json().active, true);
    });

    it('Required Test: the same create again is a 409', async () => {
      const res = await scim('POST', 'Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName,
        emails: [{ primary: true, value: userName.toLowerCase(), type: 'work' }],
        active: true,
      });
      assert.equal(res.statusCode, 409);
    });

    it('Required Test: the userName filter in upper case finds the User', async () => {
      const res = await scim(
        'GET',
        `Users?filter=${encodeURIComponent(`userName eq "${userName.toUpperCase()}"`)}`,
      );
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().totalResults, 1);
      assert.equal(res.json().Resources[0].userName, userName);
    });

    it('Required Test: an unknown id is a 404 with an Error body and a detail', async () => {
      const res = await scim('GET', 'Users/010101010101010');
      assert.equal(res.statusCode, 404);
      assert.deepEqual(res.json().schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
      assert.ok(res.json().detail);
    });

    it('Required Test: a bad Authorization is a 401 with status "401"', async () => {
      const res = await scim('GET', 'Users?count=1', undefined, 'rst_sat_not-a-real-token');
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().status, '401');
    });
  });
}

describe('roster init without --admin-name', () => {
  it("leaves the Admin without a name, and says that Okta's SPEC test expects one", async () => {
    const database = await createTestDatabase('sqlite');
    try {
      const result = await runRoster(
        ['init', '--org-name', 'Nameless Inc', '--admin-email', 'nobody@nameless.example'],
        rosterEnv(database),
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stdout,
        /The Admin has no name: Okta's SCIM test expects one \(--admin-name "Given Family"\)/,
      );
      const store = database.open();
      try {
        const [organization] = await store.organizations.list();
        assert.ok(organization);
        const [first] = await store.members.list(organization.id, { limit: 1, offset: 0 });
        assert.ok(first);
        const admin = await store.members.getById(organization.id, first.id);
        assert.equal(admin?.given_name ?? null, null);
      } finally {
        await store.close();
      }
    } finally {
      await database.drop();
    }
  });
});
