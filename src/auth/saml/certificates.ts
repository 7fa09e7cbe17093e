// X.509 certificates for SAML: the IdP's signing certificates as admins paste them (PEM, several
// PEM blocks, or the bare base64 of metadata's <X509Certificate>), and the key pair Roster signs
// AuthnRequests with. Node's crypto parses certificates but cannot issue one, so node-forge builds
// the self-signed certificate around a key Node generated.
import { createHash, generateKeyPair as generateKeyPairCallback, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { RosterError } from '../../errors.ts';

const generateKeyPair = promisify(generateKeyPairCallback);

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface CertificateInfo {
  subject: string;
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER, upper-case hex pairs separated by colons (as Okta shows it). */
  fingerprintSha256: string;
}

function toPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function parseOne(base64: string, position: number): string {
  const compact = base64.replace(/\s+/g, '');
  const label = position === 0 ? 'the certificate' : `certificate ${position + 1}`;
  if (compact === '' || !BASE64.test(compact)) {
    throw new RosterError('invalid_value', `${label} is not a PEM or base64-encoded X.509 certificate`);
  }
  const der = Buffer.from(compact, 'base64');
  try {
    const certificate = new X509Certificate(der);
    if (
      certificate.publicKey.asymmetricKeyType !== 'rsa' &&
      certificate.publicKey.asymmetricKeyType !== 'ec'
    ) {
      throw new RosterError('invalid_value', `${label} has an unsupported key type`);
    }
  } catch (error) {
    if (error instanceof RosterError) throw error;
    throw new RosterError('invalid_value', `${label} is not a valid X.509 certificate`);
  }
  return toPem(der);
}

/**
 * Every certificate in `text` as canonical PEM: PEM blocks, or one bare base64 certificate.
 * Throws a RosterError (invalid_value) naming what is wrong; an empty text gives no certificate.
 */
export function parseCertificates(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.includes('-----BEGIN')) {
    const blocks = [...trimmed.matchAll(PEM_BLOCK)].map((match) => match[1] ?? '');
    if (blocks.length === 0) {
      throw new RosterError('invalid_value', 'the certificate is not a PEM "CERTIFICATE" block');
    }
    return blocks.map(parseOne);
  }
  return [parseOne(trimmed, 0)];
}

export function certificateInfo(pem: string): CertificateInfo {
  const certificate = new X509Certificate(pem);
  return {
    subject: certificate.subject.replace(/\n/g, ', '),
    notBefore: new Date(certificate.validFrom).toISOString(),
    notAfter: new Date(certificate.validTo).toISOString(),
    fingerprintSha256: createHash('sha256')
      .update(certificate.raw)
      .digest('hex')
      .toUpperCase()
      .replace(/(..)(?!$)/g, '$1:'),
  };
}

/** The base64 body of a PEM certificate, as metadata's <X509Certificate> carries it. */
export function certificateBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

export interface KeyPair {
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  certificatePem: string;
}

const TEN_YEARS_MS = 10 * 365 * 24 * 60 * 60 * 1000;

/** A new RSA-2048 key and a self-signed, SHA-256 certificate for it, valid for ten years. */
export async function generateSelfSignedKeyPair(commonName: string, at = new Date()): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(
    publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  );
  // A positive 128-bit serial (RFC 5280 §4.1.2.2): the leading hex digit keeps the sign bit clear.
  certificate.serialNumber = `4${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
  certificate.validity.notBefore = new Date(at.getTime() - 60_000);
  certificate.validity.notAfter = new Date(at.getTime() + TEN_YEARS_MS);
  const name = [{ name: 'commonName', value: commonName.slice(0, 64) }];
  certificate.setSubject(name);
  certificate.setIssuer(name);
  certificate.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  return { privateKeyPem, certificatePem: forge.pki.certificateToPem(certificate).replace(/\r\n/g, '\n') };
}
