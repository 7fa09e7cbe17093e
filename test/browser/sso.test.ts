// SAML SSO in a real browser (Chromium through playwright-core) against a real server and the test
// IdP over HTTP: SP-initiated sign-in from the sign-in page's "Continue with SSO", IdP-initiated
// sign-in (an Okta tile), refusal after a SCIM deactivation and admission after reactivation, and
// "SSO required" refusing the password form. The IdP is at idp.localhost, another site than the
// server's 127.0.0.1, so the ACS really receives a cross-site POST.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CLI_ACTOR } from '../../src/accounts/actor.ts';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { saveSsoSettings } from '../../src/accounts/sso-settings.ts';
import { createToken } from '../../src/accounts/tokens.ts';
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
});
