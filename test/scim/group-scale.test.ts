// A group of any size: adding or removing one member, or a batch of 1,000, and reading a group
// without its members, must cost the same in a group of 10 members and in one of 10,000; and so
// must adding one member to a group mapped to the Admin role and a workspace, which settles the
// member's access (src/membership/effective-access.ts). Not a
// timing: the statements each request runs (the same texts, as many) and what they read —
//   - PostgreSQL: rows examined in memberships, member_emails, users and group_members by every
//     SELECT (`EXPLAIN ANALYZE`), and no write planned as a scan of a growing table;
//   - SQLite (no row counters through better-sqlite3): the plan of every statement, the same at
//     both sizes and reading no growing table whole.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { type CompiledQuery, sql } from 'kysely';
import { now } from '../../src/store/ids.ts';
import type { Store } from '../../src/store/store.ts';
import {
  appOver,
  GROWING_TABLES,
  growMembers,
  isPlanned,
  isSelect,
  openRecordingStore,
  planOf,
  readsWhole,
  rowsExamined,
  withoutAutovacuum,
} from '../helpers/query-plans.ts';
import { initTestOrganization, serviceToken } from '../helpers/seed.ts';
import { createTestDatabase, STORE_KINDS, skipReason, type TestDatabase } from '../helpers/stores.ts';

const SMALL = 10;
const LARGE = 10_000;
const BATCH = 1_000;
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** What grows here: the members, and a group's rows. */
const GROWING = [...GROWING_TABLES, 'group_members'];

