// SAML SSO in a real browser (Chromium through playwright-core) against a real server and the test
// IdP over HTTP: SP-initiated sign-in from the sign-in page's "Continue with SSO" (the browser
// carrying its roster_saml_login cookie through the IdP's cross-site POST to /continue),
// IdP-initiated sign-in (an Okta tile), refusal after a SCIM deactivation and admission after
// reactivation, "SSO required" refusing the password form, and login CSRF: another browser's
// SP-initiated response posted into a signed-in Admin's browser asks instead of replacing them. The IdP is at idp.localhost, another site than the
// server's 127.0.0.1, so the ACS really receives a cross-site POST.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { saveSsoSettings } from '../../src/accounts/sso-settings.ts';
import { createToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { serviceProviderUrls } from '../../src/auth/saml/service-provider.ts';
import { startTestIdpServer, type TestIdpServer } from '../../src/auth/saml/test-idp/test-idp-server.ts';
import { browserSkipReason, launchChromium, type RunningServer, startServer } from '../helpers/browser.ts';
import { MEMBER_PASSWORD, setPassword } from '../helpers/dashboard.ts';
import { testIdps } from '../helpers/sso.ts';

const PERSON = 'pat.doe@acme.test';

describe('SAML SSO in Chromium', { skip: browserSkipReason(), timeout: 60_000 }, () => {
  let server: RunningServer;
  let idpServer: TestIdpServer;
  let browser: Browser;
  let token = '';
  let memberId = '';

  const url = (path: string) => `${server.baseUrl}${path}`;
  const scim = (method: string, path: string, body?: unknown) =>
    fetch(url(`/scim/v2/${path}`), {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const setActive = async (active: boolean) => {
    const res = await scim('PATCH', `Users/${memberId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active } }],
    });
    assert.equal(res.status, 200, await res.text());
  };
  /** The flow of the latest `sso.login` audit event. */
  async function lastLogin() {
    const row = await server.store.db
      .selectFrom('audit_events')
      .select('after')
      .where('action', '=', 'sso.login')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const after = JSON.parse(row.after ?? '{}') as Record<string, unknown>;
    return { flow: after.flow, startedInThisBrowser: after.startedInThisBrowser };
  }
  /** A fresh browser profile: no cookie from an earlier test. */
  async function freshPage(): Promise<Page> {
    const context = await browser.newContext();
    return context.newPage();
  }

  before(async () => {
    server = await startServer();
    const org = await initOrganization(server.store, {
      name: 'Acme Inc',
      slug: 'acme',
      adminEmail: 'admin@acme.test',
      adminPassword: 'correct horse battery staple',
      actor: CLI_ACTOR,
    });
    ({ token } = await createToken(server.store, {
      kind: 'service',
      organizationId: org.organization.id,
      name: 'okta',
      role: 'admin',
      actor: CLI_ACTOR,
    }));
    const sp = serviceProviderUrls(server.baseUrl, 'acme');
    const { idp } = await testIdps();
    idpServer = await startTestIdpServer({
      idp,
      sp: { entityId: sp.entityId, acsUrl: sp.acsUrl },
      signInAs: () => PERSON,
      publicHost: 'idp.localhost',
    });
    await saveSsoSettings(server.store, {
      organizationId: org.organization.id,
      settings: { idpMetadataXml: idp.metadataXml(idpServer.ssoUrl), domains: ['acme.test'] },
      actor: CLI_ACTOR,
      publicUrl: server.baseUrl,
    });
    // As if its DNS TXT record had been checked (test/sso/domain-verification.test.ts does that).
    await server.store.transaction((tx) =>
      tx.sso.markDomainVerified(org.organization.id, 'acme.test', new Date().toISOString()),
    );
    const created = await scim('POST', 'Users', {
      userName: PERSON,
      name: { givenName: 'Pat', familyName: 'Doe' },
      emails: [{ value: PERSON, type: 'work', primary: true }],
    });
    const body = await created.text();
    assert.equal(created.status, 201, body);
    memberId = (JSON.parse(body) as { id: string }).id;
    const member = await server.store.members.getById(org.organization.id, memberId);
    await setPassword(server.store, member?.user_id ?? '');
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await idpServer?.close();
    await server?.stop();
  });

  it('signs in SP-initiated: the email on the sign-in page leads through the IdP back to the dashboard', async () => {
    const page = await freshPage();
    await page.goto(url('/signin'));
    await page.getByLabel('Email address').fill(PERSON);
    await page.getByRole('button', { name: 'Continue with SSO' }).click();
    await page.waitForURL(url('/settings/account/tokens'));
    assert.match(String(await page.locator('header').textContent()), /Acme Inc[\s\S]*pat\.doe@acme\.test/);
    assert.equal(idpServer.requests.length, 1, 'the IdP received one AuthnRequest');
    // Completed silently because Chromium carried the cookie of /saml/acme/login to /continue.
    assert.deepEqual(await lastLogin(), { flow: 'sp_initiated', startedInThisBrowser: true });
    await page.context().close();
  });

  it('signs in IdP-initiated, as from an Okta tile', async () => {
    const page = await freshPage();
    await page.goto(`${idpServer.url}/idp-initiated`);
    await page.waitForURL(url('/settings/account/tokens'));
    assert.match(String(await page.locator('header').textContent()), /pat\.doe@acme\.test/);
    await page.context().close();
  });

  it('refuses the person once deactivated over SCIM, with a clear message, and admits them after reactivation', async () => {
    await setActive(false);
    const page = await freshPage();
    await page.goto(`${idpServer.url}/idp-initiated`);
    await page.waitForURL(url('/saml/acme/acs'));
    assert.match(
      String(await page.getByRole('alert').textContent()),
      /Your access to Acme Inc has been deactivated by your administrator/,
    );
    await setActive(true);
    await page.goto(url('/signin'));
    await page.getByLabel('Email address').fill(PERSON);
    await page.getByRole('button', { name: 'Continue with SSO' }).click();
    await page.waitForURL(url('/settings/account/tokens'));
    await page.context().close();
  });

  it('with "SSO required", refuses the password form to that member', async () => {
    const page = await freshPage();
    const signInWithPassword = async () => {
      await page.goto(url('/signin'));
      await page.getByLabel('Email address').fill(PERSON);
      await page.getByLabel('Password').fill(MEMBER_PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForLoadState();
    };
    const res = await fetch(url('/api/v1/sso'), {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ssoRequired: true }),
    });
    assert.equal(res.status, 200, await res.text());
    await signInWithPassword();
    assert.match(String(await page.getByRole('alert').textContent()), /Acme Inc requires single sign-on/);
    assert.equal(new URL(page.url()).pathname, '/signin');
    await page.context().close();
  });

  it("asks instead of replacing a signed-in Admin's session when another browser's SP-initiated response is posted into it", async () => {
    // The attacker's own client starts a sign-in and gets its own valid response from the IdP:
    // the IdP's self-posting page, which the attacker serves from another site.
    const start = await fetch(url('/saml/acme/login'), { redirect: 'manual' });
    assert.equal(start.status, 302);
    const toIdp = new URL(String(start.headers.get('location')));
    toIdp.hostname = '127.0.0.1'; // idp.localhost resolves in Chromium, not necessarily here
    const attackerPage = await (await fetch(toIdp)).text();
    assert.match(attackerPage, /name="SAMLResponse"/);

    // The test before turned "SSO required" on; the Admin signs in with a password here.
    const optional = await fetch(url('/api/v1/sso'), {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ssoRequired: false }),
    });
    assert.equal(optional.status, 200, await optional.text());
    const page = await freshPage();
    await page.goto(url('/signin'));
    await page.getByLabel('Email address').fill('admin@acme.test');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(url('/members'));
    await page.route(`${idpServer.url}/attacker`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: attackerPage }),
    );
    await page.goto(`${idpServer.url}/attacker`);
    await page.waitForURL((current) => current.pathname === '/saml/acme/continue');
    assert.match(String(await page.locator('h1').textContent()), /You are signed in as admin@acme\.test/);
    await page.getByRole('button', { name: 'Stay signed in as admin@acme.test' }).click();
    await page.waitForURL(url('/members'));
    assert.match(String(await page.locator('header').textContent()), /admin@acme\.test/);
    await page.context().close();
  });
});
