// What Okta Identity Governance reads before it assigns anything (Okta, "Build a SCIM 2.0 server with
// entitlements", "Endpoint call sequence"; docs/idp-requests.md#okta-entitlements): /ResourceTypes,
// then the endpoint of every resource type under its Role or Entitlement schema, here /Roles and
// /Workspaces. The request of Okta's "Okta SCIM 2.0 Entitlements Test" (okta/okta-developer-docs,
// packages/@okta/vuepress-site/.vuepress/public/standards/SCIM/SCIMFiles/Okta-SCIM-20-Entitlements-Test.json)
// is replayed for each endpoint with its headers and its six assertions.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createWorkspace } from '../../src/accounts/manage-workspaces.ts';
import { createToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { initTestOrganization } from '../helpers/seed.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const OKTA_ENTITLEMENTS_TEST_HEADERS = {
  'accept-charset': 'utf-8',
  'content-type': 'application/scim+json; charset=utf-8',
  accept: 'application/scim+json',
  'user-agent': 'OKTA SCIM Integration',
};

for (const kind of STORE_KINDS) {
  describe(`Okta entitlement discovery: /ResourceTypes, /Roles, /Workspaces (${kind})`, {
    skip: skipReason(kind),
  }, () => {
    let t: TestApp;
    let defaultWorkspace: string;
    let design: string;
    before(async () => {
      t = await setupApp(kind);
      defaultWorkspace = t.org.workspace.id;
      design = (
        await createWorkspace(t.store, {
          organizationId: t.org.organization.id,
          actor: CLI_ACTOR,
          name: 'Design',
        })
      ).id;
      // Another organization's workspace must never show.
      await initTestOrganization(t.store, { name: 'Other', slug: 'other', adminEmail: 'admin@other.test' });
    });
    after(() => t.cleanup());

    it('finds Role and Workspace in /ResourceTypes, with the endpoints Okta then calls', async () => {
      const body = (
        await t.scim('GET', 'ResourceTypes', undefined, { headers: OKTA_ENTITLEMENTS_TEST_HEADERS })
      ).json();
      const byEndpoint = Object.fromEntries(
        body.Resources.map((type: { endpoint: string; schema: string; name: string }) => [
          type.endpoint,
          [type.name, type.schema],
        ]),
      );
      assert.deepEqual(byEndpoint['/Roles'], ['Role', 'urn:okta:scim:schemas:core:1.0:Role']);
      assert.deepEqual(byEndpoint['/Workspaces'], [
        'Workspace',
        'urn:okta:scim:schemas:core:1.0:Entitlement',
      ]);
    });

    for (const endpoint of ['/Roles', '/Workspaces']) {
      it(`passes Okta's Entitlements test against ${endpoint}?count=1&startIndex=1`, async () => {
        const res = await t.scim('GET', `${endpoint.slice(1)}?count=1&startIndex=1`, undefined, {
          headers: OKTA_ENTITLEMENTS_TEST_HEADERS,
        });
        assert.equal(res.statusCode, 200);
        assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
        const body = res.json();
        assert.ok(Array.isArray(body.Resources) && body.Resources.length > 0, 'Resources not empty');
        assert.ok(body.schemas.includes('urn:ietf:params:scim:api:messages:2.0:ListResponse'));
        assert.equal(typeof body.startIndex, 'number');
        assert.equal(body.itemsPerPage, 1);
        assert.equal(typeof body.totalResults, 'number');
        assert.equal(body.totalResults, 2);
      });
    }

    it("lists the organization roles in Okta's Role shape", async () => {
      const body = (await t.scim('GET', 'Roles')).json();
      assert.deepEqual(
        body.Resources.map((role: Record<string, unknown>) => [role.schemas, role.id, role.displayName]),
        [
          [['urn:okta:scim:schemas:core:1.0:Role'], 'admin', 'Admin'],
          [['urn:okta:scim:schemas:core:1.0:Role'], 'member', 'Member'],
        ],
      );
      assert.ok(body.Resources.every((role: { description: string }) => role.description.length <= 1000));
      const second = (await t.scim('GET', 'Roles?startIndex=2&count=5')).json();
      assert.deepEqual(
        [second.totalResults, second.startIndex, second.itemsPerPage, second.Resources[0].id],
        [2, 2, 1, 'member'],
      );
      const admin = await t.scim('GET', 'Roles/admin');
      assert.equal(admin.statusCode, 200);
      assert.equal(admin.json().meta.location, 'https://roster.test/scim/v2/Roles/admin');
      assert.equal((await t.scim('GET', 'Roles/owner')).statusCode, 404);
    });

    it("lists this organization's workspaces, and only them, in Okta's Entitlement shape", async () => {
      const body = (await t.scim('GET', 'Workspaces')).json();
      assert.equal(body.totalResults, 2);
      assert.deepEqual(
        body.Resources.map((w: Record<string, unknown>) => [w.schemas, w.id, w.type, w.displayName]),
        [
          [['urn:okta:scim:schemas:core:1.0:Entitlement'], defaultWorkspace, 'Workspace', 'Default'],
          [['urn:okta:scim:schemas:core:1.0:Entitlement'], design, 'Workspace', 'Design'],
        ],
      );
      const page = (await t.scim('GET', 'Workspaces?startIndex=2&count=1')).json();
      assert.deepEqual([page.totalResults, page.itemsPerPage, page.Resources[0].id], [2, 1, design]);
      const one = await t.scim('GET', `Workspaces/${design}`);
      assert.equal(one.statusCode, 200);
      assert.equal(one.json().displayName, 'Design');
      assert.equal((await t.scim('GET', 'Workspaces/nope')).statusCode, 404);
      assert.equal((await t.scim('GET', 'Workspaces?count=0')).json().Resources.length, 0);
    });

    for (const [method, path] of [
      ['POST', 'Roles'],
      ['PUT', 'Roles/admin'],
      ['PATCH', 'Roles/admin'],
      ['DELETE', 'Roles/member'],
      ['POST', 'Workspaces'],
      ['DELETE', 'Workspaces/x'],
    ] as const) {
      it(`refuses ${method} /${path} with a 405 naming GET, changing nothing`, async () => {
        const res = await t.scim(method, path, method === 'DELETE' ? undefined : { displayName: 'X' });
        assert.equal(res.statusCode, 405);
        assert.equal(res.headers.allow, 'GET');
        assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
        assert.equal(res.json().status, '405');
        assert.equal((await t.scim('GET', 'Workspaces')).json().totalResults, 2);
      });
    }

    it('asks for the same token as /Users: none is a 401, a Member token a 403', async () => {
      assert.equal((await t.scim('GET', 'Roles', undefined, { token: null })).statusCode, 401);
      assert.equal((await t.scim('GET', 'Workspaces', undefined, { token: 'nope' })).statusCode, 401);
      const member = await t.scim('POST', 'Users', {
        userName: 'mo@acme.test',
        emails: [{ value: 'mo@acme.test' }],
      });
      const { token } = await createToken(t.store, {
        kind: 'personal',
        organizationId: t.org.organization.id,
        membershipId: member.json().id,
        name: 'laptop',
        role: 'member',
        actor: CLI_ACTOR,
      });
      assert.equal((await t.scim('GET', 'Roles', undefined, { token })).statusCode, 403);
    });

    it('refuses a filter (Okta never sends one) and bad paging with a 400', async () => {
      const filtered = await t.scim('GET', `Roles?filter=${encodeURIComponent('displayName eq "Admin"')}`);
      assert.equal(filtered.statusCode, 400);
      assert.equal(filtered.json().scimType, 'invalidFilter');
      assert.equal((await t.scim('GET', 'Workspaces?count=many')).statusCode, 400);
    });

    it('answers the paths in any case, as for Users', async () => {
      assert.equal((await t.scim('GET', '/scim/v2/roles/')).statusCode, 200);
      assert.equal((await t.scim('GET', '/scim/v2/WORKSPACES')).json().totalResults, 2);
    });
  });
}
