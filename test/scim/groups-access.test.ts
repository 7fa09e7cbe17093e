// Groups become access over real HTTP, with Microsoft Entra ID's request shapes
// (docs/idp-requests.md: group `Add`/`Remove` with a members value list, `Replace` of displayName,
// and E6, the disable with `"False"` as a string), on SQLite and PostgreSQL: what the member then
// reaches through /api/v1/me (what the OpenID Connect `workspaces` claim is made from), the group's
// name in the cause, and access that survives deactivation through the group.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mapGroup } from '../../src/accounts/group-mapping.ts';
import { createWorkspace } from '../../src/accounts/manage-workspaces.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { personalToken } from '../helpers/seed.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

for (const kind of STORE_KINDS) {
  describe(`groups become access over SCIM, Entra's shapes (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let groupId = '';
    let userId = '';
    let memberToken = '';
    before(async () => {
      t = await setupApp(kind);
      const research = await createWorkspace(t.store, {
        organizationId: t.org.organization.id,
        actor: CLI_ACTOR,
        name: 'Research',
      });
      // Entra creates the user, then the group (without members), then adds the members.
      const user = await t.scim('POST', 'Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        externalId: 'alex',
        userName: 'alex@contoso.test',
        active: true,
        emails: [{ primary: true, type: 'work', value: 'alex@contoso.test' }],
      });
      assert.equal(user.statusCode, 201, user.body);
      userId = user.json().id;
      const group = await t.scim('POST', 'Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        externalId: 'e7b2',
        displayName: 'Research Readers',
      });
      assert.equal(group.statusCode, 201, group.body);
      groupId = group.json().id;
      await mapGroup(t.store, {
        organizationId: t.org.organization.id,
        groupId,
        mapping: { role: null, workspaceIds: [research.id] },
        actor: CLI_ACTOR,
      });
      memberToken = (await personalToken(t.store, t.org.organization.id, userId, 'member')).token;
    });
    after(() => t.cleanup());

    const reached = async () => {
      const me = await t.app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { authorization: `Bearer ${memberToken}` },
      });
      return me.statusCode === 200
        ? (me.json().workspaces as { name: string }[]).map((w) => w.name)
        : me.statusCode;
    };
    const patchGroup = (Operations: unknown[]) =>
      t.scim('PATCH', `Groups/${groupId}`, { schemas: [PATCH_OP], Operations });
    const grantedEvents = async () =>
      (
        await t.store.db
          .selectFrom('events')
          .select('payload')
          .where('organization_id', '=', t.org.organization.id)
          .where('type', 'in', ['workspace_access.granted', 'workspace_access.revoked'])
          .orderBy('seq')
          .execute()
      ).map((row) => {
        const data = JSON.parse(row.payload).data;
        return [data.granted, data.workspace.name, data.cause, data.causeGroup?.displayName];
      });

    it('gives the group’s workspace on Add, names the renamed group as the cause, takes it on Remove', async () => {
      assert.deepEqual(await reached(), []);
      const added = await patchGroup([{ op: 'Add', path: 'members', value: [{ value: userId }] }]);
      assert.equal(added.statusCode, 204, added.body);
      assert.deepEqual(await reached(), ['Research']);

      const renamed = await patchGroup([
        { op: 'Replace', path: 'displayName', value: 'Research Team' },
        { op: 'Remove', path: 'members', value: [{ value: userId }] },
      ]);
      assert.equal(renamed.statusCode, 204, renamed.body);
      assert.deepEqual(await reached(), []);
      assert.deepEqual(await grantedEvents(), [
        [true, 'Research', 'group', 'Research Readers'],
        [false, 'Research', 'group', 'Research Team'],
      ]);
      // Removing a member who is not there: no error, no event (Entra sends it).
      assert.equal(
        (await patchGroup([{ op: 'Remove', path: 'members', value: [{ value: userId }] }])).statusCode,
        204,
      );
      assert.equal((await grantedEvents()).length, 2);
    });

    it('removes all access on Entra’s disable and gives it back on enable, the group membership kept', async () => {
      await patchGroup([{ op: 'Add', path: 'members', value: [{ value: userId }] }]);
      assert.deepEqual(await reached(), ['Research']);
      const disable = await t.scim('PATCH', `Users/${userId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
      });
      assert.equal(disable.statusCode, 200, disable.body);
      assert.equal(await reached(), 401, 'a deactivated member’s token stops');
      const groups = (await t.scim('GET', `Users/${userId}`)).json().groups as { value: string }[];
      assert.deepEqual(
        groups.map((g) => g.value),
        [groupId],
      );
      const enable = await t.scim('PATCH', `Users/${userId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Replace', path: 'active', value: 'True' }],
      });
      assert.equal(enable.statusCode, 200, enable.body);
      assert.deepEqual(await reached(), ['Research']);
    });
  });
}
