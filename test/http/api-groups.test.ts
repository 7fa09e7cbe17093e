// `/api/v1/groups`: the pushed groups and their members, for Admins, read-only.
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

    const api = (method: 'GET' | 'POST' | 'DELETE', url: string, token: string) =>
      t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });

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

    it('is for Admins, and offers no way to change a group', async () => {
      const memberPat = (await personalToken(t.store, t.org.organization.id, memberId, 'member')).token;
      assert.equal((await api('GET', '/api/v1/groups', memberPat)).statusCode, 403);
      assert.equal((await api('DELETE', `/api/v1/groups/${groupId}`, adminPat)).statusCode, 404);
      assert.equal((await t.store.groups.getById(t.org.organization.id, groupId))?.member_count, 1);
    });
  });
}
