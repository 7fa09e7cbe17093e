// Issue 17: the statements each hot SCIM request sends, counted on both stores. On PostgreSQL each
// statement is a round trip (a socket write, then a wait), which is most of what a push, a lookup
// or a deactivation costs the server there; on SQLite each is a call into the engine. A change that
// adds one shows here as a count, not as a slower benchmark a day later. Counted below the store
// (test/helpers/query-plans.ts), with `begin` and `commit`, once the token's `last_used_at` has
// been written (at most once a minute: not part of a request's steady cost).
//
// What each request sends, in order:
//   - lookup that finds no one: the token's grant; the page.
//   - lookup that finds someone: + the member's groups and IdP assignments, in one statement.
//   - POST /Users: the grant; begin; the organization, whether the userName is taken and the
//     person's account, in one statement; the account (new), the audit event and the event (one
//     statement on PostgreSQL, three on SQLite); the position, the member and its emails (one
//     statement on PostgreSQL, three on SQLite); commit. Nothing is read after: a member created
//     without assignments holds none and is in no group.
//   - PATCH active false: the grant; begin; the member under its lock; its IdP assignments; the
//     update; ending its sessions and reading its OIDC grants (one statement on PostgreSQL); the
//     audit event and the event (one on PostgreSQL); commit; the groups and assignments it shows.
//   - PATCH active true: as above without the sessions and grants, with the sources of its role.
//   - a page of /Users: the grant; the total (the organization's counter); the page; the groups
//     and assignments of its members, in one statement.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { CompiledQuery } from 'kysely';
import type { Store } from '../../src/store/store.ts';
import { appOver, growMembers, openRecordingStore } from '../helpers/query-plans.ts';
import { initTestOrganization, personalToken, serviceToken } from '../helpers/seed.ts';
import {
  createTestDatabase,
  STORE_KINDS,
  type StoreKind,
  skipReason,
  type TestDatabase,
} from '../helpers/stores.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

type Step =
  | 'lookup, no one'
  | 'POST /Users'
  | 'lookup, found'
  | 'PATCH active false'
  | 'PATCH active true'
  | 'a page of /Users';

/** Statements per request, by store (issue 17's before: PostgreSQL 2, 11, 4, 12, 11, 5). */
const EXPECTED: Record<StoreKind, Record<Step, number>> = {
  sqlite: {
    'lookup, no one': 2,
    'POST /Users': 10,
    'lookup, found': 3,
    'PATCH active false': 11,
    'PATCH active true': 10,
    'a page of /Users': 4,
  },
  postgres: {
    'lookup, no one': 2,
    'POST /Users': 6,
    'lookup, found': 3,
    'PATCH active false': 9,
    'PATCH active true': 9,
    'a page of /Users': 4,
  },
};

for (const kind of STORE_KINDS) {
  describe(`statements per SCIM request on ${kind}`, { skip: skipReason(kind) }, () => {
    const seen: CompiledQuery[] = [];
    let database: TestDatabase;
    let store: Store;
    let app: FastifyInstance;
    const tokens = { personal: '', service: '' };

    before(async () => {
      database = await createTestDatabase(kind);
      const setup = database.open();
      await setup.migrate();
      const org = await initTestOrganization(setup, { slug: 'acme' });
      tokens.personal = (await personalToken(setup, org.organization.id, org.membership.id, 'admin')).token;
      tokens.service = (await serviceToken(setup, org.organization.id)).token;
      await growMembers(setup.db, org.organization.id, 0, 150);
      await setup.close();
      store = openRecordingStore(database, seen);
      app = appOver(store, database);
    });
    after(async () => {
      await app?.close();
      await store?.close();
      await database?.drop();
    });

    for (const token of ['service', 'personal'] as const) {
      it(`sends the counted statements for Okta's requests with a ${token} token`, async () => {
        const send = (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) =>
          app.inject({
            method,
            url,
            headers: {
              authorization: `Bearer ${tokens[token]}`,
              accept: 'application/scim+json',
              ...(body ? { 'content-type': 'application/scim+json' } : {}),
            },
            ...(body ? { payload: JSON.stringify(body) } : {}),
          });
        const userName = `new.${token}@acme.test`;
        const byUserName = `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`;
        // The token's first use writes its last_used_at: done before counting.
        assert.equal((await send('GET', byUserName)).statusCode, 200);

        let id = '';
        const steps: [Step, () => ReturnType<typeof send>, number][] = [
          ['lookup, no one', () => send('GET', byUserName), 200],
          [
            'POST /Users',
            () =>
              send('POST', '/scim/v2/Users', {
                schemas: [USER],
                userName,
                externalId: `ext-${token}`,
                name: { givenName: 'New', familyName: 'Person' },
                emails: [{ value: userName, type: 'work', primary: true }],
                active: true,
              }),
            201,
          ],
          ['lookup, found', () => send('GET', byUserName), 200],
          [
            'PATCH active false',
            () =>
              send('PATCH', `/scim/v2/Users/${id}`, {
                schemas: [PATCH_OP],
                Operations: [{ op: 'replace', value: { active: false } }],
              }),
            200,
          ],
          [
            'PATCH active true',
            () =>
              send('PATCH', `/scim/v2/Users/${id}`, {
                schemas: [PATCH_OP],
                Operations: [{ op: 'replace', value: { active: true } }],
              }),
            200,
          ],
          ['a page of /Users', () => send('GET', '/scim/v2/Users?startIndex=51&count=100'), 200],
        ];
        const counted: Record<string, number> = {};
        for (const [step, request, status] of steps) {
          seen.length = 0;
          const response = await request();
          assert.equal(response.statusCode, status, `${step}: ${response.body}`);
          if (step === 'POST /Users') id = JSON.parse(response.body).id;
          if (step === 'lookup, found') assert.equal(JSON.parse(response.body).totalResults, 1);
          if (step === 'a page of /Users') assert.equal(JSON.parse(response.body).Resources.length, 100);
          counted[step] = seen.length;
        }
        assert.deepEqual(counted, EXPECTED[kind]);
      });
    }
  });
}
