// Events written with the change they describe, read back through GET /api/v1/events: ordered,
// replayable from any cursor, filtered by type, per organization, and nothing for a refused change.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

interface EventsPage {
  data: { id: string; type: string; organization: { id: string }; data: Record<string, unknown> }[];
  nextCursor: string;
  hasMore: boolean;
}

const user = (name: string) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: `${name}@acme.test`,
  name: { givenName: name, familyName: 'Doe' },
  emails: [{ value: `${name}@acme.test`, type: 'work', primary: true }],
  active: true,
});

for (const kind of STORE_KINDS) {
  describe(`the events API (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    before(async () => {
      t = await setupApp(kind, 'acme', { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    });
    after(() => t.cleanup());

    async function events(query = ''): Promise<EventsPage> {
      const response = await t.app.inject({
        method: 'GET',
        url: `/api/v1/events${query}`,
        headers: { authorization: `Bearer ${t.token}` },
      });
      assert.equal(response.statusCode, 200, response.body);
      return response.json() as EventsPage;
    }

    it('lists a SCIM create and deactivation in order, with the member as it is after each change', async () => {
      const start = (await events('?limit=1000')).nextCursor;
      const created = await t.scim('POST', 'Users', user('ada'));
      assert.equal(created.statusCode, 201);
      const id = created.json().id as string;
      const patched = await t.scim('PATCH', `Users/${id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', value: { active: false } }],
      });
      assert.equal(patched.statusCode, 200);
      const page = await events(`?after=${start}`);
      assert.deepEqual(
        page.data.map((event) => event.type),
        ['member.created', 'member.deactivated'],
      );
      const [create, deactivate] = page.data;
      assert.equal(create?.data.id, id);
      assert.equal(create?.data.active, true);
      assert.equal(deactivate?.data.active, false);
      assert.equal(deactivate?.data.role, null);
      assert.equal(deactivate?.organization.id, t.org.organization.id);
      assert.match(create?.id ?? '', /^evt_[0-9a-f]{32}$/);
      assert.equal(page.hasMore, false);
      // Replay from the same cursor gives the same events; from the last one, none.
      assert.deepEqual((await events(`?after=${start}`)).data, page.data);
      const empty = await events(`?after=${page.nextCursor}`);
      assert.deepEqual(empty.data, []);
      assert.equal(empty.nextCursor, page.nextCursor);
    });

    it('pages with limit and filters by type', async () => {
      const start = (await events('?limit=1000')).nextCursor;
      for (const name of ['bo', 'cy', 'di'])
        assert.equal((await t.scim('POST', 'Users', user(name))).statusCode, 201);
      const first = await events(`?after=${start}&limit=2`);
      assert.equal(first.data.length, 2);
      assert.equal(first.hasMore, true);
      const second = await events(`?after=${first.nextCursor}&limit=2`);
      assert.equal(second.data.length, 1);
      assert.deepEqual(
        [...first.data, ...second.data].map((event) => event.data.userName),
        ['bo@acme.test', 'cy@acme.test', 'di@acme.test'],
      );
      const filtered = await events(`?after=${start}&types=member.deactivated`);
      assert.equal(filtered.data.length, 0);
    });

    it('writes no event for a refused change', async () => {
      const start = (await events('?limit=1000')).nextCursor;
      const duplicate = await t.scim('POST', 'Users', user('bo'));
      assert.equal(duplicate.statusCode, 409);
      assert.deepEqual((await events(`?after=${start}`)).data, []);
    });

    it('refuses a bad cursor, limit or type with a 400 and no token with a 401', async () => {
      for (const query of [
        '?after=abc',
        '?limit=0',
        '?limit=5000',
        '?types=member.exploded',
        '?types=member.linked',
      ]) {
        const response = await t.app.inject({
          method: 'GET',
          url: `/api/v1/events${query}`,
          headers: { authorization: `Bearer ${t.token}` },
        });
        assert.equal(response.statusCode, 400, query);
        assert.equal(response.json().error.code, 'invalid_value');
      }
      const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/events' });
      assert.equal(anonymous.statusCode, 401);
    });

    it("shows an organization none of another organization's events", async () => {
      const other = await setupApp(kind, 'other');
      try {
        assert.equal((await other.scim('POST', 'Users', user('eve'))).statusCode, 201);
        const mine = await events('?limit=1000');
        assert.ok(mine.data.every((event) => event.organization.id === t.org.organization.id));
        assert.ok(!mine.data.some((event) => event.data.userName === 'eve@acme.test'));
      } finally {
        await other.cleanup();
      }
    });
  });
}
