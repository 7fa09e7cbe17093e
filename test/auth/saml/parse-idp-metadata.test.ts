import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { parseCertificates } from '../../../src/auth/saml/certificates.ts';
import { parseIdpMetadata } from '../../../src/auth/saml/parse-idp-metadata.ts';
import { TestIdp } from '../../../src/auth/saml/test-idp/test-idp.ts';
import { isRosterError } from '../../../src/errors.ts';
import { testIdps } from '../../helpers/sso.ts';

describe('parseIdpMetadata', () => {
  let idp: TestIdp;
  before(async () => {
    idp = await TestIdp.create('http://www.okta.com/exk1abcd');
  });

  it('reads the entity ID, the HTTP-Redirect SSO URL and the signing certificate of Okta-style metadata', () => {
    const parsed = parseIdpMetadata(idp.metadataXml('https://acme.okta.com/app/roster/exk1abcd/sso/saml'));
    assert.equal(parsed.entityId, 'http://www.okta.com/exk1abcd');
    assert.equal(parsed.ssoUrl, 'https://acme.okta.com/app/roster/exk1abcd/sso/saml');
    assert.equal(parsed.binding, 'redirect');
    assert.deepEqual(parsed.certificates, parseCertificates(idp.certificatePem));
  });

  it('falls back to the HTTP-POST binding, inside an EntitiesDescriptor', () => {
    const xml = idp
      .metadataXml('https://idp.example/sso')
      .replace(/<md:SingleSignOnService Binding="[^"]+HTTP-Redirect"[^>]*\/>/, '')
      .replace(
        '<md:EntityDescriptor',
        '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"><md:EntityDescriptor',
      )
      .replace('</md:EntityDescriptor>', '</md:EntityDescriptor></md:EntitiesDescriptor>')
      .replace('<?xml version="1.0" encoding="UTF-8"?>', '');
    const parsed = parseIdpMetadata(xml);
    assert.equal(parsed.binding, 'post');
  });

  for (const [name, xml, message] of [
    ['a DOCTYPE (entity expansion)', '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', /DOCTYPE/],
    ['broken XML', '<md:EntityDescriptor', /not valid XML/],
    [
      'an SP instead of an IdP',
      '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><SPSSODescriptor/></EntityDescriptor>',
      /IDPSSODescriptor/,
    ],
  ] as const) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => parseIdpMetadata(xml),
        (error: unknown) => isRosterError(error, 'invalid_value') && message.test(error.message),
      );
    });
  }

  it('refuses metadata without a signing certificate or SSO service', () => {
    const noCertificate = idp
      .metadataXml('https://idp.example/sso')
      .replace(/<md:KeyDescriptor[\s\S]*<\/md:KeyDescriptor>/, '');
    assert.throws(() => parseIdpMetadata(noCertificate), /no signing certificate/);
    const noService = idp
      .metadataXml('https://idp.example/sso')
      .replace(/<md:SingleSignOnService[^>]*\/>/g, '');
    assert.throws(() => parseIdpMetadata(noService), /no SingleSignOnService/);
  });
});

describe('parseCertificates', () => {
  it('accepts PEM, several PEM blocks and bare base64 with line breaks, all as the same canonical PEM', async () => {
    const { certificatePem } = (await testIdps()).idp;
    const [pem] = parseCertificates(certificatePem);
    const bare = certificatePem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '');
    assert.deepEqual(parseCertificates(bare), [pem]);
    assert.deepEqual(parseCertificates(`${certificatePem}\n${certificatePem}`), [pem, pem]);
    assert.deepEqual(parseCertificates('  '), []);
  });

  it('refuses what is not a certificate', () => {
    assert.throws(() => parseCertificates('hello world!'), /not a PEM or base64-encoded X\.509 certificate/);
    assert.throws(() => parseCertificates('aGVsbG8='), /not a valid X\.509 certificate/);
    assert.throws(() => parseCertificates('-----BEGIN CERTIFICATE-----'), /not a PEM "CERTIFICATE" block/);
  });
});
