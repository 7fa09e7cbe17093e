// A member's effective access from its sources (src/membership/effective-access.ts), through the
// use cases that change them: SCIM group membership (Okta's PATCH shapes, docs/idp-requests.md),
// an Admin's group mapping and direct changes, deactivation and reactivation. On SQLite and
// PostgreSQL.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapGroup } from '../../src/accounts/group-mapping.ts';
import { createWorkspace, grantWorkspaceAccess } from '../../src/accounts/manage-workspaces.ts';
import { changeRole } from '../../src/accounts/members.ts';
import { reachableWorkspaces } from '../../src/accounts/workspaces.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { accessOf } from '../../src/membership/effective-access.ts';
import type { ProvisioningContext } from '../../src/provisioning/context.ts';
import { createGroup } from '../../src/provisioning/create-group.ts';
import { deleteGroup } from '../../src/provisioning/delete-group.ts';
import { patchGroup } from '../../src/provisioning/patch-group.ts';
import { patchMember } from '../../src/provisioning/patch-member.ts';
import type { Store } from '../../src/store/store.ts';
import { addMember, initTestOrganization } from '../helpers/seed.ts';
import { useSharedStore } from '../helpers/store-tests.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

async function setup(store: Store) {
  const org = await initTestOrganization(store);
  const organizationId = org.organization.id;
  const ctx: ProvisioningContext = {
    organizationId,
    actor: { type: 'service_token', id: null, label: 'okta' },
    requestId: null,
    scimBaseUrl: 'https://roster.test/scim/v2',
  };
  const admin = { organizationId, actor: CLI_ACTOR };
  const docs = await createWorkspace(store, { ...admin, name: 'Docs' });
  const billing = await createWorkspace(store, { ...admin, name: 'Billing' });
  const group = (
    await createGroup(store, ctx, { displayName: 'Eng Admins', externalId: null, memberIds: undefined })
  ).row;
  const member = async (userName: string) => (await addMember(store, organizationId, { userName })).member;
  // Okta's Group Push: `add` of a `members` list, `remove` with a value filter (docs/idp-requests.md).
  const join = (groupId: string, id: string) =>
    patchGroup(store, ctx, groupId, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }],
    });
  const leave = (groupId: string, id: string) =>
    patchGroup(store, ctx, groupId, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }],
    });
  const row = async (id: string) => {
    const found = await store.members.getById(organizationId, id);
    assert.ok(found);
    return found;
  };
  const reached = async (id: string) => {
    const m = await row(id);
    return (await reachableWorkspaces(store, organizationId, m.id, m.role)).map((w) => w.name).sort();
  };
  const events = async (type: string, memberId: string) => {
    const rows = await store.db
      .selectFrom('events')
      .select('payload')
      .where('organization_id', '=', organizationId)
      .where('type', '=', type)
      .orderBy('seq')
      .execute();
    return rows
      .map((r) => JSON.parse(r.payload) as { data: Record<string, unknown> })
      .filter(
        (e) => e.data.id === memberId || (e.data.member as { id?: string } | undefined)?.id === memberId,
      )
      .map((e) => e.data);
  };
  const audits = async (action: string, targetId: string) =>
    (
      await store.db
        .selectFrom('audit_events')
        .select('after')
        .where('organization_id', '=', organizationId)
        .where('action', '=', action)
        .where('target_id', '=', targetId)
        .orderBy('id')
        .execute()
    ).map((r) => JSON.parse(r.after ?? 'null') as Record<string, unknown>);
  return {
    org,
    organizationId,
    ctx,
    admin,
    docs,
    billing,
    group,
    member,
    join,
    leave,
    row,
    reached,
    events,
    audits,
  };
}

