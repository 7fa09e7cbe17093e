// Two things a client writes and Roster must not believe: the Host header (the dashboard's Origin
// check compares with PUBLIC_URL's origin, never with Host) and the left part of X-Forwarded-For
// (with TRUST_PROXY=<hops>, only the entries the configured proxies appended key the sign-in
// throttle). Regressions: a forged Host matching a forged Origin passed the check, and with
// TRUST_PROXY=true the leftmost, client-written X-Forwarded-For gave every attempt a fresh counter.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/create-app.ts';
import { PUBLIC_URL, setupApp, type TestApp } from '../helpers/app.ts';
import {
  ADMIN_PASSWORD,
  type BrowserSession,
  formBody,
  hiddenCsrf,
  openSession,
  post,
  setCookie,
} from '../helpers/dashboard.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

for (const kind of STORE_KINDS) {
  describe(`the dashboard's Origin check against PUBLIC_URL (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let admin: BrowserSession;
    beforeEach(async () => {
      t = await setupApp(kind);
      admin = await openSession(t, t.org.user.email);
    });
    afterEach(() => t.cleanup());

    const workspaceNames = async () =>
      (await t.store.db.selectFrom('workspaces').select('name').execute()).map((row) => row.name).sort();

    it('refuses a form whose Origin matches a forged Host header, storing nothing', async () => {
      const before = await snapshot(t.store);
      for (const [host, origin] of [
        ['evil.example', 'https://evil.example'],
        ['evil.example', 'http://evil.example'],
        // PUBLIC_URL's host, but another scheme or port: another origin.
        ['roster.test', 'http://roster.test'],
        ['roster.test:8443', 'https://roster.test:8443'],
      ] as const) {
        const res = await post(
          t.app,
          '/workspaces',
          admin,
          { name: 'Sneaky' },
          { headers: { host, origin } },
        );
        assert.equal(res.statusCode, 403, `${origin}: ${res.statusCode}`);
        assert.match(String(res.headers['content-type']), /^text\/html/);
        assert.match(res.body, /came from another site and was refused/);
      }
      assert.deepEqual(await snapshot(t.store), before);
    });

    it('refuses the sign-in form from a forged origin too, starting no session', async () => {
      const form = await t.app.inject({ method: 'GET', url: '/signin' });
      const res = await t.app.inject({
        method: 'POST',
        url: '/signin',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: `roster_form=${setCookie(form, 'roster_form')}`,
          host: 'evil.example',
          origin: 'https://evil.example',
        },
        payload: formBody({
          _csrf: hiddenCsrf(form.body),
          email: t.org.user.email,
          password: ADMIN_PASSWORD,
        }),
      });
      assert.equal(res.statusCode, 403);
      assert.equal(setCookie(res, 'roster_session'), undefined);
    });

    it("accepts a form from PUBLIC_URL's own origin, whatever the Host header says", async () => {
      for (const [name, origin, host] of [
        ['Research', PUBLIC_URL, undefined],
        ['Design', 'https://roster.test:443', 'internal-lb:8080'],
      ] as const) {
        const headers: Record<string, string> = { origin, ...(host ? { host } : {}) };
        const res = await post(t.app, '/workspaces', admin, { name }, { headers });
        assert.equal(res.statusCode, 303, `${origin}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
      assert.deepEqual(await workspaceNames(), ['Default', 'Design', 'Research']);
    });
  });
}

describe('the sign-in throttle behind TRUST_PROXY=1', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await setupApp('sqlite');
  });
  afterEach(() => t.cleanup());

  /** A failed password attempt arriving through one proxy (the socket peer) with this X-Forwarded-For. */
  async function attempt(app: TestApp['app'], forwardedFor: string) {
    const form = await app.inject({ method: 'GET', url: '/signin', remoteAddress: '10.0.0.2' });
    return app.inject({
      method: 'POST',
      url: '/signin',
      remoteAddress: '10.0.0.2',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `roster_form=${setCookie(form, 'roster_form')}`,
        'x-forwarded-for': forwardedFor,
      },
      payload: formBody({
        _csrf: hiddenCsrf(form.body),
        email: t.org.user.email,
        password: 'not the password',
      }),
    });
  }

  it('keys the throttle by the address the proxy appended, not the spoofable leftmost entry', async () => {
    const config = loadConfig({ PUBLIC_URL, DATABASE_URL: t.database.url, TRUST_PROXY: '1' });
    const app = createApp(config, t.store, { logger: false });
    try {
      // The attacker (203.0.113.7, as the proxy saw it) writes a new leftmost entry every time.
      for (let i = 0; i < 10; i++) {
        const res = await attempt(app, `198.51.100.${i}, 203.0.113.7`);
        assert.equal(res.statusCode, 401, `attempt ${i + 1}`);
      }
      const blocked = await attempt(app, '198.51.100.99, 203.0.113.7');
      assert.equal(blocked.statusCode, 429);
      assert.ok(Number(blocked.headers['retry-after']) > 0);
      assert.match(blocked.body, /Too many failed sign-in attempts/);
      // Another client is not blocked, even when it writes the attacker's address on the left.
      assert.equal((await attempt(app, '203.0.113.7, 192.0.2.50')).statusCode, 401);
    } finally {
      await app.close();
    }
  });
});
