// Settings → Account → Personal access tokens and Settings → Organization → Service access tokens.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import {
  type BrowserSession,
  generateToken,
  get,
  openSession,
  post,
  scimMember,
} from '../helpers/dashboard.ts';
import { initTestOrganization, serviceToken } from '../helpers/seed.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const TOKEN_VALUE = /id="new-token" readonly value="(rst_(?:pat|sat)_[A-Za-z0-9_-]{43})"/;

for (const kind of STORE_KINDS) {
  describe(`access token pages (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let admin: BrowserSession;
    beforeEach(async () => {
      t = await setupApp(kind);
      admin = await openSession(t, t.org.user.email);
    });
    afterEach(() => t.cleanup());

    const personalTokens = () =>
      t.store.db
        .selectFrom('personal_access_tokens')
        .selectAll()
        .where('organization_id', '=', t.org.organization.id)
        .execute();

    it('shows the generate form with a Role select offering Admin and Member to an Admin', async () => {
      const res = await get(t.app, '/settings/account/tokens', admin);
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.match(res.body, /<label for="token-role">Role<\/label>/);
      assert.match(res.body, /<option value="admin"[^>]*>Admin<\/option>/);
      assert.match(res.body, /<option value="member"[^>]*>Member<\/option>/);
      assert.match(res.body, /You have no personal access tokens yet/);
    });

    it('generates an Admin token, shows its value once, and the value works for SCIM', async () => {
      const res = await generateToken(t.app, '/settings/account/tokens', admin, {
        name: 'Okta provisioning',
        role: 'admin',
        expires: '',
      });
      assert.equal(res.statusCode, 200);
      const value = TOKEN_VALUE.exec(res.body)?.[1];
      assert.ok(value, 'the new value is on the page');
      assert.match(res.body, /you will not be able to see it again/);
      assert.match(res.body, /data-copy-target="new-token"/);

      const [stored] = await personalTokens();
      assert.equal(stored?.name, 'Okta provisioning');
      assert.equal(stored?.role, 'admin');
      assert.equal(stored?.membership_id, t.org.membership.id);
      assert.equal(stored?.last_four, value.slice(-4));
      assert.notEqual(stored?.token_hash, value);

      const scim = await t.scim('GET', 'Users', undefined, { token: value });
      assert.equal(scim.statusCode, 200);

      const list = await get(t.app, '/settings/account/tokens', admin);
      assert.doesNotMatch(list.body, new RegExp(value), 'the value is never shown again');
      assert.match(list.body, new RegExp(`…${value.slice(-4).replace(/[-]/g, '\\-')}`));
      assert.match(list.body, /Okta provisioning/);
    });

    it('asks for confirmation, then revokes: the token stops working', async () => {
      const created = await post(t.app, '/settings/account/tokens', admin, {
        name: 'laptop',
        role: 'member',
      });
      const value = TOKEN_VALUE.exec(created.body)?.[1] ?? '';
      const [stored] = await personalTokens();
      assert.ok(stored);
      const confirm = await get(t.app, `/settings/account/tokens/${stored.id}/revoke`, admin);
      assert.equal(confirm.statusCode, 200);
      assert.match(confirm.body, /Revoke the token "laptop"\?/);
      assert.match(confirm.body, /<button type="submit" class="button-danger">Revoke token<\/button>/);
      assert.equal((await personalTokens())[0]?.revoked_at, null, 'the confirmation page changes nothing');

      const res = await post(t.app, `/settings/account/tokens/${stored.id}/revoke`, admin);
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, `/settings/account/tokens?revoked=${stored.id}`);
      assert.ok((await personalTokens())[0]?.revoked_at);
      const me = await t.app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { authorization: `Bearer ${value}` },
      });
      assert.equal(me.statusCode, 401);
      const list = await get(t.app, String(res.headers.location), admin);
      assert.match(list.body, /The token &quot;laptop&quot; was revoked/);
      const audit = await t.store.audit.search({
        organizationId: t.org.organization.id,
        action: 'token.revoked',
        limit: 5,
      });
      assert.equal(audit.length, 1);
    });

    it('refuses to generate without the CSRF token (403) and stores nothing', async () => {
      for (const csrf of [null, 'forged-token-value']) {
        const res = await post(
          t.app,
          '/settings/account/tokens',
          admin,
          { name: 'x', role: 'admin' },
          { csrf },
        );
        assert.equal(res.statusCode, 403);
        assert.doesNotMatch(res.body, /rst_pat_/);
      }
      assert.equal((await personalTokens()).length, 0);
    });

    it('refuses a POST from another origin even with the token', async () => {
      const res = await post(
        t.app,
        '/settings/account/tokens',
        admin,
        { name: 'x', role: 'admin' },
        {
          headers: { origin: 'https://evil.example' },
        },
      );
      assert.equal(res.statusCode, 403);
      assert.equal((await personalTokens()).length, 0);
    });

    it('gives a Member no Admin option and refuses a crafted Admin request', async () => {
      const dana = await scimMember(t, 'dana@acme.test');
      const member = await openSession(t, dana.email);
      const page = await get(t.app, '/settings/account/tokens', member);
      assert.equal(page.statusCode, 200);
      assert.doesNotMatch(page.body, /<option value="admin"/);
      assert.match(page.body, /<option value="member" selected>Member<\/option>/);

      const crafted = await post(t.app, '/settings/account/tokens', member, {
        name: 'sneaky',
        role: 'admin',
      });
      assert.equal(crafted.statusCode, 403);
      assert.match(crafted.body, /Only an Admin can create a token with the Admin role/);
      assert.doesNotMatch(crafted.body, /rst_pat_/);
      assert.equal((await personalTokens()).length, 0);

      const allowed = await generateToken(t.app, '/settings/account/tokens', member, {
        name: 'cli',
        role: 'member',
      });
      assert.equal(allowed.statusCode, 200);
      assert.equal((await personalTokens())[0]?.role, 'member');
    });

    it("does not let a Member see or revoke someone else's token", async () => {
      await post(t.app, '/settings/account/tokens', admin, { name: 'admin laptop', role: 'admin' });
      const [adminToken] = await personalTokens();
      assert.ok(adminToken);
      const dana = await scimMember(t, 'dana@acme.test');
      const member = await openSession(t, dana.email);
      assert.doesNotMatch((await get(t.app, '/settings/account/tokens', member)).body, /admin laptop/);
      assert.equal(
        (await get(t.app, `/settings/account/tokens/${adminToken.id}/revoke`, member)).statusCode,
        404,
      );
      assert.equal(
        (await post(t.app, `/settings/account/tokens/${adminToken.id}/revoke`, member)).statusCode,
        404,
      );
      assert.equal((await personalTokens())[0]?.revoked_at, null);
    });

    it('keeps organization tokens for Admins: a Member gets 403 and nothing is created', async () => {
      const dana = await scimMember(t, 'dana@acme.test');
      const member = await openSession(t, dana.email);
      assert.equal((await get(t.app, '/settings/organization/tokens', member)).statusCode, 403);
      const before = await t.store.tokens.listService(t.org.organization.id);
      const res = await post(t.app, '/settings/organization/tokens', member, { name: 'x', role: 'admin' });
      assert.equal(res.statusCode, 403);
      assert.equal((await t.store.tokens.listService(t.org.organization.id)).length, before.length);
    });

    it('generates a service access token with an expiry, lists members\u2019 tokens, and revokes them', async () => {
      const res = await generateToken(t.app, '/settings/organization/tokens', admin, {
        name: 'Entra',
        role: 'admin',
        expires: '2099-12-31',
      });
      assert.equal(res.statusCode, 200);
      const value = TOKEN_VALUE.exec(res.body)?.[1] ?? '';
      assert.match(value, /^rst_sat_/);
      const service = (await t.store.tokens.listService(t.org.organization.id)).find(
        (s) => s.name === 'Entra',
      );
      assert.equal(service?.expires_at, '2099-12-31T23:59:59.999Z');
      assert.equal((await t.scim('GET', 'Users', undefined, { token: value })).statusCode, 200);

      const dana = await scimMember(t, 'dana@acme.test');
      const member = await openSession(t, dana.email);
      await post(t.app, '/settings/account/tokens', member, { name: 'dana laptop', role: 'member' });
      const [danaToken] = await personalTokens();
      assert.ok(danaToken);
      const page = await get(t.app, '/settings/organization/tokens', admin);
      assert.match(page.body, /dana laptop/);
      assert.match(page.body, /dana@acme\.test/);
      const revoked = await post(t.app, `/settings/organization/tokens/${danaToken.id}/revoke`, admin);
      assert.equal(revoked.statusCode, 303);
      assert.ok((await personalTokens())[0]?.revoked_at);
    });

    it('refuses a past expiry or an empty name and keeps the form', async () => {
      const past = await post(t.app, '/settings/account/tokens', admin, {
        name: 'old',
        role: 'member',
        expires: '2001-01-01',
      });
      assert.equal(past.statusCode, 400);
      assert.match(past.body, /The expiry must be in the future/);
      const empty = await post(t.app, '/settings/account/tokens', admin, { name: '  ', role: 'member' });
      assert.equal(empty.statusCode, 400);
      assert.equal((await personalTokens()).length, 0);
    });

    it("answers 404 for another organization's token and leaves it alone", async () => {
      const globex = await initTestOrganization(t.store, { slug: 'globex' });
      const globexToken = await serviceToken(t.store, globex.organization.id);
      assert.equal(
        (await get(t.app, `/settings/organization/tokens/${globexToken.id}/revoke`, admin)).statusCode,
        404,
      );
      assert.equal(
        (await post(t.app, `/settings/organization/tokens/${globexToken.id}/revoke`, admin)).statusCode,
        404,
      );
      assert.equal((await t.store.tokens.getService(globexToken.id))?.revoked_at, null);
    });
  });
}
