// Issue 17: the plans of the hot queries must not depend on the planner's statistics. Each request
// below runs through the real app; every query it sends is recorded below the store and its plan
// read back (SQLite `EXPLAIN QUERY PLAN`, PostgreSQL `EXPLAIN`), in an organization grown to a few
// thousand members (by the row factory: these plans need only the data) in two conditions:
//   - never analyzed;
//   - analyzed when the organization had one member (as a server that started then, or autovacuum
//     lagging behind a fast-growing table, leaves it), the store reopened, then grown.
// No plan may read a growing table whole, and each hot query must use its index. Before the fixed
// statistics (src/store/sqlite/fix-statistics.ts), the second condition verified every personal
// access token by scanning memberships on SQLite.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { type CompiledQuery, sql } from 'kysely';
import type { Store } from '../../src/store/store.ts';
import {
  appOver,
  growMembers,
  isPlanned,
  openRecordingStore,
  planOf,
  readsWhole,
  withoutAutovacuum,
} from '../helpers/query-plans.ts';
import { initTestOrganization, personalToken, serviceToken } from '../helpers/seed.ts';
import {
  createTestDatabase,
  STORE_KINDS,
  type StoreKind,
  skipReason,
  type TestDatabase,
} from '../helpers/stores.ts';

const MEMBERS = 3000;
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

type Expectations = Record<StoreKind, RegExp[]>;

interface HotRequest {
  name: string;
  token: 'personal' | 'service';
  method: 'GET' | 'POST';
  url: (memberId: string) => string;
  body?: unknown;
  plans: Expectations;
}

const lookup = (filter: string) => `/scim/v2/Users?filter=${encodeURIComponent(filter)}`;
const PERSONAL_GRANT: Expectations = {
  sqlite: [
    /SEARCH t USING INDEX sqlite_autoindex_personal_access_tokens_2 \(token_hash=\?\)/,
    /SEARCH m USING INDEX sqlite_autoindex_memberships_1 \(id=\?\) LEFT-JOIN/,
  ],
  postgres: [/Index Scan using memberships_pkey on memberships m/],
};

const REQUESTS: HotRequest[] = [
  {
    name: 'lookup by userName (personal token)',
    token: 'personal',
    method: 'GET',
    url: () => lookup('userName eq "person.1234@acme.test"'),
    plans: {
      sqlite: [
        ...PERSONAL_GRANT.sqlite,
        /SEARCH m USING INDEX memberships_org_user_name \(organization_id=\? AND <expr>=\?\)/,
      ],
      postgres: [...PERSONAL_GRANT.postgres, /Index Scan using memberships_org_user_name on memberships m/],
    },
  },
  {
    name: 'lookup by userName (service token)',
    token: 'service',
    method: 'GET',
    url: () => lookup('userName eq "person.1234@acme.test"'),
    plans: {
      sqlite: [/SEARCH t USING INDEX sqlite_autoindex_service_access_tokens_2 \(token_hash=\?\)/],
      postgres: [/Index Scan using memberships_org_user_name on memberships m/],
    },
  },
  {
    name: 'lookup by externalId',
    token: 'personal',
    method: 'GET',
    url: () => lookup('externalId eq "ext-1234"'),
    plans: {
      sqlite: [/SEARCH m USING INDEX memberships_org_external_id \(organization_id=\? AND external_id=\?\)/],
      postgres: [/Index Scan using memberships_org_external_id on memberships m/],
    },
  },
  {
    name: 'lookup by email',
    token: 'personal',
    method: 'GET',
    url: () => lookup('emails[type eq "work"].value eq "person.1234@acme.test"'),
    plans: {
      sqlite: [/SEARCH e USING INDEX member_emails_org_value \(organization_id=\? AND <expr>=\?\)/],
      postgres: [/Index Scan using member_emails_org_value on member_emails e/],
    },
  },
  {
    name: 'get by id',
    token: 'personal',
    method: 'GET',
    url: (id) => `/scim/v2/Users/${id}`,
    plans: {
      sqlite: [/SEARCH memberships USING INDEX sqlite_autoindex_memberships_1 \(id=\?\)/],
      postgres: [/Index Scan using memberships_pkey on memberships/],
    },
  },
  {
    name: 'a page deep in the organization',
    token: 'personal',
    method: 'GET',
    url: () => '/scim/v2/Users?startIndex=2001&count=100',
    plans: {
      sqlite: [
        /SEARCH memberships USING INDEX sqlite_autoindex_memberships_3 \(organization_id=\? AND seq>\?\)/,
      ],
      postgres: [
        /Index Scan using memberships_org_seq on memberships|Bitmap Index Scan on memberships_org_seq/,
      ],
    },
  },
  {
    name: 'create',
    token: 'personal',
    method: 'POST',
    url: () => '/scim/v2/Users',
    body: {
      schemas: [USER],
      userName: 'new.person@acme.test',
      externalId: 'ext-new',
      name: { givenName: 'New', familyName: 'Person' },
      emails: [{ value: 'new.person@acme.test', type: 'work', primary: true }],
      active: true,
    },
    plans: {
      // The organization, whether the userName is taken and the person's account: one statement.
      sqlite: [
        /SEARCH u USING INDEX users_email \(<expr>=\?\)/,
        /SEARCH m USING INDEX memberships_org_user_name \(organization_id=\? AND <expr>=\?\)/,
      ],
      postgres: [
        /Index Scan using users_email on users u/,
        /Index (Only )?Scan using memberships_org_user_name on memberships m/,
      ],
    },
  },
];

