// Okta Group Push, as Okta sends it (docs/idp-requests.md, "Groups" → Okta): a lookup by
// displayName, a POST with `members: []`, members added by `add` of a `members` list and removed
// one at a time by `members[value eq "…"]`, a rename by a path-less `replace` whose value carries
// the read-only `id`, and a DELETE when the admin unlinks the group.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

function patch(...operations: unknown[]) {
  return { schemas: [PATCH_OP], Operations: operations };
}

for (const kind of STORE_KINDS) {
  describe(`Okta Group Push (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let groupId: string;
    const people: { id: string; userName: string }[] = [];
    before(async () => {
      t = await setupApp(kind);
      for (const name of ['jane.doe', 'john.roe', 'ada.l']) {
        const res = await t.scim('POST', 'Users', {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: `${name}@acme.com`,
          name: { givenName: name, familyName: 'Okta' },
          emails: [{ primary: true, value: `${name}@acme.com`, type: 'work' }],
          active: true,
        });
        assert.equal(res.statusCode, 201);
        people.push({ id: res.json().id, userName: `${name}@acme.com` });
      }
    });
    after(() => t.cleanup());

    const groupMembers = async () =>
      ((await t.scim('GET', `Groups/${groupId}`)).json().members ?? [])
        .map((m: { value: string }) => m.value)
        .sort();

    it('finds no group by displayName before the push: 200 with an empty list', async () => {
      const res = await t.scim(
        'GET',
        `Groups?filter=${encodeURIComponent('displayName eq "Eng Admins"')}&startIndex=1&count=100`,
      );
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json().Resources, []);
      assert.equal(res.json().totalResults, 0);
    });

    it('creates the pushed group with members: [] and answers 201 with Location and ETag', async () => {
      const res = await t.scim('POST', 'Groups', {
        schemas: [GROUP],
        displayName: 'Eng Admins',
        members: [],
      });
      assert.equal(res.statusCode, 201);
      assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
      const body = res.json();
      groupId = body.id;
      assert.equal(body.displayName, 'Eng Admins');
      assert.deepEqual(body.members, []);
      assert.equal(res.headers.location, `https://roster.test/scim/v2/Groups/${groupId}`);
      assert.equal(res.headers.etag, 'W/"1"');
      assert.equal(body.meta.resourceType, 'Group');
      assert.equal(body.meta.version, 'W/"1"');
    });

    it('finds the group by displayName in any case', async () => {
      const res = await t.scim('GET', `Groups?filter=${encodeURIComponent('displayName eq "eng admins"')}`);
      assert.equal(res.json().totalResults, 1);
      assert.equal(res.json().Resources[0].id, groupId);
    });

    it('adds members with add of a members list carrying display names', async () => {
      const res = await t.scim(
        'PATCH',
        `Groups/${groupId}`,
        patch({
          op: 'add',
          path: 'members',
          value: people.slice(0, 2).map((p) => ({ value: p.id, display: p.userName })),
        }),
      );
      assert.equal(res.statusCode, 204);
      assert.equal(res.headers.etag, 'W/"2"');
      assert.deepEqual(
        await groupMembers(),
        people
          .slice(0, 2)
          .map((p) => p.id)
          .sort(),
      );
      const user = (await t.scim('GET', `Users/${people[0]?.id}`)).json();
      assert.deepEqual(
        user.groups.map((g: { value: string; display: string }) => [g.value, g.display]),
        [[groupId, 'Eng Admins']],
      );
    });

    it('removes one member with remove members[value eq "…"] and keeps the others', async () => {
      const gone = people[0]?.id;
      const res = await t.scim(
        'PATCH',
        `Groups/${groupId}`,
        patch({ op: 'remove', path: `members[value eq "${gone}"]` }),
      );
      assert.equal(res.statusCode, 204);
      assert.deepEqual(await groupMembers(), [people[1]?.id]);
      assert.equal((await t.scim('GET', `Users/${gone}`)).json().groups, undefined);
    });

    it('renames with a path-less replace whose value also carries the read-only id', async () => {
      const res = await t.scim(
        'PATCH',
        `Groups/${groupId}`,
        patch({ op: 'replace', value: { id: groupId, displayName: 'Engineering Admins' } }),
      );
      assert.equal(res.statusCode, 204);
      const group = (await t.scim('GET', `Groups/${groupId}`)).json();
      assert.equal(group.displayName, 'Engineering Admins');
      assert.equal(group.id, groupId);
      assert.deepEqual(
        group.members.map((m: { value: string }) => m.value),
        [people[1]?.id],
      );
    });

    it('answers 200 with the group when the PATCH asks for attributes', async () => {
      const res = await t.scim(
        'PATCH',
        `Groups/${groupId}?excludedAttributes=members`,
        patch({ op: 'add', path: 'members', value: [{ value: people[2]?.id }] }),
      );
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().members, undefined);
      assert.equal(res.json().displayName, 'Engineering Admins');
    });

    it('refuses a member who is not a member of this organization, and changes nothing', async () => {
      const before = (await t.scim('GET', `Groups/${groupId}`)).json();
      const res = await t.scim(
        'PATCH',
        `Groups/${groupId}`,
        patch(
          { op: 'replace', value: { displayName: 'Renamed' } },
          { op: 'add', path: 'members', value: [{ value: 'not-a-member' }] },
        ),
      );
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().scimType, 'invalidValue');
      assert.match(res.json().detail, /not-a-member/);
      assert.deepEqual((await t.scim('GET', `Groups/${groupId}`)).json(), before);
    });

    it('deletes the group when the admin unlinks it: 204, then 404; the people stay', async () => {
      const res = await t.scim('DELETE', `Groups/${groupId}`);
      assert.equal(res.statusCode, 204);
      assert.equal((await t.scim('GET', `Groups/${groupId}`)).statusCode, 404);
      for (const person of people) {
        const user = await t.scim('GET', `Users/${person.id}`);
        assert.equal(user.statusCode, 200);
        assert.equal(user.json().groups, undefined);
      }
    });
  });
}
