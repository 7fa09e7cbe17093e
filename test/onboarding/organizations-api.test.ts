// The product's side: installation tokens and `/api/v1/organizations` (create with a first Admin's
// invitation, list, read, rename, disable and enable), on both stores.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createInstallationToken, revokeInstallationToken } from '../../src/accounts/installation-tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { get, openSession } from '../helpers/dashboard.ts';
import { personalToken } from '../helpers/seed.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

for (const kind of STORE_KINDS) {
  describe(`the organizations API (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let product: string;
    beforeEach(async () => {
      t = await setupApp(kind);
      product = (await createInstallationToken(t.store, { name: 'saas', actor: CLI_ACTOR })).token;
    });
    afterEach(() => t.cleanup());

    const api = (method: 'GET' | 'POST' | 'PATCH', url: string, token: string | null, body?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });

    it('creates an organization with its Default workspace and an invitation for its first Admin', async () => {
      const res = await api('POST', '/api/v1/organizations', product, {
        name: 'Globex Corp',
        adminEmail: 'it@globex.test',
      });
      assert.equal(res.statusCode, 201, res.body);
      const body = res.json();
      assert.equal(body.slug, 'globex-corp');
      assert.equal(body.disabled, false);
      assert.equal(body.invitation.email, 'it@globex.test');
      assert.equal(body.invitation.role, 'admin');
      assert.equal(body.invitation.status, 'pending');
      assert.equal(body.invitation.delivery, 'not_configured');
      assert.match(body.invitation.url, /^https:\/\/roster\.test\/invitations\/[A-Za-z0-9_-]{43}$/);
      const workspaces = await t.store.workspaces.list(body.id);
      assert.deepEqual(
        workspaces.map((w) => w.name),
        ['Default'],
      );
      const invitations = await t.store.invitations.list(body.id);
      assert.equal(invitations.length, 1);
      // Only the hash of the link's secret is stored.
      const secret = body.invitation.url.split('/').pop();
      assert.notEqual(invitations[0]?.token_hash, secret);
      const actions = (await t.store.audit.search({ organizationId: body.id, limit: 10 })).map(
        (e) => e.action,
      );
      assert.deepEqual(actions.sort(), ['invitation.created', 'organization.created']);
      // The public event too (docs/events.md), given its position as the sequencer would.
      await t.store.events.sequence(100);
      const events = await t.store.events.page({
        organizationId: body.id,
        after: 0,
        hiddenTypes: [],
        limit: 10,
      });
      assert.deepEqual(
        events.map((e) => e.type),
        ['organization.created'],
      );

      const list = await api('GET', '/api/v1/organizations', product);
      assert.deepEqual(
        list
          .json()
          .data.map((o: { slug: string }) => o.slug)
          .sort(),
        ['acme', 'globex-corp'],
      );
      assert.equal(
        (await api('GET', `/api/v1/organizations/${body.id}`, product)).json().name,
        'Globex Corp',
      );
    });

    it('refuses bad input with a 400 or 409 and creates nothing', async () => {
      const before = (await t.store.organizations.list()).length;
      for (const payload of [
        {},
        { name: '' },
        { name: 'X', slug: 'Not A Slug!' },
        { name: 'X', adminEmail: 'nope' },
      ]) {
        const res = await api('POST', '/api/v1/organizations', product, payload);
        assert.equal(res.statusCode, 400, JSON.stringify(payload));
        assert.equal(res.json().error.code, 'invalid_value');
      }
      assert.equal(
        (await api('POST', '/api/v1/organizations', product, { name: 'Acme', slug: 'acme' })).statusCode,
        409,
      );
      assert.equal((await t.store.organizations.list()).length, before);
      assert.equal(
        (await api('PATCH', `/api/v1/organizations/${t.org.organization.id}`, product, { slug: 'x' }))
          .statusCode,
        400,
      );
      assert.equal(
        (await api('GET', '/api/v1/organizations/0190c0de-0000-7000-8000-000000000000', product)).statusCode,
        404,
      );
    });

    it('answers only installation tokens: 401 without one, and an organization token is refused', async () => {
      assert.equal((await api('GET', '/api/v1/organizations', null)).statusCode, 401);
      assert.equal((await api('GET', '/api/v1/organizations', t.token)).statusCode, 401);
      const admin = (await personalToken(t.store, t.org.organization.id, t.org.membership.id, 'admin')).token;
      assert.equal((await api('POST', '/api/v1/organizations', admin, { name: 'Mine' })).statusCode, 401);
      assert.equal((await t.store.organizations.list()).length, 1);
    });

    it("refuses an installation token on people's data (members, tokens, SCIM) with a 403", async () => {
      for (const url of ['/api/v1/members', '/api/v1/tokens', '/api/v1/me', '/api/v1/audit']) {
        const res = await api('GET', url, product);
        assert.equal(res.statusCode, 403, url);
        assert.match(res.json().error.message, /installation token/);
      }
      const scim = await t.scim('GET', 'Users', undefined, { token: product });
      assert.equal(scim.statusCode, 403);
      assert.equal(scim.json().status, '403');
    });

    it('stops a revoked installation token on the next request', async () => {
      const created = await createInstallationToken(t.store, { name: 'old', actor: CLI_ACTOR });
      assert.equal((await api('GET', '/api/v1/organizations', created.token)).statusCode, 200);
      await revokeInstallationToken(t.store, { id: created.id, actor: CLI_ACTOR });
      const res = await api('GET', '/api/v1/organizations', created.token);
      assert.equal(res.statusCode, 401);
      assert.match(res.json().error.message, /revoked/);
    });

    it('renames, disables (tokens, sessions, SCIM and sign-in stop, nothing deleted) and re-enables', async () => {
      const id = t.org.organization.id;
      const session = await openSession(t, t.org.user.email);
      const renamed = await api('PATCH', `/api/v1/organizations/${id}`, product, { name: 'Acme Renamed' });
      assert.equal(renamed.statusCode, 200);
      assert.equal((await t.store.organizations.getById(id))?.name, 'Acme Renamed');

      const membersBefore = (await t.store.members.listForUser(t.org.user.id)).length;
      const disabled = await api('PATCH', `/api/v1/organizations/${id}`, product, { disabled: true });
      assert.equal(disabled.statusCode, 200);
      assert.equal(disabled.json().disabled, true);

      const scim = await t.scim('GET', 'Users');
      assert.equal(scim.statusCode, 401);
      assert.match(scim.json().detail, /disabled/);
      assert.equal((await get(t.app, '/members', session)).statusCode, 303);

      const enabled = await api('PATCH', `/api/v1/organizations/${id}`, product, { disabled: false });
      assert.equal(enabled.json().disabled, false);
      assert.equal((await t.scim('GET', 'Users')).statusCode, 200);
      assert.equal((await get(t.app, '/members', session)).statusCode, 200);
      assert.equal((await t.store.members.listForUser(t.org.user.id)).length, membersBefore);

      const actions = (await t.store.audit.search({ organizationId: id, limit: 20 }))
        .map((e) => e.action)
        .filter((a) => a.startsWith('organization.'));
      assert.deepEqual(actions.sort(), [
        'organization.created',
        'organization.disabled',
        'organization.enabled',
        'organization.renamed',
      ]);
      const refused = await api('PATCH', `/api/v1/organizations/${id}`, product, { disabled: 'yes' });
      assert.equal(refused.statusCode, 400);
      assert.equal((await t.store.organizations.getById(id))?.disabled_at, null);
    });

    it("makes each change a public event of that organization, read with the organization's token", async () => {
      const id = t.org.organization.id;
      const other = await api('POST', '/api/v1/organizations', product, { name: 'Globex' });
      assert.equal(other.statusCode, 201, other.body);
      const patch = (body: unknown) => api('PATCH', `/api/v1/organizations/${id}`, product, body);
      // A rename and a disable in one request, then an enable; a no-op and a refused one send nothing.
      assert.equal((await patch({ name: 'Acme Renamed', disabled: true })).statusCode, 200);
      assert.equal((await patch({ disabled: false })).statusCode, 200);
      assert.equal((await patch({ name: 'Acme Renamed', disabled: false })).statusCode, 200);
      assert.equal((await patch({ name: '', disabled: true })).statusCode, 400);

      const read = await t.app.inject({
        method: 'GET',
        url: '/api/v1/events?types=organization.created,organization.updated,organization.disabled,organization.enabled',
        headers: { authorization: `Bearer ${t.token}` },
      });
      assert.equal(read.statusCode, 200, read.body);
      const events = read.json().data as Array<{
        type: string;
        organization: { id: string };
        actor: { type: string };
        data: Record<string, unknown>;
        previous?: Record<string, unknown>;
      }>;
      assert.deepEqual(
        events.map((e) => e.type),
        ['organization.created', 'organization.updated', 'organization.disabled', 'organization.enabled'],
      );
      const [, updated, disabled, enabled] = events;
      assert.ok(events.every((e) => e.organization.id === id));
      assert.equal(updated?.actor.type, 'installation_token');
      assert.equal(updated?.data.name, 'Acme Renamed');
      assert.deepEqual(updated?.previous, { name: 'Acme Inc' });
      assert.equal(disabled?.data.disabled, true);
      assert.equal(typeof disabled?.data.disabledAt, 'string');
      assert.equal(disabled?.data.name, 'Acme Renamed');
      assert.equal(enabled?.data.disabled, false);
      assert.equal(enabled?.data.disabledAt, null);
    });
  });
}
