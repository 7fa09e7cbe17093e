// "Reloading the page after Generate token mints a second token" (issue 15, also reported): the
// form now follows post/redirect/get. The POST answers 303; the page it leads to shows the value
// once (held server-side, sealed with the session cookie, for this session only); a second GET
// does not show it; the same form sent again (a reload of the POST, a double click) mints nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { type BrowserSession, get, hiddenCsrf, openSession, post } from '../helpers/dashboard.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const TOKEN_VALUE = /id="new-token" readonly value="(rst_(?:pat|sat)_[A-Za-z0-9_-]{43})"/;

function nonceOf(html: string): string {
  const match = /name="nonce" value="([^"]+)"/.exec(html);
  assert.ok(match?.[1], 'the form carries a nonce');
  return match[1];
}

for (const kind of STORE_KINDS) {
  describe(`generating a token with post/redirect/get (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let admin: BrowserSession;
    before(async () => {
      t = await setupApp(kind);
      admin = await openSession(t, 'admin@acme.test');
    });
    after(() => t?.cleanup());

    const count = async (table: 'personal_access_tokens' | 'service_access_tokens') =>
      (await t.store.db.selectFrom(table).select('id').execute()).length;

    for (const [path, table, prefix] of [
      ['/settings/account/tokens', 'personal_access_tokens', 'rst_pat_'],
      ['/settings/organization/tokens', 'service_access_tokens', 'rst_sat_'],
    ] as const) {
      it(`${path}: POST → 303 → GET shows the value once; a second GET and a re-sent form mint and show nothing`, async () => {
        const form = await get(t.app, path, admin);
        const nonce = nonceOf(form.body);
        const fields = { _csrf: hiddenCsrf(form.body), nonce, name: 'Okta', role: 'admin', expires: '' };
        const before = await count(table);

        const posted = await post(t.app, path, admin, fields, { csrf: null });
        assert.equal(posted.statusCode, 303, posted.body);
        assert.doesNotMatch(posted.body, /rst_/, 'the POST itself shows nothing');
        const location = String(posted.headers.location);
        assert.match(location, new RegExp(`^${path}\\?created=`));
        assert.equal(await count(table), before + 1);

        const shown = await get(t.app, location, admin);
        assert.equal(shown.statusCode, 200);
        assert.match(String(shown.headers['content-type']), /^text\/html/);
        assert.equal(shown.headers['cache-control'], 'no-store');
        const value = TOKEN_VALUE.exec(shown.body)?.[1];
        assert.ok(value?.startsWith(prefix), 'the redirected page shows the value');
        const me = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${value}` } });
        assert.equal(me.statusCode, 200, 'the value works');

        const reloaded = await get(t.app, location, admin);
        assert.equal(reloaded.statusCode, 200);
        assert.doesNotMatch(reloaded.body, /rst_(pat|sat)_/, 'shown once');
        assert.match(reloaded.body, /was shown once and cannot be shown again/);

        const resent = await post(t.app, path, admin, fields, { csrf: null });
        assert.equal(resent.statusCode, 303);
        assert.equal(resent.headers.location, `${path}?resent=1`);
        assert.equal(await count(table), before + 1, 'the same form mints no second token');
        const notice = await get(t.app, String(resent.headers.location), admin);
        assert.match(notice.body, /already sent: no other token was generated/);
        assert.doesNotMatch(notice.body, /rst_(pat|sat)_/);
      });
    }

    it('shows the value to no other session, and keeps it only sealed in the database', async () => {
      const other = await openSession(t, 'admin@acme.test');
      const posted = await post(t.app, '/settings/account/tokens', admin, { name: 'laptop', role: 'member' });
      assert.equal(posted.statusCode, 303);
      const location = String(posted.headers.location);
      const elsewhere = await get(t.app, location, other);
      assert.doesNotMatch(elsewhere.body, /rst_pat_/);
      const rows = await t.store.db.selectFrom('token_reveals').selectAll().execute();
      assert.ok(rows.some((row) => row.sealed !== null));
      for (const row of rows) assert.doesNotMatch(JSON.stringify(row), /rst_/);
      const shown = await get(t.app, location, admin);
      assert.match(shown.body, TOKEN_VALUE);
    });

    it('lets a refused form be corrected and sent again, minting one token', async () => {
      const form = await get(t.app, '/settings/account/tokens', admin);
      const fields = { _csrf: admin.csrf, nonce: nonceOf(form.body), role: 'member', expires: '' };
      const before = await count('personal_access_tokens');
      const refused = await post(
        t.app,
        '/settings/account/tokens',
        admin,
        { ...fields, name: '  ' },
        { csrf: null },
      );
      assert.equal(refused.statusCode, 400);
      assert.equal(await count('personal_access_tokens'), before);
      const fixed = await post(
        t.app,
        '/settings/account/tokens',
        admin,
        { ...fields, name: 'fixed' },
        { csrf: null },
      );
      assert.equal(fixed.statusCode, 303);
      assert.match(String(fixed.headers.location), /\?created=/);
      assert.equal(await count('personal_access_tokens'), before + 1);
    });
  });
}
