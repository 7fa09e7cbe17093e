// Which hash the accepted signature rests on. SHA-1 is broken for collisions (SHAttered, 2017; a
// chosen-prefix collision, 2020): a signature over SHA-1 no longer proves the IdP signed exactly
// these bytes. Refused unless the organization allows it (`allow_sha1_signatures`, for an old ADFS
// or Shibboleth it cannot change yet).
//
// The algorithm must be read from the signature node-saml verified, not from one an attacker adds
// beside it: node-saml tries the Response's own Signature first and, when it does not verify, the
// Assertion's. Both return the signed bytes with the verified Signature cut out (the enveloped
// transform removes exactly that node), so the verified assertion still carries a Signature child
// only when the Response's signature was the one verified (it covers the assertion's signature
// too); and a posted assertion without a Signature cannot have been verified by its own. That
// tells which of the two posted Signature elements to read; xml-crypto's own
// `loadSignature`, which node-saml used, reads it, so both see the same SignatureMethod and
// DigestMethod.
import { SignedXml } from 'xml-crypto';
import { SsoFailure } from './sso-failure.ts';
import { childElements, firstChild, NS } from './xml.ts';

export type SignatureHash = 'sha1' | 'sha256' | 'sha512';

/** The algorithms xml-crypto verifies (its defaults), by the hash they rest on. */
const SIGNATURE_METHODS: Readonly<Record<string, SignatureHash>> = {
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1': 'sha1',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': 'sha256',
  'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': 'sha512',
};
const DIGEST_METHODS: Readonly<Record<string, SignatureHash>> = {
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};

export interface VerifiedSignature {
  /** Which element's signature node-saml verified. */
  on: 'response' | 'assertion';
  signatureAlgorithm: string;
  digestAlgorithm: string;
}

/** The posted Signature that node-saml verified, read as xml-crypto reads it. */
export function verifiedSignature(response: Element, verifiedAssertion: Element): VerifiedSignature {
  const postedAssertion = firstChild(response, NS.assertion, 'Assertion');
  const assertionSigned = postedAssertion && firstChild(postedAssertion, NS.dsig, 'Signature');
  // The verified bytes keep the assertion's Signature only when the Response's was the one verified;
  // an assertion that carries none was not the one verified either.
  const on =
    childElements(verifiedAssertion, NS.dsig, 'Signature').length > 0 || !assertionSigned
      ? 'response'
      : 'assertion';
  const signed = on === 'response' ? response : postedAssertion;
  const signature = signed ? firstChild(signed, NS.dsig, 'Signature') : undefined;
  if (!signature) {
    // node-saml verified a signature that is not where it looks: never expected; refuse.
    throw new SsoFailure('bad_signature', `no Signature on the ${on} that was verified`);
  }
  const loaded = new SignedXml();
  try {
    loaded.loadSignature(signature as unknown as Node);
  } catch (error) {
    throw new SsoFailure(
      'bad_signature',
      `the verified Signature cannot be read: ${(error as Error).message}`,
    );
  }
  const references = loaded.getReferences();
  return {
    on,
    signatureAlgorithm: loaded.signatureAlgorithm ?? '',
    digestAlgorithm: references.length === 1 ? (references[0]?.digestAlgorithm ?? '') : '',
  };
}

/** Throws `weak_signature` unless both hashes are SHA-256 or better, or SHA-1 and allowed. */
export function checkSignatureStrength(signature: VerifiedSignature, allowSha1: boolean): void {
  const hashes = [SIGNATURE_METHODS[signature.signatureAlgorithm], DIGEST_METHODS[signature.digestAlgorithm]];
  const acceptable = (hash: SignatureHash | undefined) =>
    hash === 'sha256' || hash === 'sha512' || (hash === 'sha1' && allowSha1);
  if (!hashes.every(acceptable)) {
    throw new SsoFailure(
      'weak_signature',
      `the ${signature.on} is signed with ${signature.signatureAlgorithm || 'no SignatureMethod'} and digest ${signature.digestAlgorithm || 'no DigestMethod'}${allowSha1 ? '' : '; SHA-1 is not allowed for this organization'}`,
    );
  }
}
