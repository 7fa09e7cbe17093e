// Sign-in, sign-out, sessions and the organization chooser.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { hashToken } from '../../src/auth/token-format.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import {
  ADMIN_PASSWORD,
  get,
  hiddenCsrf,
  MEMBER_PASSWORD,
  post,
  scimMember,
  setCookie,
  signIn,
  submitSignInForm,
} from '../helpers/dashboard.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const DEACTIVATE = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'replace', value: { active: false } }],
};

for (const kind of STORE_KINDS) {
  describe(`sign-in and sessions (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await setupApp(kind);
    });
    afterEach(() => t.cleanup());

    const attempt = (email: string, password: string) => submitSignInForm(t.app, email, password);

    it('signs an Admin in with a server-side session and lands on Members', async () => {
      const res = await attempt(t.org.user.email, ADMIN_PASSWORD);
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/members');
      const cookie = res.cookies.find((c) => c.name === 'roster_session');
      assert.ok(cookie);
      assert.deepEqual(
        [cookie.httpOnly, cookie.sameSite, cookie.path, cookie.secure],
        [true, 'Lax', '/', true],
      );
      const stored = await t.store.sessions.findByHash(hashToken(cookie.value));
      assert.equal(stored?.membership_id, t.org.membership.id);
      const page = await get(t.app, '/members', { cookie: cookie.value, csrf: '' });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Acme Inc/);
      assert.match(page.body, new RegExp(t.org.user.email.replace('.', '\\.')));
    });

    it('answers a wrong password and an unknown email alike, and starts no session', async () => {
      const wrong = await attempt(t.org.user.email, 'not the password at all');
      const unknown = await attempt('nobody@nowhere.test', 'not the password at all');
      for (const res of [wrong, unknown]) {
        assert.equal(res.statusCode, 401);
        assert.match(res.body, /Incorrect email or password\./);
        assert.equal(setCookie(res, 'roster_session'), undefined);
      }
      assert.equal(await t.store.db.selectFrom('sessions').select('id_hash').executeTakeFirst(), undefined);
    });

    it('refuses a deactivated member with a clear message', async () => {
      const dana = await scimMember(t, 'dana@acme.test');
      assert.equal((await t.scim('PATCH', `Users/${dana.id}`, DEACTIVATE)).statusCode, 200);
      const res = await attempt(dana.email, MEMBER_PASSWORD);
      assert.equal(res.statusCode, 403);
      assert.match(res.body, /Your access to Acme Inc has been deactivated/);
      assert.equal(setCookie(res, 'roster_session'), undefined);
    });

    it('rate-limits failed attempts per email and address, then answers 429 even to the right password', async () => {
      for (let i = 0; i < 10; i++) {
        assert.equal((await attempt(t.org.user.email, `wrong password ${i}`)).statusCode, 401);
      }
      const limited = await attempt(t.org.user.email, ADMIN_PASSWORD);
      assert.equal(limited.statusCode, 429);
      assert.ok(Number(limited.headers['retry-after']) > 0);
      assert.match(limited.body, /Too many failed sign-in attempts/);
      assert.equal(setCookie(limited, 'roster_session'), undefined);
    });

    it('signs out by deleting the session: the old cookie no longer works', async () => {
      const session = await signIn(t.app, t.org.user.email, ADMIN_PASSWORD);
      const res = await post(t.app, '/signout', session);
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/signin?signed_out=1');
      assert.equal(await t.store.sessions.findByHash(hashToken(session.cookie)), undefined);
      const after = await get(t.app, '/members', session);
      assert.equal(after.statusCode, 303);
      assert.equal(after.headers.location, '/signin?next=%2Fmembers');
    });

    it("ends a member's session when the identity provider deactivates them", async () => {
      const dana = await scimMember(t, 'dana@acme.test');
      const session = await signIn(t.app, dana.email, MEMBER_PASSWORD);
      assert.equal((await get(t.app, '/settings/account/tokens', session)).statusCode, 200);
      assert.equal((await t.scim('PATCH', `Users/${dana.id}`, DEACTIVATE)).statusCode, 200);
      const res = await get(t.app, '/settings/account/tokens', session);
      assert.equal(res.statusCode, 303);
      assert.match(String(res.headers.location), /^\/signin/);
    });

    it('sends a Member to their tokens, and only follows a same-site next', async () => {
      const dana = await scimMember(t, 'dana@acme.test');
      const res = await attempt(dana.email, MEMBER_PASSWORD);
      assert.equal(res.headers.location, '/settings/account/tokens');
      const form = await t.app.inject({ method: 'GET', url: '/signin?next=//evil.example/x' });
      assert.match(form.body, /name="next" value=""/);
      const local = await t.app.inject({ method: 'GET', url: '/signin?next=/audit' });
      assert.match(local.body, /name="next" value="\/audit"/);
    });

    it('offers the organization chooser to someone in several organizations, and switches', async () => {
      const other = await initOrganization(t.store, {
        name: 'Zeta Labs',
        slug: 'zeta',
        adminEmail: t.org.user.email,
        adminPassword: ADMIN_PASSWORD,
        actor: CLI_ACTOR,
      });
      const res = await attempt(t.org.user.email, ADMIN_PASSWORD);
      assert.equal(res.headers.location, '/organizations');
      const session = { cookie: setCookie(res, 'roster_session') ?? '', csrf: '' };
      const chooser = await get(t.app, '/organizations', session);
      assert.equal(chooser.statusCode, 200);
      assert.match(chooser.body, /Acme Inc \(current\)/);
      assert.match(chooser.body, /Zeta Labs/);
      session.csrf = hiddenCsrf(chooser.body);
      const switched = await post(t.app, '/organizations/switch', session, {
        organizationId: other.organization.id,
      });
      assert.equal(switched.statusCode, 303);
      const next = { cookie: setCookie(switched, 'roster_session') ?? '', csrf: '' };
      assert.equal(
        await t.store.sessions.findByHash(hashToken(session.cookie)),
        undefined,
        'the old session ended',
      );
      const page = await get(t.app, '/members', next);
      assert.match(page.body, /Zeta Labs/);
      assert.match(page.body, /Switch organization/);
    });

    it('refuses to switch into an organization the person does not belong to', async () => {
      const session = await signIn(t.app, t.org.user.email, ADMIN_PASSWORD);
      const stranger = await initOrganization(t.store, {
        name: 'Elsewhere',
        slug: 'elsewhere',
        adminEmail: 'boss@elsewhere.test',
        adminPassword: ADMIN_PASSWORD,
        actor: CLI_ACTOR,
      });
      const res = await post(t.app, '/organizations/switch', session, {
        organizationId: stranger.organization.id,
      });
      assert.equal(res.statusCode, 403);
      assert.ok(await t.store.sessions.findByHash(hashToken(session.cookie)), 'the session is untouched');
    });
  });
}
