// A SAML 2.0 identity provider for tests and local trials (`roster test-idp`). It has its own RSA
// key and self-signed certificate, serves its metadata, reads AuthnRequests, and builds Responses
// that it really signs with xml-crypto (exclusive c14n, RSA-SHA256 or RSA-SHA1, enveloped signatures on the
// Assertion and/or the Response). Every knob of `ResponseOptions` produces one way a response can
// be wrong, so that each of Roster's refusals can be shown to happen. Never use it in production:
// it signs in whoever it is told to.
import { createVerify, randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';
import { generateSelfSignedKeyPair, type KeyPair } from '../certificates.ts';
import { firstChild, NS, parseXml, textOf } from '../xml.ts';

const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

export type SignWhat = 'assertion' | 'response' | 'both' | 'none';
/** The hash of the signature and of its digest: SHA-256, or SHA-1 as older ADFS and Shibboleth set-ups still send. */
export type SignatureHash = 'sha256' | 'sha1';
/** Signature-wrapping attacks (XSW) on a response whose Assertion is signed. */
export type WrapAttack = 'sibling' | 'nested' | 'signature-moved';

export interface ResponseOptions {
  /** The SP's ACS URL: Destination and Recipient unless overridden. */
  acsUrl: string;
  /** The SP's entity ID: the Audience unless overridden. */
  audience: string;
  nameId: string;
  /** Attribute statements, e.g. { email, firstName, lastName }; an array gives one value each (groups). */
  attributes?: Record<string, string | readonly string[]>;
  /** The AuthnRequest answered; omit for an IdP-initiated (unsolicited) response. */
  inResponseTo?: string;
  sign?: SignWhat;
  /** SHA-256 unless told; `signatureHash` and `digestHash` apart for the mixed cases. */
  signatureHash?: SignatureHash;
  digestHash?: SignatureHash;
  issuer?: string;
  destination?: string;
  recipient?: string;
  /** Shifts every time in the response: -2h gives an expired one, +2h one not yet valid. */
  clockOffsetMs?: number;
  /** Sign with this key pair instead of the IdP's own (a certificate the SP does not trust). */
  signWith?: KeyPair;
  /** Change the signed content or the signature value after signing. */
  tamper?: 'name-id' | 'signature-value';
  /** Signature wrapping: insert an unsigned assertion for `wrapNameId`, keeping the signed one verifiable. */
  wrap?: WrapAttack;
  wrapNameId?: string;
  assertionId?: string;
}

export interface AuthnRequestInfo {
  id: string;
  acsUrl: string | null;
  issuer: string;
  xml: string;
}

function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function newId(): string {
  return `_${randomBytes(16).toString('hex')}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface Hashes {
  signature: SignatureHash;
  digest: SignatureHash;
}

function sign(xml: string, id: string, keys: KeyPair, hashes: Hashes): string {
  const signature = new SignedXml({
    privateKey: keys.privateKeyPem,
    publicCert: keys.certificatePem,
    signatureAlgorithm: hashes.signature === 'sha1' ? RSA_SHA1 : RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
  });
  signature.addReference({
    xpath: `//*[@ID='${id}']`,
    transforms: [ENVELOPED, EXC_C14N],
    digestAlgorithm: hashes.digest === 'sha1' ? SHA1 : SHA256,
  });
  // SAML schema order: the Signature comes right after the element's Issuer.
  signature.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `//*[@ID='${id}']/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return signature.getSignedXml();
}

export class TestIdp {
  private constructor(
    readonly entityId: string,
    readonly keys: KeyPair,
  ) {}

  static async create(entityId = 'http://127.0.0.1/test-idp'): Promise<TestIdp> {
    return new TestIdp(entityId, await generateSelfSignedKeyPair('Roster test IdP'));
  }

  get certificatePem(): string {
    return this.keys.certificatePem;
  }

  /** IdP metadata, as Okta's "Identity Provider metadata" link serves it. */
  metadataXml(ssoUrl: string): string {
    const certificate = this.keys.certificatePem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '');
    return [
      `<?xml version="1.0" encoding="UTF-8"?>`,
      `<md:EntityDescriptor xmlns:md="${NS.metadata}" entityID="${escapeXml(this.entityId)}">`,
      `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">`,
      `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="${NS.dsig}"><ds:X509Data><ds:X509Certificate>${certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
      `<md:NameIDFormat>${EMAIL_FORMAT}</md:NameIDFormat>`,
      `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${escapeXml(ssoUrl)}"/>`,
      `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${escapeXml(ssoUrl)}"/>`,
      `</md:IDPSSODescriptor></md:EntityDescriptor>`,
    ].join('\n');
  }

  private assertionXml(options: ResponseOptions, id: string, nameId: string, now: number): string {
    const issuer = escapeXml(options.issuer ?? this.entityId);
    const inResponseTo = options.inResponseTo ? ` InResponseTo="${escapeXml(options.inResponseTo)}"` : '';
    const attributes = Object.entries(options.attributes ?? {}).map(
      ([name, value]) =>
        `<saml:Attribute Name="${escapeXml(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified">${(typeof value === 'string' ? [value] : value).map((v) => `<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${escapeXml(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`,
    );
    return (
      `<saml:Assertion xmlns:saml="${NS.assertion}" ID="${id}" Version="2.0" IssueInstant="${iso(now)}">` +
      `<saml:Issuer>${issuer}</saml:Issuer>` +
      `<saml:Subject><saml:NameID Format="${EMAIL_FORMAT}">${escapeXml(nameId)}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
      `<saml:SubjectConfirmationData${inResponseTo} NotOnOrAfter="${iso(now + 5 * 60_000)}" Recipient="${escapeXml(options.recipient ?? options.acsUrl)}"/>` +
      `</saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${iso(now - 60_000)}" NotOnOrAfter="${iso(now + 5 * 60_000)}">` +
      `<saml:AudienceRestriction><saml:Audience>${escapeXml(options.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${newId()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
      (attributes.length > 0
        ? `<saml:AttributeStatement>${attributes.join('')}</saml:AttributeStatement>`
        : '') +
      `</saml:Assertion>`
    );
  }

  /** The XML of a Response built and signed as `options` say. */
  responseXml(options: ResponseOptions): string {
    const now = Date.now() + (options.clockOffsetMs ?? 0);
    const what = options.sign ?? 'assertion';
    const keys = options.signWith ?? this.keys;
    const hashes: Hashes = {
      signature: options.signatureHash ?? 'sha256',
      digest: options.digestHash ?? options.signatureHash ?? 'sha256',
    };
    const responseId = newId();
    const assertionId = options.assertionId ?? newId();

    let assertion = this.assertionXml(options, assertionId, options.nameId, now);
    if (what === 'assertion' || what === 'both') assertion = sign(assertion, assertionId, keys, hashes);
    if (options.wrap) assertion = this.wrap(options, assertion, now);

    const inResponseTo = options.inResponseTo ? ` InResponseTo="${escapeXml(options.inResponseTo)}"` : '';
    let response =
      `<samlp:Response xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${responseId}" Version="2.0" IssueInstant="${iso(now)}" Destination="${escapeXml(options.destination ?? options.acsUrl)}"${inResponseTo}>` +
      `<saml:Issuer>${escapeXml(options.issuer ?? this.entityId)}</saml:Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
      assertion +
      `</samlp:Response>`;
    if (what === 'response' || what === 'both') response = sign(response, responseId, keys, hashes);

    if (options.tamper === 'name-id') {
      response = response.replace(
        `>${escapeXml(options.nameId)}</saml:NameID>`,
        `>${escapeXml(options.wrapNameId ?? 'mallory@evil.example')}</saml:NameID>`,
      );
    } else if (options.tamper === 'signature-value') {
      response = response.replace(
        /<ds:SignatureValue>(.)/,
        (_m, first: string) => `<ds:SignatureValue>${first === 'A' ? 'B' : 'A'}`,
      );
    }
    return response;
  }

  /** A base64 SAMLResponse, as posted to the ACS. */
  createResponse(options: ResponseOptions): string {
    return Buffer.from(this.responseXml(options)).toString('base64');
  }

  private wrap(options: ResponseOptions, signed: string, now: number): string {
    const evilId = newId();
    const evil = this.assertionXml(options, evilId, options.wrapNameId ?? 'mallory@evil.example', now);
    switch (options.wrap) {
      case 'sibling':
        // Two assertions side by side: a verifier that checks "a signature" but reads "the first
        // assertion" is fooled.
        return evil + signed;
      case 'nested':
        // The signed assertion hidden inside the unsigned one, where a lax verifier still finds it.
        return evil.replace('</saml:Subject>', `</saml:Subject>${signed}`);
      default: {
        // The signature moved into the evil assertion, the signed original kept inside its ds:Object.
        const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)?.[0] ?? '';
        const original = signed.replace(signature, '');
        const moved = signature.replace(
          '</ds:Signature>',
          `<ds:Object>${original}</ds:Object></ds:Signature>`,
        );
        return evil.replace('</saml:Issuer>', `</saml:Issuer>${moved}`);
      }
    }
  }

  /** Reads an AuthnRequest from the HTTP-Redirect binding (deflated) or the HTTP-POST binding. */
  readAuthnRequest(samlRequest: string, binding: 'redirect' | 'post'): AuthnRequestInfo {
    const bytes = Buffer.from(samlRequest, 'base64');
    const xml = (binding === 'redirect' ? inflateRawSync(bytes) : bytes).toString('utf8');
    const request = parseXml(xml).documentElement as Element;
    if (request.namespaceURI !== NS.protocol || request.localName !== 'AuthnRequest') {
      throw new Error('not a samlp:AuthnRequest');
    }
    return {
      id: request.getAttribute('ID') ?? '',
      acsUrl: request.getAttribute('AssertionConsumerServiceURL'),
      issuer: textOf(firstChild(request, NS.assertion, 'Issuer')),
      xml,
    };
  }
}

/**
 * Verifies the signature of an HTTP-Redirect binding query (SAML 2.0 Bindings §3.4.4.1): over the
 * raw, still URL-encoded `SAMLRequest=…&RelayState=…&SigAlg=…`, in that order.
 */
export function verifyRedirectSignature(rawQuery: string, certificatePem: string): boolean {
  const parts = new Map<string, string>();
  for (const pair of rawQuery.replace(/^\?/, '').split('&')) {
    const at = pair.indexOf('=');
    if (at > 0) parts.set(pair.slice(0, at), pair.slice(at + 1));
  }
  const signature = parts.get('Signature');
  const sigAlg = decodeURIComponent(parts.get('SigAlg') ?? '');
  if (!signature || sigAlg !== RSA_SHA256) return false;
  const signed = ['SAMLRequest', 'RelayState', 'SigAlg']
    .filter((name) => parts.has(name))
    .map((name) => `${name}=${parts.get(name)}`)
    .join('&');
  return createVerify('RSA-SHA256')
    .update(signed)
    .verify(certificatePem, decodeURIComponent(signature), 'base64');
}
