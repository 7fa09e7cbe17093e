// Workspaces: list, create, rename, and who has access.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { type BrowserSession, get, openSession, post, scimMember } from '../helpers/dashboard.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

for (const kind of STORE_KINDS) {
  describe(`the workspaces pages (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let admin: BrowserSession;
    beforeEach(async () => {
      t = await setupApp(kind);
      admin = await openSession(t, t.org.user.email);
    });
    afterEach(() => t.cleanup());

    const workspaces = () => t.store.workspaces.list(t.org.organization.id);

    it('lists workspaces with who has access, and creates one', async () => {
      const list = await get(t.app, '/workspaces', admin);
      assert.equal(list.statusCode, 200);
      assert.match(list.body, /Default/);
      assert.match(list.body, /1 Admin \+ 0 with access/);
      const res = await post(t.app, '/workspaces', admin, { name: 'Research' });
      assert.equal(res.statusCode, 303);
      const created = (await workspaces()).find((w) => w.name === 'Research');
      assert.ok(created);
      assert.equal(res.headers.location, `/workspaces/${created.id}?created=1`);
      const [event] = await t.store.audit.search({
        organizationId: t.org.organization.id,
        action: 'workspace.created',
        limit: 1,
      });
      assert.equal(event?.target_id, created.id);
    });

    it('refuses a duplicate name (any case) with 409 and creates nothing', async () => {
      const res = await post(t.app, '/workspaces', admin, { name: 'default' });
      assert.equal(res.statusCode, 409);
      assert.match(res.body, /already exists/);
      assert.equal((await workspaces()).length, 1);
    });

    it('renames a workspace and shows Admins and granted members as having access', async () => {
      const dana = await scimMember(t, 'dana@acme.test', {
        givenName: 'Dana',
        familyName: 'Lee',
        password: false,
      });
      await post(t.app, `/members/${dana.id}/workspaces`, admin, {
        workspaceId: t.org.workspace.id,
        access: 'grant',
      });
      const res = await post(t.app, `/workspaces/${t.org.workspace.id}`, admin, { name: 'Everyone' });
      assert.equal(res.statusCode, 303);
      assert.equal((await workspaces())[0]?.name, 'Everyone');
      const page = await get(t.app, `/workspaces/${t.org.workspace.id}?renamed=1`, admin);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /The workspace was renamed/);
      assert.match(page.body, new RegExp(`<a href="/members/${t.org.membership.id}">`));
      assert.match(page.body, /Dana Lee/);
      assert.match(page.body, /Members with access <span class="muted">\(1:/);
      // A member the workspace reaches through a group is listed too, once.
      const sam = await scimMember(t, 'sam@acme.test', {
        givenName: 'Sam',
        familyName: 'Ito',
        password: false,
      });
      const group = await t.scim('POST', 'Groups', {
        displayName: 'Readers',
        members: [{ value: sam.id }, { value: dana.id }],
      });
      const mapped = await post(t.app, `/groups/${group.json().id}/mapping`, admin, {
        role: 'none',
        workspaces: t.org.workspace.id,
      });
      assert.equal(mapped.statusCode, 303);
      const withGroup = await get(t.app, `/workspaces/${t.org.workspace.id}`, admin);
      assert.match(withGroup.body, /Members with access <span class="muted">\(2:/);
      assert.match(withGroup.body, /Sam Ito/);
      assert.equal(withGroup.body.match(/Dana Lee/g)?.length, 1);
    });

    it('shows a Member only the workspaces they reach, without create or rename', async () => {
      const dana = await scimMember(t, 'dana@acme.test');
      await post(t.app, '/workspaces', admin, { name: 'Research' });
      const member = await openSession(t, dana.email);
      const before = await get(t.app, '/workspaces', member);
      assert.equal(before.statusCode, 200);
      assert.match(before.body, /no access to any workspace/);
      assert.doesNotMatch(before.body, /Create a workspace/);
      await post(t.app, `/members/${dana.id}/workspaces`, admin, {
        workspaceId: t.org.workspace.id,
        access: 'grant',
      });
      const after = await get(t.app, '/workspaces', member);
      assert.match(after.body, /Default/);
      assert.doesNotMatch(after.body, /Research/);
      assert.equal((await post(t.app, '/workspaces', member, { name: 'Mine' })).statusCode, 403);
      assert.equal(
        (await post(t.app, `/workspaces/${t.org.workspace.id}`, member, { name: 'Mine' })).statusCode,
        403,
      );
      assert.equal((await get(t.app, `/workspaces/${t.org.workspace.id}`, member)).statusCode, 403);
      assert.deepEqual((await workspaces()).map((w) => w.name).sort(), ['Default', 'Research']);
    });

    it('answers 404 for an unknown workspace', async () => {
      assert.equal(
        (await get(t.app, '/workspaces/00000000-0000-0000-0000-000000000000', admin)).statusCode,
        404,
      );
      const res = await post(t.app, '/workspaces/00000000-0000-0000-0000-000000000000', admin, { name: 'X' });
      assert.equal(res.statusCode, 404);
    });
  });
}
