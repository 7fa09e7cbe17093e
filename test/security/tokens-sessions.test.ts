// Tokens and sessions, beyond what test/http/token-secrecy.test.ts, test/dashboard/*.test.ts and
// test/http/api-*.test.ts already check:
// - session cookie values (and token values minted from the dashboard and the API) exist nowhere at
//   rest: not in the SQLite file or its WAL, not in the logs at trace level;
// - revoking a token, signing out and deactivating a member take effect at once on another
//   instance sharing the PostgreSQL database;
// - an expired session is worthless (dashboard and API), and a token stops at its expiry;
// - session fixation: a cookie planted before sign-in is never the session after it;
// - CSRF: every state-changing dashboard form without, with a wrong or with another session's token,
//   or from another origin, is 403 and stores nothing;
// - security headers on the machine surfaces (SCIM, API, health): nosniff, HSTS over https,
//   no-store, a CSP that frames nothing.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { createToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { hashToken } from '../../src/auth/token-format.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/create-app.ts';
import { SESSION_COOKIE } from '../../src/sign-in/sessions.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import {
  ADMIN_PASSWORD,
  type BrowserSession,
  formBody,
  generateToken,
  get,
  hiddenCsrf,
  post,
  scimMember,
  setCookie,
  signIn,
} from '../helpers/dashboard.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { personalToken } from '../helpers/seed.ts';
import { changedTables, snapshot } from '../helpers/snapshot.ts';
import { openTestStore, skipReason } from '../helpers/stores.ts';

function sqliteBytes(url: string): string {
  const path = url.slice('sqlite:'.length);
  return [path, `${path}-wal`, `${path}-shm`]
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file).toString('latin1'))
    .join('\n');
}

describe('secrets at rest: session cookies and minted tokens', () => {
  it('keeps session cookie values and token values out of the SQLite file, its WAL and the trace logs', async () => {
    const { store, database, cleanup } = await openTestStore('sqlite');
    const { logger, lines } = captureLogs('trace');
    const app = createApp(loadConfig({ PUBLIC_URL: 'https://roster.test' }), store, { logger });
    try {
      await initOrganization(store, {
        name: 'Secret Inc',
        slug: 'secret',
        adminEmail: 'admin@secret.test',
        adminPassword: ADMIN_PASSWORD,
        actor: CLI_ACTOR,
      });
      const session = await signIn(app, 'admin@secret.test', ADMIN_PASSWORD);
      const second = await signIn(app, 'admin@secret.test', ADMIN_PASSWORD);
      // A token minted in the dashboard (the page shows it once) and one through the API.
      const page = await generateToken(app, '/settings/account/tokens', session, {
        name: 'laptop',
        role: 'admin',
      });
      assert.equal(page.statusCode, 200);
      const fromPage = /rst_pat_[A-Za-z0-9_-]+/.exec(page.body)?.[0];
      assert.ok(fromPage, 'the page shows the new token');
      const api = await app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: {
          cookie: `${SESSION_COOKIE}=${session.cookie}`,
          'x-csrf-token': session.csrf,
          'content-type': 'application/json',
        },
        payload: { name: 'ci', role: 'member' },
      });
      assert.equal(api.statusCode, 201, api.body);
      const fromApi = api.json().token as string;
      for (const token of [fromPage, fromApi]) {
        const me = await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
        assert.equal(me.statusCode, 200);
      }
      await get(app, '/members', second);
      await app.close();

      const secrets = [session.cookie, second.cookie, fromPage, fromApi];
      const check = (where: string, text: string) => {
        for (const secret of secrets) assert.ok(!text.includes(secret), `${where} holds a secret value`);
      };
      const log = lines.join('');
      assert.match(log, /"route":"\/members","path":"\/members","status":200/);
      check('the log', log);
      const bytes = sqliteBytes(database.url);
      check('the database', bytes);
      assert.ok(bytes.includes(hashToken(session.cookie)), 'the session is there, as its hash');
    } finally {
      await app.close();
      await cleanup();
    }
  });
});

