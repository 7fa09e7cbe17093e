// Okta's "SCIM 2.0 with entitlements CRUD test" (okta/okta-developer-docs,
// packages/@okta/vuepress-site/.vuepress/public/standards/SCIM/SCIMFiles/Okta-SCIM-20-With-Entitlements-CRUD-Test.json),
// replayed as the SCIM requests its Okta-side steps cause: assign the user (lookup, then POST, O2/O3
// of docs/idp-requests.md), assign grants (Okta Identity Governance sends the user's roles and
// entitlements whole in a PUT: docs/idp-requests.md#okta-entitlements), verify by `userName eq`,
// change the first name (a PUT of the whole resource, O5), verify, deactivate (O7), verify,
// reactivate (O9), verify, unassign (O7), verify. The collection's own assertions are checked at
// each verify step; the access the entitlements give is checked beside them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createWorkspace } from '../../src/accounts/manage-workspaces.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const setActive = (active: boolean) => ({
  schemas: [PATCH_OP],
  Operations: [{ op: 'replace', value: { active } }],
});

/** The collection's variables. */
const OKTA_USER = {
  email: 'ent.crud@okta-test.com',
  firstName: 'Ella',
  firstNameUpdate: 'Elena',
  lastName: 'Entitled',
};

for (const kind of STORE_KINDS) {
  describe(`Okta SCIM 2.0 with entitlements CRUD test (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let design: { id: string; name: string };
    let scimId: string;
    let resource: Record<string, unknown>;

    const lookup = () =>
      t.scim(
        'GET',
        `Users?filter=${encodeURIComponent(`userName eq "${OKTA_USER.email}"`)}&startIndex=1&count=100`,
      );
    const membership = () =>
      t.store.db
        .selectFrom('memberships')
        .select(['role', 'direct_role', 'status'])
        .where('id', '=', scimId)
        .executeTakeFirstOrThrow();
    const workspacesOf = async () =>
      (
        await t.app.inject({
          method: 'GET',
          url: `/api/v1/members/${scimId}`,
          headers: { authorization: `Bearer ${t.token}` },
        })
      ).json();
    const eventTypes = async () =>
      (await t.store.db.selectFrom('events').select(['type', 'payload']).orderBy('seq').execute())
        .filter(
          (event) =>
            JSON.parse(event.payload).data?.member?.id === scimId ||
            JSON.parse(event.payload).data?.id === scimId,
        )
        .map((event) => [event.type, JSON.parse(event.payload).data?.cause ?? null]);

    before(async () => {
      t = await setupApp(kind);
      const workspace = await createWorkspace(t.store, {
        organizationId: t.org.organization.id,
        actor: CLI_ACTOR,
        name: 'Design',
      });
      design = { id: workspace.id, name: workspace.name };
    });
    after(() => t.cleanup());

    it('assigns the user: a lookup without a match, then the create', async () => {
      assert.equal((await lookup()).json().totalResults, 0);
      const res = await t.scim('POST', 'Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: OKTA_USER.email,
        name: { givenName: OKTA_USER.firstName, familyName: OKTA_USER.lastName },
        emails: [{ primary: true, value: OKTA_USER.email, type: 'work' }],
        displayName: `${OKTA_USER.firstName} ${OKTA_USER.lastName}`,
        externalId: '00u1entcrud',
        groups: [],
        password: 'Kv7J2LEa',
        active: true,
      });
      assert.equal(res.statusCode, 201);
      scimId = res.json().id;
      assert.deepEqual(res.json().roles, []);
      assert.equal(res.json().entitlements, undefined);
    });

    it('assigns grants: the role and the workspace Okta sends are stored and give access', async () => {
      resource = (await t.scim('GET', `Users/${scimId}`)).json();
      const res = await t.scim('PUT', `Users/${scimId}`, {
        ...resource,
        roles: [{ value: 'admin', display: 'Admin' }],
        entitlements: [{ value: design.id, display: design.name, type: 'Workspace' }],
      });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json().roles, [{ value: 'admin', display: 'Admin' }]);
      assert.deepEqual(res.json().entitlements, [{ value: design.id, display: 'Design', type: 'Workspace' }]);
      assert.notEqual(
        res.json().meta.version,
        resource.meta && (resource.meta as { version: string }).version,
      );
      assert.deepEqual(await membership(), { role: 'admin', direct_role: 'member', status: 'active' });
      assert.deepEqual(await eventTypes(), [
        ['member.created', null],
        ['workspace_access.granted', 'entitlement'],
        ['member.role_changed', 'entitlement'],
      ]);
    });

    it("finds the user by userName with Okta's values (the collection's assertions)", async () => {
      const res = await lookup();
      assert.equal(res.statusCode, 200);
      const [found] = res.json().Resources;
      assert.equal(found.userName, OKTA_USER.email);
      assert.equal(found.emails[0].value, OKTA_USER.email);
      assert.equal(found.name.familyName, OKTA_USER.lastName);
      assert.equal(found.name.givenName, OKTA_USER.firstName);
      assert.equal(found.id, scimId);
      assert.deepEqual(found.roles, [{ value: 'admin', display: 'Admin' }]);
      assert.deepEqual(found.entitlements, [{ value: design.id, display: 'Design', type: 'Workspace' }]);
    });

    it('updates the first name with a PUT of the whole resource, the grants sent back unchanged', async () => {
      const current = (await t.scim('GET', `Users/${scimId}`)).json();
      const eventsBefore = (await eventTypes()).length;
      const res = await t.scim('PUT', `Users/${scimId}`, {
        ...current,
        name: { ...current.name, givenName: OKTA_USER.firstNameUpdate },
      });
      assert.equal(res.statusCode, 200);
      const read = (await t.scim('GET', `Users/${scimId}`)).json();
      assert.equal(read.name.givenName, OKTA_USER.firstNameUpdate);
      assert.deepEqual(read.roles, [{ value: 'admin', display: 'Admin' }]);
      // Only the profile changed: no access event.
      assert.deepEqual((await eventTypes()).slice(eventsBefore), [['member.updated', null]]);
    });

    it('deactivates: active false, no role, no workspace; the grants are kept', async () => {
      assert.equal((await t.scim('PATCH', `Users/${scimId}`, setActive(false))).statusCode, 200);
      const res = await t.scim('GET', `Users/${scimId}`);
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().active, false);
      assert.deepEqual(res.json().roles, [{ value: 'admin', display: 'Admin' }]);
      assert.deepEqual(await membership(), { role: null, direct_role: 'member', status: 'deactivated' });
      const member = await workspacesOf();
      assert.equal(member.role, null);
    });

    it('reactivates: the entitlement gives Admin again', async () => {
      assert.equal((await t.scim('PATCH', `Users/${scimId}`, setActive(true))).statusCode, 200);
      const res = await t.scim('GET', `Users/${scimId}`);
      assert.equal(res.json().active, true);
      assert.deepEqual(await membership(), { role: 'admin', direct_role: 'member', status: 'active' });
    });

    it('unassigns: deactivated again, 200 with active false', async () => {
      assert.equal((await t.scim('PATCH', `Users/${scimId}`, setActive(false))).statusCode, 200);
      const res = await t.scim('GET', `Users/${scimId}`);
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().active, false);
    });
  });

  describe(`Okta entitlements: PATCH shapes, refusals, combined access (${kind})`, {
    skip: skipReason(kind),
  }, () => {
    let t: TestApp;
    let design: string;
    let ops: string;
    let id: string;

    const patch = (...Operations: unknown[]) =>
      t.scim('PATCH', `Users/${id}`, { schemas: [PATCH_OP], Operations });
    const assigned = async () => {
      const body = (await t.scim('GET', `Users/${id}`)).json();
      return {
        roles: (body.roles ?? []).map((r: { value: string }) => r.value),
        workspaces: (body.entitlements ?? []).map((e: { value: string }) => e.value),
      };
    };
    const stored = () =>
      t.store.db
        .selectFrom('member_entitlements')
        .select(['kind', 'value'])
        .where('membership_id', '=', id)
        .orderBy('kind')
        .orderBy('value')
        .execute();
    const role = async () =>
      (
        await t.store.db
          .selectFrom('memberships')
          .select('role')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).role;

    before(async () => {
      t = await setupApp(kind);
      design = (
        await createWorkspace(t.store, {
          organizationId: t.org.organization.id,
          actor: CLI_ACTOR,
          name: 'Design',
        })
      ).id;
      ops = (
        await createWorkspace(t.store, {
          organizationId: t.org.organization.id,
          actor: CLI_ACTOR,
          name: 'Ops',
        })
      ).id;
      const res = await t.scim('POST', 'Users', {
        userName: 'pat@acme.test',
        emails: [{ value: 'pat@acme.test', primary: true }],
        roles: [{ value: 'member', display: 'Member' }],
        entitlements: [{ value: design, type: 'Workspace' }],
      });
      assert.equal(res.statusCode, 201);
      id = res.json().id;
    });
    after(() => t.cleanup());

    it('takes roles and entitlements in the create', async () => {
      assert.deepEqual(await assigned(), { roles: ['member'], workspaces: [design] });
      assert.equal(await role(), 'member');
    });

    it('adds with path roles and entitlements (a value list)', async () => {
      const res = await patch(
        { op: 'add', path: 'roles', value: [{ value: 'admin', display: 'Admin' }] },
        { op: 'add', path: 'entitlements', value: [{ value: ops, display: 'Ops', type: 'Workspace' }] },
      );
      assert.equal(res.statusCode, 200);
      assert.deepEqual(await assigned(), { roles: ['admin', 'member'], workspaces: [design, ops].sort() });
      assert.equal(await role(), 'admin');
    });

    it('removes by a value filter, as Okta removes one value', async () => {
      const res = await patch(
        { op: 'remove', path: 'roles[value eq "admin"]' },
        { op: 'remove', path: `entitlements[value eq "${design}"]` },
      );
      assert.equal(res.statusCode, 200);
      assert.deepEqual(await assigned(), { roles: ['member'], workspaces: [ops] });
      assert.equal(await role(), 'member');
    });

    it('replaces with a path, and path-less', async () => {
      assert.equal(
        (await patch({ op: 'replace', path: 'roles', value: [{ value: 'admin' }] })).statusCode,
        200,
      );
      assert.deepEqual(await assigned(), { roles: ['admin'], workspaces: [ops] });
      const res = await patch({
        op: 'replace',
        value: { roles: [{ value: 'member' }], entitlements: [{ value: design, type: 'Workspace' }] },
      });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(await assigned(), { roles: ['member'], workspaces: [design] });
      assert.equal(await role(), 'member');
    });

    for (const [name, operation] of [
      ['an unknown role', () => ({ op: 'add', path: 'roles', value: [{ value: 'owner' }] })],
      [
        'an unknown workspace',
        () => ({ op: 'add', path: 'entitlements', value: [{ value: 'nope', type: 'Workspace' }] }),
      ],
      [
        'an entitlement of another type',
        () => ({ op: 'add', path: 'entitlements', value: [{ value: design, type: 'License' }] }),
      ],
      ['a role without a value', () => ({ op: 'add', path: 'roles', value: [{ display: 'Admin' }] })],
    ] as const) {
      it(`refuses ${name} with 400 invalidValue, storing nothing of the request`, async () => {
        const before = await stored();
        const version = (await t.scim('GET', `Users/${id}`)).json().meta.version;
        const res = await patch({ op: 'replace', path: 'displayName', value: 'Changed' }, operation());
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().scimType, 'invalidValue');
        assert.deepEqual(await stored(), before);
        const after = (await t.scim('GET', `Users/${id}`)).json();
        assert.equal(after.meta.version, version);
        assert.notEqual(after.displayName, 'Changed');
      });
    }

    it('refuses a create with an unknown role: 400 invalidValue, and no member is made', async () => {
      const res = await t.scim('POST', 'Users', {
        userName: 'nobody@acme.test',
        emails: [{ value: 'nobody@acme.test' }],
        roles: [{ value: 'superuser' }],
      });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().scimType, 'invalidValue');
      const lookup = await t.scim(
        'GET',
        `Users?filter=${encodeURIComponent('userName eq "nobody@acme.test"')}`,
      );
      assert.equal(lookup.json().totalResults, 0);
    });

    it("refuses another organization's workspace", async () => {
      const { initTestOrganization } = await import('../helpers/seed.ts');
      const other = await initTestOrganization(t.store, {
        name: 'Other',
        slug: 'other',
        adminEmail: 'a@other.test',
      });
      const res = await patch({ op: 'add', path: 'entitlements', value: [{ value: other.workspace.id }] });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().scimType, 'invalidValue');
    });

    it('combines an entitlement with a direct grant: each source shows, and losing one keeps the other', async () => {
      const grant = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/members/${id}/workspaces/${design}`,
        headers: { authorization: `Bearer ${t.token}` },
      });
      assert.ok(grant.statusCode < 300, grant.body);
      const eventsBefore = await t.store.db.selectFrom('events').select('seq').execute();
      assert.equal((await patch({ op: 'remove', path: 'entitlements' })).statusCode, 200);
      assert.deepEqual(await assigned(), { roles: ['member'], workspaces: [] });
      // The direct grant still gives Design: no workspace_access.revoked.
      const newEvents = (await t.store.db.selectFrom('events').select(['seq', 'type']).execute()).filter(
        (event) => !eventsBefore.some((old) => String(old.seq) === String(event.seq)),
      );
      assert.ok(!newEvents.some((event) => event.type === 'workspace_access.revoked'));
    });

    it('a PUT without roles keeps them; roles: [] clears them', async () => {
      await patch({ op: 'replace', path: 'roles', value: [{ value: 'admin' }] });
      const current = (await t.scim('GET', `Users/${id}`)).json();
      const { roles: _roles, ...withoutRoles } = current;
      assert.equal((await t.scim('PUT', `Users/${id}`, withoutRoles)).statusCode, 200);
      assert.deepEqual((await assigned()).roles, ['admin']);
      assert.equal((await t.scim('PUT', `Users/${id}`, { ...withoutRoles, roles: [] })).statusCode, 200);
      assert.deepEqual((await assigned()).roles, []);
      assert.equal(await role(), 'member');
    });

    it('filters Users by their assigned roles and entitlements', async () => {
      await patch({ op: 'replace', value: { roles: [{ value: 'admin' }], entitlements: [{ value: ops }] } });
      const byRole = (
        await t.scim('GET', `Users?filter=${encodeURIComponent('roles.value eq "admin"')}`)
      ).json();
      assert.deepEqual(
        byRole.Resources.map((u: { id: string }) => u.id),
        [id],
      );
      const byWorkspace = (
        await t.scim(
          'GET',
          `Users?filter=${encodeURIComponent(`entitlements[value eq "${ops}" and type eq "Workspace"]`)}`,
        )
      ).json();
      assert.deepEqual(
        byWorkspace.Resources.map((u: { id: string }) => u.id),
        [id],
      );
    });
  });

  describe(`Okta entitlements with groups and direct grants: effective access (${kind})`, {
    skip: skipReason(kind),
  }, () => {
    let t: TestApp;
    let design: string;
    let id: string;
    let groupId: string;

    const access = async () => {
      const row = await t.store.db
        .selectFrom('memberships')
        .select('role')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const sources = await t.store.access.workspaceSources([id]);
      return {
        role: row.role,
        design: sources
          .filter((source) => source.workspaceId === design)
          .map((source) => source.kind)
          .sort(),
      };
    };
    const revoked = async () =>
      (await t.store.db.selectFrom('events').select(['type', 'payload']).execute()).filter(
        (event) =>
          event.type === 'workspace_access.revoked' && JSON.parse(event.payload).data.member.id === id,
      ).length;
    const patchUser = (...Operations: unknown[]) =>
      t.scim('PATCH', `Users/${id}`, { schemas: [PATCH_OP], Operations });
    const patchGroup = (...Operations: unknown[]) =>
      t.scim('PATCH', `Groups/${groupId}`, { schemas: [PATCH_OP], Operations });

    before(async () => {
      t = await setupApp(kind);
      design = (
        await createWorkspace(t.store, {
          organizationId: t.org.organization.id,
          actor: CLI_ACTOR,
          name: 'Design',
        })
      ).id;
      id = (
        await t.scim('POST', 'Users', { userName: 'sam@acme.test', emails: [{ value: 'sam@acme.test' }] })
      ).json().id;
      groupId = (await t.scim('POST', 'Groups', { displayName: 'Design Admins', members: [] })).json().id;
      // The group's mapping, as an Admin sets it: Admin and Design.
      const mapped = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/groups/${groupId}`,
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ role: 'admin', workspaceIds: [design] }),
      });
      assert.equal(mapped.statusCode, 200, mapped.body);
    });
    after(() => t.cleanup());

    it('adds up the three sources, and takes away only what no other source gives', async () => {
      assert.deepEqual(await access(), { role: 'member', design: [] });
      await patchUser(
        { op: 'add', path: 'roles', value: [{ value: 'admin' }] },
        { op: 'add', path: 'entitlements', value: [{ value: design, type: 'Workspace' }] },
      );
      assert.deepEqual(await access(), { role: 'admin', design: ['entitlement'] });
      await patchGroup({ op: 'add', path: 'members', value: [{ value: id }] });
      const grant = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/members/${id}/workspaces/${design}`,
        headers: { authorization: `Bearer ${t.token}` },
      });
      assert.equal(grant.statusCode, 204);
      assert.deepEqual(await access(), { role: 'admin', design: ['direct', 'entitlement', 'group'] });
      // The API shows each piece with its source: the entitlement among them.
      const shown = (
        await t.app.inject({
          method: 'GET',
          url: `/api/v1/members/${id}`,
          headers: { authorization: `Bearer ${t.token}` },
        })
      ).json().access;
      assert.deepEqual(shown.roleSources.map((source: { kind: string }) => source.kind).sort(), [
        'entitlement',
        'group',
      ]);
      assert.deepEqual(
        shown.workspaces
          .find((w: { id: string }) => w.id === design)
          .sources.map((source: { kind: string }) => source.kind)
          .sort(),
        ['direct', 'entitlement', 'group'],
      );

      // The IdP removes its assignments: the group still gives Admin and Design, the grant Design.
      await patchUser({ op: 'replace', value: { roles: [], entitlements: [] } });
      assert.deepEqual(await access(), { role: 'admin', design: ['direct', 'group'] });
      // The group goes: Admin goes with it (the first Admin stays), Design stays granted.
      await patchGroup({ op: 'remove', path: `members[value eq "${id}"]` });
      assert.deepEqual(await access(), { role: 'member', design: ['direct'] });
      assert.equal(await revoked(), 0);
      // The IdP assigns the workspace again, then the direct grant is revoked: still reached.
      await patchUser({ op: 'add', path: 'entitlements', value: [{ value: design }] });
      await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/members/${id}/workspaces/${design}`,
        headers: { authorization: `Bearer ${t.token}` },
      });
      assert.deepEqual(await access(), { role: 'member', design: ['entitlement'] });
      // Last source: the revocation is announced, with its cause.
      await patchUser({ op: 'remove', path: 'entitlements' });
      assert.deepEqual(await access(), { role: 'member', design: [] });
      const [event] = (await t.store.db.selectFrom('events').select(['type', 'payload']).execute())
        .filter((e) => e.type === 'workspace_access.revoked')
        .map((e) => JSON.parse(e.payload).data);
      assert.deepEqual([event?.workspace.id, event?.cause], [design, 'entitlement']);
    });

    it('deactivation removes all access, reactivation restores what the sources give', async () => {
      await patchUser({
        op: 'replace',
        value: { roles: [{ value: 'admin' }], entitlements: [{ value: design }] },
      });
      await patchUser({ op: 'replace', path: 'active', value: false });
      const deactivated = await t.app.inject({
        method: 'GET',
        url: `/api/v1/members/${id}`,
        headers: { authorization: `Bearer ${t.token}` },
      });
      assert.equal(deactivated.json().role, null);
      await patchUser({ op: 'replace', path: 'active', value: true });
      assert.deepEqual(await access(), { role: 'admin', design: ['entitlement'] });
    });
  });

  describe(`Okta entitlements and the last Admin (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    before(async () => {
      t = await setupApp(kind);
    });
    after(() => t.cleanup());

    it('an IdP removing the last Admin role succeeds, and the member keeps Admin as a direct grant', async () => {
      const created = await t.scim('POST', 'Users', {
        userName: 'boss@acme.test',
        emails: [{ value: 'boss@acme.test', primary: true }],
        roles: [{ value: 'admin' }],
      });
      const id = created.json().id;
      // The first Admin steps down: the entitlement holder is now the only Admin.
      const demote = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/members/${t.org.membership.id}`,
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
        payload: { role: 'member' },
      });
      assert.equal(demote.statusCode, 200, demote.body);
      const res = await t.scim('PATCH', `Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'remove', path: 'roles[value eq "admin"]' }],
      });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json().roles, []);
      const row = await t.store.db
        .selectFrom('memberships')
        .select(['role', 'direct_role'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(row, { role: 'admin', direct_role: 'admin' });
      const kept = await t.store.db
        .selectFrom('audit_events')
        .select('action')
        .where('target_id', '=', id)
        .where('action', '=', 'member.admin_kept')
        .execute();
      assert.equal(kept.length, 1);
    });
  });
}
