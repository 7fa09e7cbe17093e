// `/api/v1/members`: directory, detail, role changes, workspace grants.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createWorkspace } from '../../src/accounts/manage-workspaces.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { scimMember } from '../helpers/dashboard.ts';
import { initTestOrganization, personalToken } from '../helpers/seed.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

for (const kind of STORE_KINDS) {
  describe(`the members API (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await setupApp(kind);
    });
    afterEach(() => t.cleanup());

    const api = (method: 'GET' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown, token = t.token) =>
      t.app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });

    it('lists members with search, status and role filters and cursor pages', async () => {
      const ann = await scimMember(t, 'ann@acme.test', {
        givenName: 'Ann',
        familyName: 'Smith',
        password: false,
      });
      await scimMember(t, 'bob@acme.test', { givenName: 'Bob', familyName: 'Smith', password: false });
      const all = await api('GET', '/api/v1/members?limit=2');
      assert.equal(all.statusCode, 200);
      assert.match(String(all.headers['content-type']), /^application\/json/);
      const page = all.json();
      assert.equal(page.total, 3);
      assert.deepEqual(
        page.data.map((m: { userName: string }) => m.userName),
        ['admin@acme.test', 'ann@acme.test'],
      );
      assert.equal(page.data[1].email, 'ann@acme.test');
      assert.equal(page.data[1].managedByIdentityProvider, true);
      assert.ok(page.nextCursor);
      const rest = (await api('GET', `/api/v1/members?limit=2&cursor=${page.nextCursor}`)).json();
      assert.deepEqual(
        rest.data.map((m: { userName: string }) => m.userName),
        ['bob@acme.test'],
      );
      assert.equal(rest.nextCursor, null);
      const search = (await api('GET', '/api/v1/members?search=ann')).json();
      assert.deepEqual(
        search.data.map((m: { id: string }) => m.id),
        [ann.id],
      );
      assert.equal((await api('GET', '/api/v1/members?role=admin')).json().total, 1);
      assert.equal((await api('GET', '/api/v1/members?status=deactivated')).json().total, 0);
      const bad = await api('GET', '/api/v1/members?limit=100000');
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.code, 'invalid_value');
    });

    it('returns one member with emails and workspace grants, 404 for another organization', async () => {
      const ann = await scimMember(t, 'ann@acme.test', { password: false });
      const res = await api('GET', `/api/v1/members/${ann.id}`);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json().emails, [{ value: 'ann@acme.test', type: 'work', primary: true }]);
      assert.deepEqual(res.json().workspaceGrants, []);
      const globex = await initTestOrganization(t.store);
      const foreign = await api('GET', `/api/v1/members/${globex.membership.id}`);
      assert.equal(foreign.statusCode, 404);
      assert.equal(foreign.json().error.code, 'not_found');
    });

    it('changes the role and refuses anything else in the body', async () => {
      const ann = await scimMember(t, 'ann@acme.test', { password: false });
      const res = await api('PATCH', `/api/v1/members/${ann.id}`, { role: 'admin' });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().role, 'admin');
      assert.equal((await t.store.members.getById(t.org.organization.id, ann.id))?.role, 'admin');
      const other = await api('PATCH', `/api/v1/members/${ann.id}`, { role: 'member', displayName: 'X' });
      assert.equal(other.statusCode, 400);
      assert.equal((await t.store.members.getById(t.org.organization.id, ann.id))?.role, 'admin');
      const bad = await api('PATCH', `/api/v1/members/${ann.id}`, { role: 'owner' });
      assert.equal(bad.statusCode, 400);
      const last = await api('PATCH', `/api/v1/members/${t.org.membership.id}`, { role: 'member' });
      assert.equal(last.statusCode, 200, 'two Admins now: demoting one is fine');
      const lastAdmin = await api('PATCH', `/api/v1/members/${ann.id}`, { role: 'member' });
      assert.equal(lastAdmin.statusCode, 409);
      assert.match(lastAdmin.json().error.message, /last active Admin/);
    });

    it('grants and revokes workspace access (204), 404 for a foreign workspace', async () => {
      const ann = await scimMember(t, 'ann@acme.test', { password: false });
      const url = `/api/v1/members/${ann.id}/workspaces/${t.org.workspace.id}`;
      assert.equal((await api('PUT', url)).statusCode, 204);
      assert.equal((await api('PUT', url)).statusCode, 204, 'idempotent');
      assert.deepEqual(await t.store.workspaceGrants.workspaceIdsOf(ann.id), [t.org.workspace.id]);
      assert.deepEqual((await api('GET', `/api/v1/members/${ann.id}`)).json().workspaceGrants, [
        { id: t.org.workspace.id, name: 'Default' },
      ]);
      assert.equal((await api('DELETE', url)).statusCode, 204);
      assert.deepEqual(await t.store.workspaceGrants.workspaceIdsOf(ann.id), []);
      const globex = await initTestOrganization(t.store);
      const foreign = await createWorkspace(t.store, {
        organizationId: globex.organization.id,
        name: 'Theirs',
        actor: CLI_ACTOR,
      });
      assert.equal((await api('PUT', `/api/v1/members/${ann.id}/workspaces/${foreign.id}`)).statusCode, 404);
      assert.deepEqual(await t.store.workspaceGrants.workspaceIdsOf(ann.id), []);
    });

    it('refuses a Member token (403) and changes nothing', async () => {
      const ann = await scimMember(t, 'ann@acme.test', { password: false });
      const token = (await personalToken(t.store, t.org.organization.id, ann.id, 'member')).token;
      assert.equal((await api('GET', '/api/v1/members', undefined, token)).statusCode, 403);
      const res = await api('PATCH', `/api/v1/members/${ann.id}`, { role: 'admin' }, token);
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.code, 'forbidden');
      assert.equal((await t.store.members.getById(t.org.organization.id, ann.id))?.role, 'member');
      assert.equal(
        (await api('PUT', `/api/v1/members/${ann.id}/workspaces/${t.org.workspace.id}`, undefined, token))
          .statusCode,
        403,
      );
      assert.deepEqual(await t.store.workspaceGrants.workspaceIdsOf(ann.id), []);
    });
  });
}