describe('two instances on one PostgreSQL database', { skip: skipReason('postgres') }, () => {
  let opened: Awaited<ReturnType<typeof openTestStore>>;
  let other: ReturnType<Awaited<ReturnType<typeof openTestStore>>['database']['open']>;
  let one: ReturnType<typeof createApp>;
  let two: ReturnType<typeof createApp>;
  let organizationId: string;
  let adminMembershipId: string;
  let service: string;

  before(async () => {
    opened = await openTestStore('postgres');
    other = opened.database.open();
    const config = loadConfig({ PUBLIC_URL: 'https://roster.test' });
    one = createApp(config, opened.store, { logger: false });
    two = createApp(config, other, { logger: false });
    const init = await initOrganization(opened.store, {
      name: 'Twin Inc',
      slug: 'twin',
      adminEmail: 'admin@twin.test',
      adminPassword: ADMIN_PASSWORD,
      actor: CLI_ACTOR,
    });
    organizationId = init.organization.id;
    adminMembershipId = init.membership.id;
    service = (
      await createToken(opened.store, {
        kind: 'service',
        organizationId,
        name: 'okta',
        role: 'admin',
        actor: CLI_ACTOR,
      })
    ).token;
  });
  after(async () => {
    await one.close();
    await two.close();
    await other.close();
    await opened.cleanup();
  });

  const me = (app: typeof one, token: string) =>
    app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });

  it('refuses a token revoked on one instance at the very next request on the other', async () => {
    const pat = await personalToken(opened.store, organizationId, adminMembershipId, 'admin');
    assert.equal((await me(two, pat.token)).statusCode, 200);
    const revoke = await one.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${pat.id}`,
      headers: { authorization: `Bearer ${service}` },
    });
    assert.equal(revoke.statusCode, 204);
    const after = await me(two, pat.token);
    assert.equal(after.statusCode, 401);
    assert.match(String(after.headers['www-authenticate']), /invalid_token/);
  });

  it('ends a session signed out on one instance on the other, and a deactivated member’s token', async () => {
    const session = await signIn(one, 'admin@twin.test', ADMIN_PASSWORD);
    assert.equal((await get(two, '/members', session)).statusCode, 200);
    assert.equal((await post(one, '/signout', session)).statusCode, 303);
    const page = await get(two, '/members', session);
    assert.equal(page.statusCode, 303);
    assert.match(String(page.headers.location), /^\/signin/);

    const created = await one.inject({
      method: 'POST',
      url: '/scim/v2/Users',
      headers: { authorization: `Bearer ${service}`, 'content-type': 'application/scim+json' },
      payload: { userName: 'leaver@twin.test', emails: [{ value: 'leaver@twin.test', primary: true }] },
    });
    assert.equal(created.statusCode, 201);
    const leaverToken = await personalToken(opened.store, organizationId, created.json().id, 'member');
    assert.equal((await me(two, leaverToken.token)).statusCode, 200);
    const deactivate = await one.inject({
      method: 'PATCH',
      url: `/scim/v2/Users/${created.json().id}`,
      headers: { authorization: `Bearer ${service}`, 'content-type': 'application/scim+json' },
      payload: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', value: { active: false } }],
      },
    });
    assert.equal(deactivate.statusCode, 200);
    assert.equal((await me(two, leaverToken.token)).statusCode, 401);
  });
});

describe('sessions and tokens in time, fixation and CSRF', () => {
  let t: TestApp;
  let admin: BrowserSession;
  let memberId: string;
  let workspaceId: string;
  let tokenId: string;

  before(async () => {
    t = await setupApp('sqlite', 'sessions');
    admin = await signIn(t.app, t.org.user.email, ADMIN_PASSWORD);
    memberId = (await scimMember(t, 'member@sessions.test')).id;
    workspaceId = (await t.store.workspaces.list(t.org.organization.id))[0]!.id;
    tokenId = (await personalToken(t.store, t.org.organization.id, t.org.membership.id, 'admin')).id;
  });
  after(() => t.cleanup());

  it('treats an expired session as no session, on the dashboard and the API', async () => {
    const session = await signIn(t.app, t.org.user.email, ADMIN_PASSWORD);
    await t.store.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id_hash', '=', hashToken(session.cookie))
      .execute();
    const page = await get(t.app, '/members', session);
    assert.equal(page.statusCode, 303);
    const api = await t.app.inject({
      url: '/api/v1/me',
      headers: { cookie: `${SESSION_COOKIE}=${session.cookie}` },
    });
    assert.equal(api.statusCode, 401);
  });

  it('stops a token at its expiry, to the second', async () => {
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const pat = await personalToken(t.store, t.org.organization.id, t.org.membership.id, 'admin', {
      expiresAt,
    });
    const call = () => t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${pat.token}` } });
    assert.equal((await call()).statusCode, 200);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt) - Date.now() + 50));
    const expired = await call();
    assert.equal(expired.statusCode, 401);
    assert.match(expired.json().error.message, /expired/);
  });

  it('never keeps a session cookie planted before sign-in (session fixation)', async () => {
    const planted = 'A'.repeat(43);
    const form = await t.app.inject({
      method: 'GET',
      url: '/signin',
      headers: { cookie: `${SESSION_COOKIE}=${planted}` },
    });
    const formCookie = setCookie(form, 'roster_form')!;
    const res = await t.app.inject({
      method: 'POST',
      url: '/signin',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `roster_form=${formCookie}; ${SESSION_COOKIE}=${planted}`,
      },
      payload: formBody({ _csrf: hiddenCsrf(form.body), email: t.org.user.email, password: ADMIN_PASSWORD }),
    });
    assert.equal(res.statusCode, 303);
    const issued = setCookie(res, SESSION_COOKIE);
    assert.ok(issued && issued !== planted, 'sign-in issues a fresh session cookie');
    assert.equal((await get(t.app, '/members', { cookie: planted, csrf: '' })).statusCode, 303);
    assert.equal((await get(t.app, '/members', { cookie: issued, csrf: '' })).statusCode, 200);
  });

  it('replaces a real session planted by an attacker: after the victim signs in, it is worthless', async () => {
    // The attacker signs in as themselves and plants their own valid cookie in the victim's browser.
    const attacker = await scimMember(t, 'attacker@sessions.test');
    const attackerSession = await signIn(t.app, attacker.email, 'a member password that is long');
    const form = await get(t.app, '/signin', attackerSession);
    assert.equal(form.statusCode, 303, 'a signed-in browser is sent on');
    const fresh = await t.app.inject({ method: 'GET', url: '/signin' });
    const formCookie = setCookie(fresh, 'roster_form')!;
    const res = await t.app.inject({
      method: 'POST',
      url: '/signin',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `roster_form=${formCookie}; ${SESSION_COOKIE}=${attackerSession.cookie}`,
      },
      payload: formBody({ _csrf: hiddenCsrf(fresh.body), email: t.org.user.email, password: ADMIN_PASSWORD }),
    });
    assert.equal(res.statusCode, 303);
    const victim = setCookie(res, SESSION_COOKIE)!;
    assert.notEqual(victim, attackerSession.cookie);
    assert.equal(
      (await get(t.app, '/members', attackerSession)).statusCode,
      303,
      'the planted session ended',
    );
    const page = await get(t.app, '/members', { cookie: victim, csrf: '' });
    assert.equal(page.statusCode, 200, 'the victim is signed in as themselves');
  });

  describe('refuses every state-changing form without the right CSRF token, storing nothing', () => {
    const forms = (): Array<[string, Record<string, string>]> => [
      ['/workspaces', { name: 'Sneaky' }],
      [`/workspaces/${workspaceId}`, { name: 'Renamed' }],
      [`/members/${memberId}/role`, { role: 'admin' }],
      [`/members/${memberId}/workspaces`, { access: 'grant', workspaceId }],
      ['/settings/account/tokens', { name: 'stolen', role: 'admin' }],
      ['/settings/organization/tokens', { name: 'stolen', role: 'admin' }],
      [`/settings/account/tokens/${tokenId}/revoke`, {}],
      [`/settings/organization/tokens/${tokenId}/revoke`, {}],
      ['/settings/organization/sso', { idpEntityId: 'https://evil.example', ssoRequired: 'on' }],
      ['/organizations/switch', { organizationId: t.org.organization.id }],
      ['/signout', {}],
    ];
    const variants: Array<
      [string, (other: BrowserSession) => { csrf?: string | null; headers?: Record<string, string> }]
    > = [
      ['no token', () => ({ csrf: null })],
      ['a wrong token', () => ({ csrf: 'x'.repeat(32) })],
      ["another session's token", (other) => ({ csrf: other.csrf })],
      ['the right token from another origin', () => ({ headers: { origin: 'https://evil.example' } })],
    ];

    for (const [variant, options] of variants) {
      it(`answers 403 to every form sent with ${variant}`, async () => {
        const other = await signIn(t.app, t.org.user.email, ADMIN_PASSWORD);
        const before = await snapshot(t.store);
        for (const [url, fields] of forms()) {
          const res = await post(t.app, url, admin, fields, options(other));
          assert.equal(res.statusCode, 403, `${url}: ${res.statusCode}`);
        }
        assert.deepEqual(changedTables(before, await snapshot(t.store)), []);
        assert.equal((await get(t.app, '/members', admin)).statusCode, 200, 'the session survived');
      });
    }

    it('answers 403 to the sign-in, SSO and setup forms without their form token', async () => {
      const before = await snapshot(t.store);
      const preSession: Array<[string, Record<string, string>]> = [
        ['/signin', { email: t.org.user.email, password: ADMIN_PASSWORD }],
        ['/signin/sso', { email: 'someone@sessions.test' }],
        [
          '/setup',
          { name: 'Evil', email: 'evil@evil.test', password: 'x'.repeat(16), password2: 'x'.repeat(16) },
        ],
      ];
      for (const [url, fields] of preSession) {
        for (const headers of [{}, { cookie: `roster_form=${'y'.repeat(32)}` }]) {
          const res = await t.app.inject({
            method: 'POST',
            url,
            headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
            payload: formBody({ ...fields, _csrf: 'z'.repeat(32) }),
          });
          assert.equal(res.statusCode, 403, url);
          assert.equal(setCookie(res, SESSION_COOKIE), undefined, 'no session started');
        }
      }
      assert.deepEqual(changedTables(before, await snapshot(t.store)), []);
    });
  });
});

