// Captures every dashboard page at desktop (1280×800) and narrow (375×800) widths into
// docs/screenshots/*.png, against a demo organization seeded on a throw-away SQLite database:
//
//   node --import tsx scripts/screenshots.ts            # every page

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createApp as registerApp } from '../src/accounts/apps.ts';
//   node --import tsx scripts/screenshots.ts webhook    # only the shots whose names start so
//
// Seeding goes through the real surfaces: SCIM requests as Okta would send them (so that the audit
// log and the SCIM request panel are genuine), and the use cases for roles, grants and tokens.
import { mapGroup } from '../src/accounts/group-mapping.ts';
import { createInvitation } from '../src/accounts/invitations.ts';
import { createWorkspace, grantWorkspaceAccess } from '../src/accounts/manage-workspaces.ts';
import { changeRole } from '../src/accounts/members.ts';
import { initOrganization } from '../src/accounts/organizations.ts';
import { createSetupLink } from '../src/accounts/setup-links.ts';
import { createToken } from '../src/accounts/tokens.ts';
import type { Actor } from '../src/audit/actor.ts';
import { loadConfig } from '../src/config.ts';
import { createApp } from '../src/http/create-app.ts';
import { startSession } from '../src/sign-in/sessions.ts';
import { createSqliteDialect } from '../src/store/sqlite/sqlite-dialect.ts';
import { createStore } from '../src/store/store.ts';
import { sendTestEvent } from '../src/webhooks/deliveries.ts';
import { DeliveryWorker } from '../src/webhooks/delivery-worker.ts';
import { createEndpoint } from '../src/webhooks/manage-endpoints.ts';
import { launchChromium } from '../test/helpers/browser.ts';
import { freePort } from '../test/helpers/net.ts';

