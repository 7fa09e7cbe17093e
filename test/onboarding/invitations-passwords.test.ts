// Invitations and passwords through the dashboard's forms, with mail going out to a real SMTP
// server on 127.0.0.1, on both stores.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { createInstallationToken } from '../../src/accounts/installation-tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { verifyPassword } from '../../src/auth/password.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import {
  ADMIN_PASSWORD,
  formBody,
  get,
  hiddenCsrf,
  openSession,
  post,
  scimMember,
  setCookie,
  signIn,
} from '../helpers/dashboard.ts';
import { linkIn, startSmtpServer, type TestSmtpServer } from '../helpers/smtp.ts';
import { configureSso } from '../helpers/sso.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const NEW_PASSWORD = 'a brand new passphrase for roster';

for (const kind of STORE_KINDS) {
  describe(`invitations and passwords (${kind})`, { skip: skipReason(kind) }, () => {
    let smtp: TestSmtpServer;
    let t: TestApp;
    let product: string;
    before(async () => {
      smtp = await startSmtpServer();
    });
    after(() => smtp.close());
    beforeEach(async () => {
      t = await setupApp(kind, 'acme', { SMTP_URL: smtp.url, MAIL_FROM: 'Roster <roster@acme.test>' });
      product = (await createInstallationToken(t.store, { name: 'saas', actor: CLI_ACTOR })).token;
    });
    afterEach(() => t.cleanup());

    /** Loads a public form (its CSRF cookie and field), then posts it as a browser does. */
    async function submitPublicForm(url: string, fields: Record<string, string>, cookie = '') {
      const page = await t.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });
      assert.equal(page.statusCode, 200, page.body.slice(0, 300));
      const form = setCookie(page, 'roster_form') ?? /roster_form=([^;]+)/.exec(cookie)?.[1];
      return t.app.inject({
        method: 'POST',
        url,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: [`roster_form=${form}`, cookie].filter(Boolean).join('; '),
        },
        payload: formBody({ _csrf: hiddenCsrf(page.body), ...fields }),
      });
    }

    it('invites by email with a role and a workspace; the invitee sets a password once, and is signed in', async () => {
      const admin = await openSession(t, t.org.user.email);
      const sent = await post(t.app, '/invitations', admin, {
        email: 'newcomer@acme.test',
        role: 'member',
        workspaces: t.org.workspace.id,
      });
      assert.equal(sent.statusCode, 201, sent.body.slice(0, 500));
      const shown = /id="invitation-link" readonly value="([^"]+)"/.exec(sent.body)?.[1];
      assert.ok(shown, 'the link is shown to the Admin');
      const mail = await smtp.waitFor('newcomer@acme.test');
      assert.equal(mail.subject, 'You are invited to Acme Inc');
      assert.equal(mail.from, 'roster@acme.test');
      assert.equal(linkIn(mail), shown);
      const path = new URL(shown).pathname;

      const common = await submitPublicForm(path, { password: 'password1234', password2: 'password1234' });
      assert.equal(common.statusCode, 400);
      assert.match(common.body, /common passwords/);
      assert.equal(await t.store.users.findByEmail('newcomer@acme.test'), undefined);

      const accepted = await submitPublicForm(path, { password: NEW_PASSWORD, password2: NEW_PASSWORD });
      assert.equal(accepted.statusCode, 303, accepted.body.slice(0, 300));
      const cookie = setCookie(accepted, 'roster_session');
      assert.ok(cookie);
      assert.equal((await get(t.app, '/workspaces', { cookie, csrf: '' })).statusCode, 200);
      const user = await t.store.users.findByEmail('newcomer@acme.test');
      assert.ok(user?.password_hash && (await verifyPassword(NEW_PASSWORD, user.password_hash)));
      const member = await t.store.members.findByUserId(t.org.organization.id, user.id);
      assert.ok(member);
      assert.equal(member.role, 'member');
      assert.equal(member.source, 'invite');
      assert.deepEqual(await t.store.workspaceGrants.workspaceIdsOf(member.id), [t.org.workspace.id]);

      const again = await t.app.inject({ method: 'GET', url: path });
      assert.equal(again.statusCode, 404, 'the link works once');
      const actions = (await t.store.audit.search({ organizationId: t.org.organization.id, limit: 20 })).map(
        (e) => e.action,
      );
      for (const action of ['invitation.created', 'invitation.accepted', 'member.created']) {
        assert.ok(actions.includes(action), action);
      }
      // The product hears of the new member and their access as of any other (docs/events.md).
      const events = await get(t.app, '/api/v1/events', admin);
      assert.equal(events.statusCode, 200, events.body.slice(0, 300));
      const about = (events.json() as { data: { type: string; data: Record<string, unknown> }[] }).data
        .filter((e) => JSON.stringify(e.data).includes(member.id))
        .map((e) => e.type);
      assert.deepEqual(about, ['member.created', 'workspace_access.granted']);
    });

    it('sends the invitee to SSO, with no password, when the organization requires SSO for their domain', async () => {
      await configureSso(t, { ssoRequired: true });
      // The product invites, as it would a customer's first Admin.
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/organizations/${t.org.organization.id}/invitations`,
        headers: { authorization: `Bearer ${product}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ email: 'sso.person@acme.test', role: 'member' }),
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().delivery, 'sent');
      const path = new URL(res.json().url).pathname;
      const page = await t.app.inject({ method: 'GET', url: path });
      assert.match(page.body, /signs its people in with single sign-on/);
      assert.doesNotMatch(page.body, /Choose a password/);
      const accepted = await submitPublicForm(path, {});
      assert.equal(accepted.statusCode, 303);
      assert.equal(accepted.headers.location, '/saml/acme/login');
      assert.equal(setCookie(accepted, 'roster_session'), undefined, 'no session without SSO');
      const user = await t.store.users.findByEmail('sso.person@acme.test');
      assert.equal(user?.password_hash, null);
      assert.equal(
        (await t.store.members.findByUserId(t.org.organization.id, String(user?.id)))?.source,
        'invite',
      );
    });

    it('refuses an expired or revoked invitation, and a Member cannot invite', async () => {
      const admin = await openSession(t, t.org.user.email);
      const created = await post(t.app, '/invitations', admin, { email: 'late@acme.test', role: 'admin' });
      const path = new URL(linkIn(await smtp.waitFor('late@acme.test'))).pathname;
      assert.equal(created.statusCode, 201);
      await t.store.db.updateTable('invitations').set({ expires_at: '2000-01-01T00:00:00.000Z' }).execute();
      assert.equal((await t.app.inject({ method: 'GET', url: path })).statusCode, 404);

      await post(t.app, '/invitations', admin, { email: 'revoked@acme.test', role: 'member' });
      const revokedPath = new URL(linkIn(await smtp.waitFor('revoked@acme.test'))).pathname;
      const [pending] = (await t.store.invitations.list(t.org.organization.id)).filter(
        (i) => i.email === 'revoked@acme.test',
      );
      assert.ok(pending);
      assert.equal((await post(t.app, `/invitations/${pending.id}/revoke`, admin)).statusCode, 303);
      assert.equal((await t.app.inject({ method: 'GET', url: revokedPath })).statusCode, 404);

      const person = await scimMember(t, 'ann@acme.test');
      const member = await openSession(t, person.email);
      const before = (await t.store.invitations.list(t.org.organization.id)).length;
      assert.equal(
        (await post(t.app, '/invitations', member, { email: 'x@acme.test', role: 'admin' })).statusCode,
        403,
      );
      assert.equal((await t.store.invitations.list(t.org.organization.id)).length, before);
    });

    it('changes your own password: your other sessions end, this one stays', async () => {
      const other = await signIn(t.app, t.org.user.email, ADMIN_PASSWORD);
      const current = await signIn(t.app, t.org.user.email, ADMIN_PASSWORD);
      const wrong = await post(t.app, '/settings/account/password', current, {
        currentPassword: 'not it at all, no',
        newPassword: NEW_PASSWORD,
        newPassword2: NEW_PASSWORD,
      });
      assert.equal(wrong.statusCode, 400);
      const short = await post(t.app, '/settings/account/password', current, {
        currentPassword: ADMIN_PASSWORD,
        newPassword: 'short',
        newPassword2: 'short',
      });
      assert.equal(short.statusCode, 400);
      assert.equal((await get(t.app, '/members', other)).statusCode, 200, 'refusals end nothing');

      const changed = await post(t.app, '/settings/account/password', current, {
        currentPassword: ADMIN_PASSWORD,
        newPassword: NEW_PASSWORD,
        newPassword2: NEW_PASSWORD,
      });
      assert.equal(changed.statusCode, 303);
      assert.equal((await get(t.app, '/members', current)).statusCode, 200);
      assert.equal((await get(t.app, '/members', other)).statusCode, 303, 'the other session ended');
      await signIn(t.app, t.org.user.email, NEW_PASSWORD);
    });

    it('resets a forgotten password by an emailed link, once; every session ends', async () => {
      const session = await signIn(t.app, t.org.user.email, ADMIN_PASSWORD);
      const unknown = await submitPublicForm('/reset-password', { email: 'nobody@acme.test' });
      const asked = await submitPublicForm('/reset-password', { email: t.org.user.email });
      assert.equal(unknown.statusCode, 200);
      assert.equal(asked.statusCode, 200);
      assert.match(unknown.body, /If an account has this email address/);
      assert.match(asked.body, /If an account has this email address/);
      const mail = await smtp.waitFor(t.org.user.email);
      assert.equal(mail.subject, 'Reset your Roster password');
      assert.equal(smtp.messages.filter((m) => m.to.includes('nobody@acme.test')).length, 0);
      const path = new URL(linkIn(mail)).pathname;

      const reset = await submitPublicForm(path, { newPassword: NEW_PASSWORD, newPassword2: NEW_PASSWORD });
      assert.equal(reset.statusCode, 303);
      assert.equal(reset.headers.location, '/signin?reset=1');
      assert.equal((await get(t.app, '/members', session)).statusCode, 303, 'sessions ended');
      assert.equal((await t.app.inject({ method: 'GET', url: path })).statusCode, 404, 'used once');
      await signIn(t.app, t.org.user.email, NEW_PASSWORD);
    });

    it('lets an Admin send a member a reset link, shown and mailed', async () => {
      const person = await scimMember(t, 'bob@acme.test');
      const admin = await openSession(t, t.org.user.email);
      const res = await post(t.app, `/members/${person.id}/password-reset`, admin);
      assert.equal(res.statusCode, 201);
      const shown = /id="reset-link" readonly value="([^"]+)"/.exec(res.body)?.[1];
      assert.equal(linkIn(await smtp.waitFor('bob@acme.test')), shown);
      const member = await openSession(t, person.email);
      assert.equal((await post(t.app, `/members/${person.id}/password-reset`, member)).statusCode, 403);
    });
  });
}