describe('security headers on the machine surfaces', () => {
  let t: TestApp;
  before(async () => {
    t = await setupApp('sqlite', 'headers');
  });
  after(() => t.cleanup());

  it('sends nosniff, HSTS (https), no-store and a frame-nothing CSP on SCIM, API, health and 404s', async () => {
    const requests = [
      t.scim('GET', 'Users'),
      t.scim('GET', 'Users/nope'),
      t.scim('GET', 'Users', undefined, { token: null }),
      t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${t.token}` } }),
      t.app.inject({ url: '/api/v1/nowhere' }),
      t.app.inject({ url: '/healthz' }),
      t.app.inject({ url: '/scim/v2/ServiceProviderConfig' }),
      t.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
        payload: { kind: 'service', name: 'fresh', role: 'admin' },
      }),
    ];
    for (const res of await Promise.all(requests)) {
      const where = `${res.raw.req.url} → ${res.statusCode}`;
      assert.equal(res.headers['x-content-type-options'], 'nosniff', where);
      assert.match(String(res.headers['strict-transport-security']), /max-age=31536000/, where);
      assert.equal(res.headers['cache-control'], 'no-store', where);
      assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/, where);
    }
  });

  it('sends nosniff on every dashboard and SAML page, and no HSTS over plain http', async () => {
    const plain = createApp(loadConfig({ PUBLIC_URL: 'http://localhost:8080' }), t.store, { logger: false });
    try {
      for (const url of ['/signin', '/healthz', '/scim/v2/Users', '/saml/headers/metadata', '/nowhere']) {
        const res = await plain.inject({ url });
        assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
        assert.equal(res.headers['strict-transport-security'], undefined, url);
      }
    } finally {
      await plain.close();
    }
  });
});
