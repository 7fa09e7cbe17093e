// Microsoft Entra ID's group provisioning, as Entra and Microsoft's reference tests send it
// (docs/idp-requests.md, "Groups" → Entra ID): a GUID externalId, lookups with
// `excludedAttributes=members`, capitalised ops, several operations per request, `Add`/`Remove` of
// a `members` value list (removing only the listed members, an absent one without error),
// `Replace` of displayName by path, and 204 answers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const EXTERNAL_ID = '5d6e1b8e-6f0c-4f7d-9e0b-7f3c3c1a2b4d';

function patch(...operations: unknown[]) {
  return { schemas: [PATCH_OP], Operations: operations };
}

for (const kind of STORE_KINDS) {
  describe(`Microsoft Entra ID groups (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let groupId: string;
    const ids: string[] = [];
    before(async () => {
      t = await setupApp(kind);
      for (let i = 0; i < 4; i += 1) {
        const res = await t.scim('POST', 'Users', {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          externalId: `user${i}`,
          userName: `user${i}@contoso.onmicrosoft.com`,
          active: true,
          emails: [{ primary: true, type: 'work', value: `user${i}@contoso.com` }],
          name: { givenName: 'User', familyName: String(i) },
          roles: [],
        });
        assert.equal(res.statusCode, 201);
        ids.push(res.json().id);
      }
    });
    after(() => t.cleanup());

    const memberIds = async () =>
      ((await t.scim('GET', `Groups/${groupId}`)).json().members ?? [])
        .map((m: { value: string }) => m.value)
        .sort();

    it('looks the group up by externalId with excludedAttributes=members: an empty list', async () => {
      const res = await t.scim(
        'GET',
        `Groups?excludedAttributes=members&filter=${encodeURIComponent(`externalId eq "${EXTERNAL_ID}"`)}`,
      );
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().totalResults, 0);
    });

    it('creates the group with a GUID externalId and members: [] (Microsoft group1.json)', async () => {
      const res = await t.scim('POST', 'Groups', {
        externalId: EXTERNAL_ID,
        schemas: [GROUP],
        displayName: 'Group1DisplayName',
        members: [],
      });
      assert.equal(res.statusCode, 201);
      groupId = res.json().id;
      assert.equal(res.json().externalId, EXTERNAL_ID);
    });

    it("creates a group as Entra's tutorial shows: Microsoft's group schema URN, meta, no members", async () => {
      const res = await t.scim('POST', 'Groups', {
        schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/Group'],
        externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
        displayName: 'displayName',
        meta: { resourceType: 'Group' },
      });
      assert.equal(res.statusCode, 201);
      assert.deepEqual(res.json().schemas, [GROUP]);
      assert.deepEqual(res.json().members, []);
      const lookup = await t.scim(
        'GET',
        `Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "displayName"')}`,
      );
      assert.equal(lookup.json().totalResults, 1);
      assert.equal(lookup.json().Resources[0].members, undefined);
    });

    it('adds members with a capitalised Add of a members value list, answering 204', async () => {
      const res = await t.scim(
        'PATCH',
        `Groups/${groupId}`,
        patch({ op: 'Add', path: 'members', value: ids.slice(0, 3).map((value) => ({ value })) }),
      );
      assert.equal(res.statusCode, 204);
      assert.equal(res.body, '');
      assert.deepEqual(await memberIds(), ids.slice(0, 3).sort());
    });

    it('removes only the listed members with Remove and a value list, an absent one without error', async () => {
      const res = await t.scim(
        'PATCH',
        `Groups/${groupId}`,
        patch({ op: 'Remove', path: 'members', value: [{ value: ids[0] }, { value: ids[3] }] }),
      );
      assert.equal(res.statusCode, 204);
      assert.deepEqual(await memberIds(), [ids[1], ids[2]].sort());
    });

    it('applies several operations of one request in order: Replace displayName, Add, Remove', async () => {
      const res = await t.scim(
        'PATCH',
        `Groups/${groupId}`,
        patch(
          { op: 'Replace', path: 'displayName', value: 'Sales' },
          { op: 'Add', path: 'members', value: [{ value: ids[3] }] },
          { op: 'Remove', path: 'members', value: [{ value: ids[1] }] },
        ),
      );
      assert.equal(res.statusCode, 204);
      const group = (await t.scim('GET', `Groups/${groupId}`)).json();
      assert.equal(group.displayName, 'Sales');
      assert.deepEqual(group.members.map((m: { value: string }) => m.value).sort(), [ids[2], ids[3]].sort());
    });

    it('finds the group by member with excludedAttributes=members, without members in the answer', async () => {
      const res = await t.scim(
        'GET',
        `Groups?excludedAttributes=members&filter=${encodeURIComponent(`members[value eq "${ids[3]}"]`)}`,
      );
      assert.equal(res.json().totalResults, 1);
      assert.equal(res.json().Resources[0].id, groupId);
      assert.equal(res.json().Resources[0].members, undefined);
      const none = await t.scim(
        'GET',
        `Groups?filter=${encodeURIComponent(`members[value eq "${ids[0]}"]`)}`,
      );
      assert.equal(none.json().totalResults, 0);
    });

    it('accepts an empty Operations array as a no-op (the validator sends one)', async () => {
      const before = (await t.scim('GET', `Groups/${groupId}`)).json();
      const res = await t.scim('PATCH', `Groups/${groupId}`, patch());
      assert.equal(res.statusCode, 204);
      assert.deepEqual((await t.scim('GET', `Groups/${groupId}`)).json(), before);
    });

    it('removes every member with Remove of members without a value (Microsoft patch_rm_all_users_group.json)', async () => {
      const res = await t.scim('PATCH', `Groups/${groupId}`, patch({ op: 'remove', path: 'members' }));
      assert.equal(res.statusCode, 204);
      assert.deepEqual(await memberIds(), []);
      for (const id of ids) assert.equal((await t.scim('GET', `Users/${id}`)).statusCode, 200);
    });
  });
}
