// What deactivation and reactivation mean in Roster (PRODUCT.md): the role is revoked and kept as
// previousRole, sessions end, personal tokens stop working, workspace grants survive, the user row
// stays; reactivation restores all of it. The last active Admin cannot be deactivated.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { newId, now } from '../../src/store/ids.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const setActive = (active: boolean) => ({
  schemas: [PATCH_OP],
  Operations: [{ op: 'replace', value: { active } }],
});

for (const kind of STORE_KINDS) {
  describe(`deactivation and reactivation (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let id: string;
    beforeEach(async () => {
      t = await setupApp(kind);
      const res = await t.scim('POST', 'Users', {
        userName: 'dana@acme.test',
        name: { givenName: 'Dana', familyName: 'Lee' },
        emails: [{ value: 'dana@acme.test', primary: true, type: 'work' }],
      });
      assert.equal(res.statusCode, 201);
      id = res.json().id;
    });
    afterEach(() => t.cleanup());

    async function personalToken(role: 'admin' | 'member') {
      const created = await createToken(t.store, {
        kind: 'personal',
        organizationId: t.org.organization.id,
        membershipId: id,
        name: 'laptop',
        role,
        actor: CLI_ACTOR,
      });
      return created.token;
    }

    const me = (token: string) =>
      t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });

    it("stops the member's personal tokens and brings them back on reactivation", async () => {
      const token = await personalToken('member');
      assert.equal((await me(token)).statusCode, 200);
      assert.equal((await t.scim('PATCH', `Users/${id}`, setActive(false))).statusCode, 200);
      const refused = await me(token);
      assert.equal(refused.statusCode, 401);
      assert.match(refused.json().error.message, /deactivated/);
      assert.equal((await t.scim('PATCH', `Users/${id}`, setActive(true))).statusCode, 200);
      assert.equal((await me(token)).statusCode, 200);
    });

    it('keeps the previous role and restores the role its sources give, Admin included', async () => {
      await t.store.db
        .updateTable('memberships')
        .set({ role: 'admin', direct_role: 'admin' })
        .where('id', '=', id)
        .execute();
      await t.scim('PATCH', `Users/${id}`, setActive(false));
      const deactivated = await t.store.members.getById(t.org.organization.id, id);
      assert.equal(deactivated?.role, null);
      assert.equal(deactivated?.previous_role, 'admin');
      assert.equal(deactivated?.status, 'deactivated');
      await t.scim('PATCH', `Users/${id}`, setActive(true));
      // The role is read from the member (SCIM `roles` lists only what the IdP assigned: docs/scim.md).
      assert.equal((await t.store.members.getById(t.org.organization.id, id))?.role, 'admin');
    });

    it('keeps workspace grants through deactivation and serves them again after reactivation', async () => {
      const workspace = {
        id: newId(),
        organization_id: t.org.organization.id,
        name: 'Research',
        is_default: 0,
        created_at: now(),
        updated_at: now(),
      };
      await t.store.workspaces.insert(workspace);
      await t.store.workspaceGrants.grant(id, workspace.id, now());
      const token = await personalToken('member');
      assert.deepEqual(
        (await me(token)).json().workspaces.map((w: { name: string }) => w.name),
        ['Research'],
      );
      await t.scim('PATCH', `Users/${id}`, setActive(false));
      assert.deepEqual(await t.store.workspaceGrants.workspaceIdsOf(id), [workspace.id]);
      await t.scim('PATCH', `Users/${id}`, setActive(true));
      assert.deepEqual(
        (await me(token)).json().workspaces.map((w: { name: string }) => w.name),
        ['Research'],
      );
    });

    it("ends the member's sessions", async () => {
      const row = await t.store.members.getById(t.org.organization.id, id);
      assert.ok(row);
      await t.store.sessions.insert({
        id_hash: 'h'.repeat(64),
        user_id: row.user_id,
        organization_id: row.organization_id,
        membership_id: id,
        csrf_token: 'c',
        created_at: now(),
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        last_seen_at: now(),
      });
      await t.scim('PATCH', `Users/${id}`, setActive(false));
      assert.equal(await t.store.sessions.findByHash('h'.repeat(64)), undefined);
    });

    it('never deletes the user row, and writes audit events for the change', async () => {
      await t.scim('PATCH', `Users/${id}`, setActive(false), {
        headers: { 'x-request-id': 'req-deactivate-1' },
      });
      const row = await t.store.members.getById(t.org.organization.id, id);
      assert.ok(row && (await t.store.users.getById(row.user_id)));
      const events = await t.store.audit.search({ organizationId: t.org.organization.id, limit: 10 });
      const deactivated = events.find((e) => e.action === 'member.deactivated');
      assert.ok(deactivated);
      assert.equal(deactivated.target_id, id);
      assert.equal(deactivated.request_id, 'req-deactivate-1');
      assert.equal(deactivated.actor_type, 'service_token');
      assert.deepEqual(JSON.parse(deactivated.before ?? '{}').role, 'member');
      assert.deepEqual(JSON.parse(deactivated.after ?? '{}').role, null);
      assert.ok(events.some((e) => e.action === 'member.created' && e.target_id === id));
    });

    it('refuses to deactivate the last active Admin with 409, changing nothing', async () => {
      const adminId = t.org.membership.id;
      const before = await t.store.members.getById(t.org.organization.id, adminId);
      const res = await t.scim('PATCH', `Users/${adminId}`, setActive(false));
      assert.equal(res.statusCode, 409);
      assert.match(res.json().detail, /last active Admin/);
      assert.deepEqual(await t.store.members.getById(t.org.organization.id, adminId), before);
    });

    it('re-sending an unchanged deactivation changes nothing and writes no second event', async () => {
      await t.scim('PATCH', `Users/${id}`, setActive(false));
      const version = (await t.store.members.getById(t.org.organization.id, id))?.version;
      const again = await t.scim('PATCH', `Users/${id}`, setActive(false));
      assert.equal(again.statusCode, 200);
      assert.equal((await t.store.members.getById(t.org.organization.id, id))?.version, version);
      const events = await t.store.audit.search({
        organizationId: t.org.organization.id,
        limit: 50,
        action: 'member.deactivated',
      });
      assert.equal(events.length, 1);
    });

    it('lets only Admin-effective tokens use SCIM', async () => {
      await t.store.db.updateTable('memberships').set({ role: 'admin' }).where('id', '=', id).execute();
      const memberToken = await personalToken('member');
      const adminToken = await personalToken('admin');
      const refused = await t.scim('GET', 'Users', undefined, { token: memberToken });
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json().status, '403');
      assert.equal((await t.scim('GET', 'Users', undefined, { token: adminToken })).statusCode, 200);
      // The owner loses Admin: the admin token's effective role drops to member.
      await t.store.db.updateTable('memberships').set({ role: 'member' }).where('id', '=', id).execute();
      assert.equal((await t.scim('GET', 'Users', undefined, { token: adminToken })).statusCode, 403);
    });
  });
}
