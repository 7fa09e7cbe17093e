// A SAML Response posted to the ACS → the assertion it vouches for, or an SsoFailure with a typed
// reason. node-saml verifies the XML signature (and the standard signature-wrapping cases: one
// assertion only, the signed node must be the signature's parent, only the signed bytes are read),
// InResponseTo, the Conditions' times and the audience. Roster adds what node-saml leaves out, read
// from the *verified* assertion only: the Issuer, the bearer SubjectConfirmationData's Recipient
// and NotOnOrAfter (SAML 2.0 Profiles §4.1.4.2), the Response's Destination, and the assertion ID
// for replay detection. Before any of it, the raw XML must have the shape of a real response
// (response-shape.ts: bounded size, elements, depth, one assertion, signatures only where they
// belong), so that nothing below runs on a document built to be expensive; after it, the signature
// node-saml verified must not rest on SHA-1 unless the organization allows it (signature-strength.ts).
import { type SAML, SamlStatusError } from '@node-saml/node-saml';
import { checkResponseShape, RESPONSE_LIMITS } from './response-shape.ts';
import { CLOCK_SKEW_MS } from './service-provider.ts';
import { checkSignatureStrength, verifiedSignature } from './signature-strength.ts';
import { SsoFailure, type SsoFailureReason } from './sso-failure.ts';
import { childElements, descendants, firstChild, NS, parseXml, textOf } from './xml.ts';

export const MAX_RESPONSE_BYTES = RESPONSE_LIMITS.bytes;
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

export interface ValidatedAssertion {
  assertionId: string;
  issuer: string;
  nameId: string;
  nameIdFormat: string | null;
  attributes: Record<string, string[]>;
  /** Until when the assertion could be accepted: how long its ID must be remembered. */
  expiresAt: string;
  /** The AuthnRequest it answers; null for an IdP-initiated sign-in. */
  inResponseTo: string | null;
}

export interface ResponseExpectations {
  acsUrl: string;
  idpEntityId: string;
  /** Accept a signature or digest over SHA-1 (the organization's `allow_sha1_signatures`). */
  allowSha1?: boolean;
  now?: Date;
}

/** node-saml's error messages → Roster's reasons. */
export function reasonOf(error: unknown): SsoFailureReason {
  if (error instanceof SamlStatusError) return 'idp_error';
  const message = error instanceof Error ? error.message : String(error);
  if (/InResponseTo/i.test(message)) return 'invalid_in_response_to';
  if (/not yet valid/i.test(message)) return 'not_yet_valid';
  if (/expired|No valid subject confirmation/i.test(message)) return 'expired';
  if (/audience/i.test(message)) return 'wrong_audience';
  if (/signature|signed|Referenced node|ID cannot refer|transforms/i.test(message)) return 'bad_signature';
  return 'malformed';
}

function decode(samlResponse: string): { xml: string; response: Element } {
  if (samlResponse.length === 0) throw new SsoFailure('malformed', 'no SAMLResponse in the request');
  // Base64 is 4/3 of the bytes it carries (line breaks aside): refused before decoding.
  if (samlResponse.length > Math.ceil((MAX_RESPONSE_BYTES * 4) / 3) + 4096) {
    throw new SsoFailure('too_large', `the SAMLResponse is ${samlResponse.length} characters of base64`);
  }
  const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
  checkResponseShape(xml);
  let document: Document;
  try {
    document = parseXml(xml);
  } catch (error) {
    throw new SsoFailure('malformed', `the SAMLResponse is not XML: ${(error as Error).message}`);
  }
  const response = document.documentElement;
  if (!response || response.namespaceURI !== NS.protocol || response.localName !== 'Response') {
    throw new SsoFailure('malformed', 'the SAMLResponse is not a samlp:Response');
  }
  return { xml, response };
}

function time(value: string | null, what: string): number {
  const ms = value ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new SsoFailure('malformed', `${what} is missing or not a time`);
  return ms;
}

