// `/api/v1/workspaces` and `/api/v1/tokens`.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { scimMember } from '../helpers/dashboard.ts';
import { initTestOrganization, personalToken, serviceToken } from '../helpers/seed.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

for (const kind of STORE_KINDS) {
  describe(`the workspaces and tokens API (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let adminPat: string;
    beforeEach(async () => {
      t = await setupApp(kind);
      adminPat = (await personalToken(t.store, t.org.organization.id, t.org.membership.id, 'admin')).token;
    });
    afterEach(() => t.cleanup());

    const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, body?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });

    it('creates and renames workspaces as an Admin; a Member lists only what they reach', async () => {
      const created = await api('POST', '/api/v1/workspaces', adminPat, { name: 'Research' });
      assert.equal(created.statusCode, 201);
      const id = created.json().id;
      assert.equal(created.json().isDefault, false);
      const renamed = await api('PATCH', `/api/v1/workspaces/${id}`, adminPat, { name: 'R&D' });
      assert.equal(renamed.statusCode, 200);
      assert.equal((await t.store.workspaces.getById(t.org.organization.id, id))?.name, 'R&D');
      assert.equal((await api('POST', '/api/v1/workspaces', adminPat, { name: 'r&d' })).statusCode, 409);
      assert.equal((await api('POST', '/api/v1/workspaces', adminPat, {})).statusCode, 400);

      const ann = await scimMember(t, 'ann@acme.test', { password: false });
      const memberToken = (await personalToken(t.store, t.org.organization.id, ann.id, 'member')).token;
      assert.deepEqual((await api('GET', '/api/v1/workspaces', memberToken)).json().data, []);
      await t.store.workspaceGrants.grant(ann.id, id, new Date().toISOString());
      assert.deepEqual(
        (await api('GET', '/api/v1/workspaces', memberToken))
          .json()
          .data.map((w: { name: string }) => w.name),
        ['R&D'],
      );
      assert.equal((await api('GET', '/api/v1/workspaces', adminPat)).json().data.length, 2);
      assert.equal((await api('POST', '/api/v1/workspaces', memberToken, { name: 'Mine' })).statusCode, 403);
      assert.equal(
        (await api('PATCH', `/api/v1/workspaces/${id}`, memberToken, { name: 'Mine' })).statusCode,
        403,
      );
      assert.equal((await t.store.workspaces.list(t.org.organization.id)).length, 2);
      const globex = await initTestOrganization(t.store);
      assert.equal(
        (await api('PATCH', `/api/v1/workspaces/${globex.workspace.id}`, adminPat, { name: 'Taken' }))
          .statusCode,
        404,
      );
      assert.equal(
        (await t.store.workspaces.getById(globex.organization.id, globex.workspace.id))?.name,
        'Default',
      );
    });

    it('creates a personal token (value once), lists it without the value, and revokes it', async () => {
      const created = await api('POST', '/api/v1/tokens', adminPat, { name: 'ci', role: 'member' });
      assert.equal(created.statusCode, 201);
      assert.match(created.json().token, /^rst_pat_/);
      const list = await api('GET', '/api/v1/tokens', adminPat);
      assert.equal(list.statusCode, 200);
      assert.deepEqual(
        list
          .json()
          .data.map((x: { name: string }) => x.name)
          .sort(),
        ['admin token', 'ci'],
      );
      assert.ok(
        list.json().data.every((x: Record<string, unknown>) => !('token' in x) && !('tokenHash' in x)),
      );
      const del = await api('DELETE', `/api/v1/tokens/${created.json().id}`, adminPat);
      assert.equal(del.statusCode, 204);
      assert.equal((await api('GET', '/api/v1/me', created.json().token)).statusCode, 401);
    });

    it('lets only Admins mint Admin or service tokens, whatever the caller', async () => {
      const ann = await scimMember(t, 'ann@acme.test', { password: false });
      const memberToken = (await personalToken(t.store, t.org.organization.id, ann.id, 'member')).token;
      const adminsMemberToken = (
        await personalToken(t.store, t.org.organization.id, t.org.membership.id, 'member')
      ).token;
      const before = (await t.store.tokens.listPersonal(t.org.organization.id)).length;
      assert.equal(
        (await api('POST', '/api/v1/tokens', memberToken, { name: 'x', role: 'admin' })).statusCode,
        403,
      );
      assert.equal(
        (await api('POST', '/api/v1/tokens', adminsMemberToken, { name: 'x', role: 'admin' })).statusCode,
        403,
        'no escalation through a Member-role token',
      );
      assert.equal(
        (await api('POST', '/api/v1/tokens', memberToken, { name: 'x', role: 'admin', kind: 'service' }))
          .statusCode,
        403,
      );
      assert.equal((await t.store.tokens.listPersonal(t.org.organization.id)).length, before);
      const service = await api('POST', '/api/v1/tokens', adminPat, {
        name: 'okta 2',
        role: 'admin',
        kind: 'service',
      });
      assert.equal(service.statusCode, 201);
      assert.match(service.json().token, /^rst_sat_/);
      assert.equal((await api('GET', '/api/v1/tokens?kind=service', memberToken)).statusCode, 403);
      assert.equal((await api('GET', '/api/v1/tokens?kind=service', adminPat)).json().data.length, 2);
    });

    it("cannot revoke another member's token as a Member, nor another organization's as an Admin", async () => {
      const ann = await scimMember(t, 'ann@acme.test', { password: false });
      const memberToken = (await personalToken(t.store, t.org.organization.id, ann.id, 'member')).token;
      const adminTokens = await t.store.tokens.listPersonal(t.org.organization.id, t.org.membership.id);
      const target = adminTokens[0];
      assert.ok(target);
      assert.equal((await api('DELETE', `/api/v1/tokens/${target.id}`, memberToken)).statusCode, 404);
      const globex = await initTestOrganization(t.store);
      const foreign = await serviceToken(t.store, globex.organization.id);
      assert.equal((await api('DELETE', `/api/v1/tokens/${foreign.id}`, adminPat)).statusCode, 404);
      assert.equal((await t.store.tokens.getPersonal(target.id))?.revoked_at, null);
      assert.equal((await t.store.tokens.getService(foreign.id))?.revoked_at, null);
    });
  });
}
