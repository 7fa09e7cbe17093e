// Groups become access, in Chromium against a real server: Okta pushes a group with a member
// (Group Push's POST with `members: []`, then `add` of a members list: docs/idp-requests.md), an
// Admin maps it on its Groups page to the Admin role and a workspace, and the member's page shows
// where the role and each workspace come from, the group's pieces read-only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { createWorkspace } from '../../src/accounts/manage-workspaces.ts';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { browserSkipReason, launchChromium, type RunningServer, startServer } from '../helpers/browser.ts';
import { serviceToken } from '../helpers/seed.ts';

async function text(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text we assert on.
  return locator.innerText();
}

const ADMIN = { email: 'ada@example.test', password: 'analytical engine 1843' };
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('groups and access in Chromium', { skip: browserSkipReason(), timeout: 90_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let groupId = '';
  let memberId = '';
  const url = (path: string) => `${server.baseUrl}${path}`;

  before(async () => {
    server = await startServer();
    const org = await initOrganization(server.store, {
      name: 'Analytical Engines',
      adminEmail: ADMIN.email,
      adminPassword: ADMIN.password,
      actor: CLI_ACTOR,
    });
    await createWorkspace(server.store, {
      organizationId: org.organization.id,
      actor: CLI_ACTOR,
      name: 'Research',
    });
    const { token } = await serviceToken(server.store, org.organization.id);
    const scim = async (method: string, path: string, body: unknown) => {
      const res = await fetch(url(`/scim/v2/${path}`), {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify(body),
      });
      const answer = await res.text();
      assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${answer}`);
      return res.status === 204 ? { id: '' } : (JSON.parse(answer) as { id: string });
    };
    memberId = (
      (await scim('POST', 'Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'grace@example.test',
        name: { givenName: 'Grace', familyName: 'Hopper' },
        emails: [{ value: 'grace@example.test', primary: true, type: 'work' }],
        active: true,
      })) as { id: string }
    ).id;
    groupId = (
      (await scim('POST', 'Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Eng Admins',
        members: [],
      })) as { id: string }
    ).id;
    await scim('PATCH', `Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: memberId, display: 'grace@example.test' }] },
      ],
    });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(url('/signin'));
    await page.getByLabel('Email address').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/members$/);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('maps a pushed group to Admin and a workspace on the Groups page', async () => {
    await page.getByRole('link', { name: 'Groups' }).click();
    await page.waitForURL(/\/groups$/);
    const row = page.getByRole('row', { name: /Eng Admins/ });
    assert.match(await text(row), /Eng Admins\s+1\s+Nothing/);
    await page.getByRole('link', { name: 'Eng Admins' }).click();
    await page.waitForURL(new RegExp(`/groups/${groupId}$`));
    assert.match(await text(page.locator('main')), /grace@example\.test/);
    await page.getByLabel('Organization role').selectOption('admin');
    await page.getByLabel('Research').check();
    await page.getByRole('button', { name: 'Save mapping' }).click();
    await page.waitForURL(/\?updated=mapping$/);
    assert.match(await text(page.getByRole('status').first()), /every member of the group was updated/);
    assert.equal(await page.getByLabel('Research').isChecked(), true);
    assert.equal(await page.getByLabel('Organization role').inputValue(), 'admin');
    await page.goto(url('/groups'));
    assert.match(await text(page.getByRole('row', { name: /Eng Admins/ })), /Admin · Research/);
  });

  it("shows the member's role and workspaces with their sources, the group's read-only", async () => {
    await page.goto(url(`/members/${memberId}`));
    assert.match(await text(page.locator('[data-role-sources]')), /Admin — from group Eng Admins/);
    const research = page.getByRole('row', { name: /^Research/ });
    assert.match(await text(research), /Yes, as Admin; also from group Eng Admins/);
    // The group's workspace has no revoke button: only a direct grant can be revoked here.
    assert.equal(await research.getByRole('button', { name: /Revoke/ }).count(), 0);
    assert.match(await text(page.locator('#role-heading + p + form')), /is read-only here/);

    // Unmapping the role: the member is a Member again, and the workspace still comes from the group.
    await page.goto(url(`/groups/${groupId}`));
    await page.getByLabel('Organization role').selectOption('none');
    await page.getByRole('button', { name: 'Save mapping' }).click();
    await page.waitForURL(/\?updated=mapping$/);
    await page.goto(url(`/members/${memberId}`));
    assert.match(await text(page.locator('[data-role-sources]')), /Member — granted in Roster/);
    assert.match(await text(page.getByRole('row', { name: /^Research/ })), /Yes — from group Eng Admins/);
    // A direct grant beside the group's: both sources listed, and the direct one can be revoked.
    await page
      .getByRole('row', { name: /^Research/ })
      .getByRole('button', { name: /Grant/ })
      .click();
    await page.waitForURL(/\?updated=granted$/);
    const both = page.getByRole('row', { name: /^Research/ });
    assert.match(
      await text(both),
      /granted in Roster; from group Eng Admins|from group Eng Admins; granted in Roster/,
    );
    assert.equal(await both.getByRole('button', { name: /Revoke direct grant/ }).count(), 1);
  });
});