const OUT = 'docs/screenshots';
const ONLY = process.argv.slice(2);
const PUBLIC_URL = 'https://roster.example.com';
const ADMIN_ACTOR: Actor = { type: 'cli', id: null, label: 'roster CLI' };
const PEOPLE: [string, string, string][] = [
  ['Grace', 'Hopper', 'engineering'],
  ['Alan', 'Turing', 'research'],
  ['Katherine', 'Johnson', 'research'],
  ['Edsger', 'Dijkstra', 'engineering'],
  ['Barbara', 'Liskov', 'engineering'],
  ['Margaret', 'Hamilton', 'engineering'],
  ['Dennis', 'Ritchie', 'platform'],
  ['Radia', 'Perlman', 'platform'],
  ['Frances', 'Allen', 'research'],
  ['Ken', 'Thompson', 'platform'],
  ['Annie', 'Easley', 'research'],
  ['John', 'Backus', 'engineering'],
];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'roster-screens-'));
  const store = createStore(createSqliteDialect(join(dir, 'roster.db')));
  await store.migrate();
  const port = await freePort();
  const base = `http://localhost:${port}`;
  // PUBLIC_URL is what the SCIM page shows; the browser talks to the local port.
  // Private networks allowed: the demo's webhook receiver runs on this machine.
  const config = loadConfig({
    PUBLIC_URL,
    DATABASE_URL: `sqlite:${dir}/roster.db`,
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_RETRY_SCHEDULE: '0',
  });
  const app = createApp(config, store, { logger: false });
  await app.listen({ port, host: '127.0.0.1' });
  mkdirSync(OUT, { recursive: true });

  const browser: Browser = await launchChromium();
  const shots: { name: string; path: string; prepare?: (page: Page) => Promise<void> }[] = [];
  try {
    // 1. Before anything exists: the first-run page.
    await capture(browser, base, undefined, [{ name: 'setup', path: '/setup' }]);

    // 2. The demo organization.
    const org = await initOrganization(store, {
      name: 'Acme Inc',
      slug: 'acme',
      adminEmail: 'ada@acme.example',
      adminName: { givenName: 'Ada', familyName: 'Lovelace' },
      adminPassword: 'a demo password that is long',
      actor: ADMIN_ACTOR,
    });
    const organizationId = org.organization.id;
    const okta = await createToken(store, {
      kind: 'service',
      organizationId,
      name: 'Okta provisioning',
      role: 'admin',
      actor: ADMIN_ACTOR,
    });
    await createToken(store, {
      kind: 'personal',
      organizationId,
      membershipId: org.membership.id,
      name: 'Terraform',
      role: 'admin',
      actor: ADMIN_ACTOR,
    });
    await createToken(store, {
      kind: 'personal',
      organizationId,
      membershipId: org.membership.id,
      name: 'Laptop CLI',
      role: 'member',
      actor: ADMIN_ACTOR,
      expiresAt: '2031-01-31T23:59:59.999Z',
    });
    const workspaces = {
      engineering: await createWorkspace(store, { organizationId, name: 'Engineering', actor: ADMIN_ACTOR }),
      research: await createWorkspace(store, { organizationId, name: 'Research', actor: ADMIN_ACTOR }),
      platform: await createWorkspace(store, { organizationId, name: 'Platform', actor: ADMIN_ACTOR }),
    };
    const scim = (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown, token = okta.token) =>
      app.inject({
        method,
        url: `/scim/v2/${url}`,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/scim+json',
          'user-agent': 'Okta SCIM Client 1.0.0',
        },
        ...(body ? { payload: JSON.stringify(body) } : {}),
      });
    const ids: Record<string, string> = {};
    for (const [given, family, team] of PEOPLE) {
      const userName = `${given.toLowerCase()}.${family.toLowerCase()}@acme.example`;
      await scim('GET', `Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
      const res = await scim('POST', 'Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName,
        externalId: `00u${Math.random().toString(36).slice(2, 10)}`,
        name: { givenName: given, familyName: family },
        displayName: `${given} ${family}`,
        emails: [{ value: userName, type: 'work', primary: true }],
        active: true,
      });
      const id = (res.json() as { id: string }).id;
      ids[family] = id;
      const workspace = workspaces[team as keyof typeof workspaces];
      await grantWorkspaceAccess(store, {
        organizationId,
        membershipId: id,
        workspaceId: workspace.id,
        actor: ADMIN_ACTOR,
      });
    }
    const patch = (value: Record<string, unknown>) => ({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value }],
    });
    await changeRole(store, {
      organizationId,
      membershipId: ids.Hopper ?? '',
      role: 'admin',
      actor: ADMIN_ACTOR,
    });
    await scim(
      'PATCH',
      `Users/${ids.Johnson}`,
      patch({ displayName: 'Katherine G. Johnson', 'name.givenName': 'Katherine G.' }),
    );
    await scim('PATCH', `Users/${ids.Backus}`, patch({ active: false }));
    await scim('PATCH', `Users/${ids.Easley}`, patch({ active: false }));
    await scim('POST', 'Users', {
      userName: 'grace.hopper@acme.example',
      emails: [{ value: 'grace.hopper@acme.example', primary: true }],
    });
    await scim('GET', 'Users/00000000-0000-0000-0000-000000000000');
    await scim('GET', 'Users?startIndex=1&count=100');
    // Okta Group Push: two groups, with their members added as Okta adds them.
    const groupIds: string[] = [];
    for (const [name, families] of [
      ['Eng Admins', ['Hopper', 'Liskov', 'Hamilton']],
      ['Research', ['Turing', 'Johnson', 'Allen', 'Easley']],
    ] as const) {
      await scim('GET', `Groups?filter=${encodeURIComponent(`displayName eq "${name}"`)}`);
      const group = await scim('POST', 'Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: name,
        members: [],
      });
      const groupId = (group.json() as { id: string }).id;
      groupIds.push(groupId);
      await scim('PATCH', `Groups/${groupId}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [
          { op: 'add', path: 'members', value: families.map((family) => ({ value: ids[family] })) },
        ],
      });
    }
    // An Admin maps Eng Admins to the Admin role and the Research workspace.
    await mapGroup(store, {
      organizationId,
      groupId: groupIds[0] ?? '',
      mapping: { role: 'admin', workspaceIds: [workspaces.research.id] },
      actor: ADMIN_ACTOR,
    });
    const memberToken = await createToken(store, {
      kind: 'personal',
      organizationId,
      membershipId: ids.Turing ?? '',
      name: 'okta (wrong role)',
      role: 'member',
      actor: ADMIN_ACTOR,
    });
    await scim('GET', 'Users', undefined, memberToken.token);
    await app.scimRequestLog.idle();

    // Webhooks: a receiver on this machine that takes everything, and one whose host does not
    // resolve, which Roster turns off after its attempts.
    const receiver = createServer((_request, response) => response.writeHead(204).end());
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverUrl = `http://localhost:${(receiver.address() as AddressInfo).port}/roster-webhooks`;
    const live = await createEndpoint(store, {
      organizationId,
      actor: ADMIN_ACTOR,
      allowPrivate: true,
      url: receiverUrl,
      types: ['*'],
    });
    await createEndpoint(store, {
      organizationId,
      actor: ADMIN_ACTOR,
      allowPrivate: true,
      url: 'https://hooks.acme.invalid/roster',
      types: ['member.deactivated', 'member.reactivated'],
    });
    await scim('PATCH', `Users/${ids.Liskov}`, patch({ active: false }));
    await scim('PATCH', `Users/${ids.Liskov}`, patch({ active: true }));
    await scim('PATCH', `Users/${ids.Perlman}`, patch({ displayName: 'Radia J. Perlman' }));
    await sendTestEvent(store, {
      organizationId,
      actor: ADMIN_ACTOR,
      allowPrivate: true,
      id: live.endpoint.id,
    });
    await new DeliveryWorker(store, { settings: config.webhooks, retentionDays: 30 }).drain();
    receiver.close();

    // 3. Signed in as the Admin (a session made directly; the sign-in page is captured signed out).
    const session = await store.transaction((tx) => startSession(tx, org.membership));
    const revokeId = (await store.tokens.listPersonal(organizationId, org.membership.id))[1]?.id ?? '';
    await registerApp(store, {
      name: 'Acme Analytics',
      redirectUris: ['https://analytics.acme.example/callback'],
      backchannelLogoutUri: 'https://analytics.acme.example/backchannel-logout',
    });
    shots.push(
      { name: 'members', path: '/members' },
      { name: 'members-search', path: '/members?q=tur&status=active' },
      { name: 'member-scim', path: `/members/${ids.Johnson}` },
      { name: 'member-deactivated', path: `/members/${ids.Backus}` },
      { name: 'workspaces', path: '/workspaces' },
      { name: 'workspace', path: `/workspaces/${workspaces.research.id}` },
      { name: 'groups', path: '/groups' },
      { name: 'group', path: `/groups/${groupIds[0]}` },
      { name: 'member-access', path: `/members/${ids.Hamilton}` },
      {
        name: 'account-tokens-new',
        path: '/settings/account/tokens',
        prepare: async (page) => {
          await page.getByLabel('Name').fill('Okta (backup)');
          await page.getByLabel('Role').selectOption({ label: 'Admin' });
          await submit(page, async () => {
            await page.getByRole('button', { name: 'Generate token' }).click();
            await page.getByLabel('New token value').waitFor();
          });
        },
      },
      { name: 'account-tokens-revoke', path: `/settings/account/tokens/${revokeId}/revoke` },
      { name: 'organization-tokens', path: '/settings/organization/tokens' },
      {
        name: 'invitations',
        path: '/invitations',
        prepare: async (page) => {
          await page.getByLabel('Email address').fill('ada.lovelace@example.com');
          await page.getByLabel('Role').selectOption('member');
          await page.getByLabel('Research').check();
          await submit(page, async () => {
            await page.getByRole('button', { name: 'Create invitation' }).click();
            await page.locator('#invitation-link').waitFor();
          });
        },
      },
      { name: 'password', path: '/settings/account/password' },
      { name: 'scim', path: '/settings/organization/scim' },
      { name: 'webhooks', path: '/settings/organization/webhooks' },
      { name: 'webhook-deliveries', path: `/settings/organization/webhooks/${live.endpoint.id}` },
      { name: 'scim-errors', path: '/settings/organization/scim?outcome=error' },
      {
        name: 'audit',
        path: '/audit',
        prepare: async (page) => {
          await page
            .getByRole('row', { name: /member\.updated/ })
            .first()
            .locator('summary')
            .click();
        },
      },
    );
    // Settings → Apps on its own: the shots after it stop at the first form they post.
    await capture(browser, base, session.cookie, [{ name: 'apps', path: '/settings/installation/apps' }]);
    await capture(browser, base, session.cookie, shots);
    await capture(browser, base, undefined, [{ name: 'signin', path: '/signin' }]);

    // 4. Without a session: an invitee's page, and a setup link's guided setup (a new link for each width).
    const invited = await createInvitation(store, {
      organizationId,
      email: 'lin.chen@example.com',
      role: 'admin',
      actor: { type: 'session', id: org.membership.id, label: org.user.email },
    });
    await capture(browser, base, undefined, [
      { name: 'invitation-accept', path: `/invitations/${invited.secret}` },
      {
        name: 'setup-link',
        path: '/signin',
        prepare: async (page) => {
          const { secret } = await createSetupLink(store, { organizationId, actor: ADMIN_ACTOR });
          await page.goto(`${base}/setup-links/${secret}`);
          await submit(page, async () => {
            await page.getByRole('button', { name: 'Start the setup' }).click();
            await page.waitForURL(`${base}/setup-link`);
          });
        },
      },
    ]);
  } finally {
    await browser.close();
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Submits a form as if from PUBLIC_URL: forms from another origin are refused, and the browser talks
 * to the local port. Only around the submission: the page's stylesheet is already cached by then.
 */
async function submit(page: Page, action: () => Promise<void>): Promise<void> {
  await page.setExtraHTTPHeaders({ origin: new URL(PUBLIC_URL).origin });
  try {
    await action();
  } finally {
    await page.setExtraHTTPHeaders({});
  }
}

async function capture(
  browser: Browser,
  base: string,
  cookie: string | undefined,
  pages: { name: string; path: string; prepare?: (page: Page) => Promise<void> }[],
): Promise<void> {
  for (const [suffix, width] of [
    ['desktop', 1280],
    ['narrow', 375],
  ] as const) {
    const context: BrowserContext = await browser.newContext({
      viewport: { width, height: 800 },
      deviceScaleFactor: 1,
    });
    if (cookie) {
      await context.addCookies([
        { name: 'roster_session', value: cookie, url: base, httpOnly: true, sameSite: 'Lax' },
      ]);
    }
    // The server believes it is PUBLIC_URL and refuses a form posted from another origin: the
    // browser, which reaches it on localhost, posts as PUBLIC_URL's origin.
    // (Chromium keeps its own Origin on a continued request: the post is sent from here instead.)
    await context.route(`${base}/**`, async (route) => {
      const request = route.request();
      if (request.method() === 'GET') return route.continue();
      const response = await route.fetch({
        headers: { ...request.headers(), origin: new URL(PUBLIC_URL).origin },
        maxRedirects: 0,
      });
      return route.fulfill({ response });
    });
    const page = await context.newPage();
    for (const shot of pages) {
      if (ONLY.length > 0 && !ONLY.some((prefix) => shot.name.startsWith(prefix))) continue;
      const response = await page.goto(`${base}${shot.path}`);
      if (!response?.ok()) throw new Error(`${shot.path} answered ${response?.status()}`);
      await shot.prepare?.(page);
      const file = `${OUT}/${shot.name}-${suffix}.png`;
      await page.screenshot({ path: file, fullPage: true });
      process.stdout.write(`${file}\n`);
    }
    await context.close();
  }
}

await main();
