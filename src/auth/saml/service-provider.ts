// Roster as a SAML service provider, one per organization: its URLs, its metadata, and the
// @node-saml/node-saml client configured from the organization's settings.
import { randomBytes } from 'node:crypto';
import {
  type CacheProvider,
  generateServiceProviderMetadata,
  SAML,
  ValidateInResponseTo,
} from '@node-saml/node-saml';
import type { SsoSettingsRecord } from '../../store/repos/sso.ts';

export const EMAIL_NAME_ID_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
/** How far the IdP's clock may be from ours when checking NotBefore / NotOnOrAfter. */
export const CLOCK_SKEW_MS = 60_000;
/** How long an SP-initiated sign-in may take at the IdP (password, MFA) before its answer is refused. */
export const REQUEST_TTL_MS = 15 * 60_000;

export interface ServiceProviderUrls {
  /** The SP entity ID, which is also where its metadata is served. */
  entityId: string;
  acsUrl: string;
  metadataUrl: string;
  /** Starts an SP-initiated sign-in (a bookmarkable "Sign in with SSO" link). */
  signInUrl: string;
}

export function serviceProviderUrls(publicUrl: string, slug: string): ServiceProviderUrls {
  const base = `${publicUrl}/saml/${encodeURIComponent(slug)}`;
  return {
    entityId: `${base}/metadata`,
    acsUrl: `${base}/acs`,
    metadataUrl: `${base}/metadata`,
    signInUrl: `${base}/login`,
  };
}

/** SP metadata: the signing certificate appears only when AuthnRequests are signed. */
export function serviceProviderMetadata(
  urls: ServiceProviderUrls,
  settings: SsoSettingsRecord | undefined,
): string {
  const signing = settings !== undefined && settings.sign_authn_requests === 1;
  return generateServiceProviderMetadata({
    issuer: urls.entityId,
    callbackUrl: urls.acsUrl,
    identifierFormat: EMAIL_NAME_ID_FORMAT,
    wantAssertionsSigned: true,
    ...(signing ? { privateKey: settings.sp_private_key, publicCerts: [settings.sp_certificate] } : {}),
  });
}

export function idpCertificates(settings: SsoSettingsRecord): string[] {
  const parsed: unknown = JSON.parse(settings.idp_certificates);
  return Array.isArray(parsed) ? parsed.filter((c): c is string => typeof c === 'string') : [];
}

/**
 * A node-saml client for one organization. Either signature (Response or Assertion) is enough, but
 * one is required: node-saml refuses a response where neither verifies with the IdP's certificate.
 * `InResponseTo` is checked when present (SP-initiated) against `cache`; an IdP-initiated response
 * has none.
 */
export function samlClient(
  settings: SsoSettingsRecord,
  urls: ServiceProviderUrls,
  cache: CacheProvider,
): SAML {
  const signing = settings.sign_authn_requests === 1;
  return new SAML({
    issuer: urls.entityId,
    audience: urls.entityId,
    callbackUrl: urls.acsUrl,
    entryPoint: settings.idp_sso_url,
    idpCert: idpCertificates(settings),
    idpIssuer: settings.idp_entity_id,
    identifierFormat: EMAIL_NAME_ID_FORMAT,
    wantAssertionsSigned: false,
    wantAuthnResponseSigned: false,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    validateInResponseTo: ValidateInResponseTo.ifPresent,
    requestIdExpirationPeriodMs: REQUEST_TTL_MS,
    cacheProvider: cache,
    // Asking for PasswordProtectedTransport (node-saml's default) makes Okta refuse people who
    // sign in with FastPass or another passwordless factor.
    disableRequestedAuthnContext: true,
    // The HTTP-POST binding carries the AuthnRequest base64-encoded, not deflated (Bindings §3.5.4).
    ...(settings.idp_sso_binding === 'post'
      ? { authnRequestBinding: 'HTTP-POST', skipRequestCompression: true }
      : {}),
    ...(signing ? { privateKey: settings.sp_private_key, signatureAlgorithm: 'sha256' as const } : {}),
    publicCert: settings.sp_certificate,
    generateUniqueId: () => `_${randomBytes(20).toString('hex')}`,
  });
}
