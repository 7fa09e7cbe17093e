// Login CSRF through IdP-initiated SAML (issue 15, weakness 1): a cross-site page auto-posting the
// attacker's own valid, unused response to the ACS must not replace the session of the person
// whose browser it is. Roster holds such a sign-in server-side and asks "You are signed in as X.
// Continue as Y?"; only a same-origin POST with the current session's CSRF token answers. Same
// person or no session: signed in as before. And an organization can refuse IdP-initiated sign-in.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { setSsoSwitch } from '../../src/accounts/sso-settings.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { hashToken } from '../../src/auth/token-format.ts';
import { createApp } from '../../src/http/create-app.ts';
import type { Store } from '../../src/store/store.ts';
import { PUBLIC_URL, setupApp, type TestApp } from '../helpers/app.ts';
import {
  ADMIN_PASSWORD,
  type BrowserSession,
  formBody,
  get,
  MEMBER_PASSWORD,
  post,
  scimMember,
  setCookie,
  signIn,
} from '../helpers/dashboard.ts';
import {
  auditEvents,
  configureSso,
  idpResponse,
  postAcs,
  putSso,
  sessionCount,
  startSpSignIn,
} from '../helpers/sso.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

/** The hidden one-time value of the confirmation form. */
function pendingOf(page: LightMyRequestResponse): string {
  const match = /name="p" value="([^"]+)"/.exec(page.body);
  assert.ok(match?.[1], 'the confirmation page carries the pending sign-in');
  return match[1];
}

function csrfOf(page: LightMyRequestResponse): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(page.body);
  assert.ok(match?.[1], 'the confirmation page carries a CSRF token');
  return match[1];
}

/** Answers the confirmation as Roster's own page does (same origin). */
function answer(
  app: FastifyInstance,
  slug: string,
  session: BrowserSession,
  fields: Record<string, string>,
  origin = PUBLIC_URL,
) {
  return app.inject({
    method: 'POST',
    url: `/saml/${slug}/continue`,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: `roster_session=${session.cookie}`,
      origin,
    },
    payload: formBody(fields),
  });
}

async function stillSignedIn(app: FastifyInstance, session: BrowserSession, email: string) {
  const page = await get(app, '/members', session);
  assert.equal(page.statusCode, 200, 'the session still works');
  assert.match(page.body, new RegExp(email.replace('.', '\\.')));
}

