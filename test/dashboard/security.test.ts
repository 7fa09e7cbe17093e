// What every dashboard page guarantees: security headers, escaping of what identity providers and
// people type, sign-in required, and no page for the wrong role.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/create-app.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { type BrowserSession, get, openSession } from '../helpers/dashboard.ts';

const PAGES = [
  '/members',
  '/workspaces',
  '/audit',
  '/settings/account/tokens',
  '/settings/organization/tokens',
  '/settings/organization/scim',
];

describe('dashboard security', () => {
  let t: TestApp;
  let admin: BrowserSession;
  let evilId: string;
  before(async () => {
    t = await setupApp('sqlite');
    admin = await openSession(t, t.org.user.email);
    const res = await t.scim('POST', 'Users', {
      userName: 'mallory@acme.test',
      displayName: '<script>alert(1)</script>',
      name: { givenName: '<img src=x onerror=alert(2)>', familyName: '"quoted"' },
      emails: [{ value: 'mallory@acme.test', primary: true }],
    });
    assert.equal(res.statusCode, 201);
    evilId = res.json().id;
  });
  after(() => t.cleanup());

  it('sends CSP, nosniff, referrer policy, frame denial, no-store and HSTS (https) on every page', async () => {
    for (const path of [...PAGES, `/members/${evilId}`]) {
      const res = await get(t.app, path, admin);
      assert.equal(res.statusCode, 200, path);
      assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['referrer-policy'], 'same-origin');
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.match(String(res.headers['strict-transport-security']), /max-age=\d+/);
      assert.doesNotMatch(
        res.body,
        /<script>(?!<\/script>)|<style>| style="| on[a-z]+="/,
        `${path} has no inline script or style`,
      );
    }
  });

  it('sends no HSTS over plain http', async () => {
    const app = createApp(
      loadConfig({ PUBLIC_URL: 'http://localhost:8080', DATABASE_URL: t.database.url }),
      t.store,
      {
        logger: false,
      },
    );
    const res = await app.inject({ method: 'GET', url: '/signin' });
    assert.equal(res.headers['strict-transport-security'], undefined);
    const session = res.cookies.find((c) => c.name === 'roster_form');
    assert.notEqual(session?.secure, true);
    await app.close();
  });

  it('escapes a member named <script> wherever it appears', async () => {
    for (const path of ['/members', `/members/${evilId}`, '/audit', '/members?q=%3Cscript']) {
      const res = await get(t.app, path, admin);
      assert.doesNotMatch(res.body, /<script>alert\(1\)<\/script>/, path);
      assert.doesNotMatch(res.body, /<img src=x/, path);
    }
    const list = await get(t.app, '/members', admin);
    assert.match(list.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    const search = await get(t.app, '/members?q=%22%3E%3Cscript%3E', admin);
    assert.match(search.body, /value="&quot;&gt;&lt;script&gt;"/);
  });

  it('sends a signed-out visitor to sign in, remembering the page', async () => {
    for (const path of PAGES) {
      const res = await get(t.app, path);
      assert.equal(res.statusCode, 303, path);
      assert.equal(res.headers.location, `/signin?next=${encodeURIComponent(path)}`);
    }
  });

  it('refuses a session cookie that is unknown, and a state change without a session', async () => {
    const res = await get(t.app, '/members', { cookie: 'x'.repeat(43), csrf: '' });
    assert.equal(res.statusCode, 303);
    const change = await t.app.inject({
      method: 'POST',
      url: '/workspaces',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=Sneaky',
    });
    assert.equal(change.statusCode, 303);
    assert.equal(change.headers.location, '/signin');
    assert.equal((await t.store.workspaces.list(t.org.organization.id)).length, 1);
  });

  it('serves the stylesheet and script from the same origin', async () => {
    const css = await t.app.inject({ method: 'GET', url: '/assets/roster.css' });
    assert.equal(css.statusCode, 200);
    assert.match(String(css.headers['content-type']), /^text\/css/);
    const js = await t.app.inject({ method: 'GET', url: '/assets/roster.js' });
    assert.match(String(js.headers['content-type']), /^text\/javascript/);
    assert.match(js.body, /data-copy-target/);
  });

  it('renders an unknown member as an HTML 404 page', async () => {
    const res = await get(t.app, '/members/nope', admin);
    assert.equal(res.statusCode, 404);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(res.body, /Page not found/);
  });
});
