// SSO email domains verified by DNS (issue 15, weakness 6): the TXT record the API and the SSO page
// show, "Verify" through the resolver of DNS_SERVERS (a DNS server of the test's own on 127.0.0.1),
// a missing, wrong or unanswered record refused with nothing stored, an unverified domain routing
// nobody and creating nobody just in time, and a verified domain held by one organization only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { createToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import {
  ADMIN_PASSWORD,
  formBody,
  get,
  hiddenCsrf,
  openSession,
  post,
  setCookie,
} from '../helpers/dashboard.ts';
import { startTestDnsServer, type TestDnsServer } from '../helpers/dns-server.ts';
import { snapshot } from '../helpers/snapshot.ts';
import {
  auditEvents,
  configureSso,
  IDP_SSO_URL,
  idpResponse,
  postAcs,
  putSso,
  sessionCount,
  testIdps,
} from '../helpers/sso.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const JSON_TYPE = 'application/json; charset=utf-8';
const RECORD = /^roster-verification=[0-9a-f]{32}$/;

// Both stores side by side: each has its own app and DNS server, and an unanswered lookup waits for
// the resolver's timeout (two tries of 2.5 s).
describe('SSO email domain verification', { concurrency: true }, () => {
  for (const kind of STORE_KINDS) {
    describe(`SSO email domain verification (${kind})`, { skip: skipReason(kind), concurrency: 1 }, () => {
      let t: TestApp;
      let dns: TestDnsServer;
      before(async () => {
        dns = await startTestDnsServer();
        t = await setupApp(kind, 'acme', { DNS_SERVERS: dns.address });
        await configureSso(t, { domains: ['acme.test'], justInTimeProvisioning: true }, { verified: false });
      });
      after(async () => {
        await t?.cleanup();
        await dns?.close();
      });

      const verify = (domain: string, token = t.token) =>
        t.app.inject({
          method: 'POST',
          url: `/api/v1/sso/domains/${encodeURIComponent(domain)}/verify`,
          headers: { authorization: `Bearer ${token}` },
        });
      const claimOf = (domain: string, organizationId = t.org.organization.id) =>
        t.store.sso.getDomainClaim(organizationId, domain);
      const askSso = async (email: string) => {
        const form = await t.app.inject({ method: 'GET', url: '/signin' });
        return t.app.inject({
          method: 'POST',
          url: '/signin/sso',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            cookie: `roster_form=${setCookie(form, 'roster_form')}`,
          },
          payload: formBody({ _csrf: hiddenCsrf(form.body), email, next: '' }),
        });
      };
      const acmeRecord = async () => {
        const view = (
          await t.app.inject({
            method: 'GET',
            url: '/api/v1/sso',
            headers: { authorization: `Bearer ${t.token}` },
          })
        ).json();
        return view.domainVerification.find((d: { domain: string }) => d.domain === 'acme.test');
      };

      it('shows the TXT record to create for each domain, unverified, on the API and the SSO page', async () => {
        const record = await acmeRecord();
        assert.equal(record.verified, false);
        assert.equal(record.verifiedAt, null);
        assert.equal(record.record.name, '_roster-verification.acme.test');
        assert.equal(record.record.type, 'TXT');
        assert.match(record.record.value, RECORD);
        assert.equal(
          record.record.value,
          `roster-verification=${(await claimOf('acme.test'))?.verification_token}`,
        );

        const session = await openSession(t, t.org.user.email);
        const page = await get(t.app, '/settings/organization/sso', session);
        assert.equal(page.statusCode, 200);
        assert.match(page.body, /Not verified yet: acme\.test/);
        assert.ok(page.body.includes('value="_roster-verification.acme.test"'));
        assert.ok(page.body.includes(`value="${record.record.value}"`));
        assert.match(page.body, /<button type="submit">Verify acme\.test<\/button>/);
      });

      it('routes no "Continue with SSO" and creates nobody just in time while the domain is unverified', async () => {
        const routed = await askSso('pat@acme.test');
        assert.equal(routed.statusCode, 400);
        assert.match(routed.body, /Single sign-on is not set up for acme\.test/);

        const before = await snapshot(t.store);
        const failures = (await auditEvents(t, 'sso.login_failed')).length;
        const res = await postAcs(t.app, 'acme', await idpResponse(t, { nameId: 'newbie@acme.test' }));
        assert.equal(res.statusCode, 403, res.body.slice(0, 300));
        assert.match(String(res.headers['content-type']), /^text\/html/);
        assert.equal(setCookie(res, 'roster_session'), undefined);
        assert.equal(await t.store.users.findByEmail('newbie@acme.test'), undefined);
        assert.equal(
          await t.store.members.findByUserName(t.org.organization.id, 'newbie@acme.test'),
          undefined,
        );
        const [failure] = await auditEvents(t, 'sso.login_failed');
        assert.equal((await auditEvents(t, 'sso.login_failed')).length, failures + 1);
        assert.equal(failure?.after?.reason, 'unknown_user');
        assert.match(String(failure?.after?.detail), /acme\.test is not one/);
        // Nothing but the failure's audit event and the consumed assertion was written.
        const after = await snapshot(t.store);
        for (const table of ['users', 'memberships', 'member_emails', 'sessions', 'sso_domains']) {
          assert.deepEqual(after[table], before[table], `${table} unchanged`);
        }
      });

      it('refuses a missing, a wrong or an unanswered TXT record with a 409 that says so, and stores nothing', async () => {
        const before = await snapshot(t.store);
        const missing = await verify('acme.test');
        assert.equal(missing.statusCode, 409, missing.body);
        assert.equal(missing.headers['content-type'], JSON_TYPE);
        assert.match(
          missing.json().error.message,
          /acme\.test is not verified: no TXT record was found at _roster-verification\.acme\.test/,
        );

        dns.records.set('_roster-verification.acme.test', [
          ['roster-verification=0123456789abcdef0123456789abcdef'],
          ['v=spf1 -all'],
        ]);
        const wrong = await verify('ACME.test');
        assert.equal(wrong.statusCode, 409, wrong.body);
        assert.match(wrong.json().error.message, /does not carry this organization's value/);

        dns.records.delete('_roster-verification.acme.test');
        dns.silent.add('_roster-verification.acme.test');
        try {
          const unanswered = await verify('acme.test');
          assert.equal(unanswered.statusCode, 409, unanswered.body);
          assert.match(
            unanswered.json().error.message,
            /the DNS lookup of _roster-verification\.acme\.test failed \(ETIMEOUT\)/,
          );
        } finally {
          dns.silent.delete('_roster-verification.acme.test');
        }
        assert.ok(
          dns.queries.includes('_roster-verification.acme.test'),
          'the lookup went to the test DNS server',
        );

        const unknown = await verify('elsewhere.test');
        assert.equal(unknown.statusCode, 404, unknown.body);
        assert.deepEqual(await snapshot(t.store), before, 'nothing was written');
        assert.equal((await claimOf('acme.test'))?.verified_at, null);
      });

      it('verifies the domain from the SSO page once the record is there, audited; then the domain routes and allows just-in-time creation', async () => {
        const record = await acmeRecord();
        // Split into two strings, as DNS hosts do with long values: they are one value.
        dns.records.set('_roster-verification.acme.test', [
          ['google-site-verification=xyz'],
          [record.record.value.slice(0, 10), record.record.value.slice(10)],
        ]);
        const session = await openSession(t, t.org.user.email);
        const res = await post(t.app, '/settings/organization/sso/verify', session, { domain: 'acme.test' });
        assert.equal(res.statusCode, 303, res.body.slice(0, 300));
        assert.equal(res.headers.location, '/settings/organization/sso?verified=acme.test');
        const page = await get(t.app, String(res.headers.location), session);
        assert.match(page.body, /acme\.test is verified: it now leads to your identity provider/);
        assert.doesNotMatch(page.body, /Not verified yet/);

        const claim = await claimOf('acme.test');
        assert.ok(claim?.verified_at, 'the claim is verified');
        assert.equal(await t.store.sso.organizationIdForDomain('acme.test'), t.org.organization.id);
        const [event] = await auditEvents(t, 'sso.domain_verified');
        assert.equal(event?.target_label, 'acme.test');
        assert.equal(event?.actor_type, 'session');
        assert.equal((await verify('acme.test')).statusCode, 200, 'verifying again is harmless');

        const routed = await askSso('Pat@ACME.test');
        assert.equal(routed.statusCode, 200);
        assert.match(routed.body, /url=\/saml\/acme\/login/);
        const signedIn = await postAcs(t.app, 'acme', await idpResponse(t, { nameId: 'newbie@acme.test' }));
        assert.equal(signedIn.statusCode, 303, signedIn.body.slice(0, 300));
        const member = await t.store.members.findByUserName(t.org.organization.id, 'newbie@acme.test');
        assert.equal(member?.source, 'sso');
      });

      it('creates or links nobody just in time at a domain this organization has not verified, even one whose account exists', async () => {
        const other = await initOrganization(t.store, {
          name: 'Bystander',
          slug: `bystander-${kind}`,
          adminEmail: 'owner@bystander.test',
          adminPassword: ADMIN_PASSWORD,
          actor: CLI_ACTOR,
        });
        const sessions = await sessionCount(t);
        const res = await postAcs(t.app, 'acme', await idpResponse(t, { nameId: 'owner@bystander.test' }));
        assert.equal(res.statusCode, 403, res.body.slice(0, 300));
        assert.equal(await sessionCount(t), sessions);
        assert.deepEqual(
          (await t.store.members.listForUser(other.user.id)).map((m) => m.organization_id),
          [other.organization.id],
          'the person was not linked into Acme',
        );
      });

      it('lets one organization hold a verified domain: another is refused even with its own TXT record', async () => {
        const rival = await initOrganization(t.store, {
          name: 'Rival',
          slug: `rival-${kind}`,
          adminEmail: 'admin@rival.test',
          adminPassword: ADMIN_PASSWORD,
          actor: CLI_ACTOR,
        });
        const { token } = await createToken(t.store, {
          kind: 'service',
          organizationId: rival.organization.id,
          name: 'api',
          role: 'admin',
          actor: CLI_ACTOR,
        });
        const { idp } = await testIdps();
        // Rival claimed shared.test; Acme claims it too, publishes its record and verifies first.
        const rivalSaved = await putSso(
          t,
          { idpMetadataXml: idp.metadataXml(IDP_SSO_URL), domains: ['shared.test'] },
          token,
        );
        assert.equal(rivalSaved.statusCode, 200, rivalSaved.body);
        const acmeSaved = await putSso(t, { domains: ['acme.test', 'shared.test'] });
        assert.equal(acmeSaved.statusCode, 200, acmeSaved.body);
        const acmeValue = acmeSaved
          .json()
          .domainVerification.find((d: { domain: string }) => d.domain === 'shared.test').record.value;
        const rivalValue = rivalSaved.json().domainVerification[0].record.value;
        assert.notEqual(acmeValue, rivalValue, 'each claim has its own token');
        dns.records.set('_roster-verification.shared.test', [[acmeValue], [rivalValue]]);
        assert.equal((await verify('shared.test')).statusCode, 200);

        const before = await snapshot(t.store);
        const refused = await verify('shared.test', token);
        assert.equal(refused.statusCode, 409, refused.body);
        assert.match(refused.json().error.message, /shared\.test is verified by another organization/);
        assert.deepEqual(await snapshot(t.store), before, 'nothing was written');
        assert.equal((await claimOf('shared.test', rival.organization.id))?.verified_at, null);
        assert.equal(await t.store.sso.organizationIdForDomain('shared.test'), t.org.organization.id);

        // The database has the last word, also for two verifications racing on two instances.
        await assert.rejects(
          t.store.transaction((tx) =>
            tx.sso.markDomainVerified(rival.organization.id, 'shared.test', new Date().toISOString()),
          ),
          { name: 'UniqueViolationError' },
        );
        assert.equal((await claimOf('shared.test', rival.organization.id))?.verified_at, null);
      });
    });
  }
});