for (const kind of STORE_KINDS) {
  describe(`IdP-initiated SAML sign-in and login CSRF (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let slug: string;
    let admin: BrowserSession;
    const adminEmail = 'admin@acme.test';
    before(async () => {
      t = await setupApp(kind);
      slug = t.org.organization.slug;
      await configureSso(t);
      await scimMember(t, 'mallory@acme.test', { password: false });
      admin = await signIn(t.app, adminEmail, ADMIN_PASSWORD);
    });
    after(() => t?.cleanup());

    /** Mallory's unused response posted cross-site, the redirect followed with the Admin's cookie. */
    const postIntoAdminsBrowser = async () =>
      postAcs(t.app, slug, await idpResponse(t, { nameId: 'mallory@acme.test' }), undefined, {
        cookie: admin.cookie,
      });

    it("does not replace a signed-in Admin's session with the attacker's, when a cross-site page posts the attacker's unused response", async () => {
      const sessionsBefore = await sessionCount(t);
      const loginsBefore = (await auditEvents(t, 'sso.login')).length;
      // The attacker's page auto-posts to the ACS: a cross-site POST carries no SameSite=Lax cookie;
      // the browser then follows the redirect with its cookie.
      const res = await postIntoAdminsBrowser();
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.equal(setCookie(res, 'roster_session'), undefined, 'no session cookie is set');
      assert.match(res.body, /You are signed in as admin@acme\.test/);
      assert.match(res.body, /Continue as mallory@acme\.test/);
      assert.match(res.body, /name="choice" value="keep"/);
      assert.match(res.body, /name="choice" value="continue"/);
      assert.equal(await sessionCount(t), sessionsBefore, 'no session was started');
      assert.equal((await auditEvents(t, 'sso.login')).length, loginsBefore, 'nobody signed in');
      await stillSignedIn(t.app, admin, adminEmail);
    });

    it('refuses an answer without the session, from another site, or without its CSRF token, changing nothing', async () => {
      const page = await postIntoAdminsBrowser();
      const p = pendingOf(page);
      const csrf = csrfOf(page);
      assert.equal(csrf, admin.csrf, 'the token is the current session’s');
      const sessionsBefore = await sessionCount(t);
      const attempts = [
        // A cross-site form: no cookie goes with it (SameSite=Lax), whatever it carries.
        () =>
          t.app.inject({
            method: 'POST',
            url: `/saml/${slug}/continue`,
            headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
            payload: formBody({ p, _csrf: csrf, choice: 'continue' }),
          }),
        () => answer(t.app, slug, admin, { p, _csrf: csrf, choice: 'continue' }, 'https://evil.example'),
        () => answer(t.app, slug, admin, { p, choice: 'continue' }),
        () => answer(t.app, slug, admin, { p, _csrf: 'x'.repeat(32), choice: 'continue' }),
      ];
      for (const attempt of attempts) {
        const res = await attempt();
        assert.equal(res.statusCode, 403, res.body);
        assert.match(String(res.headers['content-type']), /^text\/html/);
        assert.equal(setCookie(res, 'roster_session'), undefined);
      }
      assert.equal(await sessionCount(t), sessionsBefore);
      await stillSignedIn(t.app, admin, adminEmail);
      // Still pending: the person can answer it themselves.
      const kept = await answer(t.app, slug, admin, { p, _csrf: csrf, choice: 'keep' });
      assert.equal(kept.statusCode, 303);
    });

    it('keeps the current session when the person chooses to, and the pending sign-in is gone', async () => {
      const page = await postIntoAdminsBrowser();
      const p = pendingOf(page);
      const res = await answer(t.app, slug, admin, { p, _csrf: admin.csrf, choice: 'keep' });
      assert.equal(res.statusCode, 303, res.body);
      assert.equal(res.headers.location, '/members');
      assert.equal(setCookie(res, 'roster_session'), undefined);
      assert.equal(await t.store.sso.findPendingSignIn(hashToken(p), new Date().toISOString()), undefined);
      await stillSignedIn(t.app, admin, adminEmail);
      const again = await answer(t.app, slug, admin, { p, _csrf: admin.csrf, choice: 'continue' });
      assert.equal(again.statusCode, 400);
      assert.equal(setCookie(again, 'roster_session'), undefined);
    });

    it('switches when the person confirms: the old session ends, the new one starts, once', async () => {
      const victim = await signIn(t.app, adminEmail, ADMIN_PASSWORD);
      const response = await idpResponse(t, { nameId: 'mallory@acme.test' });
      const page = await postAcs(t.app, slug, response, '/workspaces', { cookie: victim.cookie });
      const p = pendingOf(page);
      const res = await answer(t.app, slug, victim, { p, _csrf: victim.csrf, choice: 'continue' });
      assert.equal(res.statusCode, 303, res.body);
      assert.equal(res.headers.location, '/workspaces');
      const cookie = setCookie(res, 'roster_session');
      assert.ok(cookie);
      const session = await t.store.sessions.findByHash(hashToken(cookie));
      assert.equal(session?.sign_in_method, 'sso');
      assert.equal((await get(t.app, '/members', victim)).statusCode, 303, 'the old session ended');
      const [login] = await auditEvents(t, 'sso.login');
      assert.equal(login?.target_label, 'mallory@acme.test');
      assert.equal(login?.after?.flow, 'idp_initiated');
      assert.equal(login?.after?.confirmedSwitch, true);
      // One-time: the same answer again does nothing; the assertion itself is used up.
      const sessionsBefore = await sessionCount(t);
      const again = await answer(
        t.app,
        slug,
        { cookie, csrf: '' },
        { p, _csrf: victim.csrf, choice: 'continue' },
      );
      assert.equal(again.statusCode, 403);
      const replay = await postAcs(t.app, slug, response);
      assert.equal(replay.statusCode, 400);
      assert.equal(setCookie(replay, 'roster_session'), undefined);
      assert.equal(await sessionCount(t), sessionsBefore);
    });

    it('lets only the session it was shown to answer it', async () => {
      const page = await postIntoAdminsBrowser();
      const p = pendingOf(page);
      const robin = await scimMember(t, 'robin@acme.test');
      const other = await signIn(t.app, robin.email, MEMBER_PASSWORD);
      const res = await answer(t.app, slug, other, { p, _csrf: other.csrf, choice: 'continue' });
      assert.equal(res.statusCode, 400);
      assert.equal(setCookie(res, 'roster_session'), undefined);
      await stillSignedIn(t.app, admin, adminEmail);
    });

    it('signs in at once when the browser has no session, or a session of the same person', async () => {
      const fresh = await postAcs(t.app, slug, await idpResponse(t, { nameId: 'mallory@acme.test' }));
      assert.equal(fresh.statusCode, 303, fresh.body);
      assert.equal(fresh.headers.location, '/settings/account/tokens');
      assert.ok(setCookie(fresh, 'roster_session'));

      const same = await postAcs(t.app, slug, await idpResponse(t, { nameId: adminEmail }), '/workspaces', {
        cookie: admin.cookie,
      });
      assert.equal(same.statusCode, 303, same.body);
      assert.equal(same.headers.location, '/workspaces');
      assert.ok(setCookie(same, 'roster_session'));
    });

    it('refuses an unknown, malformed or expired pending sign-in with the refusal page', async () => {
      for (const p of ['', 'x', 'A'.repeat(43), '../../etc']) {
        const res = await get(t.app, `/saml/${slug}/continue?p=${encodeURIComponent(p)}`, admin);
        assert.equal(res.statusCode, 400, p);
        assert.match(res.body, /expired or was already used/);
        assert.equal(setCookie(res, 'roster_session'), undefined);
      }
      const acs = await postAcs(
        t.app,
        slug,
        await idpResponse(t, { nameId: 'mallory@acme.test' }),
        undefined,
        {
          follow: false,
        },
      );
      const location = String(acs.headers.location);
      const p = new URL(location, PUBLIC_URL).searchParams.get('p') ?? '';
      await t.store.db
        .updateTable('saml_pending_sign_ins')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('id_hash', '=', hashToken(p))
        .execute();
      const expired = await get(t.app, location);
      assert.equal(expired.statusCode, 400);
      assert.equal(setCookie(expired, 'roster_session'), undefined);
    });

    it('completes on one instance a sign-in held by another (the pending sign-in is in the database)', async () => {
      const secondStore: Store = t.database.open();
      const second = createApp(t.config, secondStore, { logger: false });
      try {
        const acs = await postAcs(
          t.app,
          slug,
          await idpResponse(t, { nameId: 'mallory@acme.test' }),
          undefined,
          {
            follow: false,
          },
        );
        const page = await second.inject({
          method: 'GET',
          url: String(acs.headers.location),
          headers: { cookie: `roster_session=${admin.cookie}` },
        });
        assert.equal(page.statusCode, 200);
        const res = await answer(second, slug, admin, {
          p: pendingOf(page),
          _csrf: admin.csrf,
          choice: 'keep',
        });
        assert.equal(res.statusCode, 303);
      } finally {
        await second.close();
        await secondStore.close();
      }
    });

    it('refuses IdP-initiated responses when the organization turns them off, and SP-initiated still works', async () => {
      const off = await putSso(t, { idpInitiated: false });
      assert.equal(off.statusCode, 200, off.body);
      assert.equal(off.json().idpInitiated, false);
      const sessionsBefore = await sessionCount(t);
      const res = await postAcs(t.app, slug, await idpResponse(t, { nameId: 'mallory@acme.test' }));
      assert.equal(res.statusCode, 400);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.match(res.body, /accepts only sign-ins started at Roster/);
      assert.match(res.body, /idp_initiated_off/);
      assert.equal(setCookie(res, 'roster_session'), undefined);
      assert.equal(await sessionCount(t), sessionsBefore);
      const [failure] = await auditEvents(t, 'sso.login_failed');
      assert.equal(failure?.after?.reason, 'idp_initiated_off');

      const start = await startSpSignIn(t.app, slug, '/workspaces');
      const sp = await postAcs(
        t.app,
        slug,
        await idpResponse(t, { nameId: 'mallory@acme.test', inResponseTo: start.requestId }),
        start.relayState,
        { loginCookie: start.loginCookie },
      );
      assert.equal(sp.statusCode, 303, sp.body);
      assert.ok(setCookie(sp, 'roster_session'));

      // The dashboard's form and the CLI's switch turn it back on and off, audited.
      const form = await get(t.app, '/settings/organization/sso', admin);
      assert.match(form.body, /name="idpInitiated" value="off" checked/);
      await setSsoSwitch(t.store, {
        organizationId: t.org.organization.id,
        name: 'idpInitiated',
        on: true,
        actor: CLI_ACTOR,
      });
      assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.idp_initiated, 1);
      const [updated] = await auditEvents(t, 'sso.settings_updated');
      assert.deepEqual(updated?.after, { idpInitiated: true });
      const saved = await post(t.app, '/settings/organization/sso', admin, {
        idpEntityId: 'https://idp.example/okta/exk1',
        idpSsoUrl: 'https://idp.example/app/roster/sso/saml',
        idpCertificate: '',
        domains: 'acme.test',
        provisioning: 'existing',
        idpInitiated: 'off',
      });
      assert.equal(saved.statusCode, 303, saved.body);
      assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.idp_initiated, 0);
      await setSsoSwitch(t.store, {
        organizationId: t.org.organization.id,
        name: 'idpInitiated',
        on: true,
        actor: CLI_ACTOR,
      });
    });
  });
}
