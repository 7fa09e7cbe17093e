// Captures every dashboard page at desktop (1280×800) and narrow (375×800) widths into
// docs/screenshots/*.png, against a demo organization seeded on a throw-away SQLite database:
//
//   node --import tsx scripts/screenshots.ts
//
// Seeding goes through the real surfaces: SCIM requests as Okta would send them (so that the audit
// log and the SCIM request panel are genuine), and the use cases for roles, grants and tokens.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createApp as registerApp } from '../src/accounts/apps.ts';
import { createWorkspace, grantWorkspaceAccess } from '../src/accounts/manage-workspaces.ts';
import { changeRole } from '../src/accounts/members.ts';
import { initOrganization } from '../src/accounts/organizations.ts';
import { createToken } from '../src/accounts/tokens.ts';
import type { Actor } from '../src/audit/actor.ts';
import { loadConfig } from '../src/config.ts';
import { createApp } from '../src/http/create-app.ts';
import { startSession } from '../src/sign-in/sessions.ts';
import { createSqliteDialect } from '../src/store/sqlite/sqlite-dialect.ts';
import { createStore } from '../src/store/store.ts';
import { launchChromium } from '../test/helpers/browser.ts';
import { freePort } from '../test/helpers/net.ts';

const OUT = 'docs/screenshots';
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
  const app = createApp(loadConfig({ PUBLIC_URL, DATABASE_URL: `sqlite:${dir}/roster.db` }), store, {
    logger: false,
  });
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
      {
        name: 'account-tokens-new',
        path: '/settings/account/tokens',
        prepare: async (page) => {
          await page.getByLabel('Name').fill('Okta (backup)');
          await page.getByLabel('Role').selectOption({ label: 'Admin' });
          await page.getByRole('button', { name: 'Generate token' }).click();
          await page.getByLabel('New token value').waitFor();
        },
      },
      { name: 'account-tokens-revoke', path: `/settings/account/tokens/${revokeId}/revoke` },
      { name: 'organization-tokens', path: '/settings/organization/tokens' },
      { name: 'scim', path: '/settings/organization/scim' },
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
  } finally {
    await browser.close();
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
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
    const page = await context.newPage();
    for (const shot of pages) {
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
