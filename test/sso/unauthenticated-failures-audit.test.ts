// Issue 15, weakness 8 and "failed password attempts are not in the audit log": anyone could write
// `sso.login_failed` events with their own text into an organization's audit log, one per request.
// Failures of requests that proved nothing (a SAML response that did not verify, a wrong password)
// are now counted — one event per organization, reason, target and minute, its count going up —
// marked unauthenticated, keeping none of the request's text. Password sign-in, sign-out and
// failed attempts are audited in the organizations concerned only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import {
  ADMIN_PASSWORD,
  get,
  MEMBER_PASSWORD,
  post,
  scimMember,
  signIn,
  submitSignInForm,
} from '../helpers/dashboard.ts';
import { joinAnotherOrganization } from '../helpers/seed.ts';
import { auditEvents, configureSso, idpResponse, postAcs, testIdps } from '../helpers/sso.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const MARKER = 'ATTACKER-TEXT-';
const attackerText = (size: number) =>
  MARKER + 'x<script>"\u202e'.repeat(size / 14).slice(0, size - MARKER.length);

async function auditRows(t: TestApp, organizationId = t.org.organization.id) {
  return t.store.db
    .selectFrom('audit_events')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .execute();
}

for (const kind of STORE_KINDS) {
  describe(`unauthenticated failures in the audit log (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let slug: string;
    before(async () => {
      // 250 posts from one address: the SAML rate limit (test/http/saml-rate-limit.test.ts) would
      // refuse most of them before they reach the audit log, which is what this file measures.
      t = await setupApp(kind, 'acme', { SAML_RATE_LIMIT_PER_ADDRESS: '0', SAML_RATE_LIMIT_PER_ORG: '0' });
      slug = t.org.organization.slug;
      await configureSso(t);
    });
    after(() => t?.cleanup());

    it('writes a bounded number of bounded rows for 250 refused ACS posts carrying 10 KB of attacker text each', async () => {
      const { other } = await testIdps();
      const text = attackerText(10 * 1024);
      const hostile = [
        Buffer.from(`<samlp:Response>${text}`).toString('base64'),
        await idpResponse(t, { nameId: `${text}@acme.test`, sign: 'none' }),
        await idpResponse(t, { nameId: `${text}@acme.test`, signWith: other.keys }),
        await idpResponse(t, { nameId: `${text}@acme.test`, tamper: 'signature-value' }),
        `not base64 at all ${text}`,
      ];
      const before = await auditRows(t);
      const started = new Date();
      let refused = 0;
      // 50 of each shape: one row per reason a minute, where one per post wrote 250.
      for (let i = 0; i < 250; i++) {
        const res = await postAcs(t.app, slug, hostile[i % hostile.length] ?? '', text);
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, `post ${i}: ${res.statusCode}`);
        assert.match(String(res.headers['content-type']), /^text\/html/);
        if (res.statusCode === 400) refused++;
      }
      const minutes = Math.ceil((Date.now() - started.getTime()) / 60_000) + 1;
      const added = (await auditRows(t)).filter((row) => !before.some((b) => b.id === row.id));
      const reasons = new Set(added.map((row) => JSON.parse(row.after ?? '{}').reason));
      assert.ok(added.length <= reasons.size * minutes, `${added.length} rows for ${reasons.size} reasons`);
      assert.ok(added.length <= 4 * minutes);
      let counted = 0;
      for (const row of added) {
        const size = JSON.stringify(row).length;
        assert.ok(size < 1024, `a row of ${size} characters: ${JSON.stringify(row)}`);
        assert.doesNotMatch(JSON.stringify(row), new RegExp(MARKER), 'no attacker text is stored');
        assert.equal(row.action, 'sso.login_failed');
        assert.equal(row.actor_type, 'unauthenticated');
        assert.equal(row.actor_label, null);
        const after = JSON.parse(row.after ?? '{}');
        assert.equal(after.unauthenticated, true);
        counted += after.count;
      }
      assert.equal(counted, refused, 'every refusal is counted');

      // The audit page marks them and shows the counts.
      const admin = await signIn(t.app, 'admin@acme.test', ADMIN_PASSWORD);
      const page = await get(t.app, '/audit?action=sso.login_failed', admin);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Unauthenticated<\/span>\s*\d+ attempts in this minute/);
      assert.doesNotMatch(page.body, new RegExp(MARKER));
    });

    it('keeps an event of its own, bounded, for a verified response naming someone without access', async () => {
      const nameId = `${attackerText(2000)}@acme.test`.replace(/[^A-Za-z0-9@.-]/g, 'y');
      const res = await postAcs(t.app, slug, await idpResponse(t, { nameId }));
      assert.equal(res.statusCode, 403);
      const [event] = await auditEvents(t, 'sso.login_failed');
      assert.equal(event?.after?.reason, 'unknown_user');
      assert.equal(event?.actor_type, 'saml');
      assert.ok(JSON.stringify(event).length < 2048, 'an IdP-signed NameID is kept, but bounded');
    });

    it('audits password sign-in and sign-out in the organization signed in to', async () => {
      await scimMember(t, 'pat@acme.test');
      const session = await signIn(t.app, 'pat@acme.test', MEMBER_PASSWORD);
      const [login] = await auditEvents(t, 'password.login');
      assert.equal(login?.actor_type, 'password');
      assert.equal(login?.actor_label, 'pat@acme.test');
      assert.equal(login?.target_label, 'pat@acme.test');
      const out = await post(t.app, '/signout', session);
      assert.equal(out.statusCode, 303);
      const [signedOut] = await auditEvents(t, 'session.signed_out');
      assert.equal(signedOut?.actor_type, 'session');
      assert.equal(signedOut?.target_label, 'pat@acme.test');
      assert.deepEqual(signedOut?.after, { signInMethod: 'password' });
    });

    it('counts wrong passwords in each organization of the account, nowhere else, and nothing for an unknown email', async () => {
      const beta = await initOrganization(t.store, {
        name: 'Beta Org',
        slug: `beta-${kind}`,
        adminEmail: 'owner@beta.test',
        adminPassword: ADMIN_PASSWORD,
        actor: CLI_ACTOR,
      });
      const gamma = await initOrganization(t.store, {
        name: 'Gamma Org',
        slug: `gamma-${kind}`,
        adminEmail: 'owner@gamma.test',
        adminPassword: ADMIN_PASSWORD,
        actor: CLI_ACTOR,
      });
      const robin = await scimMember(t, 'robin@acme.test');
      const robinRow = await t.store.members.getById(t.org.organization.id, robin.id);
      assert.ok(robinRow);
      await joinAnotherOrganization(t.store, robinRow, beta.organization.id, { id: `m-${kind}-robin-beta` });
      const gammaBefore = (await auditRows(t, gamma.organization.id)).length;
      for (let i = 0; i < 3; i++) {
        const res = await submitSignInForm(t.app, 'robin@acme.test', `${attackerText(200)} ${i}`);
        assert.equal(res.statusCode, 401);
      }
      for (const organizationId of [t.org.organization.id, beta.organization.id]) {
        const rows = (await auditRows(t, organizationId)).filter(
          (row) => row.action === 'password.login_failed',
        );
        assert.equal(rows.length, 1, 'one counted event per organization');
        const [row] = rows;
        assert.equal(row?.actor_type, 'unauthenticated');
        assert.equal(row?.target_type, 'member');
        assert.equal(row?.target_label, 'robin@acme.test');
        assert.deepEqual(
          { ...JSON.parse(row?.after ?? '{}'), minute: undefined },
          { reason: 'wrong_password', unauthenticated: true, count: 3, minute: undefined },
        );
        assert.doesNotMatch(JSON.stringify(row), new RegExp(MARKER));
      }
      assert.equal((await auditRows(t, gamma.organization.id)).length, gammaBefore, 'nothing in Gamma');

      const everyRow = async () =>
        Number(
          (
            await t.store.db
              .selectFrom('audit_events')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const total = await everyRow();
      const unknown = await submitSignInForm(t.app, 'nobody@acme.test', 'whatever password');
      assert.equal(unknown.statusCode, 401);
      assert.equal(await everyRow(), total, 'an unknown email writes nothing anywhere');
    });
  });
}
