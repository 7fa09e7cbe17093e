// The Groups pages: what the identity provider pushed, each group's member count and members, a
// member's groups on their page; Admins only; names escaped.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { type BrowserSession, get, openSession, scimMember } from '../helpers/dashboard.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

for (const kind of STORE_KINDS) {
  describe(`the groups pages (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let admin: BrowserSession;
    let groupId: string;
    let dana: { id: string; email: string };
    before(async () => {
      t = await setupApp(kind);
      admin = await openSession(t, t.org.user.email);
      dana = await scimMember(t, 'dana@acme.test', { givenName: 'Dana', familyName: 'Lee' });
      const created = await t.scim('POST', 'Groups', {
        displayName: 'Eng <Admins>',
        externalId: '00g42',
        members: [],
      });
      groupId = created.json().id;
      const added = await t.scim('PATCH', `Groups/${groupId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: dana.id }] }],
      });
      assert.equal(added.statusCode, 204);
    });
    after(() => t.cleanup());

    it('lists the pushed groups with their member count, escaping their names', async () => {
      const res = await get(t.app, '/groups', admin);
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /Eng &lt;Admins&gt;/);
      assert.doesNotMatch(res.body, /Eng <Admins>/);
      assert.match(res.body, new RegExp(`href="/groups/${groupId}"`));
      assert.match(res.body, /<td data-label="Members"><div>1<\/div><\/td>/);
      assert.match(res.body, /00g42/);
      assert.match(res.body, /href="\/groups"/, 'the navigation links the page');
    });

    it("shows a group's members, linked to their pages", async () => {
      const res = await get(t.app, `/groups/${groupId}`, admin);
      assert.equal(res.statusCode, 200);
      assert.match(res.body, new RegExp(`href="/members/${dana.id}"`));
      assert.match(res.body, /Dana Lee|dana@acme\.test/);
      assert.equal((await get(t.app, '/groups/unknown', admin)).statusCode, 404);
    });

    it("shows a member's groups on the member's page", async () => {
      const res = await get(t.app, `/members/${dana.id}`, admin);
      assert.match(res.body, /id="groups-heading"/);
      assert.match(res.body, new RegExp(`href="/groups/${groupId}">Eng &lt;Admins&gt;`));
      const adminPage = await get(t.app, `/members/${t.org.membership.id}`, admin);
      assert.match(adminPage.body, /Not in any group/);
    });

    it('is for Admins only', async () => {
      const member = await openSession(t, dana.email);
      assert.equal((await get(t.app, '/groups', member)).statusCode, 403);
      assert.equal((await get(t.app, `/groups/${groupId}`, member)).statusCode, 403);
    });
  });
}
