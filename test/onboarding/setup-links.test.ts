// Setup links: the product makes one for a new organization; the customer's IT admin opens it once,
// configures SAML SSO against a test IdP (real signed responses), verifies the domain by DNS (a real
// DNS server on 127.0.0.1), creates the SCIM token, and sees the first sign-in and the first SCIM
// request succeed. The link grants nothing else; revoking it ends the setup session.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createInstallationToken } from '../../src/accounts/installation-tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { serviceProviderUrls } from '../../src/auth/saml/service-provider.ts';
import { PUBLIC_URL, setupApp, type TestApp } from '../helpers/app.ts';
import { formBody, hiddenCsrf, openSession, setCookie } from '../helpers/dashboard.ts';
import { startTestDnsServer, type TestDnsServer } from '../helpers/dns-server.ts';
import { personalToken } from '../helpers/seed.ts';
import { IDP_SSO_URL, postAcs, testIdps } from '../helpers/sso.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

for (const kind of STORE_KINDS) {
  describe(`setup links (${kind})`, { skip: skipReason(kind) }, () => {
    let dns: TestDnsServer;
    let t: TestApp;
    let product: string;
    before(async () => {
      dns = await startTestDnsServer();
    });
    after(() => dns.close());
    beforeEach(async () => {
      t = await setupApp(kind, 'acme', { DNS_SERVERS: dns.address });
      product = (await createInstallationToken(t.store, { name: 'saas', actor: CLI_ACTOR })).token;
    });
    afterEach(() => t.cleanup());

    const api = (method: 'GET' | 'POST' | 'DELETE', url: string, token: string, body?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });

    async function newOrganizationWithLink() {
      const org = await api('POST', '/api/v1/organizations', product, { name: 'Globex', slug: 'globex' });
      assert.equal(org.statusCode, 201, org.body);
      const link = await api('POST', `/api/v1/organizations/${org.json().id}/setup-links`, product);
      assert.equal(link.statusCode, 201, link.body);
      return { organizationId: org.json().id as string, link: link.json() };
    }

    /** Opens the link as a new browser: the page, then its button. The browser's setup cookie. */
    async function openLink(url: string) {
      const path = new URL(url).pathname;
      const page = await t.app.inject({ method: 'GET', url: path });
      assert.equal(page.statusCode, 200, page.body.slice(0, 300));
      const form = setCookie(page, 'roster_form');
      const res = await t.app.inject({
        method: 'POST',
        url: path,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `roster_form=${form}` },
        payload: formBody({ _csrf: hiddenCsrf(page.body) }),
      });
      return { res, setup: setCookie(res, 'roster_setup'), form: String(form) };
    }

    function setupPost(
      path: string,
      browser: { setup?: string; form: string },
      fields: Record<string, string>,
    ) {
      return t.app.inject({
        method: 'POST',
        url: path,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: `roster_form=${browser.form}; roster_setup=${browser.setup}`,
        },
        payload: formBody({ _csrf: browser.form, ...fields }),
      });
    }

    const setupPage = (setup: string) =>
      t.app.inject({ method: 'GET', url: '/setup-link', headers: { cookie: `roster_setup=${setup}` } });

    it('guides the IT admin through SSO and SCIM, and shows the first sign-in and SCIM request', async () => {
      const { organizationId, link } = await newOrganizationWithLink();
      assert.match(link.url, /^https:\/\/roster\.test\/setup-links\/[A-Za-z0-9_-]{43}$/);
      assert.equal(link.status, 'unopened');

      const browser = await openLink(link.url);
      assert.equal(browser.res.statusCode, 303);
      assert.equal(browser.res.headers.location, '/setup-link');
      assert.ok(browser.setup);
      const second = await openLink(link.url).catch((error: unknown) => error);
      assert.ok(second instanceof Error, 'a second browser cannot open the link');
      assert.equal((await t.app.inject({ method: 'GET', url: new URL(link.url).pathname })).statusCode, 404);

      const page = await setupPage(browser.setup);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Set up Globex/);
      assert.match(page.body, /https:\/\/roster\.test\/saml\/globex\/acs/);

      const { idp } = await testIdps();
      const saved = await setupPost('/setup-link/sso', browser, {
        idpMetadataXml: idp.metadataXml(IDP_SSO_URL),
        domains: 'globex.test',
        justInTime: 'on',
      });
      assert.equal(saved.statusCode, 303, saved.body.slice(0, 500));
      const settings = await t.store.sso.getSettings(organizationId);
      assert.equal(settings?.jit_role, 'member');

      const claim = await t.store.sso.getDomainClaim(organizationId, 'globex.test');
      assert.ok(claim);
      dns.records.set('_roster-verification.globex.test', [
        [`roster-verification=${claim.verification_token}`],
      ]);
      const verified = await setupPost('/setup-link/verify', browser, { domain: 'globex.test' });
      assert.equal(verified.statusCode, 303, verified.body.slice(0, 500));
      assert.ok((await t.store.sso.getDomainClaim(organizationId, 'globex.test'))?.verified_at);

      const minted = await setupPost('/setup-link/scim-token', browser, {});
      assert.equal(minted.statusCode, 201);
      const token = /id="scim-token" readonly value="([^"]+)"/.exec(minted.body)?.[1];
      assert.match(String(token), /^rst_sat_/);
      assert.doesNotMatch((await setupPage(browser.setup)).body, new RegExp(String(token)), 'shown once');

      const before = await setupPage(browser.setup);
      assert.match(before.body, /waiting for someone to sign in with SSO/);
      assert.match(before.body, /waiting for your identity provider to call Roster/);

      const scim = await t.scim('GET', 'Users', undefined, { token: String(token) });
      assert.equal(scim.statusCode, 200);
      await t.app.scimRequestLog.idle();

      const sp = serviceProviderUrls(PUBLIC_URL, 'globex');
      const response = idp.createResponse({
        acsUrl: sp.acsUrl,
        audience: sp.entityId,
        nameId: 'it@globex.test',
        attributes: { email: 'it@globex.test', firstName: 'Ivy', lastName: 'Tan' },
      });
      const signedIn = await postAcs(t.app, 'globex', response);
      assert.equal(signedIn.statusCode, 303, signedIn.body.slice(0, 300));
      assert.ok(setCookie(signedIn, 'roster_session'));

      const afterwards = await setupPage(browser.setup);
      assert.match(afterwards.body, /✓ First SSO sign-in/);
      assert.match(afterwards.body, /✓ First SCIM request/);
      const actors = await t.store.db
        .selectFrom('audit_events')
        .select(['action', 'actor_type'])
        .where('organization_id', '=', organizationId)
        .where('actor_type', '=', 'setup_link')
        .execute();
      assert.deepEqual(actors.map((a) => a.action).sort(), [
        'setup_link.opened',
        'sso.domain_verified',
        'sso.settings_updated',
        'token.created',
      ]);
    });

    it('grants nothing else, and ends when revoked', async () => {
      const { organizationId, link } = await newOrganizationWithLink();
      const browser = await openLink(link.url);
      assert.ok(browser.setup);
      // The setup cookie is no session and no token anywhere else.
      for (const url of ['/members', '/settings/organization/sso', '/settings/organization/tokens']) {
        const res: LightMyRequestResponse = await t.app.inject({
          method: 'GET',
          url,
          headers: { cookie: `roster_setup=${browser.setup}; roster_session=${browser.setup}` },
        });
        assert.equal(res.statusCode, 303, url);
      }
      for (const url of ['/api/v1/members', '/api/v1/sso', '/scim/v2/Users']) {
        const res: LightMyRequestResponse = await t.app.inject({
          method: 'GET',
          url,
          headers: { authorization: `Bearer ${browser.setup}` },
        });
        assert.equal(res.statusCode, 401, url);
      }
      assert.equal((await t.store.members.listBySeq(organizationId, 1, 10)).length, 0);

      const revoked = await api(
        'DELETE',
        `/api/v1/organizations/${organizationId}/setup-links/${link.id}`,
        product,
      );
      assert.equal(revoked.statusCode, 200);
      assert.equal(revoked.json().status, 'revoked');
      assert.equal((await setupPage(browser.setup)).statusCode, 404);
      const refused = await setupPost('/setup-link/scim-token', browser, {});
      assert.equal(refused.statusCode, 404);
      assert.equal((await t.store.tokens.listService(organizationId)).length, 0);
    });

    it("lets an organization's Admin make one, not a Member, and not for a disabled organization", async () => {
      const admin = (await personalToken(t.store, t.org.organization.id, t.org.membership.id, 'admin')).token;
      const made = await api('POST', '/api/v1/setup-links', admin);
      assert.equal(made.statusCode, 201);
      assert.equal(made.json().organizationId, t.org.organization.id);
      const memberToken = (await personalToken(t.store, t.org.organization.id, t.org.membership.id, 'member'))
        .token;
      assert.equal((await api('POST', '/api/v1/setup-links', memberToken)).statusCode, 403);
      const session = await openSession(t, t.org.user.email);
      assert.equal(
        (
          await t.app.inject({
            method: 'GET',
            url: '/api/v1/setup-links',
            headers: { cookie: `roster_session=${session.cookie}` },
          })
        ).json().data.length,
        1,
      );

      const { organizationId } = await newOrganizationWithLink();
      await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/organizations/${organizationId}`,
        headers: { authorization: `Bearer ${product}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ disabled: true }),
      });
      assert.equal(
        (await api('POST', `/api/v1/organizations/${organizationId}/setup-links`, product)).statusCode,
        409,
      );
    });
  });
}
