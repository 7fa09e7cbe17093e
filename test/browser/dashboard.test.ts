// The dashboard in a real browser (Chromium through playwright-core) against a real server: first
// run, sign-in, generating an Admin token and using it for SCIM, revoking it, a Member's limits,
// a SCIM deactivation seen on Members and in the audit log, a group Okta pushed on the Groups page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { createToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { browserSkipReason, launchChromium, type RunningServer, startServer } from '../helpers/browser.ts';
import { MEMBER_PASSWORD, setPassword } from '../helpers/dashboard.ts';

/** What a person sees in an element: its rendered text (line breaks between blocks). */
async function text(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text we assert on.
  return locator.innerText();
}

const ADMIN = { email: 'ada@example.test', password: 'analytical engine 1843' };

describe('the dashboard in Chromium', { skip: browserSkipReason(), timeout: 90_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let adminContext: BrowserContext;
  let page: Page;
  let adminToken = '';
  let memberId = '';

  const url = (path: string) => `${server.baseUrl}${path}`;
  const scim = (method: string, path: string, token: string, body?: unknown) =>
    fetch(url(`/scim/v2/${path}`), {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  before(async () => {
    server = await startServer();
    browser = await launchChromium();
    adminContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await adminContext.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('walks through first-run setup and lands on the SCIM page, signed in', async () => {
    await page.goto(url('/'));
    assert.equal(new URL(page.url()).pathname, '/setup');
    await page.getByLabel('Organization name').fill('Analytical Engines');
    await page.getByLabel('Your first name').fill('Ada');
    await page.getByLabel('Your last name').fill('Lovelace');
    await page.getByLabel('Your email address').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: false }).first().fill(ADMIN.password);
    await page.getByLabel('Repeat the password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.waitForURL(/\/settings\/organization\/scim/);
    assert.match(await text(page.locator('h1')), /SCIM provisioning/);
    assert.equal(await page.getByLabel('SCIM base URL').inputValue(), `${server.baseUrl}/scim/v2`);
    // Okta's steps for a wizard-made app integration, as docs/okta.md gives them.
    const steps = page.locator('ol.steps > li');
    assert.equal(await steps.count(), 5);
    assert.match(await text(steps.nth(1)), /SCIM connector base URL[\s\S]*Unique identifier field for users/);
    assert.match(await text(steps.nth(2)), /Test Connector Configuration/);
    assert.match(await text(page.locator('header')), /Analytical Engines[\s\S]*ada@example\.test/);
    const response = await page.goto(url('/setup'));
    assert.equal(response?.status(), 404);
  });

  it('signs out and back in', async () => {
    await page.goto(url('/members'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin/);
    assert.match(await text(page.locator('main')), /You are signed out/);
    await page.getByLabel('Email address').fill(ADMIN.email);
    await page.getByLabel('Password').fill('wrong password entirely');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.match(await text(page.getByRole('alert')), /Incorrect email or password/);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/members$/);
    assert.match(await text(page.locator('h1')), /Members/);
  });

  it('generates an Admin personal access token shown once, which works for SCIM', async () => {
    await page.getByRole('link', { name: 'Account tokens' }).click();
    await page.waitForURL(/\/settings\/account\/tokens$/);
    await page.getByLabel('Name').fill('Okta provisioning');
    await page.getByLabel('Role').selectOption({ label: 'Admin' });
    await page.getByRole('button', { name: 'Generate token' }).click();
    const value = await page.getByLabel('New token value').inputValue();
    assert.match(value, /^rst_pat_[A-Za-z0-9_-]{43}$/);
    assert.match(await text(page.locator('main')), /you will not be able to see it again/);
    await adminContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied').waitFor();
    adminToken = value;

    const users = await scim('GET', 'Users', adminToken);
    assert.equal(users.status, 200);

    await page.goto(url('/settings/account/tokens'));
    assert.doesNotMatch(await page.content(), new RegExp(value));
    assert.match(
      await text(page.locator('table')),
      new RegExp(`Okta provisioning[\\s\\S]*…${value.slice(-4).replace('-', '\\-')}`),
    );
  });

  it('lets a Member sign in but not create an Admin token, even with a crafted request', async () => {
    const created = await scim('POST', 'Users', adminToken, {
      userName: 'grace@example.test',
      name: { givenName: 'Grace', familyName: 'Hopper' },
      emails: [{ value: 'grace@example.test', primary: true }],
    });
    assert.equal(created.status, 201);
    memberId = ((await created.json()) as { id: string }).id;
    const member = await server.store.members.getById(
      (await server.store.organizations.list())[0]?.id ?? '',
      memberId,
    );
    assert.ok(member);
    await setPassword(server.store, member.user_id);

    const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
    const memberPage = await context.newPage();
    await memberPage.goto(url('/signin'));
    await memberPage.getByLabel('Email address').fill('grace@example.test');
    await memberPage.getByLabel('Password').fill(MEMBER_PASSWORD);
    await memberPage.getByRole('button', { name: 'Sign in' }).click();
    await memberPage.waitForURL(/\/settings\/account\/tokens$/);
    const options = await memberPage.getByLabel('Role').locator('option').allInnerTexts();
    assert.deepEqual(options, ['Member']);
    assert.equal(await memberPage.getByRole('link', { name: 'Members' }).count(), 0);

    const crafted = await memberPage.evaluate(async () => {
      const csrf = (document.querySelector('input[name="_csrf"]') as HTMLInputElement).value;
      const response = await fetch('/settings/account/tokens', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, name: 'sneaky', role: 'admin' }).toString(),
      });
      return { status: response.status, body: await response.text() };
    });
    assert.equal(crafted.status, 403);
    assert.doesNotMatch(crafted.body, /rst_pat_/);
    const tokens = await server.store.tokens.listPersonal(member.organization_id, member.id);
    assert.equal(tokens.length, 0);
    await context.close();
  });

  it('revokes the token after a keyboard-operated confirmation; it then gets 401', async () => {
    await page.goto(url('/settings/account/tokens'));
    await page.getByRole('link', { name: 'Revoke Okta provisioning' }).click();
    await page.waitForURL(/\/revoke$/);
    assert.match(await text(page.locator('h1')), /Revoke the token "Okta provisioning"\?/);
    await page.getByRole('button', { name: 'Revoke token' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\?revoked=/);
    assert.match(await text(page.getByRole('status').first()), /was revoked/);
    assert.equal((await scim('GET', 'Users', adminToken)).status, 401);
  });

  it('shows a member deactivated by SCIM as deactivated with no role, and the change in the audit log', async () => {
    const organizationId = (await server.store.organizations.list())[0]?.id ?? '';
    const service = await createToken(server.store, {
      kind: 'service',
      organizationId,
      name: 'okta',
      role: 'admin',
      actor: CLI_ACTOR,
    });
    const patched = await scim('PATCH', `Users/${memberId}`, service.token, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    assert.equal(patched.status, 200);

    await page.goto(url('/members'));
    await page.getByLabel('Status').selectOption({ label: 'Deactivated' });
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/status=deactivated/);
    const row = page.getByRole('row', { name: /Grace Hopper/ });
    assert.match(await text(row), /No role[\s\S]*Deactivated[\s\S]*SCIM/);

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Action').fill('member.deactivated');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/action=member\.deactivated/);
    const event = page.getByRole('row', { name: /member\.deactivated/ });
    assert.match(await text(event), /member\.deactivated[\s\S]*grace@example\.test[\s\S]*by okta/);
    await event.getByText(/changes?$/).click();
    assert.match(await text(event), /status\s*active\s*deactivated/);
  });

  it("shows a group Okta pushed on the Groups page, its members, and the group on a member's page", async () => {
    const organizationId = (await server.store.organizations.list())[0]?.id ?? '';
    const service = await createToken(server.store, {
      kind: 'service',
      organizationId,
      name: 'okta groups',
      role: 'admin',
      actor: CLI_ACTOR,
    });
    const created = await scim('POST', 'Groups', service.token, { displayName: 'Eng Admins', members: [] });
    assert.equal(created.status, 201);
    const groupId = ((await created.json()) as { id: string }).id;
    const added = await scim('PATCH', `Groups/${groupId}`, service.token, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: memberId, display: 'grace@example.test' }] },
      ],
    });
    assert.equal(added.status, 204);

    await page.goto(url('/members'));
    await page.getByRole('link', { name: 'Groups' }).click();
    await page.waitForURL(/\/groups$/);
    const row = page.getByRole('row', { name: /Eng Admins/ });
    assert.match(await text(row), /Eng Admins[\s\S]*1/);
    await row.getByRole('link', { name: 'Eng Admins' }).click();
    await page.waitForURL(new RegExp(`/groups/${groupId}$`));
    assert.match(await text(page.locator('h1')), /Eng Admins/);
    await page.getByRole('link', { name: /Grace Hopper|grace@example\.test/ }).click();
    await page.waitForURL(new RegExp(`/members/${memberId}$`));
    const groups = page.locator('section[aria-labelledby="groups-heading"]');
    assert.match(await text(groups), /Eng Admins/);
  });

  it("shows each SCIM request's person and filters the SCIM page to the errors", async () => {
    const organizationId = (await server.store.organizations.list())[0]?.id ?? '';
    const okta = await createToken(server.store, {
      kind: 'service',
      organizationId,
      name: 'okta-push',
      role: 'admin',
      actor: CLI_ACTOR,
    });
    const user = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'lin@example.test' };
    const lookup = encodeURIComponent('userName eq "lin@example.test"');
    assert.equal((await scim('GET', `Users?filter=${lookup}`, okta.token)).status, 200);
    assert.equal((await scim('POST', 'Users', okta.token, user)).status, 201);
    assert.equal((await scim('POST', 'Users', okta.token, user)).status, 409);

    await page.goto(url('/settings/organization/scim'));
    assert.match(await text(page.locator('#requests-last-day')), /Last 24 hours: \d+ requests, 1 error\./);
    const all = page.getByRole('region', { name: 'Recent SCIM requests' }).locator('tbody tr');
    assert.ok((await all.count()) >= 4, 'every recorded request is listed');
    assert.match(await text(all.first()), /POST \/scim\/v2\/Users[\s\S]*lin@example\.test[\s\S]*409/);

    await page.getByRole('link', { name: 'Errors only' }).click();
    await page.waitForURL(/outcome=error/);
    assert.equal(await page.getByRole('link', { name: 'Errors only' }).getAttribute('aria-current'), 'page');
    const errors = page.getByRole('region', { name: 'Refused or failed SCIM requests' }).locator('tbody tr');
    assert.equal(await errors.count(), 1);
    assert.match(
      await text(errors.first()),
      /POST \/scim\/v2\/Users[\s\S]*already exists[\s\S]*lin@example\.test[\s\S]*409/,
    );

    await page.getByRole('link', { name: 'All requests' }).click();
    await page.waitForURL((address) => !address.search.includes('outcome'));
    assert.ok((await all.count()) >= 4);
  });
});