const CONDITIONS = ['never analyzed', 'analyzed at one member, then grown'] as const;

for (const kind of STORE_KINDS) {
  for (const condition of CONDITIONS) {
    describe(`hot query plans on ${kind}, ${condition}, at ${MEMBERS} members`, {
      skip: skipReason(kind),
    }, () => {
      const seen: CompiledQuery[] = [];
      let database: TestDatabase;
      let store: Store;
      let app: FastifyInstance;
      const tokens = { personal: '', service: '' };
      let memberId = '';

      before(async () => {
        database = await createTestDatabase(kind);
        // `roster init`, then (second condition) an analysis of the one-member organization.
        const setup = database.open();
        await setup.migrate();
        await withoutAutovacuum(setup);
        const org = await initTestOrganization(setup, { slug: 'acme' });
        tokens.personal = (await personalToken(setup, org.organization.id, org.membership.id, 'admin')).token;
        tokens.service = (await serviceToken(setup, org.organization.id)).token;
        if (condition !== 'never analyzed') await sql`analyze`.execute(setup.db);
        await setup.close();
        // `roster serve`, while the organization grows.
        store = openRecordingStore(database, seen);
        app = appOver(store, database);
        await growMembers(store.db, org.organization.id, 0, MEMBERS);
        const found = await store.db
          .selectFrom('memberships')
          .select('id')
          .where('user_name', '=', 'person.1234@acme.test')
          .executeTakeFirstOrThrow();
        memberId = found.id;
      });
      after(async () => {
        await app?.close();
        await store?.close();
        await database?.drop();
      });

      for (const request of REQUESTS) {
        it(`${request.name}: every query on its index`, async () => {
          seen.length = 0;
          const response = await app.inject({
            method: request.method,
            url: request.url(memberId),
            headers: {
              authorization: `Bearer ${tokens[request.token]}`,
              accept: 'application/scim+json',
              ...(request.body ? { 'content-type': 'application/scim+json' } : {}),
            },
            ...(request.body ? { payload: JSON.stringify(request.body) } : {}),
          });
          assert.ok(response.statusCode < 300, response.body);
          const queries = seen.filter(isPlanned);
          const plans: string[] = [];
          for (const query of queries) plans.push(await planOf(store.db, kind, query));
          const all = plans.join('\n---\n');
          if (process.env.PRINT_PLANS)
            console.log(
              `${request.name}\n${queries.map((q, i) => `${q.sql}\n  ${plans[i]?.replaceAll('\n', '\n  ')}`).join('\n')}`,
            );
          plans.forEach((plan, i) => {
            assert.equal(readsWhole(plan), undefined, `${queries[i]?.sql}\n${plan}`);
          });
          for (const expected of request.plans[kind]) assert.match(all, expected);
        });
      }
    });
  }
}
