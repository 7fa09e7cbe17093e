// The SSO settings: `/api/v1/sso` (Admins only, validated, audited, nothing stored on a bad
// input), the dashboard page, the domain's uniqueness across organizations, and SP metadata.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { createToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { ADMIN_PASSWORD, get, openSession, post, scimMember } from '../helpers/dashboard.ts';
import {
  auditEvents,
  IDP_ENTITY_ID,
  IDP_SSO_URL,
  markVerified,
  putSso,
  spOf,
  testIdps,
} from '../helpers/sso.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

for (const kind of STORE_KINDS) {
  describe(`SSO settings (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    before(async () => {
      t = await setupApp(kind);
    });
    after(() => t?.cleanup());

    const getSso = (token = t.token) =>
      t.app.inject({ method: 'GET', url: '/api/v1/sso', headers: { authorization: `Bearer ${token}` } });
    const stored = () => t.store.sso.getSettings(t.org.organization.id);

    it('shows the service-provider values before anything is configured', async () => {
      const res = await getSso();
      assert.equal(res.statusCode, 200);
      const sp = spOf(t);
      assert.deepEqual(res.json().serviceProvider, { ...sp, certificate: null });
      assert.equal(res.json().configured, false);
      const metadata = await t.app.inject({
        method: 'GET',
        url: `/saml/${t.org.organization.slug}/metadata`,
      });
      assert.equal(metadata.statusCode, 200);
      assert.match(String(metadata.headers['content-type']), /^application\/samlmetadata\+xml/);
    });

    describe('refuses bad input with a 400 that says what is wrong, and stores nothing', () => {
      const certificateOf = async () => (await testIdps()).idp.certificatePem;
      const cases: { name: string; body: () => Promise<Record<string, unknown>>; message: RegExp }[] = [
        {
          name: 'a certificate that is not one',
          body: async () => ({
            idpEntityId: IDP_ENTITY_ID,
            idpSsoUrl: IDP_SSO_URL,
            idpCertificate: 'not a certificate!',
          }),
          message: /not a PEM or base64-encoded X\.509 certificate/,
        },
        {
          name: 'a PEM block with garbage inside',
          body: async () => ({
            idpEntityId: IDP_ENTITY_ID,
            idpSsoUrl: IDP_SSO_URL,
            idpCertificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
          }),
          message: /not a valid X\.509 certificate/,
        },
        {
          name: 'an SSO URL that is not a URL',
          body: async () => ({
            idpEntityId: IDP_ENTITY_ID,
            idpSsoUrl: 'idp.example/sso',
            idpCertificate: await certificateOf(),
          }),
          message: /is not a URL/,
        },
        {
          name: 'an SSO URL over plain HTTP',
          body: async () => ({
            idpEntityId: IDP_ENTITY_ID,
            idpSsoUrl: 'http://idp.example/sso',
            idpCertificate: await certificateOf(),
          }),
          message: /must start with https/,
        },
        {
          name: 'a missing certificate',
          body: async () => ({ idpEntityId: IDP_ENTITY_ID, idpSsoUrl: IDP_SSO_URL }),
          message: /signing certificate is required/,
        },
        {
          name: 'metadata that is not XML',
          body: async () => ({ idpMetadataXml: '<md:EntityDescriptor' }),
          message: /not valid XML/,
        },
        {
          name: 'metadata without an IdP',
          body: async () => ({
            idpMetadataXml: '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>',
          }),
          message: /no EntityDescriptor with an IDPSSODescriptor/,
        },
        {
          name: 'a domain that is not one',
          body: async () => ({
            idpEntityId: IDP_ENTITY_ID,
            idpSsoUrl: IDP_SSO_URL,
            idpCertificate: await certificateOf(),
            domains: ['not a domain'],
          }),
          message: /is not an email domain/,
        },
        {
          name: "a public email provider's domain, which no organization owns",
          body: async () => ({
            idpEntityId: IDP_ENTITY_ID,
            idpSsoUrl: IDP_SSO_URL,
            idpCertificate: await certificateOf(),
            domains: ['acme.test', 'GMail.com'],
          }),
          message: /gmail\.com is a public email provider's domain/,
        },
        {
          name: 'a wrong type',
          body: async () => ({ ssoRequired: 'yes' }),
          message: /ssoRequired must be true or false/,
        },
      ];
      for (const c of cases) {
        it(`refuses ${c.name}`, async () => {
          const res = await putSso(t, await c.body());
          assert.equal(res.statusCode, 400, res.body);
          assert.match(res.json().error.message, c.message);
          assert.equal(await stored(), undefined);
          assert.deepEqual(await auditEvents(t, 'sso.settings_updated'), []);
        });
      }
    });

    it('takes the IdP from pasted metadata, generates the SP key pair once, and audits the change', async () => {
      const { idp } = await testIdps();
      const res = await putSso(t, {
        idpMetadataXml: idp.metadataXml(IDP_SSO_URL),
        domains: ['ACME.test', '@acme-corp.test', 'acme.test'],
        justInTimeProvisioning: true,
        justInTimeRole: 'member',
      });
      assert.equal(res.statusCode, 200, res.body);
      const view = res.json();
      assert.equal(view.identityProvider.entityId, IDP_ENTITY_ID);
      assert.equal(view.identityProvider.ssoUrl, IDP_SSO_URL);
      assert.equal(view.identityProvider.ssoBinding, 'redirect');
      assert.equal(view.identityProvider.certificates.length, 1);
      assert.match(
        view.identityProvider.certificates[0].fingerprintSha256,
        /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/,
      );
      assert.deepEqual(view.domains, ['acme-corp.test', 'acme.test']);
      assert.equal(view.justInTimeProvisioning, true);
      assert.equal(view.ssoRequired, false);
      assert.doesNotMatch(res.body, /PRIVATE KEY/);
      const first = await stored();
      assert.match(first?.sp_private_key ?? '', /BEGIN PRIVATE KEY/);

      // Fields omitted keep their value; the key pair is kept.
      const again = await putSso(t, {
        ssoRequired: true,
        idpCertificate: idp.certificatePem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''),
      });
      assert.equal(again.statusCode, 200, again.body);
      assert.deepEqual(again.json().domains, ['acme-corp.test', 'acme.test']);
      assert.equal(again.json().ssoRequired, true);
      assert.equal((await stored())?.sp_private_key, first?.sp_private_key);
      const events = await auditEvents(t, 'sso.settings_updated');
      assert.equal(events.length, 2);
      assert.equal(events[0]?.after?.ssoRequired, true);
      assert.doesNotMatch(JSON.stringify(events), /PRIVATE KEY/);
      assert.equal((await putSso(t, { ssoRequired: false, justInTimeProvisioning: false })).statusCode, 200);
    });

    it('ends first-come claims: an unverified claim blocks nobody, and a verified domain belongs to one organization', async () => {
      const other = await initOrganization(t.store, {
        name: 'Rival',
        slug: `rival-${kind}`,
        adminEmail: 'admin@rival.test',
        adminPassword: ADMIN_PASSWORD,
        actor: CLI_ACTOR,
      });
      const { token } = await createToken(t.store, {
        kind: 'service',
        organizationId: other.organization.id,
        name: 'api',
        role: 'admin',
        actor: CLI_ACTOR,
      });
      const { idp } = await testIdps();
      assert.equal((await putSso(t, { domains: ['acme.test', 'shared.test'] })).statusCode, 200);
      await markVerified(t, 'acme.test');

      const refused = await putSso(
        t,
        { idpMetadataXml: idp.metadataXml(IDP_SSO_URL), domains: ['rival.test', 'acme.test'] },
        token,
      );
      assert.equal(refused.statusCode, 409, refused.body);
      assert.match(refused.json().error.message, /acme\.test is verified by another organization/);
      assert.equal(await t.store.sso.getSettings(other.organization.id), undefined);
      assert.deepEqual(await t.store.sso.listDomains(other.organization.id), []);

      // Acme's unverified claim on shared.test is no reservation: Rival may claim it too, and it
      // routes to neither until one of them proves control by DNS.
      const claimed = await putSso(
        t,
        { idpMetadataXml: idp.metadataXml(IDP_SSO_URL), domains: ['rival.test', 'shared.test'] },
        token,
      );
      assert.equal(claimed.statusCode, 200, claimed.body);
      assert.deepEqual(claimed.json().domains, ['rival.test', 'shared.test']);
      assert.equal(await t.store.sso.organizationIdForDomain('shared.test'), undefined);
      assert.equal(await t.store.sso.organizationIdForDomain('rival.test'), undefined);
      assert.equal(await t.store.sso.organizationIdForDomain('acme.test'), t.org.organization.id);
      assert.equal((await putSso(t, { domains: ['acme.test'] })).statusCode, 200);
    });

    it('is for Admins only', async () => {
      const member = await scimMember(t, 'plain@acme.test');
      const { token } = await createToken(t.store, {
        kind: 'personal',
        organizationId: t.org.organization.id,
        membershipId: member.id,
        name: 'mine',
        role: 'member',
        actor: CLI_ACTOR,
      });
      assert.equal((await getSso(token)).statusCode, 403);
      assert.equal((await putSso(t, { ssoRequired: true }, token)).statusCode, 403);
      const session = await openSession(t, member.email);
      assert.equal((await get(t.app, '/settings/organization/sso', session)).statusCode, 403);
    });

    it('serves SP metadata with the entity ID, the ACS and the emailAddress format; the certificate only when signing', async () => {
      const sp = spOf(t);
      const url = `/saml/${t.org.organization.slug}/metadata`;
      const plain = (await t.app.inject({ method: 'GET', url })).body;
      assert.match(plain, new RegExp(`entityID="${sp.entityId}"`));
      assert.match(
        plain,
        new RegExp(
          `<AssertionConsumerService index="1" isDefault="true" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${sp.acsUrl}"/>`,
        ),
      );
      assert.match(
        plain,
        /<NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress<\/NameIDFormat>/,
      );
      assert.doesNotMatch(plain, /X509Certificate/);
      assert.match(plain, /AuthnRequestsSigned="false"/);
      assert.equal((await putSso(t, { signAuthnRequests: true })).statusCode, 200);
      const signing = (await t.app.inject({ method: 'GET', url })).body;
      assert.match(signing, /<KeyDescriptor use="signing">/);
      assert.match(signing, /AuthnRequestsSigned="true"/);
      assert.doesNotMatch(signing, /PRIVATE/);
      assert.equal((await putSso(t, { signAuthnRequests: false })).statusCode, 200);
      assert.equal((await t.app.inject({ method: 'GET', url: '/saml/nobody/metadata' })).statusCode, 404);
    });

    it('saves from the dashboard page, which shows the values to give the IdP and is in the navigation', async () => {
      const session = await openSession(t, t.org.user.email);
      const page = await get(t.app, '/settings/organization/sso', session);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /href="\/settings\/organization\/sso" aria-current="page"/);
      assert.match(page.body, new RegExp(spOf(t).acsUrl));
      const { idp } = await testIdps();
      const bad = await post(t.app, '/settings/organization/sso', session, {
        idpEntityId: IDP_ENTITY_ID,
        idpSsoUrl: 'ftp://idp.example',
        idpCertificate: idp.certificatePem,
        domains: 'acme.test',
      });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /must start with https/);
      assert.match(bad.body, /ftp:\/\/idp\.example/, 'the form keeps what was typed');
      const saved = await post(t.app, '/settings/organization/sso', session, {
        idpMetadataXml: idp.metadataXml('https://idp.example/new-sso'),
        idpEntityId: 'ignored-when-metadata-is-pasted',
        domains: 'acme.test\nacme.example',
        provisioning: 'jit',
        justInTimeRole: 'admin',
      });
      assert.equal(saved.statusCode, 303, saved.body);
      const row = await stored();
      assert.equal(row?.idp_sso_url, 'https://idp.example/new-sso');
      assert.equal(row?.idp_entity_id, IDP_ENTITY_ID);
      assert.equal(row?.jit_role, 'admin');
      assert.equal(row?.sso_required, 0);
      assert.deepEqual(await t.store.sso.listDomains(t.org.organization.id), ['acme.example', 'acme.test']);
    });
  });
}