for (const kind of STORE_KINDS) {
  describe(`the cost of a group change on ${kind}, in a group of ${SMALL} and of ${LARGE}`, {
    skip: skipReason(kind),
  }, () => {
    const seen: CompiledQuery[] = [];
    let database: TestDatabase;
    let store: Store;
    let app: FastifyInstance;
    let token = '';
    let memberIds: string[] = [];
    const groups = { small: '', large: '', 'mapped-small': '', 'mapped-large': '' };

    const send = (method: 'GET' | 'PATCH', url: string, body?: unknown) =>
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

    /** What one request costs (see the header), with the statements it ran. */
    async function cost(method: 'GET' | 'PATCH', url: string, body?: unknown) {
      seen.length = 0;
      const response = await send(method, url, body);
      assert.ok(response.statusCode < 300, response.body);
      // A token's last use is written once a minute, and the SCIM request log (with its pruning) in
      // batches, both off the request path (a batch may land in either request's window): not the
      // request's cost.
      const statements = seen.filter(
        (query) => isPlanned(query) && !/last_used_at|"scim_requests"/.test(query.sql),
      );
      let examined = 0;
      const plans: string[] = [];
      for (const query of statements) {
        if (kind === 'postgres' && isSelect(query)) {
          examined += await rowsExamined(store.db, query, GROWING);
          continue;
        }
        const plan = await planOf(store.db, kind, query);
        assert.equal(readsWhole(plan, GROWING), undefined, `${query.sql}\n${plan}`);
        plans.push(plan);
      }
      return {
        texts: statements.map((q) => q.sql).join('\n'),
        count: statements.length,
        examined,
        plans: plans.join('\n---\n'),
      };
    }

    async function same(
      label: string,
      request: (groupId: string) => [method: 'GET' | 'PATCH', url: string, body?: unknown],
    ) {
      const small = await cost(...request(groups.small));
      const large = await cost(...request(groups.large));
      assert.equal(large.count, small.count, `${label}: statements`);
      assert.equal(large.texts, small.texts, `${label}: statements`);
      assert.equal(
        large.examined,
        small.examined,
        `${label}: rows examined at ${SMALL}: ${small.examined}, at ${LARGE}: ${large.examined}`,
      );
      // SQLite's planner statistics are fixed (sqlite/fix-statistics.ts): its plans must agree too.
      // PostgreSQL's may differ by size, as long as none reads a growing table whole.
      if (kind === 'sqlite') assert.equal(large.plans, small.plans, `${label}: plans`);
      return large;
    }

    before(async () => {
      database = await createTestDatabase(kind);
      const setup = database.open();
      await setup.migrate();
      await withoutAutovacuum(setup);
      const org = await initTestOrganization(setup, { slug: 'acme' });
      token = (await serviceToken(setup, org.organization.id)).token;
      await growMembers(setup.db, org.organization.id, 0, LARGE + SMALL + BATCH + 3);
      memberIds = (
        await setup.db
          .selectFrom('memberships')
          .select('id')
          .where('organization_id', '=', org.organization.id)
          .where('seq', '>=', 1000)
          .orderBy('seq')
          .execute()
      ).map((row) => row.id);
      for (const [name, size, offset] of [
        ['small', SMALL, 0],
        ['large', LARGE, SMALL],
        ['mapped-small', SMALL, 0],
        ['mapped-large', LARGE, SMALL],
      ] as const) {
        const at = now();
        const id = `group-${name}`;
        const mapped = name.startsWith('mapped');
        await setup.groups.insert({
          id,
          organization_id: org.organization.id,
          display_name: name,
          external_id: null,
          role: mapped ? 'admin' : null,
          member_count: size,
          version: 1,
          created_at: at,
          updated_at: at,
        });
        await setup.groups.addMembers(id, memberIds.slice(offset, offset + size), at);
        if (mapped) await setup.groups.setWorkspaces(id, [org.workspace.id], at);
        groups[name] = id;
      }
      await sql`analyze`.execute(setup.db);
      await setup.close();
      store = openRecordingStore(database, seen);
      app = appOver(store, database);
      // The token's first use is written once (last_used_at): not part of what is measured.
      assert.equal((await send('GET', '/scim/v2/Groups?count=0')).statusCode, 200);
    });
    after(async () => {
      await app?.close();
      await store?.close();
      await database?.drop();
    });

    const one = () => memberIds[LARGE + SMALL + BATCH] ?? '';
    const batch = () => memberIds.slice(LARGE + SMALL, LARGE + SMALL + BATCH).map((value) => ({ value }));

    it('adds one member (Okta) with the same statements and reads', async () => {
      const patch = {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: one() }] }],
      };
      const large = await same('add one', (id) => ['PATCH', `/scim/v2/Groups/${id}`, patch]);
      if (kind === 'postgres') assert.ok(large.examined <= 6, `rows examined: ${large.examined}`);
    });

    it('adds one member to a group mapped to Admin and a workspace with the same statements and reads', async () => {
      // Two members alike (Members, no workspace, in no group): one joins the small group, one the large.
      const add = (member: string) => ({
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: member }] }],
      });
      const small = await cost(
        'PATCH',
        `/scim/v2/Groups/${groups['mapped-small']}`,
        add(memberIds[LARGE + SMALL + BATCH + 1] ?? ''),
      );
      const large = await cost(
        'PATCH',
        `/scim/v2/Groups/${groups['mapped-large']}`,
        add(memberIds[LARGE + SMALL + BATCH + 2] ?? ''),
      );
      assert.equal(large.count, small.count, 'statements');
      assert.equal(large.texts, small.texts, 'statements');
      assert.equal(
        large.examined,
        small.examined,
        `rows examined at ${SMALL}: ${small.examined}, at ${LARGE}: ${large.examined}`,
      );
      if (kind === 'sqlite') assert.equal(large.plans, small.plans, 'plans');
      // It did settle the member: the role and the workspace event are part of what was measured.
      assert.match(large.texts, /update "memberships"/);
      assert.match(large.texts, /insert into "events"/);
      for (const index of [1, 2]) {
        const member = await store.members.getById(
          await orgOf(groups.small),
          memberIds[LARGE + SMALL + BATCH + index] ?? '',
        );
        assert.equal(member?.role, 'admin');
      }
    });

    it('removes one member (Okta members[value eq]) with the same statements and reads', async () => {
      const patch = {
        schemas: [PATCH_OP],
        Operations: [{ op: 'remove', path: `members[value eq "${one()}"]` }],
      };
      await same('remove one', (id) => ['PATCH', `/scim/v2/Groups/${id}`, patch]);
    });

    it(`adds and removes a batch of ${BATCH} (Entra) with the same statements and reads`, async () => {
      const add = { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: batch() }] };
      const remove = { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: batch() }] };
      await same('add batch', (id) => ['PATCH', `/scim/v2/Groups/${id}`, add]);
      await same('remove batch', (id) => ['PATCH', `/scim/v2/Groups/${id}`, remove]);
    });

    it('reads a group with excludedAttributes=members without reading its members', async () => {
      const large = await same('get without members', (id) => [
        'GET',
        `/scim/v2/Groups/${id}?excludedAttributes=members`,
      ]);
      assert.ok(!large.texts.includes('group_members'), large.texts);
      const group = (await send('GET', `/scim/v2/Groups/${groups.large}?excludedAttributes=members`)).json();
      assert.equal(group.members, undefined);
    });

    it('keeps the member count in step with the rows', async () => {
      for (const id of [groups.small, groups.large]) {
        const row = await store.groups.getById(await orgOf(id), id);
        const counted = await store.db
          .selectFrom('group_members')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('group_id', '=', id)
          .executeTakeFirstOrThrow();
        assert.equal(row?.member_count, Number(counted.n));
      }
    });

    async function orgOf(groupId: string): Promise<string> {
      const row = await store.db
        .selectFrom('groups')
        .select('organization_id')
        .where('id', '=', groupId)
        .executeTakeFirstOrThrow();
      return row.organization_id;
    }
  });
}