for (const kind of STORE_KINDS) {
  describe(`effective access (${kind})`, { skip: skipReason(kind) }, () => {
    const store = useSharedStore(kind);

    it('a member added to a mapped group gets its role and workspaces, and loses them when removed', async () => {
      const t = await setup(store());
      await mapGroup(store(), {
        ...t.admin,
        groupId: t.group.id,
        mapping: { role: 'admin', workspaceIds: [t.docs.id] },
      });
      const pat = await t.member('pat@acme.test');
      assert.deepEqual(
        await t.reached(pat.id),
        ['Default'].filter(() => false),
      );

      await t.join(t.group.id, pat.id);
      const joined = await t.row(pat.id);
      assert.equal(joined.role, 'admin');
      assert.equal(joined.direct_role, 'member');
      const access = await accessOf(store(), joined);
      assert.deepEqual(access.role, {
        value: 'admin',
        sources: [{ kind: 'group', group: { id: t.group.id, displayName: 'Eng Admins' } }],
      });
      assert.deepEqual(access.workspaces, [
        {
          id: t.docs.id,
          name: 'Docs',
          sources: [{ kind: 'group', group: { id: t.group.id, displayName: 'Eng Admins' } }],
        },
      ]);
      const roleChanged = await t.events('member.role_changed', pat.id);
      assert.deepEqual(
        roleChanged.map((e) => [e.role, e.cause, e.causeGroup]),
        [['admin', 'group', { id: t.group.id, displayName: 'Eng Admins' }]],
      );
      const granted = await t.events('workspace_access.granted', pat.id);
      assert.deepEqual(
        granted.map((e) => [(e.workspace as { name: string }).name, e.cause]),
        [['Docs', 'group']],
      );

      await t.leave(t.group.id, pat.id);
      const left = await t.row(pat.id);
      assert.equal(left.role, 'member');
      assert.deepEqual(await t.reached(pat.id), []);
      assert.deepEqual(
        (await t.events('workspace_access.revoked', pat.id)).map((e) => [
          (e.workspace as { name: string }).name,
          e.cause,
        ]),
        [['Docs', 'group']],
      );
      const audited = await t.audits('member.role_changed', pat.id);
      assert.deepEqual(
        audited.map((a) => [a.role, (a.cause as { kind: string; groupName?: string }).groupName]),
        [
          ['admin', 'Eng Admins'],
          ['member', 'Eng Admins'],
        ],
      );
    });

    it('a workspace given twice stays when one source goes, and announces nothing', async () => {
      const t = await setup(store());
      await mapGroup(store(), {
        ...t.admin,
        groupId: t.group.id,
        mapping: { role: null, workspaceIds: [t.docs.id] },
      });
      const sam = await t.member('sam@acme.test');
      await grantWorkspaceAccess(store(), { ...t.admin, membershipId: sam.id, workspaceId: t.docs.id });
      assert.equal((await t.events('workspace_access.granted', sam.id)).length, 1);
      await t.join(t.group.id, sam.id);
      await t.leave(t.group.id, sam.id);
      assert.deepEqual(await t.reached(sam.id), ['Docs']);
      assert.equal((await t.events('workspace_access.granted', sam.id)).length, 1);
      assert.equal((await t.events('workspace_access.revoked', sam.id)).length, 0);
      assert.equal((await t.row(sam.id)).role, 'member', 'a group mapped to no role changes no role');
    });

    it('deactivation removes all access, the group membership survives, and reactivation restores it', async () => {
      const t = await setup(store());
      await mapGroup(store(), {
        ...t.admin,
        groupId: t.group.id,
        mapping: { role: 'admin', workspaceIds: [t.billing.id] },
      });
      const kim = await t.member('kim@acme.test');
      await t.join(t.group.id, kim.id);
      const deactivate = (active: boolean) =>
        patchMember(store(), t.ctx, kim.id, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', value: { active } }],
        });
      await deactivate(false);
      const off = await t.row(kim.id);
      assert.equal(off.status, 'deactivated');
      assert.equal(off.role, null);
      assert.deepEqual(await t.reached(kim.id), []);
      assert.deepEqual(
        (await store().groups.groupsOf([kim.id])).map((g) => g.groupId),
        [t.group.id],
      );
      await deactivate(true);
      const on = await t.row(kim.id);
      assert.equal(on.role, 'admin', 'the group still makes them Admin');
      assert.equal(on.direct_role, 'member');
      assert.deepEqual((await t.reached(kim.id)).includes('Billing'), true);
    });

    it('a direct demotion of a member a group makes Admin changes the direct role only', async () => {
      const t = await setup(store());
      await mapGroup(store(), {
        ...t.admin,
        groupId: t.group.id,
        mapping: { role: 'admin', workspaceIds: [] },
      });
      const lee = await t.member('lee@acme.test');
      await changeRole(store(), { ...t.admin, membershipId: lee.id, role: 'admin' });
      await t.join(t.group.id, lee.id);
      const before = (await t.events('member.role_changed', lee.id)).length;
      const after = await changeRole(store(), { ...t.admin, membershipId: lee.id, role: 'member' });
      assert.equal(after.role, 'admin');
      assert.equal(after.direct_role, 'member');
      assert.equal(
        (await t.events('member.role_changed', lee.id)).length,
        before,
        'the effective role did not move',
      );
      const audited = await t.audits('member.role_changed', lee.id);
      assert.deepEqual(audited.at(-1), { role: 'admin', directRole: 'member', cause: { kind: 'direct' } });
    });

    it('the last active Admin removed from their Admin group keeps Admin, and the request succeeds', async () => {
      const t = await setup(store());
      await mapGroup(store(), {
        ...t.admin,
        groupId: t.group.id,
        mapping: { role: 'admin', workspaceIds: [] },
      });
      const ana = await t.member('ana@acme.test');
      await t.join(t.group.id, ana.id);
      // The organization's first Admin steps down: Ana, Admin through the group, is the only one.
      await changeRole(store(), { ...t.admin, membershipId: t.org.membership.id, role: 'member' });
      assert.equal((await t.row(t.org.membership.id)).role, 'member');

      await t.leave(t.group.id, ana.id);
      const kept = await t.row(ana.id);
      assert.equal(kept.role, 'admin');
      assert.equal(kept.direct_role, 'admin', 'kept as a direct grant');
      assert.equal(await store().members.countActiveAdmins(t.organizationId), 1);
      assert.deepEqual(
        (await store().groups.groupsOf([ana.id])).map((g) => g.groupId),
        [],
        'the IdP’s change was stored',
      );
      const audited = await t.audits('member.admin_kept', ana.id);
      assert.equal(audited.length, 1);
      assert.equal(audited[0]?.reason, 'last active Admin');
      assert.deepEqual(audited[0]?.cause, { kind: 'group', groupId: t.group.id, groupName: 'Eng Admins' });
    });

    it('changing a mapping settles every member; deleting the group takes its access away', async () => {
      const t = await setup(store());
      const people = [];
      for (let i = 0; i < 3; i += 1) people.push(await t.member(`m${i}@acme.test`));
      for (const p of people) await t.join(t.group.id, p.id);
      const mapped = await mapGroup(store(), {
        ...t.admin,
        groupId: t.group.id,
        mapping: { role: 'admin', workspaceIds: [t.docs.id, t.billing.id] },
      });
      assert.equal(mapped.changed, true);
      for (const p of people) {
        assert.equal((await t.row(p.id)).role, 'admin');
        assert.equal((await t.events('workspace_access.granted', p.id)).length, 2);
      }
      const again = await mapGroup(store(), {
        ...t.admin,
        groupId: t.group.id,
        mapping: { role: 'admin', workspaceIds: [t.billing.id, t.docs.id] },
      });
      assert.equal(again.changed, false);

      await mapGroup(store(), {
        ...t.admin,
        groupId: t.group.id,
        mapping: { role: null, workspaceIds: [t.docs.id] },
      });
      for (const p of people) {
        assert.equal((await t.row(p.id)).role, 'member');
        assert.deepEqual(await t.reached(p.id), ['Docs']);
      }
      await deleteGroup(store(), t.ctx, t.group.id);
      for (const p of people) {
        assert.deepEqual(await t.reached(p.id), []);
        assert.deepEqual(
          (await t.events('workspace_access.revoked', p.id))
            .map((e) => (e.workspace as { name: string }).name)
            .sort(),
          ['Billing', 'Docs'],
        );
      }
      assert.equal((await t.audits('group.mapping_changed', t.group.id)).length, 2);
    });
  });
}
