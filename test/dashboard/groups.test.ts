// The Groups pages: what the identity provider pushed, each group's member count and members, a
// member's groups on their page; Admins only; names escaped. The mapping form, a member's access
// with its source, and the last-Admin warning after a group change (Entra's `Remove` of a members
// list, docs/idp-requests.md).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { type BrowserSession, get, openSession, post, scimMember } from '../helpers/dashboard.ts';
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

    it('maps a group to Admin and a workspace; the member page names the group as the source', async () => {
      const page = await get(t.app, `/groups/${groupId}`, admin);
      assert.match(page.body, /<span class="muted">Nothing<\/span>/);
      const saved = await post(t.app, `/groups/${groupId}/mapping`, admin, {
        role: 'admin',
        workspaces: t.org.workspace.id,
      });
      assert.equal(saved.statusCode, 303, saved.body);
      assert.equal(saved.headers.location, `/groups/${groupId}?updated=mapping`);
      const list = await get(t.app, '/groups', admin);
      assert.match(list.body, /<span class="badge badge-admin">Admin<\/span> · Default/);
      const member = await get(t.app, `/members/${dana.id}`, admin);
      assert.match(
        member.body,
        new RegExp(`Admin</span> — from group <a href="/groups/${groupId}"><em>Eng &lt;Admins&gt;</em></a>`),
      );
      assert.match(member.body, /data-workspace-access="Default">Yes, as Admin; also from group/);
      assert.match(member.body, /is read-only here/);
      const refused = await post(t.app, `/groups/${groupId}/mapping`, admin, { role: 'owner' });
      assert.equal(refused.statusCode, 400);
      assert.equal((await t.store.groups.getById(t.org.organization.id, groupId))?.role, 'admin');
    });

    it('keeps the last active Admin when the IdP removes them from their Admin group, and warns', async () => {
      // The first Admin steps down: Dana, Admin through the group, is the only one left.
      const demoted = await post(t.app, `/members/${t.org.membership.id}/role`, admin, { role: 'member' });
      assert.equal(demoted.statusCode, 303);
      const removed = await t.scim('PATCH', `Groups/${groupId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Remove', path: 'members', value: [{ value: dana.id }] }],
      });
      assert.equal(removed.statusCode, 204, 'the identity provider’s request succeeds');
      const row = await t.store.members.getById(t.org.organization.id, dana.id);
      assert.equal(row?.role, 'admin');
      assert.equal(row?.direct_role, 'admin');
      const danaSession = await openSession(t, dana.email);
      const groups = await get(t.app, '/groups', danaSession);
      assert.match(groups.body, /data-warning="last-admin"/);
      assert.match(groups.body, /last active Admin and kept the role/);
      const page = await get(t.app, `/members/${dana.id}`, danaSession);
      assert.match(page.body, /data-warning="last-admin"/);
      assert.match(page.body, /Admin<\/span> — granted in Roster/);
      // Another Admin: the warning goes.
      const restored = await post(t.app, `/members/${t.org.membership.id}/role`, danaSession, {
        role: 'admin',
      });
      assert.equal(restored.statusCode, 303);
      assert.doesNotMatch((await get(t.app, '/groups', danaSession)).body, /data-warning="last-admin"/);
    });
  });
}
