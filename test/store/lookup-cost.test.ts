// Issue 17: a lookup must cost the same at any size of the organization. Not a timing: the rows the
// database examines. An organization is pushed from empty over HTTP by an IdP's sequence (a
// userName lookup, then a POST, per person, ten in flight) with an Admin's PERSONAL access token,
// on a database analyzed when it had one member (the store reopened after, as a server starting
// then). The cost of a lookup is taken at GROWN_FROM members and again at GROWN_TO:
//   - PostgreSQL: rows examined in memberships, member_emails and users — returned by a scan or read
//     and discarded by its filter, times loops — by every SELECT of the request (`EXPLAIN ANALYZE`);
//   - SQLite, which exposes no such counter through better-sqlite3 (no sqlite3_stmt_status, no
//     scanstatus, no sqlite_stmt table in its build): the plan of every SELECT of the request, which
//     must be the same at both sizes and read no growing table whole.
// Grown over HTTP to a few thousand at most: enough for the old code to show the bug (the personal
// token's owner was found by scanning memberships: 1,001 rows examined at 1,000 members), while
// 50,000 pushes would take minutes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { type CompiledQuery, sql } from 'kysely';
import type { Store } from '../../src/store/store.ts';
import {
  appOver,
  isSelect,
  openRecordingStore,
  planOf,
  readsWhole,
  rowsExamined,
  withoutAutovacuum,
} from '../helpers/query-plans.ts';
import { initTestOrganization, personalToken } from '../helpers/seed.ts';
import { createTestDatabase, STORE_KINDS, skipReason, type TestDatabase } from '../helpers/stores.ts';

const GROWN_FROM = 300;
const GROWN_TO = 1000;
const IN_FLIGHT = 10;
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

for (const kind of STORE_KINDS) {
  describe(`the cost of a lookup on ${kind}, as an IdP fills an organization with a personal token`, {
    skip: skipReason(kind),
  }, () => {
    const seen: CompiledQuery[] = [];
    let database: TestDatabase;
    let store: Store;
    let app: FastifyInstance;
    let token = '';
    let pushed = 0;

    const send = (method: 'GET' | 'POST', url: string, body?: unknown) =>
      app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/scim+json',
          ...(body ? { 'content-type': 'application/scim+json' } : {}),
        },
        ...(body ? { payload: JSON.stringify(body) } : {}),
      });
    const byUserName = (i: number) =>
      `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "person.${i}@acme.test"`)}`;

    /** What Okta does for each new person: look them up, then create them. */
    async function pushUntil(members: number): Promise<void> {
      const worker = async () => {
        while (pushed < members) {
          const i = pushed++;
          const found = await send('GET', byUserName(i));
          assert.equal(found.statusCode, 200, found.body);
          const created = await send('POST', '/scim/v2/Users', {
            schemas: [USER],
            userName: `person.${i}@acme.test`,
            externalId: `ext-${i}`,
            name: { givenName: 'Person', familyName: String(i) },
            emails: [{ value: `person.${i}@acme.test`, type: 'work', primary: true }],
            active: true,
          });
          assert.equal(created.statusCode, 201, created.body);
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    }

    /** The cost of looking up member `i` (see the header), with the queries it ran. */
    async function lookupCost(i: number): Promise<{ cost: string | number; queries: string }> {
      seen.length = 0;
      const response = await send('GET', byUserName(i));
      assert.equal(response.statusCode, 200, response.body);
      const selects = seen.filter(isSelect);
      const queries = selects.map((query) => query.sql).join('\n');
      if (kind === 'postgres') {
        let rows = 0;
        for (const query of selects) rows += await rowsExamined(store.db, query);
        return { cost: rows, queries };
      }
      const plans: string[] = [];
      for (const query of selects) {
        const plan = await planOf(store.db, kind, query);
        assert.equal(readsWhole(plan), undefined, `${query.sql}\n${plan}`);
        plans.push(plan);
      }
      return { cost: plans.join('\n---\n'), queries };
    }

    before(async () => {
      database = await createTestDatabase(kind);
      const setup = database.open();
      await setup.migrate();
      await withoutAutovacuum(setup);
      const org = await initTestOrganization(setup, { slug: 'acme' });
      token = (await personalToken(setup, org.organization.id, org.membership.id, 'admin')).token;
      await sql`analyze`.execute(setup.db);
      await setup.close();
      store = openRecordingStore(database, seen);
      app = appOver(store, database);
    });
    after(async () => {
      await app?.close();
      await store?.close();
      await database?.drop();
    });

    it(`is the same at ${GROWN_FROM} and ${GROWN_TO} members`, async () => {
      await pushUntil(GROWN_FROM);
      const small = await lookupCost(GROWN_FROM / 2);
      await pushUntil(GROWN_TO);
      const large = await lookupCost(GROWN_TO / 2);
      assert.equal(large.queries, small.queries);
      assert.equal(large.cost, small.cost, `at ${GROWN_FROM}: ${small.cost}; at ${GROWN_TO}: ${large.cost}`);
      if (kind === 'postgres') {
        // The token and its owner, the organization, the member found: a handful of rows.
        assert.ok(Number(large.cost) <= 6, `rows examined per lookup: ${large.cost}`);
      }
    });
  });
}