export async function validateSamlResponse(
  client: SAML,
  samlResponse: string,
  expected: ResponseExpectations,
): Promise<ValidatedAssertion> {
  const { xml, response } = decode(samlResponse);
  if (childElements(response, NS.assertion, 'EncryptedAssertion').length > 0) {
    throw new SsoFailure(
      'malformed',
      'encrypted assertions are not supported: turn assertion encryption off at the IdP',
    );
  }
  // No signature anywhere: "unsigned". A signature in the wrong place is node-saml's to refuse
  // (bad_signature), which is what signature-wrapping attempts get.
  if (descendants(response, NS.dsig, 'Signature').length === 0) {
    throw new SsoFailure('unsigned', 'neither the Response nor its Assertion is signed');
  }

  let profile: Awaited<ReturnType<SAML['validatePostResponseAsync']>>['profile'];
  try {
    // The XML checked above, not the posted text again: node-saml decodes what it is given.
    ({ profile } = await client.validatePostResponseAsync({
      SAMLResponse: Buffer.from(xml, 'utf8').toString('base64'),
    }));
  } catch (error) {
    throw new SsoFailure(reasonOf(error), (error as Error).message ?? String(error));
  }
  const verifiedXml = profile?.getAssertionXml?.();
  if (!profile || !verifiedXml) throw new SsoFailure('malformed', 'the response carries no assertion');

  // Everything below is read from the signed bytes node-saml returned, never from the posted document.
  const assertion = parseXml(verifiedXml).documentElement as Element;
  const nameId = (profile.nameID ?? '').trim();
  try {
    checkSignatureStrength(verifiedSignature(response, assertion), expected.allowSha1 === true);
  } catch (error) {
    if (error instanceof SsoFailure) throw new SsoFailure(error.reason, error.detail, nameId || null);
    throw error;
  }
  const assertionId = assertion.getAttribute('ID') ?? '';
  if (assertionId === '') throw new SsoFailure('malformed', 'the assertion has no ID', nameId || null);

  const issuer = textOf(firstChild(assertion, NS.assertion, 'Issuer'));
  if (issuer !== expected.idpEntityId) {
    throw new SsoFailure(
      'wrong_issuer',
      `assertion issuer "${issuer}", expected "${expected.idpEntityId}"`,
      nameId || null,
    );
  }

  const destination = response.getAttribute('Destination');
  if (destination && destination !== expected.acsUrl) {
    throw new SsoFailure(
      'wrong_recipient',
      `Response Destination "${destination}", expected "${expected.acsUrl}"`,
      nameId || null,
    );
  }

  const now = (expected.now ?? new Date()).getTime();
  const subject = firstChild(assertion, NS.assertion, 'Subject');
  const confirmations = subject ? childElements(subject, NS.assertion, 'SubjectConfirmation') : [];
  const bearer = confirmations
    .filter((confirmation) => confirmation.getAttribute('Method') === BEARER)
    .map((confirmation) => firstChild(confirmation, NS.assertion, 'SubjectConfirmationData'))
    .filter((data): data is Element => data !== undefined);
  if (bearer.length === 0) {
    throw new SsoFailure('malformed', 'the assertion has no bearer SubjectConfirmationData', nameId || null);
  }
  const recipients = bearer.map((data) => data.getAttribute('Recipient') ?? '');
  const confirmation = bearer.find((data) => data.getAttribute('Recipient') === expected.acsUrl);
  if (!confirmation) {
    throw new SsoFailure(
      'wrong_recipient',
      `SubjectConfirmationData Recipient "${recipients.join('", "')}", expected "${expected.acsUrl}"`,
      nameId || null,
    );
  }
  const confirmationEnds = time(
    confirmation.getAttribute('NotOnOrAfter'),
    'SubjectConfirmationData NotOnOrAfter',
  );
  if (now - CLOCK_SKEW_MS >= confirmationEnds) {
    throw new SsoFailure('expired', 'SubjectConfirmationData NotOnOrAfter has passed', nameId || null);
  }
  const conditions = firstChild(assertion, NS.assertion, 'Conditions');
  const conditionsEnd = conditions?.getAttribute('NotOnOrAfter');
  const latest = Math.max(
    confirmationEnds,
    conditionsEnd ? time(conditionsEnd, 'Conditions NotOnOrAfter') : 0,
  );

  if (nameId === '') throw new SsoFailure('malformed', 'the assertion has no NameID');
  const attributes: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(profile.attributes ?? {})) {
    const values = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
    if (values.length > 0) attributes[name] = values;
  }
  // node-saml checked the Response's InResponseTo against the requests in flight; the signed
  // SubjectConfirmationData must name the same request, so that stripping the (possibly unsigned)
  // Response attribute cannot turn an SP-initiated answer into an unsolicited one.
  const inResponseTo = response.getAttribute('InResponseTo') || null;
  const signedInResponseTo = confirmation.getAttribute('InResponseTo') || null;
  if (signedInResponseTo !== null && signedInResponseTo !== inResponseTo) {
    throw new SsoFailure(
      'invalid_in_response_to',
      `SubjectConfirmationData InResponseTo "${signedInResponseTo}" differs from the Response's "${inResponseTo ?? ''}"`,
      nameId,
    );
  }
  return {
    assertionId,
    issuer,
    nameId,
    nameIdFormat: typeof profile.nameIDFormat === 'string' ? profile.nameIDFormat : null,
    attributes,
    expiresAt: new Date(latest + CLOCK_SKEW_MS).toISOString(),
    inResponseTo,
  };
}
