// SCIM Groups emit their public events (docs/events.md) with the change, read back through
// GET /api/v1/events: the group as the request leaves it, the members added or removed (bounded,
// with a count), and nothing for an unchanged or refused request.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EVENT_MEMBER_IDS } from '../../src/events/event-resources.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { addMember } from '../helpers/seed.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

interface GroupEvent {
  type: string;
  organization: { id: string };
  actor: { type: string };
  data: {
    object: string;
    id: string;
    displayName: string;
    externalId: string | null;
    memberCount: number;
    members?: { count: number; ids: string[] };
  };
  previous?: Record<string, unknown>;
}

for (const kind of STORE_KINDS) {
  describe(`group events (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    const ids: string[] = [];
    before(async () => {
      t = await setupApp(kind);
      for (let i = 0; i < 3; i += 1) {
        ids.push(
          (await addMember(t.store, t.org.organization.id, { userName: `p${i}@acme.test` })).member.id,
        );
      }
    });
    after(() => t.cleanup());

    async function events(after: string): Promise<{ data: GroupEvent[]; nextCursor: string }> {
      const response = await t.app.inject({
        method: 'GET',
        url: `/api/v1/events?after=${after}&limit=1000`,
        headers: { authorization: `Bearer ${t.token}` },
      });
      assert.equal(response.statusCode, 200, response.body);
      return response.json() as { data: GroupEvent[]; nextCursor: string };
    }
    const cursor = async () => (await events('0')).nextCursor;
    const patch = (id: string, Operations: unknown[]) =>
      t.scim('PATCH', `Groups/${id}`, { schemas: [PATCH_OP], Operations });

    it('records create, rename, members added and removed, and delete, with the group after each request', async () => {
      const start = await cursor();
      const created = await t.scim('POST', 'Groups', {
        schemas: [GROUP],
        displayName: 'Readers',
        externalId: 'ext-readers',
        members: [{ value: ids[0] }],
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as string;
      const patched = await patch(id, [
        { op: 'replace', path: 'displayName', value: 'Editors' },
        { op: 'add', path: 'members', value: [{ value: ids[1] }, { value: ids[2] }] },
        { op: 'remove', path: `members[value eq "${ids[0]}"]` },
      ]);
      assert.ok([200, 204].includes(patched.statusCode), patched.body);
      assert.equal((await t.scim('DELETE', `Groups/${id}`)).statusCode, 204);

      const page = await events(start);
      assert.deepEqual(
        page.data.map((event) => event.type),
        [
          'group.created',
          'group.members_added',
          'group.updated',
          'group.members_added',
          'group.members_removed',
          'group.deleted',
        ],
      );
      const [create, firstAdd, update, add, remove, deleted] = page.data as [
        GroupEvent,
        GroupEvent,
        GroupEvent,
        GroupEvent,
        GroupEvent,
        GroupEvent,
      ];
      for (const event of page.data) {
        assert.equal(event.data.object, 'group');
        assert.equal(event.data.id, id);
        assert.equal(event.organization.id, t.org.organization.id);
        assert.equal(event.actor.type, 'service_token');
      }
      // The creation counts the members its body listed; members_added names them.
      assert.equal(create.data.displayName, 'Readers');
      assert.equal(create.data.externalId, 'ext-readers');
      assert.equal(create.data.memberCount, 1);
      assert.equal(create.data.members, undefined);
      assert.deepEqual(firstAdd.data.members, { count: 1, ids: [ids[0]] });
      // Every event of the PATCH carries the group as the PATCH left it.
      assert.equal(update.data.displayName, 'Editors');
      assert.equal(update.data.memberCount, 2);
      assert.deepEqual(update.previous, { displayName: 'Readers', externalId: 'ext-readers' });
      assert.equal(add.data.displayName, 'Editors');
      assert.equal(add.data.memberCount, 2);
      assert.equal(add.data.members?.count, 2);
      assert.deepEqual([...(add.data.members?.ids ?? [])].sort(), [ids[1], ids[2]].sort());
      assert.deepEqual(remove.data.members, { count: 1, ids: [ids[0]] });
      assert.equal(remove.data.memberCount, 2);
      assert.equal(deleted.data.displayName, 'Editors');
      assert.equal(deleted.data.memberCount, 2);
      assert.equal(deleted.data.members, undefined);
    });

    it('records nothing for an unchanged PATCH or PUT, nor for a refused one', async () => {
      const created = await t.scim('POST', 'Groups', {
        schemas: [GROUP],
        displayName: 'Stable',
        members: [{ value: ids[0] }],
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as string;
      const start = await cursor();
      const same = await patch(id, [
        { op: 'replace', path: 'displayName', value: 'Stable' },
        { op: 'add', path: 'members', value: [{ value: ids[0] }] },
        { op: 'remove', path: `members[value eq "${ids[1]}"]` },
      ]);
      assert.ok([200, 204].includes(same.statusCode), same.body);
      const put = await t.scim('PUT', `Groups/${id}`, {
        schemas: [GROUP],
        displayName: 'Stable',
        members: [{ value: ids[0] }],
      });
      assert.equal(put.statusCode, 200, put.body);
      const refused = await patch(id, [
        { op: 'replace', path: 'displayName', value: 'Renamed' },
        { op: 'add', path: 'members', value: [{ value: 'no-such-member' }] },
      ]);
      assert.equal(refused.statusCode, 400, refused.body);
      assert.deepEqual((await events(start)).data, []);
      assert.equal((await t.scim('GET', `Groups/${id}`)).json().displayName, 'Stable');
    });

    it(`names at most ${EVENT_MEMBER_IDS} members added or removed, with their count`, async () => {
      const many: string[] = [...ids];
      for (let i = many.length; i < EVENT_MEMBER_IDS + 2; i += 1) {
        many.push(
          (await addMember(t.store, t.org.organization.id, { userName: `m${i}@acme.test` })).member.id,
        );
      }
      const start = await cursor();
      const created = await t.scim('POST', 'Groups', {
        schemas: [GROUP],
        displayName: 'Everyone',
        members: many.map((value) => ({ value })),
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as string;
      const removed = await patch(id, [{ op: 'remove', path: 'members' }]);
      assert.ok([200, 204].includes(removed.statusCode), removed.body);
      const [create, add, remove] = (await events(start)).data as [GroupEvent, GroupEvent, GroupEvent];
      assert.equal(create.data.memberCount, many.length);
      for (const [event, memberCount] of [
        [add, many.length],
        [remove, 0],
      ] as const) {
        assert.equal(event.data.memberCount, memberCount, event.type);
        assert.equal(event.data.members?.count, many.length, event.type);
        assert.equal(event.data.members?.ids.length, EVENT_MEMBER_IDS, event.type);
        assert.ok(
          event.data.members?.ids.every((member) => many.includes(member)),
          event.type,
        );
      }
      assert.deepEqual(
        [create.type, add.type, remove.type],
        ['group.created', 'group.members_added', 'group.members_removed'],
      );
    });
  });
}
