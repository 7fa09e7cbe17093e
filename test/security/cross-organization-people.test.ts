// A person belongs to several organizations through one Roster account, linked by email (issue
// 15, weakness 6). Organization A (Acme, with SSO) provisions pat@globex.test, who has been an
// Admin of organization B (Globex) for longer. A must learn nothing about B from it: its SSO
// session as Pat lists and reaches Acme only; its SCIM responses and audit log read the same as
// for a brand-new person; and Pat's own password sign-in does not land in Acme, which Pat never
// chose. On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type InitializedOrganization, initOrganization } from '../../src/accounts/organizations.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { hashToken } from '../../src/auth/token-format.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import {
  type BrowserSession,
  get,
  metaCsrf,
  post,
  setCookie,
  submitSignInForm,
} from '../helpers/dashboard.ts';
import { configureSso, idpResponse, postAcs } from '../helpers/sso.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const PAT = 'pat@globex.test';
const PAT_PASSWORD = 'pat has a password of her own';

/** A SCIM User body as Okta sends it. */
function oktaUser(email: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: email,
    name: { givenName: 'Given', familyName: 'Family' },
    emails: [{ primary: true, value: email, type: 'work' }],
    displayName: 'Given Family',
    active: true,
  };
}

/** A document with ids, times, versions and the person's own names replaced by placeholders. */
function normalized(value: unknown, names: readonly string[]): unknown {
  let text = JSON.stringify(value);
  for (const [index, name] of names.entries()) text = text.split(name).join(`<person${index}>`);
  return JSON.parse(
    text
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<time>')
      .replace(/"seq":\d+/g, '"seq":"<seq>"'),
  );
}

for (const kind of STORE_KINDS) {
  describe(`one person in two organizations (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let globex: InitializedOrganization;
    before(async () => {
      t = await setupApp(kind);
      // Pat has been an Admin of Globex since before Acme provisions her.
      globex = await initOrganization(t.store, {
        name: 'Globex Secret Corp',
        slug: 'globex-secret',
        adminEmail: PAT,
        adminPassword: PAT_PASSWORD,
        actor: CLI_ACTOR,
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
      await configureSso(t);
    });
    after(() => t?.cleanup());

    it('answers a SCIM POST of an email that has an account elsewhere exactly as for a brand-new person, in the response and the audit log', async () => {
      const linked = await t.scim('POST', 'Users', oktaUser(PAT));
      const fresh = await t.scim('POST', 'Users', oktaUser('newcomer@acme.test'));
      assert.equal(linked.statusCode, 201, linked.body);
      assert.equal(fresh.statusCode, 201, fresh.body);
      assert.equal(linked.headers['content-type'], fresh.headers['content-type']);
      assert.deepEqual(Object.keys(linked.headers).sort(), Object.keys(fresh.headers).sort());
      assert.deepEqual(
        normalized(linked.json(), [PAT]),
        normalized(fresh.json(), ['newcomer@acme.test']),
        'the two responses differ only in ids, times and the email',
      );
      // Pat's account really was linked, not duplicated: the test is about a link.
      const patMember = await t.store.members.getById(t.org.organization.id, linked.json().id);
      assert.equal(patMember?.user_id, globex.user.id);

      const events = async (memberId: string) =>
        (await t.store.audit.search({ organizationId: t.org.organization.id, limit: 100 }))
          .filter((e) => e.target_id === memberId)
          .map(({ action, actor_type, actor_label, target_type, before, after }) => ({
            action,
            actor_type,
            actor_label,
            target_type,
            before,
            after,
          }));
      const linkedEvents = await events(linked.json().id);
      assert.equal(linkedEvents.length, 1);
      assert.equal(linkedEvents[0]?.action, 'member.created');
      assert.doesNotMatch(JSON.stringify(linkedEvents), new RegExp(globex.user.id));
      assert.deepEqual(
        normalized(linkedEvents, [PAT]),
        normalized(await events(fresh.json().id), ['newcomer@acme.test']),
      );

      // Acme's member views show Acme's record of Pat, nothing of Globex's.
      const apiView = await t.app.inject({
        method: 'GET',
        url: `/api/v1/members/${linked.json().id}`,
        headers: { authorization: `Bearer ${t.token}` },
      });
      assert.equal(apiView.statusCode, 200);
      assert.doesNotMatch(apiView.body, new RegExp(`Globex|globex-secret|${globex.user.id}`));
    });

    async function ssoSessionAsPat(): Promise<BrowserSession> {
      const res = await postAcs(t.app, 'acme', await idpResponse(t, { nameId: PAT }));
      assert.equal(res.statusCode, 303, res.body.slice(0, 300));
      const cookie = setCookie(res, 'roster_session');
      assert.ok(cookie);
      const page = await get(t.app, '/', { cookie, csrf: '' });
      const home =
        page.statusCode === 200
          ? page
          : await get(t.app, String(page.headers.location), { cookie, csrf: '' });
      return { cookie, csrf: metaCsrf(home.body) };
    }

    it("keeps a session opened by Acme's SSO to Acme: it neither lists nor reaches Globex", async () => {
      const session = await ssoSessionAsPat();
      const stored = await t.store.sessions.findByHash(hashToken(session.cookie));
      assert.equal(stored?.sign_in_method, 'sso');
      assert.equal(stored?.organization_id, t.org.organization.id);

      const chooser = await get(t.app, '/organizations', session);
      assert.equal(chooser.statusCode, 200);
      assert.match(String(chooser.headers['content-type']), /^text\/html/);
      assert.match(chooser.body, /Acme Inc/);
      assert.doesNotMatch(chooser.body, /Globex|globex-secret/);
      assert.ok(!chooser.body.includes(globex.organization.id), "Globex's id is not on the page");
      assert.match(chooser.body, /vouches for you there only/);

      for (const path of ['/members', '/organizations']) {
        const page = await get(t.app, path, session);
        assert.doesNotMatch(
          page.body,
          /href="\/organizations">Switch organization/,
          `${path}: no switch link`,
        );
      }

      const switched = await post(t.app, '/organizations/switch', session, {
        organizationId: globex.organization.id,
      });
      assert.equal(switched.statusCode, 403);
      assert.equal(setCookie(switched, 'roster_session'), undefined);
      assert.doesNotMatch(switched.body, /Globex/);
      const stillStored = await t.store.sessions.findByHash(stored?.id_hash ?? '');
      assert.equal(stillStored?.organization_id, t.org.organization.id, 'the session is unchanged');

      const me = await t.app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { cookie: `roster_session=${session.cookie}` },
      });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().organization.slug, 'acme');
      assert.doesNotMatch(
        me.body,
        new RegExp(`Globex|globex-secret|${globex.organization.id}|${globex.user.id}`),
      );
    });

    it('lands her own password sign-in in the organization she joined first, not the one that provisioned her later', async () => {
      const res = await submitSignInForm(t.app, PAT, PAT_PASSWORD);
      assert.equal(res.statusCode, 303, res.body.slice(0, 300));
      assert.equal(res.headers.location, '/organizations');
      const cookie = setCookie(res, 'roster_session');
      assert.ok(cookie);
      const me = await t.app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { cookie: `roster_session=${cookie}` },
      });
      assert.equal(me.json().organization.slug, 'globex-secret', 'the session starts in Globex');
      // Her password session lists both of her organizations, and may switch.
      const chooser = await get(t.app, '/organizations', { cookie, csrf: '' });
      assert.match(chooser.body, /Acme Inc/);
      assert.match(chooser.body, /Globex Secret Corp/);
    });
  });
}
