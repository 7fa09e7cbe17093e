// Issue 15, weakness 7: turning "SSO required" on left the organization's password sessions alive
// for up to 12 hours. Now it ends them at once (audited), from the API, the dashboard's form or the
// CLI's switch; SSO sessions stay. A person in several organizations keeps their password session
// of another organization (not this organization's to end), and that session cannot reach this one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { setSsoSwitch } from '../../src/accounts/sso-settings.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { hashToken } from '../../src/auth/token-format.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import {
  ADMIN_PASSWORD,
  type BrowserSession,
  get,
  MEMBER_PASSWORD,
  metaCsrf,
  post,
  scimMember,
  setCookie,
  signIn,
} from '../helpers/dashboard.ts';
import { joinAnotherOrganization } from '../helpers/seed.ts';
import { auditEvents, configureSso, idpResponse, postAcs, putSso } from '../helpers/sso.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

for (const kind of STORE_KINDS) {
  describe(`"SSO required" ends password sessions (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let betaId: string;
    before(async () => {
      t = await setupApp(kind);
      await configureSso(t);
      const beta = await initOrganization(t.store, {
        name: 'Beta Org',
        slug: `beta-${kind}`,
        adminEmail: 'owner@beta.test',
        adminPassword: ADMIN_PASSWORD,
        actor: CLI_ACTOR,
      });
      betaId = beta.organization.id;
      // Pat belongs to Acme and to Beta.
      const pat = await scimMember(t, 'pat@acme.test');
      const patRow = await t.store.members.getById(t.org.organization.id, pat.id);
      assert.ok(patRow);
      await joinAnotherOrganization(t.store, patRow, betaId, { id: `m-${kind}-pat-beta` });
      await scimMember(t, 'ana@acme.test', { password: false });
    });
    after(() => t?.cleanup());

    const works = async (session: BrowserSession) =>
      (await get(t.app, '/settings/account/tokens', session)).statusCode === 200;

    async function patInBeta(): Promise<BrowserSession> {
      const inAcme = await signIn(t.app, 'pat@acme.test', MEMBER_PASSWORD);
      const switched = await post(t.app, '/organizations/switch', inAcme, { organizationId: betaId });
      assert.equal(switched.statusCode, 303, switched.body);
      const cookie = String(setCookie(switched, 'roster_session'));
      const page = await get(t.app, '/settings/account/tokens', { cookie, csrf: '' });
      return { cookie, csrf: metaCsrf(page.body) };
    }

    async function passwordSessionsOfAcme(): Promise<number> {
      const rows = await t.store.db
        .selectFrom('sessions')
        .select('id_hash')
        .where('organization_id', '=', t.org.organization.id)
        .where('sign_in_method', '=', 'password')
        .execute();
      return rows.length;
    }

    it('ends every password session of the organization when an Admin turns it on; SSO sessions and other organizations stay', async () => {
      const admin = await signIn(t.app, 'admin@acme.test', ADMIN_PASSWORD);
      const pat = await signIn(t.app, 'pat@acme.test', MEMBER_PASSWORD);
      const patBeta = await patInBeta();
      const sso = await postAcs(
        t.app,
        t.org.organization.slug,
        await idpResponse(t, { nameId: 'ana@acme.test' }),
      );
      const ana = { cookie: String(setCookie(sso, 'roster_session')), csrf: '' };
      assert.equal((await t.store.sessions.findByHash(hashToken(ana.cookie)))?.sign_in_method, 'sso');
      for (const session of [admin, pat, patBeta, ana]) assert.ok(await works(session));
      const ended = await passwordSessionsOfAcme();
      assert.ok(ended >= 2);

      const res = await putSso(t, { ssoRequired: true });
      assert.equal(res.statusCode, 200, res.body);

      assert.equal(await passwordSessionsOfAcme(), 0);
      for (const session of [admin, pat]) {
        const page = await get(t.app, '/settings/account/tokens', session);
        assert.equal(page.statusCode, 303, 'the password session ended');
        assert.match(String(page.headers.location), /^\/signin/);
      }
      assert.ok(await works(ana), 'the SSO session stays');
      assert.ok(await works(patBeta), "Pat's password session in Beta stays");
      const intoAcme = await post(t.app, '/organizations/switch', patBeta, {
        organizationId: t.org.organization.id,
      });
      assert.equal(intoAcme.statusCode, 403, 'and cannot reach Acme');
      assert.equal(setCookie(intoAcme, 'roster_session'), undefined);

      const [event] = await auditEvents(t, 'session.password_sessions_ended');
      assert.deepEqual(event?.after, { reason: 'sso_required', sessionsEnded: ended });
      assert.equal(event?.actor_type, 'service_token');

      // Saving again with it already on ends nothing more and writes no second event.
      assert.equal((await putSso(t, { ssoRequired: true })).statusCode, 200);
      assert.equal((await auditEvents(t, 'session.password_sessions_ended')).length, 1);
    });

    it("ends them too when the operator's switch turns it on", async () => {
      await setSsoSwitch(t.store, {
        organizationId: t.org.organization.id,
        name: 'ssoRequired',
        on: false,
        actor: CLI_ACTOR,
      });
      const admin = await signIn(t.app, 'admin@acme.test', ADMIN_PASSWORD);
      assert.equal(await passwordSessionsOfAcme(), 1);
      await setSsoSwitch(t.store, {
        organizationId: t.org.organization.id,
        name: 'ssoRequired',
        on: true,
        actor: CLI_ACTOR,
      });
      assert.equal(await passwordSessionsOfAcme(), 0);
      assert.equal((await get(t.app, '/members', admin)).statusCode, 303);
      const [event] = await auditEvents(t, 'session.password_sessions_ended');
      assert.equal(event?.actor_type, 'cli');
      assert.deepEqual(event?.after, { reason: 'sso_required', sessionsEnded: 1 });
      await setSsoSwitch(t.store, {
        organizationId: t.org.organization.id,
        name: 'ssoRequired',
        on: false,
        actor: CLI_ACTOR,
      });
    });
  });
}
