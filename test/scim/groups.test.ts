// /scim/v2/Groups beyond any one IdP's script: PUT, If-Match, paging and filters, projections,
// the User's read-only `groups` (and filtering Users by it), refusals that change nothing, tenancy,
// deactivated members in groups, and the audit log.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { addMember, deactivateMember, insertOrganization } from '../helpers/seed.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

for (const kind of STORE_KINDS) {
  describe(`SCIM Groups (${kind})`, { skip: skipReason(kind) }, () => {
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

    async function create(displayName: string, extra: Record<string, unknown> = {}) {
      const res = await t.scim('POST', 'Groups', { schemas: [GROUP], displayName, ...extra });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().id as string;
    }

    it('creates a group with members and shows them with display names and $ref', async () => {
      const id = await create('Readers', { members: [{ value: ids[0] }] });
      const body = (await t.scim('GET', `Groups/${id}`)).json();
      assert.deepEqual(body.members, [
        {
          value: ids[0],
          $ref: `https://roster.test/scim/v2/Users/${ids[0]}`,
          display: 'p0@acme.test',
          type: 'User',
        },
      ]);
    });

    it('replaces a group with PUT: displayName, externalId and the members list; a PUT without members keeps them', async () => {
      const id = await create('Writers', { members: [{ value: ids[0] }, { value: ids[1] }] });
      const put = await t.scim('PUT', `Groups/${id}`, {
        schemas: [GROUP],
        displayName: 'Editors',
        externalId: 'ext-editors',
        members: [{ value: ids[1] }, { value: ids[2] }],
      });
      assert.equal(put.statusCode, 200);
      assert.equal(put.json().displayName, 'Editors');
      assert.deepEqual(
        put
          .json()
          .members.map((m: { value: string }) => m.value)
          .sort(),
        [ids[1], ids[2]].sort(),
      );
      assert.equal(put.headers.etag, 'W/"2"');
      const kept = await t.scim('PUT', `Groups/${id}`, { schemas: [GROUP], displayName: 'Editors 2' });
      assert.equal(kept.json().members.length, 2);
      assert.equal(kept.json().externalId, 'ext-editors');
    });

    it('refuses a stale If-Match with 412 and changes nothing; answers 304 to a matching If-None-Match', async () => {
      const id = await create('Versioned');
      const stale = await t.scim(
        'PATCH',
        `Groups/${id}`,
        { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'X' }] },
        { headers: { 'if-match': 'W/"9"' } },
      );
      assert.equal(stale.statusCode, 412);
      const current = await t.scim('GET', `Groups/${id}`);
      assert.equal(current.json().displayName, 'Versioned');
      const cached = await t.scim('GET', `Groups/${id}`, undefined, {
        headers: { 'if-none-match': 'W/"1"' },
      });
      assert.equal(cached.statusCode, 304);
    });

    it('pages groups with startIndex and count, with integer totals', async () => {
      const all = (await t.scim('GET', 'Groups?count=0')).json();
      assert.equal(all.itemsPerPage, 0);
      assert.ok(all.totalResults >= 3);
      const first = (await t.scim('GET', 'Groups?startIndex=1&count=2')).json();
      const second = (await t.scim('GET', 'Groups?startIndex=3&count=2')).json();
      assert.equal(first.itemsPerPage, 2);
      assert.equal(first.totalResults, all.totalResults);
      const seen = [...first.Resources, ...second.Resources].map((g: { id: string }) => g.id);
      assert.equal(new Set(seen).size, seen.length);
      assert.equal(second.startIndex, 3);
    });

    it('filters by id and externalId (exact case) and projects with attributes', async () => {
      const id = await create('Projected', { externalId: 'ExtP', members: [{ value: ids[2] }] });
      const byId = (
        await t.scim('GET', `Groups?filter=${encodeURIComponent(`id eq "${id}"`)}&attributes=displayName`)
      ).json();
      assert.deepEqual(byId.Resources, [{ schemas: [GROUP], id, displayName: 'Projected' }]);
      const byExternal = (
        await t.scim('GET', `Groups?filter=${encodeURIComponent('externalId eq "ExtP"')}`)
      ).json();
      assert.equal(byExternal.totalResults, 1);
      const wrongCase = (
        await t.scim('GET', `Groups?filter=${encodeURIComponent('externalId eq "extp"')}`)
      ).json();
      assert.equal(wrongCase.totalResults, 0);
      const dotted = (
        await t.scim(
          'GET',
          `Groups?filter=${encodeURIComponent(`members.value eq "${ids[2]}" and displayName eq "projected"`)}`,
        )
      ).json();
      assert.deepEqual(
        dotted.Resources.map((g: { id: string }) => g.id),
        [id],
      );
    });

    it('refuses a filter it does not support with 400 invalidFilter saying what is', async () => {
      for (const filter of [
        'displayName co "x"',
        'displayName eq "a" or displayName eq "b"',
        'meta.created gt "2020"',
      ]) {
        const res = await t.scim('GET', `Groups?filter=${encodeURIComponent(filter)}`);
        assert.equal(res.statusCode, 400, filter);
        assert.equal(res.json().scimType, 'invalidFilter');
        assert.match(res.json().detail, /displayName, externalId, id or members\.value/);
      }
    });

    it('refuses bad bodies with 400 and stores nothing', async () => {
      const before = (await t.scim('GET', 'Groups?count=0')).json().totalResults;
      for (const body of [
        { schemas: [GROUP] },
        { displayName: '' },
        { displayName: 42 },
        { displayName: 'x', members: [{ display: 'no value' }] },
        { displayName: 'x', members: 'abc' },
        { displayName: 'x', members: [{ value: 'unknown-id' }] },
      ]) {
        const res = await t.scim('POST', 'Groups', body);
        assert.equal(res.statusCode, 400, JSON.stringify(body));
        assert.equal(res.json().schemas[0], 'urn:ietf:params:scim:api:messages:2.0:Error');
      }
      assert.equal((await t.scim('GET', 'Groups?count=0')).json().totalResults, before);
    });

    it('refuses malformed PATCH operations with the right scimType', async () => {
      const id = await create('Patched');
      for (const [operations, scimType] of [
        [[{ op: 'remove', path: 'displayName' }], 'mutability'],
        [[{ op: 'remove' }], 'noTarget'],
        [[{ op: 'add', path: 'owners', value: 'x' }], 'invalidPath'],
        [[{ op: 'add', path: 'members[value eq "x"]', value: [{ value: 'x' }] }], 'invalidPath'],
        [[{ op: 'remove', path: 'members[display eq "x"]' }], 'invalidPath'],
        [[{ op: 'move', path: 'members' }], 'invalidSyntax'],
        [[{ op: 'replace', path: '__proto__', value: {} }], 'invalidPath'],
      ] as const) {
        const res = await t.scim('PATCH', `Groups/${id}`, { schemas: [PATCH_OP], Operations: operations });
        assert.equal(res.statusCode, 400, JSON.stringify(operations));
        assert.equal(res.json().scimType, scimType, JSON.stringify(operations));
      }
      assert.equal((await t.scim('GET', `Groups/${id}`)).json().meta.version, 'W/"1"');
    });

    it('refuses a member of another organization as not a member of this one', async () => {
      const other = await insertOrganization(t.store);
      const stranger = (await addMember(t.store, other.id)).member.id;
      const res = await t.scim('POST', 'Groups', { displayName: 'Mixed', members: [{ value: stranger }] });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().scimType, 'invalidValue');
    });

    it('keeps a deactivated member in a group and lets one be added', async () => {
      const id = await create('Alumni', { members: [{ value: ids[1] }] });
      await deactivateMember(t.store, t.org.organization.id, ids[1] ?? '');
      const res = await t.scim('PATCH', `Groups/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: ids[1] }] }],
      });
      assert.equal(res.statusCode, 204);
      assert.deepEqual(
        (await t.scim('GET', `Groups/${id}`)).json().members.map((m: { value: string }) => m.value),
        [ids[1]],
      );
      const user = (await t.scim('GET', `Users/${ids[1]}`)).json();
      assert.equal(user.active, false);
      assert.ok(user.groups.some((g: { value: string }) => g.value === id));
    });

    it('lists the groups of each User, and filters Users by groups.value', async () => {
      const id = await create('Filterable', { members: [{ value: ids[0] }] });
      const users = (
        await t.scim('GET', `Users?filter=${encodeURIComponent(`groups.value eq "${id}"`)}`)
      ).json();
      assert.deepEqual(
        users.Resources.map((u: { id: string }) => u.id),
        [ids[0]],
      );
      const groups = users.Resources[0].groups.map((g: { display: string; type: string }) => [
        g.display,
        g.type,
      ]);
      assert.ok(
        groups.some(([display, type]: [string, string]) => display === 'Filterable' && type === 'direct'),
      );
      const excluded = (await t.scim('GET', `Users/${ids[0]}?excludedAttributes=groups`)).json();
      assert.equal(excluded.groups, undefined);
    });

    it('answers 404 for a group of another organization and for an unknown id', async () => {
      const id = await create('Private');
      const other = await setupApp(kind, 'globex');
      try {
        assert.equal((await other.scim('GET', `Groups/${id}`)).statusCode, 404);
        assert.equal((await other.scim('DELETE', `Groups/${id}`)).statusCode, 404);
        assert.equal((await other.scim('GET', 'Groups')).json().totalResults, 0);
      } finally {
        await other.cleanup();
      }
      assert.equal((await t.scim('GET', 'Groups/unknown')).statusCode, 404);
    });

    it('audits creation, membership changes, renames and deletion with the request id', async () => {
      const id = await create('Audited', { members: [{ value: ids[0] }] });
      await t.scim('PATCH', `Groups/${id}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'replace', path: 'displayName', value: 'Audited 2' },
          { op: 'remove', path: `members[value eq "${ids[0]}"]` },
          { op: 'add', path: 'members', value: [{ value: ids[2] }] },
          { op: 'remove', path: 'members', value: [{ value: ids[2] }] },
        ],
      });
      await t.scim('DELETE', `Groups/${id}`);
      const events = await t.store.db
        .selectFrom('audit_events')
        .select(['action', 'before', 'after', 'request_id'])
        .where('target_id', '=', id)
        .orderBy('id')
        .execute();
      assert.deepEqual(
        events.map((e) => e.action),
        ['group.created', 'group.members_added', 'group.updated', 'group.members_removed', 'group.deleted'],
      );
      // ids[2] was added and removed in one request: no change, so not audited.
      assert.deepEqual(JSON.parse(events[3]?.before ?? '{}'), { count: 1, members: [ids[0]] });
      assert.ok(events.every((e) => e.request_id !== null));
    });
  });
}
