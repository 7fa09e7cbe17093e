// Onboarding in Chromium against a real server: the product creates an organization and a setup
// link through the API; a new browser opens the link, configures SSO against the test IdP (over
// HTTP, at idp.localhost), verifies the domain by DNS, creates the SCIM token, and sees the first
// SSO sign-in and SCIM request. Then an invitation and a password reset, end to end through a real
// SMTP server on 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createInstallationToken } from '../../src/accounts/installation-tokens.ts';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { serviceProviderUrls } from '../../src/auth/saml/service-provider.ts';
import { startTestIdpServer, type TestIdpServer } from '../../src/auth/saml/test-idp/test-idp-server.ts';
import { browserSkipReason, launchChromium, type RunningServer, startServer } from '../helpers/browser.ts';
import { startTestDnsServer, type TestDnsServer } from '../helpers/dns-server.ts';
import { linkIn, startSmtpServer, type TestSmtpServer } from '../helpers/smtp.ts';
import { testIdps } from '../helpers/sso.ts';

const IT_ADMIN = 'it@globex.test';
const ADMIN_PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase for roster';

describe('onboarding in Chromium', { skip: browserSkipReason(), timeout: 90_000 }, () => {
  let server: RunningServer;
  let dns: TestDnsServer;
  let smtp: TestSmtpServer;
  let idpServer: TestIdpServer | undefined;
  let browser: Browser;

  const url = (path: string) => `${server.baseUrl}${path}`;
  async function freshPage(): Promise<Page> {
    return (await browser.newContext()).newPage();
  }

  before(async () => {
    dns = await startTestDnsServer();
    smtp = await startSmtpServer();
    server = await startServer({ DNS_SERVERS: dns.address, SMTP_URL: smtp.url });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await idpServer?.close();
    await server?.stop();
    await smtp?.close();
    await dns?.close();
  });

  it('a setup link lets a new browser configure SSO and SCIM; the first SSO sign-in works and shows', async () => {
    const product = (await createInstallationToken(server.store, { name: 'saas', actor: CLI_ACTOR })).token;
    const api = async (path: string, body?: unknown) => {
      const res = await fetch(url(path), {
        method: 'POST',
        headers: { authorization: `Bearer ${product}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      assert.equal(res.status, 201);
      return (await res.json()) as Record<string, string>;
    };
    const organization = await api('/api/v1/organizations', { name: 'Globex', slug: 'globex' });
    const link = await api(`/api/v1/organizations/${organization.id}/setup-links`);

    const sp = serviceProviderUrls(server.baseUrl, 'globex');
    const { idp } = await testIdps();
    idpServer = await startTestIdpServer({
      idp,
      sp: { entityId: sp.entityId, acsUrl: sp.acsUrl },
      signInAs: () => IT_ADMIN,
      publicHost: 'idp.localhost',
    });

    const setup = await freshPage();
    await setup.goto(String(link.url));
    await setup.getByRole('button', { name: 'Start the setup' }).click();
    await setup.waitForURL(url('/setup-link'));
    assert.equal(await setup.locator('#sp-acs').inputValue(), sp.acsUrl);
    await setup.getByLabel('IdP metadata XML').fill(idp.metadataXml(idpServer.ssoUrl));
    await setup.getByLabel(/Email domains/).fill('globex.test');
    await setup.getByLabel(/Create members at their first sign-in/).check();
    await setup.getByRole('button', { name: 'Save SSO settings' }).click();
    await setup.waitForURL(url('/setup-link'));

    const claim = await server.store.sso.getDomainClaim(String(organization.id), 'globex.test');
    assert.ok(claim, 'the domain is claimed');
    dns.records.set('_roster-verification.globex.test', [
      [`roster-verification=${claim.verification_token}`],
    ]);
    await setup.getByRole('button', { name: 'Verify' }).click();
    await setup.waitForURL(url('/setup-link'));
    assert.match(String(await setup.locator('.domains').textContent()), /globex\.test: verified/);

    await setup.getByRole('button', { name: 'Create the SCIM token' }).click();
    const token = await setup.locator('#scim-token').inputValue();
    assert.match(token, /^rst_sat_/);
    const scim = await fetch(url('/scim/v2/Users'), { headers: { authorization: `Bearer ${token}` } });
    assert.equal(scim.status, 200);
    await server.app.scimRequestLog.idle();

    const person = await freshPage();
    await person.goto(url('/signin'));
    await person.getByLabel('Email address').fill(IT_ADMIN);
    await person.getByRole('button', { name: 'Continue with SSO' }).click();
    await person.waitForURL(url('/settings/account/tokens'));
    assert.match(String(await person.locator('header').textContent()), /Globex[\s\S]*it@globex\.test/);

    await setup.goto(url('/setup-link'));
    const progress = String(await setup.locator('.checklist').textContent());
    assert.match(progress, /✓ First SSO sign-in/);
    assert.match(progress, /✓ First SCIM request/);
    // The setup browser is signed in nowhere else.
    await setup.goto(url('/members'));
    await setup.waitForURL(/\/signin/);
    await setup.context().close();
    await person.context().close();
  });

  it('an invitation and a password reset, end to end through the SMTP server', async () => {
    await initOrganization(server.store, {
      name: 'Acme Inc',
      slug: 'acme',
      adminEmail: 'admin@acme.test',
      adminPassword: ADMIN_PASSWORD,
      actor: CLI_ACTOR,
    });
    const admin = await freshPage();
    await admin.goto(url('/signin'));
    await admin.getByLabel('Email address').fill('admin@acme.test');
    await admin.getByLabel('Password').fill(ADMIN_PASSWORD);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.waitForURL(url('/members'));
    await admin.getByRole('link', { name: 'Invitations' }).click();
    await admin.getByLabel('Email address').fill('dana@acme.test');
    await admin.getByLabel('Role').selectOption('member');
    await admin.getByLabel('Default').check();
    await admin.getByRole('button', { name: 'Create invitation' }).click();
    const shown = await admin.locator('#invitation-link').inputValue();
    const invitation = await smtp.waitFor('dana@acme.test');
    assert.equal(linkIn(invitation), shown);

    const invitee = await freshPage();
    await invitee.goto(linkIn(invitation));
    await invitee.getByLabel(/Choose a password/).fill(NEW_PASSWORD);
    await invitee.getByLabel('Repeat the password').fill(NEW_PASSWORD);
    await invitee.getByRole('button', { name: 'Accept invitation' }).click();
    await invitee.waitForURL(/\/settings\/account\/tokens\?welcome=1$/);
    assert.match(String(await invitee.locator('header').textContent()), /Acme Inc[\s\S]*dana@acme\.test/);
    await invitee.context().close();

    const forgot = await freshPage();
    await forgot.goto(url('/signin'));
    await forgot.getByRole('link', { name: 'Forgot your password?' }).click();
    await forgot.getByLabel('Email address').fill('dana@acme.test');
    await forgot.getByRole('button', { name: 'Send the link' }).click();
    await forgot.getByText('If an account has this email address').waitFor();
    const reset = await smtp.waitFor('dana@acme.test', 'Reset your Roster password');
    await forgot.goto(linkIn(reset));
    const newer = `${NEW_PASSWORD} again`;
    await forgot.getByLabel(/New password/).fill(newer);
    await forgot.getByLabel('Repeat the new password').fill(newer);
    await forgot.getByRole('button', { name: 'Set the new password' }).click();
    await forgot.waitForURL(url('/signin?reset=1'));
    await forgot.getByLabel('Email address').fill('dana@acme.test');
    await forgot.getByLabel('Password').fill(newer);
    await forgot.getByRole('button', { name: 'Sign in' }).click();
    await forgot.waitForURL(url('/settings/account/tokens'));
    await forgot.context().close();
    await admin.context().close();
  });
});
