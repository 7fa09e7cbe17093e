// Members: the directory, the member page, role changes and workspace grants.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createWorkspace } from '../../src/accounts/manage-workspaces.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { type BrowserSession, get, openSession, post, scimMember } from '../helpers/dashboard.ts';
import { addMember, initTestOrganization } from '../helpers/seed.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const DEACTIVATE = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'replace', value: { active: false } }],
};

for (const kind of STORE_KINDS) {
  describe(`the members pages (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let admin: BrowserSession;
    beforeEach(async () => {
      t = await setupApp(kind);
      admin = await openSession(t, t.org.user.email);
    });
    afterEach(() => t.cleanup());

    const rowsOf = (body: string) =>
      [...body.matchAll(/<td data-label="Name"><div><a href="\/members\/([^"]+)">/g)].map((m) => m[1]);

    it('lists members with name, email, role, status, source and last change', async () => {
      const dana = await scimMember(t, 'dana@acme.test', { givenName: 'Dana', familyName: 'Lee' });
      const res = await get(t.app, '/members', admin);
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      for (const heading of ['Name', 'Email', 'Role', 'Status', 'Source', 'Last change']) {
        assert.match(res.body, new RegExp(`<th scope="col">${heading}</th>`));
      }
      assert.match(res.body, new RegExp(`<a href="/members/${dana.id}">Dana Lee</a>`));
      assert.match(res.body, /<div>dana<wbr>@acme\.test<\/div>/);
      assert.match(res.body, /<div>SCIM<\/div>/);
      assert.match(res.body, /<div>CLI<\/div>/);
      assert.match(res.body, /2 members/);
    });

    it('shows a SCIM-deactivated member as deactivated with no role', async () => {
      const dana = await scimMember(t, 'dana@acme.test', { givenName: 'Dana', familyName: 'Lee' });
      await t.scim('PATCH', `Users/${dana.id}`, DEACTIVATE);
      const res = await get(t.app, '/members?status=deactivated', admin);
      assert.deepEqual(rowsOf(res.body), [dana.id]);
      assert.match(res.body, /badge-deactivated">Deactivated</);
      assert.match(res.body, /<span class="muted">No role<\/span>/);
      const detail = await get(t.app, `/members/${dana.id}`, admin);
      assert.match(detail.body, /No role: deactivated members have no role/);
      assert.doesNotMatch(detail.body, /id="member-role"/);
    });

    it('searches by the start of a userName, name or email, any case, and filters by status and role', async () => {
      const ann = await scimMember(t, 'ann.smith@acme.test', {
        givenName: 'Ann',
        familyName: 'Smith',
        password: false,
      });
      const bob = await scimMember(t, 'bob@acme.test', {
        givenName: 'Robert',
        familyName: 'Smithers',
        password: false,
      });
      const cat = await scimMember(t, 'cat@other.test', {
        givenName: 'Cat',
        familyName: 'Jones',
        password: false,
      });
      await t.scim('PATCH', `Users/${cat.id}`, DEACTIVATE);
      const search = async (query: string) =>
        rowsOf((await get(t.app, `/members?${query}`, admin)).body).sort();
      assert.deepEqual(await search('q=SMITH'), [ann.id, bob.id].sort());
      assert.deepEqual(await search('q=rob'), [bob.id]);
      assert.deepEqual(await search('q=cat%40other'), [cat.id]);
      assert.deepEqual(await search('q=mith'), [], 'a prefix search, not contains');
      assert.deepEqual(await search('q=100%25'), [], 'LIKE wildcards are literal');
      assert.deepEqual(await search('status=deactivated'), [cat.id]);
      assert.deepEqual(await search('role=admin'), [t.org.membership.id]);
      assert.deepEqual(await search('q=smith&role=member&status=active'), [ann.id, bob.id].sort());
      const bad = await get(t.app, '/members?status=sleeping', admin);
      assert.equal(bad.statusCode, 400);
    });

    it('pages through the directory in userName order with next and previous links', async () => {
      for (let i = 0; i < 60; i++) {
        await addMember(t.store, t.org.organization.id, {
          email: `p${String(i).padStart(2, '0')}@acme.test`,
        });
      }
      const first = await get(t.app, '/members', admin);
      const firstRows = rowsOf(first.body);
      assert.equal(firstRows.length, 50);
      assert.match(first.body, /61 members/);
      const next = /href="(\/members\?after=[^"]+)">Next page/.exec(first.body)?.[1];
      assert.ok(next);
      const second = await get(t.app, next.replace(/&amp;/g, '&'), admin);
      const secondRows = rowsOf(second.body);
      assert.equal(secondRows.length, 11);
      assert.equal(new Set([...firstRows, ...secondRows]).size, 61);
      assert.doesNotMatch(second.body, /Next page/);
      const previous = /href="(\/members\?before=[^"]+)">Previous page/.exec(second.body)?.[1];
      assert.ok(previous);
      assert.deepEqual(rowsOf((await get(t.app, previous.replace(/&amp;/g, '&'), admin)).body), firstRows);
      assert.equal((await get(t.app, '/members?after=%%%', admin)).statusCode, 400);
    });

    it('marks SCIM members as managed by the identity provider, with read-only fields', async () => {
      const dana = await scimMember(t, 'dana@acme.test');
      const res = await get(t.app, `/members/${dana.id}`, admin);
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /Managed by your identity provider/);
      assert.doesNotMatch(res.body, /<input type="text"/, 'no editable profile field');
      const own = await get(t.app, `/members/${t.org.membership.id}`, admin);
      assert.doesNotMatch(own.body, /badge-idp/);
    });

    it('changes a role, bumping the version and writing the audit event', async () => {
      const dana = await scimMember(t, 'dana@acme.test');
      const before = await t.store.members.getById(t.org.organization.id, dana.id);
      const res = await post(t.app, `/members/${dana.id}/role`, admin, { role: 'admin' });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, `/members/${dana.id}?updated=role`);
      const after = await t.store.members.getById(t.org.organization.id, dana.id);
      assert.equal(after?.role, 'admin');
      assert.equal(after?.version, (before?.version ?? 0) + 1);
      assert.notEqual(after?.updated_at, undefined);
      const [event] = await t.store.audit.search({
        organizationId: t.org.organization.id,
        action: 'member.role_changed',
        limit: 5,
      });
      assert.deepEqual(JSON.parse(event?.after ?? 'null'), {
        role: 'admin',
        directRole: 'admin',
        cause: { kind: 'direct' },
      });
      assert.equal(event?.actor_type, 'session');
      // A role given in Roster is not an IdP assignment: SCIM `roles` stays empty (docs/scim.md).
      const scim = await t.scim('GET', `Users/${dana.id}`);
      assert.deepEqual(scim.json().roles, []);
    });

    it('refuses to demote the last active Admin and changes nothing', async () => {
      const res = await post(t.app, `/members/${t.org.membership.id}/role`, admin, { role: 'member' });
      assert.equal(res.statusCode, 409);
      assert.match(res.body, /last active Admin/);
      assert.equal(
        (await t.store.members.getById(t.org.organization.id, t.org.membership.id))?.role,
        'admin',
      );
    });

    it('refuses a role change for a deactivated member', async () => {
      const dana = await scimMember(t, 'dana@acme.test');
      await t.scim('PATCH', `Users/${dana.id}`, DEACTIVATE);
      const res = await post(t.app, `/members/${dana.id}/role`, admin, { role: 'admin' });
      assert.equal(res.statusCode, 409);
      assert.match(res.body, /has no role to change/);
      assert.equal((await t.store.members.getById(t.org.organization.id, dana.id))?.role, null);
    });

    it('grants and revokes workspace access, with audit events', async () => {
      const dana = await scimMember(t, 'dana@acme.test');
      const workspace = t.org.workspace;
      const grant = await post(t.app, `/members/${dana.id}/workspaces`, admin, {
        workspaceId: workspace.id,
        access: 'grant',
      });
      assert.equal(grant.statusCode, 303);
      assert.deepEqual(await t.store.workspaceGrants.workspaceIdsOf(dana.id), [workspace.id]);
      const page = await get(t.app, `/members/${dana.id}`, admin);
      assert.match(page.body, /data-workspace-access="Default">Yes — granted in Roster</);
      assert.match(page.body, /Revoke direct grant/);
      const revoke = await post(t.app, `/members/${dana.id}/workspaces`, admin, {
        workspaceId: workspace.id,
        access: 'revoke',
      });
      assert.equal(revoke.statusCode, 303);
      assert.deepEqual(await t.store.workspaceGrants.workspaceIdsOf(dana.id), []);
      const actions = (
        await t.store.audit.search({ organizationId: t.org.organization.id, target: dana.id, limit: 10 })
      ).map((e) => e.action);
      assert.deepEqual(actions.slice(0, 2), ['workspace.access_revoked', 'workspace.access_granted']);
    });

    it("answers 404 for another organization's member or workspace and changes nothing", async () => {
      const globex = await initTestOrganization(t.store, { slug: 'globex' });
      const foreignWorkspace = await createWorkspace(t.store, {
        organizationId: globex.organization.id,
        name: 'Secret',
        actor: CLI_ACTOR,
      });
      assert.equal((await get(t.app, `/members/${globex.membership.id}`, admin)).statusCode, 404);
      const role = await post(t.app, `/members/${globex.membership.id}/role`, admin, { role: 'member' });
      assert.equal(role.statusCode, 404);
      const dana = await scimMember(t, 'dana@acme.test');
      const grant = await post(t.app, `/members/${dana.id}/workspaces`, admin, {
        workspaceId: foreignWorkspace.id,
        access: 'grant',
      });
      assert.equal(grant.statusCode, 404);
      assert.deepEqual(await t.store.workspaceGrants.workspaceIdsOf(dana.id), []);
      assert.equal(
        (await t.store.members.getById(globex.organization.id, globex.membership.id))?.role,
        'admin',
      );
    });

    it('keeps the directory and member changes for Admins (403 for a Member, nothing changed)', async () => {
      const dana = await scimMember(t, 'dana@acme.test');
      const member = await openSession(t, dana.email);
      assert.equal((await get(t.app, '/members', member)).statusCode, 403);
      assert.equal((await get(t.app, `/members/${dana.id}`, member)).statusCode, 403);
      const res = await post(t.app, `/members/${dana.id}/role`, member, { role: 'admin' });
      assert.equal(res.statusCode, 403);
      assert.equal((await t.store.members.getById(t.org.organization.id, dana.id))?.role, 'member');
      const nav = await get(t.app, '/settings/account/tokens', member);
      assert.doesNotMatch(nav.body, /href="\/members"/);
      assert.doesNotMatch(nav.body, /href="\/audit"/);
    });
  });
}
