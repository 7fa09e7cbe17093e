// Login CSRF through SP-initiated SAML (issue 15, weakness 1): the attacker starts
// `/saml/<org>/login` in their own browser, gets their own valid response from the IdP, and a
// cross-site page auto-posts it into the victim's browser. That response answers an AuthnRequest
// Roster did send, so until now the ACS signed the victim's browser in as the attacker, replacing the
// victim's session. Now the AuthnRequest is tied to the browser that started it (the
// `roster_saml_login` cookie, its hash kept with the request): the ACS holds the sign-in, and
// `/saml/<org>/continue` completes it silently only in that browser; anywhere else it is as
// unsolicited as an IdP-initiated response (asked about, or refused when those are turned off).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { setSsoSwitch } from '../../src/accounts/sso-settings.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { hashToken } from '../../src/auth/token-format.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import {
  ADMIN_PASSWORD,
  type BrowserSession,
  get,
  scimMember,
  setCookie,
  signIn,
} from '../helpers/dashboard.ts';
import {
  auditEvents,
  configureSso,
  idpResponse,
  postAcs,
  sessionCount,
  startSpSignIn,
} from '../helpers/sso.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const ADMIN = 'admin@acme.test';
const ATTACKER = 'mallory@acme.test';

async function stillSignedInAsAdmin(app: FastifyInstance, session: BrowserSession) {
  const page = await get(app, '/members', session);
  assert.equal(page.statusCode, 200, 'the session still works');
  assert.match(page.body, /admin@acme\.test/);
}

