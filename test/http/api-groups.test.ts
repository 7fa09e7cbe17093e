// `/api/v1/groups`: the pushed groups, their members and mappings, for Admins. Name and members are
// read-only (the IdP's); the mapping is changed by PATCH, and the member's access shows its source.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { scimMember } from '../helpers/dashboard.ts';
import { personalToken } from '../helpers/seed.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

for (const kind of STORE_KINDS) {
  describe(`the groups API (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let adminPat: string;
    let groupId: string;
    let memberId: string;
    before(async () => {
      t = await setupApp(kind);
      adminPat = (await personalToken(t.store, t.org.organization.id, t.org.membership.id, 'admin')).token;
      memberId = (await scimMember(t, 'dana@acme.test', { password: false })).id;
      const created = await t.scim('POST', 'Groups', {
        displayName: 'Eng Admins',
        externalId: '00g1',
        members: [{ value: memberId }],
      });
      groupId = created.json().id;
    });
    after(() => t.cleanup());

    const api = (method: 'GET' | 'POST' | 'DELETE' | 'PATCH', url: string, token: string, body?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });

    it('lists the groups with their member counts', async () => {
      const res = await api('GET', '/api/v1/groups', adminPat);
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().total, 1);
      const [group] = res.json().data;
      assert.deepEqual(
        {
          id: group.id,
          displayName: group.displayName,
          externalId: group.externalId,
          memberCount: group.memberCount,
        },
        { id: groupId, displayName: 'Eng Admins', externalId: '00g1', memberCount: 1 },
      );
    });

    it("returns a group's members, 404 for an unknown id, 400 for a bad limit", async () => {
      const res = await api('GET', `/api/v1/groups/${groupId}?limit=10`, adminPat);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(
        res.json().members.map((m: { id: string }) => m.id),
        [memberId],
      );
      assert.equal((await api('GET', '/api/v1/groups/unknown', adminPat)).statusCode, 404);
      assert.equal((await api('GET', '/api/v1/groups?limit=0', adminPat)).statusCode, 400);
    });

    it('is for Admins, and offers no way to delete a group', async () => {
      const memberPat = (await personalToken(t.store, t.org.organization.id, memberId, 'member')).token;
      assert.equal((await api('GET', '/api/v1/groups', memberPat)).statusCode, 403);
      assert.equal(
        (await api('PATCH', `/api/v1/groups/${groupId}`, memberPat, { role: 'admin' })).statusCode,
        403,
      );
      assert.equal((await api('DELETE', `/api/v1/groups/${groupId}`, adminPat)).statusCode, 404);
      assert.equal((await t.store.groups.getById(t.org.organization.id, groupId))?.member_count, 1);
    });

    it("maps a group to Admin and a workspace; the member's access names the group", async () => {
      const workspace = t.org.workspace;
      const mapped = await api('PATCH', `/api/v1/groups/${groupId}`, adminPat, {
        role: 'admin',
        workspaceIds: [workspace.id],
      });
      assert.equal(mapped.statusCode, 200, mapped.body);
      assert.deepEqual(
        { role: mapped.json().role, workspaces: mapped.json().workspaces },
        { role: 'admin', workspaces: [{ id: workspace.id, name: workspace.name }] },
      );
      const member = (await api('GET', `/api/v1/members/${memberId}`, adminPat)).json();
      assert.equal(member.role, 'admin');
      assert.equal(member.directRole, 'member');
      const fromGroup = { kind: 'group', group: { id: groupId, displayName: 'Eng Admins' } };
      assert.deepEqual(member.access.roleSources, [fromGroup]);
      assert.deepEqual(member.access.workspaces, [
        { id: workspace.id, name: workspace.name, sources: [fromGroup] },
      ]);
      assert.deepEqual(member.workspaceGrants, [], 'a group-derived workspace is no direct grant');
      const listed = (await api('GET', '/api/v1/members?limit=100', adminPat)).json();
      const row = listed.data.find((m: { id: string }) => m.id === memberId);
      assert.deepEqual(row.access.roleSources, [fromGroup]);

      // A key not sent stays; null takes the role away.
      const unmapped = await api('PATCH', `/api/v1/groups/${groupId}`, adminPat, { role: null });
      assert.equal(unmapped.statusCode, 200, unmapped.body);
      assert.equal(unmapped.json().workspaces.length, 1);
      assert.equal((await t.store.members.getById(t.org.organization.id, memberId))?.role, 'member');
    });

    it('refuses an unknown workspace, a bad role and unknown keys, changing nothing', async () => {
      const before = await t.store.groups.getById(t.org.organization.id, groupId);
      for (const body of [
        { workspaceIds: ['nope'] },
        { role: 'owner' },
        { displayName: 'x' },
        { workspaceIds: 'x' },
      ]) {
        const res = await api('PATCH', `/api/v1/groups/${groupId}`, adminPat, body);
        assert.equal(res.statusCode, 400, JSON.stringify(body));
        assert.equal(res.json().error.code, 'invalid_value');
      }
      assert.equal((await api('PATCH', '/api/v1/groups/unknown', adminPat, { role: null })).statusCode, 404);
      assert.deepEqual(await t.store.groups.getById(t.org.organization.id, groupId), before);
    });
  });
}
