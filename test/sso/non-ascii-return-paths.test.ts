// Issue 15, weakness 4: a `next` or RelayState with a character above U+007F/U+00FF made the
// Location header throw (ERR_INVALID_CHAR, a raw 500) after the assertion was consumed, so the
// sign-in was lost. Every redirect built from such a path is percent-encoded (UTF-8), and the
// sign-in goes through.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { hashToken } from '../../src/auth/token-format.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import {
  ADMIN_PASSWORD,
  formBody,
  get,
  hiddenCsrf,
  scimMember,
  setCookie,
  signIn,
} from '../helpers/dashboard.ts';
import { configureSso, idpResponse, postAcs, startSpSignIn } from '../helpers/sso.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const PATHS = ['/members?q=é', '/😀', '/workspaces?name=Zürich&team=ÿ', '/members?q=日本語#ü'];

/** A 303 whose Location is printable ASCII and decodes to `path`. */
function assertEncodedRedirect(res: LightMyRequestResponse, path: string) {
  assert.equal(res.statusCode, 303, `${path}: ${res.body.slice(0, 300)}`);
  const location = String(res.headers.location);
  assert.match(location, /^[\x21-\x7e]+$/, `${path}: the Location is ASCII (${location})`);
  assert.equal(decodeURI(location), path);
  assert.equal(new URL(location, 'https://roster.test').origin, 'https://roster.test');
}

for (const kind of STORE_KINDS) {
  describe(`non-ASCII return paths (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let slug: string;
    before(async () => {
      t = await setupApp(kind);
      slug = t.org.organization.slug;
      await configureSso(t);
      await scimMember(t, 'ana@acme.test', { password: false });
    });
    after(() => t?.cleanup());

    for (const path of PATHS) {
      it(`signs in with SP-initiated SSO and lands on ${path}, percent-encoded`, async () => {
        const start = await startSpSignIn(t.app, slug, path);
        const res = await postAcs(
          t.app,
          slug,
          await idpResponse(t, { nameId: 'ana@acme.test', inResponseTo: start.requestId }),
          start.relayState,
          { loginCookie: start.loginCookie },
        );
        assertEncodedRedirect(res, path);
        const cookie = setCookie(res, 'roster_session');
        assert.ok(cookie, 'the session is made');
        assert.equal((await t.store.sessions.findByHash(hashToken(cookie)))?.sign_in_method, 'sso');
      });

      it(`signs in with an IdP-initiated RelayState ${path}, percent-encoded`, async () => {
        const res = await postAcs(t.app, slug, await idpResponse(t, { nameId: 'ana@acme.test' }), path);
        assertEncodedRedirect(res, path);
        const cookie = setCookie(res, 'roster_session');
        assert.ok(cookie, 'the session is made');
        assert.ok(await t.store.sessions.findByHash(hashToken(cookie)));
      });

      it(`redirects the dashboard's sign-in to next=${path}, percent-encoded`, async () => {
        const form = await t.app.inject({ method: 'GET', url: `/signin?next=${encodeURIComponent(path)}` });
        assert.equal(form.statusCode, 200);
        const formCookie = setCookie(form, 'roster_form');
        const res = await t.app.inject({
          method: 'POST',
          url: '/signin',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            cookie: `roster_form=${formCookie}`,
          },
          payload: formBody({
            _csrf: hiddenCsrf(form.body),
            email: 'admin@acme.test',
            password: ADMIN_PASSWORD,
            next: path,
          }),
        });
        assertEncodedRedirect(res, path);
        const cookie = setCookie(res, 'roster_session');
        assert.ok(cookie && (await t.store.sessions.findByHash(hashToken(cookie))), 'the session is made');

        const session = await signIn(t.app, 'admin@acme.test', ADMIN_PASSWORD);
        assertEncodedRedirect(await get(t.app, `/signin?next=${encodeURIComponent(path)}`, session), path);
      });
    }

    it('keeps an already percent-encoded path as it is', async () => {
      const path = '/members?q=%C3%A9%20x';
      const res = await postAcs(t.app, slug, await idpResponse(t, { nameId: 'ana@acme.test' }), path);
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, path);
    });
  });
}