async function pendingCount(t: TestApp): Promise<number> {
  const row = await t.store.db
    .selectFrom('saml_pending_sign_ins')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

for (const kind of STORE_KINDS) {
  describe(`SP-initiated SAML sign-in bound to its browser (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let slug: string;
    before(async () => {
      t = await setupApp(kind);
      slug = t.org.organization.slug;
      await configureSso(t);
      await scimMember(t, ATTACKER, { password: false });
    });
    after(() => t?.cleanup());

    const setIdpInitiatedAllowed = (allowed: boolean) =>
      setSsoSwitch(t.store, {
        organizationId: t.org.organization.id,
        name: 'idpInitiated',
        on: allowed,
        actor: CLI_ACTOR,
      });

    /** A response to a sign-in the attacker started in their own browser (their cookie, not the victim's). */
    async function attackersResponse() {
      const start = await startSpSignIn(t.app, slug, '/workspaces');
      return { start, response: await idpResponse(t, { nameId: ATTACKER, inResponseTo: start.requestId }) };
    }

    it('gives the browser that starts a sign-in an HttpOnly, SameSite=Lax, Secure cookie for /saml/, and keeps only its hash with the AuthnRequest', async () => {
      const res = await t.app.inject({ method: 'GET', url: `/saml/${slug}/login?next=%2Fworkspaces` });
      assert.equal(res.statusCode, 302, res.body);
      const cookie = res.cookies.find((c) => c.name === 'roster_saml_login');
      assert.ok(cookie);
      assert.match(cookie.value, /^[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(
        [cookie.httpOnly, cookie.sameSite, cookie.path, cookie.secure],
        [true, 'Lax', '/saml/', true],
      );
      assert.ok(cookie.maxAge && cookie.maxAge >= 15 * 60, 'it lasts as long as the AuthnRequest');
      const rows = await t.store.db
        .selectFrom('saml_requests')
        .selectAll()
        .where('browser_hash', '=', hashToken(cookie.value))
        .execute();
      assert.equal(rows.length, 1);
      assert.ok(
        !JSON.stringify(rows).includes(cookie.value),
        'the cookie value itself is stored nowhere in the request',
      );
      // A malformed cookie is replaced; a well-formed one is kept for the browser's next sign-in.
      const again = await startSpSignIn(t.app, slug, undefined, { loginCookie: 'x' });
      assert.notEqual(again.loginCookie, 'x');
      const reused = await startSpSignIn(t.app, slug, undefined, { loginCookie: cookie.value });
      assert.equal(reused.loginCookie, cookie.value);
    });

    it("does not replace a signed-in Admin's session when a cross-site page posts the attacker's SP-initiated response: it asks", async () => {
      const admin = await signIn(t.app, ADMIN, ADMIN_PASSWORD);
      // The victim's browser started a sign-in of its own earlier: a cookie, but not the attacker's.
      const victims = await startSpSignIn(t.app, slug);
      const { response } = await attackersResponse();
      const sessionsBefore = await sessionCount(t);
      const loginsBefore = (await auditEvents(t, 'sso.login')).length;
      for (const loginCookie of [undefined, victims.loginCookie]) {
        // The attacker's page posts cross-site (no Roster cookie), then the victim's browser
        // follows the redirect with its cookies. Each response works once, so a fresh one each.
        const res = await postAcs(
          t.app,
          slug,
          loginCookie === undefined ? response : (await attackersResponse()).response,
          undefined,
          { cookie: admin.cookie, loginCookie },
        );
        assert.equal(res.statusCode, 200, res.body);
        assert.match(String(res.headers['content-type']), /^text\/html/);
        assert.equal(setCookie(res, 'roster_session'), undefined, 'no session cookie is set');
        assert.match(res.body, /You are signed in as admin@acme\.test/);
        assert.match(res.body, /Continue as mallory@acme\.test/);
        assert.match(res.body, /name="choice" value="keep"/);
      }
      assert.equal(await sessionCount(t), sessionsBefore, 'no session was started or ended');
      assert.equal((await auditEvents(t, 'sso.login')).length, loginsBefore, 'nobody signed in');
      await stillSignedInAsAdmin(t.app, admin);
    });

    it('refuses the attacker’s SP-initiated response in the victim’s browser when IdP-initiated sign-in is off (not_this_browser)', async () => {
      const admin = await signIn(t.app, ADMIN, ADMIN_PASSWORD);
      await setIdpInitiatedAllowed(false);
      try {
        const { response } = await attackersResponse();
        const sessionsBefore = await sessionCount(t);
        const loginsBefore = (await auditEvents(t, 'sso.login')).length;
        const pendingBefore = await pendingCount(t);
        for (const cookie of [admin.cookie, undefined]) {
          // Signed in or not: a sign-in another browser started is not this browser's.
          const res = await postAcs(
            t.app,
            slug,
            cookie ? response : (await attackersResponse()).response,
            undefined,
            cookie ? { cookie } : {},
          );
          assert.equal(res.statusCode, 400, res.body);
          assert.match(String(res.headers['content-type']), /^text\/html/);
          assert.match(res.body, /started in another browser/);
          assert.match(res.body, /not_this_browser/);
          assert.equal(setCookie(res, 'roster_session'), undefined);
          const [failure] = await auditEvents(t, 'sso.login_failed');
          assert.equal(failure?.after?.reason, 'not_this_browser');
          assert.equal(failure?.after?.nameId, ATTACKER);
        }
        assert.equal(await sessionCount(t), sessionsBefore);
        assert.equal((await auditEvents(t, 'sso.login')).length, loginsBefore);
        assert.equal(await pendingCount(t), pendingBefore, 'the held sign-ins are dropped');
        await stillSignedInAsAdmin(t.app, admin);
      } finally {
        await setIdpInitiatedAllowed(true);
      }
    });

    // Regression: "started in this browser" replaced another person's session silently, but a
    // cross-site page can start the sign-in itself (a top-level GET of /saml/<org>/login, for an
    // organization whose IdP the attacker runs) and have that IdP answer with its own assertion.
    it('asks before replacing another person’s session even when this browser started the sign-in, and signs in silently where nobody else is', async () => {
      for (const idpInitiated of [true, false]) {
        await setIdpInitiatedAllowed(idpInitiated);
        const admin = await signIn(t.app, ADMIN, ADMIN_PASSWORD);
        // What a cross-site page's navigation to /saml/<org>/login does: a sign-in started here.
        const forced = await startSpSignIn(t.app, slug, '/workspaces');
        const sessionsBefore = await sessionCount(t);
        const loginsBefore = (await auditEvents(t, 'sso.login')).length;
        const asked = await postAcs(
          t.app,
          slug,
          await idpResponse(t, { nameId: ATTACKER, inResponseTo: forced.requestId }),
          forced.relayState,
          { cookie: admin.cookie, loginCookie: forced.loginCookie },
        );
        assert.equal(asked.statusCode, 200, asked.body);
        assert.equal(setCookie(asked, 'roster_session'), undefined, 'no session cookie is set');
        assert.match(asked.body, /You are signed in as admin@acme\.test/);
        assert.match(asked.body, /Continue as mallory@acme\.test/);
        assert.equal(await sessionCount(t), sessionsBefore, 'no session was started or ended');
        assert.equal((await auditEvents(t, 'sso.login')).length, loginsBefore, 'nobody signed in');
        await stillSignedInAsAdmin(t.app, admin);

        // The same browser without a session: it asked, so it is signed in at once.
        const own = await startSpSignIn(t.app, slug, '/workspaces', { loginCookie: forced.loginCookie });
        const res = await postAcs(
          t.app,
          slug,
          await idpResponse(t, { nameId: ATTACKER, inResponseTo: own.requestId }),
          own.relayState,
          { loginCookie: own.loginCookie },
        );
        assert.equal(res.statusCode, 303, res.body);
        assert.equal(res.headers.location, '/workspaces');
        const cookie = setCookie(res, 'roster_session');
        assert.ok(cookie);
        assert.equal((await t.store.sessions.findByHash(hashToken(cookie)))?.sign_in_method, 'sso');
        const [login] = await auditEvents(t, 'sso.login');
        assert.equal(login?.target_label, ATTACKER);
        assert.deepEqual(
          [login?.after?.flow, login?.after?.startedInThisBrowser, login?.after?.confirmedSwitch],
          ['sp_initiated', true, false],
        );
      }
      await setIdpInitiatedAllowed(true);
    });

    it('keeps several sign-ins started in one browser working, each to its own return path', async () => {
      const first = await startSpSignIn(t.app, slug, '/workspaces');
      const second = await startSpSignIn(t.app, slug, '/members', { loginCookie: first.loginCookie });
      assert.equal(second.loginCookie, first.loginCookie, 'one value per browser');
      await setIdpInitiatedAllowed(false);
      try {
        for (const [start, path] of [
          [second, '/members'],
          [first, '/workspaces'],
        ] as const) {
          const res = await postAcs(
            t.app,
            slug,
            await idpResponse(t, { nameId: ADMIN, inResponseTo: start.requestId }),
            start.relayState,
            { loginCookie: start.loginCookie },
          );
          assert.equal(res.statusCode, 303, res.body);
          assert.equal(res.headers.location, path);
          assert.ok(setCookie(res, 'roster_session'));
        }
      } finally {
        await setIdpInitiatedAllowed(true);
      }
    });

    it('treats a response to a sign-in started elsewhere as unsolicited: a browser without a session is signed in, as by an IdP tile', async () => {
      const { response } = await attackersResponse();
      const res = await postAcs(t.app, slug, response);
      assert.equal(res.statusCode, 303, res.body);
      assert.ok(setCookie(res, 'roster_session'));
      const [login] = await auditEvents(t, 'sso.login');
      assert.deepEqual([login?.after?.flow, login?.after?.startedInThisBrowser], ['sp_initiated', false]);
    });
  });
}
