// SAML SSO sign-in through the HTTP surface: SP-initiated and IdP-initiated sign-in, every way a
// response is refused (with its status, its typed audit reason and no session), replay, open
// redirects, deactivation, just-in-time provisioning and "SSO required".
import assert from 'node:assert/strict';
import { createVerify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { setSsoSwitch } from '../../src/accounts/sso-settings.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import type { ResponseOptions } from '../../src/auth/saml/test-idp/test-idp.ts';
import { hashToken } from '../../src/auth/token-format.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import {
  ADMIN_PASSWORD,
  formBody,
  get,
  hiddenCsrf,
  MEMBER_PASSWORD,
  metaCsrf,
  post,
  scimMember,
  setCookie,
  submitSignInForm,
} from '../helpers/dashboard.ts';
import { joinAnotherOrganization } from '../helpers/seed.ts';
import {
  auditEvents,
  configureSso,
  IDP_ENTITY_ID,
  idpResponse,
  postAcs,
  putSso,
  sessionCount,
  spOf,
  startSpSignIn,
  testIdps,
} from '../helpers/sso.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const PATCH = (active: boolean) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'replace', value: { active } }],
});

for (const kind of STORE_KINDS) {
  describe(`SAML SSO sign-in (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let slug: string;
    before(async () => {
      t = await setupApp(kind);
      slug = t.org.organization.slug;
      await configureSso(t);
    });
    after(() => t?.cleanup());

    const signInPasswordForm = (email: string, password: string) => submitSignInForm(t.app, email, password);

    /**
     * Posts a response and asserts a refusal: status, audit reason, no new session. A response
     * that did not verify is counted (one event per reason and minute, marked unauthenticated,
     * keeping nothing it said); a verified one naming someone without access has its own event.
     */
    async function assertRefused(
      samlResponse: string,
      expected: { status: number; reason: string; message?: RegExp },
      relayState?: string,
    ) {
      const authenticated = ['unknown_user', 'deactivated', 'idp_initiated_off'].includes(expected.reason);
      const counted = async () =>
        (await auditEvents(t, 'sso.login_failed'))
          .filter((event) => event.after?.reason === expected.reason)
          .reduce((sum, event) => sum + Number(event.after?.count ?? 1), 0);
      const sessionsBefore = await sessionCount(t);
      const failuresBefore = await counted();
      const res = await postAcs(t.app, slug, samlResponse, relayState);
      assert.equal(res.statusCode, expected.status, `${expected.reason}: ${res.body.slice(0, 400)}`);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.equal(setCookie(res, 'roster_session'), undefined, 'no session cookie');
      assert.doesNotMatch(res.body, /at \w+ \(|Error:|node_modules/, 'no stack trace on the page');
      if (expected.message) assert.match(res.body, expected.message);
      assert.equal(await sessionCount(t), sessionsBefore, 'no session was created');
      assert.equal(await counted(), failuresBefore + 1, 'one more sso.login_failed counted');
      const failures = await auditEvents(t, 'sso.login_failed');
      const latest = failures.find((event) => event.after?.reason === expected.reason);
      if (authenticated) {
        assert.equal(latest?.actor_type, 'saml');
      } else {
        assert.equal(latest?.actor_type, 'unauthenticated');
        assert.equal(latest?.actor_label, null);
        assert.equal(latest?.after?.unauthenticated, true);
        assert.equal(latest?.after?.nameId, undefined, 'nothing the request said is kept');
        assert.equal(latest?.after?.detail, undefined);
      }
      return res;
    }

    it('redirects an SP-initiated sign-in to the IdP with a deflated AuthnRequest for this ACS, its ID kept in the database', async () => {
      const start = await startSpSignIn(t.app, slug, '/workspaces');
      const sp = spOf(t);
      assert.equal(
        `${start.location.origin}${start.location.pathname}`,
        'https://idp.example/app/roster/sso/saml',
      );
      assert.match(start.authnRequestXml, /<samlp:AuthnRequest /);
      assert.match(start.authnRequestXml, new RegExp(`AssertionConsumerServiceURL="${sp.acsUrl}"`));
      assert.match(start.authnRequestXml, /ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"/);
      assert.match(start.authnRequestXml, new RegExp(`<saml:Issuer[^>]*>${sp.entityId}</saml:Issuer>`));
      assert.match(start.authnRequestXml, /nameid-format:emailAddress/);
      assert.equal(start.location.searchParams.get('Signature'), null, 'unsigned unless configured');
      // RelayState is an opaque id; the return path stays on the server.
      assert.doesNotMatch(start.relayState, /workspaces/);
      const stored = await t.store.sso.findRequest(
        t.org.organization.id,
        start.requestId,
        new Date().toISOString(),
      );
      assert.equal(stored?.relay_state, start.relayState);
      assert.equal(stored?.return_path, '/workspaces');
      assert.ok(stored && Date.parse(stored.expires_at) > Date.now());
    });

    it('signs the AuthnRequest when the settings say so, verifiably with the certificate of the SP metadata', async () => {
      await putSso(t, { signAuthnRequests: true });
      try {
        const metadata = await t.app.inject({ method: 'GET', url: `/saml/${slug}/metadata` });
        const certificate = /<ds:X509Certificate>([^<]+)</.exec(metadata.body)?.[1];
        assert.ok(certificate, 'the SP metadata carries the signing certificate');
        const start = await startSpSignIn(t.app, slug);
        const query = start.location.search.slice(1);
        const signed = query.slice(0, query.indexOf('&Signature='));
        const signature = decodeURIComponent(query.slice(query.indexOf('&Signature=') + 11));
        assert.equal(
          start.location.searchParams.get('SigAlg'),
          'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
        );
        const body = certificate
          .replace(/\s+/g, '')
          .match(/.{1,64}/g)
          ?.join('\n');
        const pem = `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
        assert.ok(createVerify('RSA-SHA256').update(signed).verify(pem, signature, 'base64'));
      } finally {
        await putSso(t, { signAuthnRequests: false });
      }
    });

    it('posts the AuthnRequest with a self-submitting form when the IdP offers only the HTTP-POST binding', async () => {
      assert.equal((await putSso(t, { idpSsoBinding: 'post' })).statusCode, 200);
      try {
        const res = await t.app.inject({ method: 'GET', url: `/saml/${slug}/login` });
        assert.equal(res.statusCode, 200);
        assert.match(
          res.body,
          /<form method="post" action="https:\/\/idp\.example\/app\/roster\/sso\/saml" id="saml-post">/,
        );
        const samlRequest = /name="SAMLRequest" value="([^"]+)"/.exec(res.body)?.[1];
        assert.ok(samlRequest);
        const xml = Buffer.from(samlRequest, 'base64').toString('utf8');
        assert.match(xml, new RegExp(`AssertionConsumerServiceURL="${spOf(t).acsUrl}"`));
        assert.match(String(res.headers['content-security-policy']), /form-action https:\/\/idp\.example/);
        assert.match(res.body, /name="RelayState"/);
      } finally {
        assert.equal((await putSso(t, { idpSsoBinding: 'redirect' })).statusCode, 200);
      }
    });

    it('signs a SCIM-provisioned member in from an SP-initiated response and lands on the return path', async () => {
      const pat = await scimMember(t, 'pat@acme.test', { password: false });
      const start = await startSpSignIn(t.app, slug, '/workspaces');
      const res = await postAcs(
        t.app,
        slug,
        await idpResponse(t, { nameId: 'pat@acme.test', inResponseTo: start.requestId }),
        start.relayState,
        { loginCookie: start.loginCookie },
      );
      assert.equal(res.statusCode, 303, res.body);
      assert.equal(res.headers.location, '/workspaces');
      const cookie = res.cookies.find((c) => c.name === 'roster_session');
      assert.ok(cookie);
      assert.deepEqual(
        [cookie.httpOnly, cookie.sameSite, cookie.path, cookie.secure],
        [true, 'Lax', '/', true],
      );
      const session = await t.store.sessions.findByHash(hashToken(cookie.value));
      assert.equal(session?.membership_id, pat.id);
      assert.equal(session?.sign_in_method, 'sso');
      const page = await get(t.app, '/workspaces', { cookie: cookie.value, csrf: '' });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /pat@acme\.test/);
      const [login] = await auditEvents(t, 'sso.login');
      assert.equal(login?.target_id, pat.id);
      assert.equal(login?.after?.flow, 'sp_initiated');
      // The AuthnRequest is answered: it cannot be answered again.
      assert.equal(
        await t.store.sso.findRequest(t.org.organization.id, start.requestId, new Date().toISOString()),
        undefined,
      );
    });

    it('signs a member in from an IdP-initiated response (no InResponseTo) and lands on their home page', async () => {
      await scimMember(t, 'tile@acme.test', { password: false });
      const res = await postAcs(t.app, slug, await idpResponse(t, { nameId: 'tile@acme.test' }));
      assert.equal(res.statusCode, 303, res.body);
      assert.equal(res.headers.location, '/settings/account/tokens');
      assert.ok(setCookie(res, 'roster_session'));
      assert.equal((await auditEvents(t, 'sso.login'))[0]?.after?.flow, 'idp_initiated');
    });

    it('matches the NameID case-insensitively to the userName, then to the emails, then to the account email', async () => {
      const admin = t.org.user.email; // userName of the first Admin
      const byUserName = await postAcs(t.app, slug, await idpResponse(t, { nameId: admin.toUpperCase() }));
      assert.equal(byUserName.statusCode, 303, byUserName.body);
      assert.equal(byUserName.headers.location, '/members');

      const res = await t.scim('POST', 'Users', {
        userName: 'okta-00u1',
        emails: [{ value: 'Robin.Roe@Acme.test', type: 'work', primary: true }],
      });
      assert.equal(res.statusCode, 201, res.body);
      const byEmail = await postAcs(t.app, slug, await idpResponse(t, { nameId: 'robin.roe@acme.TEST' }));
      assert.equal(byEmail.statusCode, 303, byEmail.body);
      assert.equal((await auditEvents(t, 'sso.login'))[0]?.target_id, res.json().id);

      // A NameID that is not an email (an Okta user id) with the email in an attribute.
      const byAttribute = await postAcs(
        t.app,
        slug,
        await idpResponse(t, { nameId: '00u-unknown', attributes: { email: 'ROBIN.ROE@acme.test' } }),
      );
      assert.equal(byAttribute.statusCode, 303, byAttribute.body);
    });

    describe('refuses a response that is not acceptable, audits the reason and starts no session', () => {
      const cases: {
        name: string;
        options: (others: Awaited<ReturnType<typeof testIdps>>) => Partial<ResponseOptions>;
        status: number;
        reason: string;
      }[] = [
        {
          name: 'a bad signature (tampered after signing)',
          options: () => ({ tamper: 'signature-value' }),
          status: 400,
          reason: 'bad_signature',
        },
        {
          name: 'a signature by another key (wrong certificate)',
          options: (o) => ({ signWith: o.other.keys }),
          status: 400,
          reason: 'bad_signature',
        },
        { name: 'an unsigned response', options: () => ({ sign: 'none' }), status: 400, reason: 'unsigned' },
        {
          name: 'an expired assertion',
          options: () => ({ clockOffsetMs: -2 * 3600_000 }),
          status: 400,
          reason: 'expired',
        },
        {
          name: 'an assertion not yet valid',
          options: () => ({ clockOffsetMs: 2 * 3600_000 }),
          status: 400,
          reason: 'not_yet_valid',
        },
        {
          name: 'another audience',
          options: () => ({ audience: 'https://other-sp.example/metadata' }),
          status: 400,
          reason: 'wrong_audience',
        },
        {
          name: 'another recipient',
          options: () => ({ recipient: 'https://other-sp.example/acs' }),
          status: 400,
          reason: 'wrong_recipient',
        },
        {
          name: 'another destination',
          options: () => ({ destination: 'https://other-sp.example/acs' }),
          status: 400,
          reason: 'wrong_recipient',
        },
        {
          name: 'another issuer',
          options: () => ({ issuer: 'https://other.example' }),
          status: 400,
          reason: 'wrong_issuer',
        },
        {
          name: 'a tampered NameID',
          options: () => ({ tamper: 'name-id', wrapNameId: 'admin@acme.test' }),
          status: 400,
          reason: 'bad_signature',
        },
        // Signature wrapping needs a second assertion somewhere: the shape check refuses it before
        // node-saml's own defences run (test/sso/hostile-saml.test.ts shows those still hold).
        {
          name: 'signature wrapping: an unsigned assertion beside the signed one',
          options: () => ({ wrap: 'sibling', wrapNameId: 'admin@acme.test' }),
          status: 400,
          reason: 'too_many_assertions',
        },
        {
          name: 'signature wrapping: the signed assertion nested in an unsigned one',
          options: () => ({ wrap: 'nested', wrapNameId: 'admin@acme.test' }),
          status: 400,
          reason: 'too_many_assertions',
        },
        {
          name: 'signature wrapping: the signature moved into an unsigned assertion',
          options: () => ({ wrap: 'signature-moved', wrapNameId: 'admin@acme.test' }),
          status: 400,
          reason: 'too_many_assertions',
        },
        {
          name: 'signature wrapping of a signed Response',
          options: () => ({ sign: 'response', wrap: 'sibling', wrapNameId: 'admin@acme.test' }),
          status: 400,
          reason: 'too_many_assertions',
        },
      ];
      for (const c of cases) {
        it(`refuses ${c.name}`, async () => {
          const idps = await testIdps();
          await assertRefused(await idpResponse(t, { nameId: 'victim@acme.test', ...c.options(idps) }), c);
        });
      }

      it('refuses a body that is not a SAML response', async () => {
        await assertRefused(Buffer.from('<html>hello</html>').toString('base64'), {
          status: 400,
          reason: 'malformed',
        });
        await assertRefused('', { status: 400, reason: 'malformed' });
      });
    });

    it('refuses a replayed assertion the second time', async () => {
      await scimMember(t, 'replay@acme.test', { password: false });
      const response = await idpResponse(t, { nameId: 'replay@acme.test' });
      assert.equal((await postAcs(t.app, slug, response)).statusCode, 303);
      await assertRefused(response, { status: 400, reason: 'replayed', message: /already used/ });
    });

    it('refuses an InResponseTo that this SP never sent, or already saw answered', async () => {
      await scimMember(t, 'irt@acme.test', { password: false });
      await assertRefused(await idpResponse(t, { nameId: 'irt@acme.test', inResponseTo: '_never-sent' }), {
        status: 400,
        reason: 'invalid_in_response_to',
      });
      const start = await startSpSignIn(t.app, slug);
      const first = await postAcs(
        t.app,
        slug,
        await idpResponse(t, { nameId: 'irt@acme.test', inResponseTo: start.requestId }),
        start.relayState,
        { loginCookie: start.loginCookie },
      );
      assert.equal(first.statusCode, 303, first.body);
      // A second, freshly signed response to the same request (a new assertion ID).
      await assertRefused(await idpResponse(t, { nameId: 'irt@acme.test', inResponseTo: start.requestId }), {
        status: 400,
        reason: 'invalid_in_response_to',
      });
    });

    describe('never redirects off-site, whatever the RelayState', () => {
      for (const relayState of [
        'https://evil.example',
        '//evil.example',
        '/\\evil.example',
        'javascript:alert(1)',
        '/\t/evil.example',
        'evil.example/x',
      ]) {
        it(`lands on the home page for the RelayState ${JSON.stringify(relayState)}`, async () => {
          await scimMember(t, 'relay@acme.test', { password: false }).catch(() => undefined);
          const res = await postAcs(
            t.app,
            slug,
            await idpResponse(t, { nameId: 'relay@acme.test' }),
            relayState,
          );
          assert.equal(res.statusCode, 303, res.body);
          assert.equal(res.headers.location, '/settings/account/tokens');
        });
      }

      it('honours a same-site path from an IdP-initiated sign-in', async () => {
        await scimMember(t, 'deep@acme.test', { password: false });
        const res = await postAcs(
          t.app,
          slug,
          await idpResponse(t, { nameId: 'deep@acme.test' }),
          '/workspaces?x=1',
        );
        assert.equal(res.headers.location, '/workspaces?x=1');
      });

      it('ignores a RelayState that is not the one of the SP-initiated sign-in', async () => {
        await scimMember(t, 'swap@acme.test', { password: false });
        const start = await startSpSignIn(t.app, slug, '/workspaces');
        const res = await postAcs(
          t.app,
          slug,
          await idpResponse(t, { nameId: 'swap@acme.test', inResponseTo: start.requestId }),
          '/audit',
          { loginCookie: start.loginCookie },
        );
        assert.equal(res.statusCode, 303);
        assert.equal(res.headers.location, '/settings/account/tokens');
      });
    });

    it('refuses a member deactivated over SCIM with a clear message, and admits them again once reactivated', async () => {
      const dana = await scimMember(t, 'dana@acme.test', { password: false });
      assert.equal((await t.scim('PATCH', `Users/${dana.id}`, PATCH(false))).statusCode, 200);
      await assertRefused(await idpResponse(t, { nameId: 'dana@acme.test' }), {
        status: 403,
        reason: 'deactivated',
        message: /Your access to Acme Inc has been deactivated by your administrator/,
      });
      assert.equal((await t.scim('PATCH', `Users/${dana.id}`, PATCH(true))).statusCode, 200);
      const res = await postAcs(t.app, slug, await idpResponse(t, { nameId: 'dana@acme.test' }));
      assert.equal(res.statusCode, 303, res.body);
    });

    it('refuses someone who is not a member, and creates them at first sign-in once just-in-time provisioning is on', async () => {
      await assertRefused(await idpResponse(t, { nameId: 'newbie@acme.test' }), {
        status: 403,
        reason: 'unknown_user',
        message: /no member with your email address in Acme Inc/,
      });
      await putSso(t, { justInTimeProvisioning: true, justInTimeRole: 'member' });
      try {
        const res = await postAcs(
          t.app,
          slug,
          await idpResponse(t, {
            nameId: 'newbie@acme.test',
            attributes: { firstName: 'New', lastName: 'Bie' },
          }),
        );
        assert.equal(res.statusCode, 303, res.body);
        const member = await t.store.members.findByUserName(t.org.organization.id, 'newbie@acme.test');
        assert.equal(member?.source, 'sso');
        assert.equal(member?.role, 'member');
        assert.equal(member?.given_name, 'New');
        const [created] = await auditEvents(t, 'member.created');
        assert.equal(created?.target_id, member?.id);
        assert.equal(created?.actor_type, 'saml');
        // The second sign-in finds them: no second member.
        assert.equal(
          (await postAcs(t.app, slug, await idpResponse(t, { nameId: 'NEWBIE@acme.test' }))).statusCode,
          303,
        );
        assert.equal(
          (await auditEvents(t, 'member.created')).filter((e) => e.target_label === 'newbie@acme.test')
            .length,
          1,
        );
      } finally {
        await putSso(t, { justInTimeProvisioning: false });
      }
    });

    it('offers "Continue with SSO" on the sign-in page: the email domain leads to the organization\'s IdP', async () => {
      const form = await t.app.inject({ method: 'GET', url: '/signin' });
      assert.match(form.body, /formaction="\/signin\/sso"/);
      const cookie = `roster_form=${setCookie(form, 'roster_form')}`;
      const ask = (email: string) =>
        t.app.inject({
          method: 'POST',
          url: '/signin/sso',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
          payload: formBody({ _csrf: hiddenCsrf(form.body), email, next: '/workspaces' }),
        });
      const known = await ask('Pat@ACME.test');
      assert.equal(known.statusCode, 200);
      assert.match(
        known.body,
        new RegExp(`http-equiv="refresh" content="0; url=/saml/${slug}/login\\?next=%2Fworkspaces"`),
      );
      const unknown = await ask('someone@elsewhere.example');
      assert.equal(unknown.statusCode, 400);
      assert.match(unknown.body, /Single sign-on is not set up for elsewhere\.example/);
      const noToken = await post(t.app, '/signin/sso', undefined, { email: 'pat@acme.test' });
      assert.equal(noToken.statusCode, 403);
    });

    it('keeps an SSO session to its organization: it cannot switch into another one', async () => {
      const other = await initOrganization(t.store, {
        name: 'Other Org',
        slug: `other-${kind}`,
        adminEmail: 'owner@other.test',
        adminPassword: ADMIN_PASSWORD,
        actor: CLI_ACTOR,
      });
      // The first Admin of Acme is also a member of Other Org.
      await joinAnotherOrganization(t.store, t.org.membership, other.organization.id, {
        id: `m-${kind}-other`,
        role: 'admin',
      });
      const res = await postAcs(t.app, slug, await idpResponse(t, { nameId: t.org.user.email }));
      assert.equal(res.statusCode, 303, res.body);
      const session = { cookie: String(setCookie(res, 'roster_session')), csrf: '' };
      session.csrf = metaCsrf((await get(t.app, '/members', session)).body);
      const switched = await post(t.app, '/organizations/switch', session, {
        organizationId: other.organization.id,
      });
      assert.equal(switched.statusCode, 403);
      assert.match(switched.body, /single sign-on, which vouches for you in one organization only/);
    });

    it('with "SSO required", refuses the password form to every member of the organization, Admins included', async () => {
      const lee = await scimMember(t, 'lee@acme.test');
      const boss = await scimMember(t, 'boss@acme.test', { role: 'admin' });
      assert.equal((await signInPasswordForm(lee.email, MEMBER_PASSWORD)).statusCode, 303);
      await putSso(t, { ssoRequired: true });
      try {
        for (const [email, password] of [
          [lee.email, MEMBER_PASSWORD],
          [boss.email, MEMBER_PASSWORD],
        ] as const) {
          const refused = await signInPasswordForm(email, password);
          assert.equal(refused.statusCode, 403, refused.body.slice(0, 300));
          assert.match(refused.body, /Acme Inc requires single sign-on/);
          assert.equal(setCookie(refused, 'roster_session'), undefined);
        }
        // A wrong password still says only that: "SSO required" is revealed after the password matched.
        const wrong = await signInPasswordForm(lee.email, 'not the password at all');
        assert.equal(wrong.statusCode, 401);
        assert.equal(
          (await postAcs(t.app, slug, await idpResponse(t, { nameId: lee.email }))).statusCode,
          303,
        );
        // The operator's break-glass switch.
        await setSsoSwitch(t.store, {
          organizationId: t.org.organization.id,
          name: 'ssoRequired',
          on: false,
          actor: CLI_ACTOR,
        });
        assert.equal((await signInPasswordForm(boss.email, MEMBER_PASSWORD)).statusCode, 303);
      } finally {
        await putSso(t, { ssoRequired: false });
      }
    });

    it('answers the ACS of an organization without SSO, or of none, with a 404 page', async () => {
      for (const target of ['no-such-org', `other-${kind}`]) {
        const res = await postAcs(t.app, target, await idpResponse(t, { nameId: 'x@acme.test' }));
        assert.equal(res.statusCode, 404);
        assert.match(String(res.headers['content-type']), /^text\/html/);
      }
      assert.equal((await t.app.inject({ method: 'GET', url: `/saml/other-${kind}/login` })).statusCode, 404);
      assert.equal(IDP_ENTITY_ID, (await testIdps()).idp.entityId);
    });
  });
}
