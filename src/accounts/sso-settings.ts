// An organization's SAML SSO settings (dashboard page and `/api/v1/sso`): read them with the
// service-provider values to paste into the IdP, and replace them after validating everything, so
// that a bad certificate, URL or domain stores nothing. The first save also generates the
// organization's service-provider key pair (for signed AuthnRequests), kept from then on.

import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { isRole } from '../auth/roles.ts';
import { certificateInfo, generateSelfSignedKeyPair, parseCertificates } from '../auth/saml/certificates.ts';
import { parseIdpMetadata } from '../auth/saml/parse-idp-metadata.ts';
import {
  idpCertificates,
  type ServiceProviderUrls,
  serviceProviderUrls,
} from '../auth/saml/service-provider.ts';
import { RosterError } from '../errors.ts';
import { recordEvent } from '../events/record-event.ts';
import { foldCase } from '../scim/fold-case.ts';
import { now } from '../store/ids.ts';
import type { OrganizationRecord } from '../store/repos/organizations.ts';
import type { SsoDomainRecord, SsoSettingsRecord } from '../store/repos/sso.ts';
import type { Role, SsoBinding } from '../store/schema.ts';
import type { Repositories, Store } from '../store/store.ts';
import {
  type DomainVerificationView,
  domainVerificationView,
  newVerificationToken,
  PUBLIC_EMAIL_DOMAINS,
} from './domain-verification.ts';

/**
 * New settings. Whatever is omitted keeps its current value (or its default on the first save), as
 * Roster's PUTs do elsewhere: rotating a certificate does not mean re-sending the domains.
 */
export interface SsoSettingsInput {
  /** IdP metadata XML: fills in whichever of entity ID, SSO URL and certificate are not given. */
  idpMetadataXml?: string;
  idpEntityId?: string;
  idpSsoUrl?: string;
  idpSsoBinding?: SsoBinding;
  /** One or more PEM certificates, or one bare base64 certificate. */
  idpCertificate?: string;
  domains?: readonly string[];
  ssoRequired?: boolean;
  /** Create members at their first SSO sign-in (with `justInTimeRole`); else only existing members. */
  justInTimeProvisioning?: boolean;
  justInTimeRole?: Role;
  signAuthnRequests?: boolean;
  /** Accept responses signed over SHA-1 (refused by default; for an IdP that cannot sign with SHA-256 yet). */
  allowSha1Signatures?: boolean;
  /** Accept unsolicited (IdP-initiated) responses, such as an Okta tile's; on by default. */
  idpInitiated?: boolean;
}

export interface IdpCertificateView {
  pem: string;
  subject: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
}

export interface SsoSettingsView {
  configured: boolean;
  serviceProvider: ServiceProviderUrls & { certificate: string | null };
  identityProvider: {
    entityId: string;
    ssoUrl: string;
    ssoBinding: SsoBinding;
    certificates: IdpCertificateView[];
  } | null;
  /** Every domain the organization claims, verified or not. */
  domains: string[];
  /**
   * Each claim's state and the DNS TXT record that verifies it: only verified domains route
   * "Continue with SSO" and allow just-in-time provisioning (src/accounts/domain-verification.ts).
   */
  domainVerification: DomainVerificationView[];
  ssoRequired: boolean;
  justInTimeProvisioning: boolean;
  justInTimeRole: Role;
  signAuthnRequests: boolean;
  allowSha1Signatures: boolean;
  idpInitiated: boolean;
  updatedAt: string | null;
}

const DOMAIN = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const MAX_DOMAINS = 50;
/** HTTP is accepted for these (and *.localhost, RFC 6761): a test IdP on this machine. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function ssoSettingsView(
  publicUrl: string,
  organization: OrganizationRecord,
  settings: SsoSettingsRecord | undefined,
  claims: SsoDomainRecord[],
): SsoSettingsView {
  const urls = serviceProviderUrls(publicUrl, organization.slug);
  return {
    configured: settings !== undefined,
    serviceProvider: { ...urls, certificate: settings?.sp_certificate ?? null },
    identityProvider: settings
      ? {
          entityId: settings.idp_entity_id,
          ssoUrl: settings.idp_sso_url,
          ssoBinding: settings.idp_sso_binding,
          certificates: idpCertificates(settings).map((pem) => ({ pem, ...certificateInfo(pem) })),
        }
      : null,
    domains: claims.map((claim) => claim.domain),
    domainVerification: claims.map(domainVerificationView),
    ssoRequired: settings?.sso_required === 1,
    justInTimeProvisioning: settings?.jit_role != null,
    justInTimeRole: settings?.jit_role ?? 'member',
    signAuthnRequests: settings?.sign_authn_requests === 1,
    allowSha1Signatures: settings?.allow_sha1_signatures === 1,
    idpInitiated: settings ? settings.idp_initiated === 1 : true,
    updatedAt: settings?.updated_at ?? null,
  };
}

export async function getSsoSettings(
  store: Store,
  publicUrl: string,
  organizationId: string,
): Promise<SsoSettingsView> {
  const organization = await store.organizations.getById(organizationId);
  if (!organization) throw new RosterError('not_found', 'the organization no longer exists');
  const settings = await store.sso.getSettings(organizationId);
  return ssoSettingsView(publicUrl, organization, settings, await store.sso.listDomainClaims(organizationId));
}

/** An HTTPS URL (HTTP only on this machine, for the test IdP), or a 400 naming the field. */
export function checkSsoUrl(value: string): string {
  const trimmed = value.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new RosterError('invalid_value', `the IdP single sign-on URL "${trimmed}" is not a URL`);
  }
  const loopback = LOOPBACK.has(url.hostname) || url.hostname.endsWith('.localhost');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new RosterError('invalid_value', 'the IdP single sign-on URL must start with https://');
  }
  if (url.username || url.password) {
    throw new RosterError('invalid_value', 'the IdP single sign-on URL must not contain credentials');
  }
  return trimmed;
}

/** Deduplicated domains, A–Z lowered (src/scim/fold-case.ts); "@acme.com" and "ACME.com" are accepted as acme.com. */
export function normalizeDomains(values: readonly string[]): string[] {
  const domains = [
    ...new Set(
      values.map((value) => foldCase(value.trim().replace(/^@/, '').replace(/\.$/, ''))).filter(Boolean),
    ),
  ];
  if (domains.length > MAX_DOMAINS) {
    throw new RosterError('invalid_value', `at most ${MAX_DOMAINS} email domains`);
  }
  for (const domain of domains) {
    if (!DOMAIN.test(domain)) {
      throw new RosterError('invalid_value', `"${domain}" is not an email domain such as example.com`);
    }
    if (PUBLIC_EMAIL_DOMAINS.has(domain)) {
      throw new RosterError(
        'invalid_value',
        `${domain} is a public email provider's domain: no organization can own it for single sign-on`,
      );
    }
  }
  return domains.sort();
}

interface IdentityProvider {
  entityId: string;
  ssoUrl: string;
  binding: SsoBinding;
  certificates: string[];
}

/** The IdP: each value from the form, else from the pasted metadata, else as it was. */
function identityProvider(input: SsoSettingsInput, current: SsoSettingsRecord | undefined): IdentityProvider {
  const metadata = input.idpMetadataXml?.trim() ? parseIdpMetadata(input.idpMetadataXml) : undefined;
  const entityId = input.idpEntityId?.trim() || metadata?.entityId || current?.idp_entity_id || '';
  if (entityId === '')
    throw new RosterError(
      'invalid_value',
      'the IdP entity ID (issuer) is required, or paste the IdP metadata',
    );
  if (entityId.length > 1024 || /\s/.test(entityId)) {
    throw new RosterError('invalid_value', 'the IdP entity ID must be one word of at most 1024 characters');
  }
  const explicitUrl = input.idpSsoUrl?.trim();
  const rawUrl = explicitUrl || metadata?.ssoUrl || current?.idp_sso_url || '';
  if (rawUrl === '')
    throw new RosterError(
      'invalid_value',
      'the IdP single sign-on URL is required, or paste the IdP metadata',
    );
  const ssoUrl = checkSsoUrl(rawUrl);
  const binding =
    input.idpSsoBinding ??
    (explicitUrl ? 'redirect' : (metadata?.binding ?? current?.idp_sso_binding ?? 'redirect'));
  if (binding !== 'redirect' && binding !== 'post') {
    throw new RosterError('invalid_value', 'the binding must be "redirect" or "post"');
  }
  const certificates = input.idpCertificate?.trim()
    ? parseCertificates(input.idpCertificate)
    : (metadata?.certificates ?? (current ? idpCertificates(current) : []));
  if (certificates.length === 0) {
    throw new RosterError(
      'invalid_value',
      'the IdP signing certificate is required, or paste the IdP metadata',
    );
  }
  return { entityId, ssoUrl, binding, certificates };
}

/** What the audit log keeps of the settings: never the private key, certificates by fingerprint. */
function auditSnapshot(settings: SsoSettingsRecord | undefined, domains: string[]) {
  if (!settings) return { configured: false, domains };
  return {
    idpEntityId: settings.idp_entity_id,
    idpSsoUrl: settings.idp_sso_url,
    idpSsoBinding: settings.idp_sso_binding,
    idpCertificates: idpCertificates(settings).map((pem) => certificateInfo(pem).fingerprintSha256),
    domains,
    ssoRequired: settings.sso_required === 1,
    justInTimeRole: settings.jit_role,
    signAuthnRequests: settings.sign_authn_requests === 1,
    allowSha1Signatures: settings.allow_sha1_signatures === 1,
    idpInitiated: settings.idp_initiated === 1,
  };
}

export interface SaveSsoSettingsInput {
  organizationId: string;
  settings: SsoSettingsInput;
  actor: Actor;
  requestId?: string | null;
  publicUrl: string;
}

export async function saveSsoSettings(store: Store, input: SaveSsoSettingsInput): Promise<SsoSettingsView> {
  const { settings } = input;
  const organization = await store.organizations.getById(input.organizationId);
  if (!organization) throw new RosterError('not_found', 'the organization no longer exists');
  const current = await store.sso.getSettings(input.organizationId);
  const idp = identityProvider(settings, current);
  const domains = settings.domains ? normalizeDomains(settings.domains) : undefined;
  if (settings.justInTimeRole !== undefined && !isRole(settings.justInTimeRole)) {
    throw new RosterError('invalid_value', 'the just-in-time role must be "admin" or "member"');
  }
  // Generated outside the transaction (it takes a moment), and only for the first save.
  const keyPair = current ? undefined : await generateSelfSignedKeyPair(`Roster SP ${organization.slug}`);

  return store.transaction(async (tx) => {
    await tx.organizations.lock(input.organizationId);
    const before = await tx.sso.getSettings(input.organizationId);
    const beforeDomains = await tx.sso.listDomains(input.organizationId);
    const spPrivateKey = before?.sp_private_key ?? keyPair?.privateKeyPem;
    const spCertificate = before?.sp_certificate ?? keyPair?.certificatePem;
    if (!spPrivateKey || !spCertificate) {
      throw new RosterError('conflict', 'the SSO settings changed meanwhile; try again');
    }
    const at = now();
    const jitOn = settings.justInTimeProvisioning ?? (before ? before.jit_role !== null : false);
    const row: SsoSettingsRecord = {
      organization_id: input.organizationId,
      idp_entity_id: idp.entityId,
      idp_sso_url: idp.ssoUrl,
      idp_sso_binding: idp.binding,
      idp_certificates: JSON.stringify(idp.certificates),
      sso_required: (settings.ssoRequired ?? before?.sso_required === 1) ? 1 : 0,
      jit_role: jitOn ? (settings.justInTimeRole ?? before?.jit_role ?? 'member') : null,
      sign_authn_requests: (settings.signAuthnRequests ?? before?.sign_authn_requests === 1) ? 1 : 0,
      allow_sha1_signatures: (settings.allowSha1Signatures ?? before?.allow_sha1_signatures === 1) ? 1 : 0,
      idp_initiated: (settings.idpInitiated ?? (before ? before.idp_initiated === 1 : true)) ? 1 : 0,
      sp_private_key: spPrivateKey,
      sp_certificate: spCertificate,
      created_at: before?.created_at ?? at,
      updated_at: at,
    };
    await tx.sso.upsertSettings(row);
    const newDomains = domains ?? beforeDomains;
    const taken = await tx.sso.replaceDomains(input.organizationId, newDomains, at, newVerificationToken);
    if (taken.length > 0) {
      throw new RosterError(
        'conflict',
        `${taken.join(', ')} ${taken.length === 1 ? 'is' : 'are'} verified by another organization: an email domain routes to one organization only`,
      );
    }
    await recordAudit(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'sso.settings_updated',
      target: { type: 'organization', id: organization.id, label: organization.slug },
      before: auditSnapshot(before, beforeDomains),
      after: auditSnapshot(row, newDomains),
      requestId: input.requestId ?? null,
    });
    await recordEvent(tx, {
      type: 'sso.settings_changed',
      organizationId: input.organizationId,
      actor: input.actor,
      data: { object: 'sso_settings', id: input.organizationId, ...auditSnapshot(row, newDomains) },
    });
    if (row.sso_required === 1 && before?.sso_required !== 1) {
      await endPasswordSessions(tx, organization.id, input.actor, input.requestId ?? null);
    }
    return ssoSettingsView(
      input.publicUrl,
      organization,
      row,
      await tx.sso.listDomainClaims(input.organizationId),
    );
  });
}

/** The on/off switches of an organization's SSO, and the column each one is. */
export const SSO_SWITCHES = {
  /** "SSO required": password sign-in refused; the break-glass switch of `roster sso require`. */
  ssoRequired: 'sso_required',
  /** Accept SAML signatures over SHA-1 (refused by default). */
  allowSha1Signatures: 'allow_sha1_signatures',
  /** Accept unsolicited (IdP-initiated) responses, such as an app tile's. */
  idpInitiated: 'idp_initiated',
} as const;

export type SsoSwitch = keyof typeof SSO_SWITCHES;

/** Turns one SSO switch on or off, audited; "SSO required" turned on ends password sessions. */
export async function setSsoSwitch(
  store: Store,
  input: { organizationId: string; name: SsoSwitch; on: boolean; actor: Actor },
): Promise<void> {
  const column = SSO_SWITCHES[input.name];
  await store.transaction(async (tx) => {
    const before = await tx.sso.getSettings(input.organizationId);
    if (!before) throw new RosterError('not_found', 'SSO is not configured for this organization');
    await tx.sso.upsertSettings({ ...before, [column]: input.on ? 1 : 0, updated_at: now() });
    await recordAudit(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'sso.settings_updated',
      target: { type: 'organization', id: input.organizationId },
      before: { [input.name]: before[column] === 1 },
      after: { [input.name]: input.on },
    });
    await recordEvent(tx, {
      type: 'sso.settings_changed',
      organizationId: input.organizationId,
      actor: input.actor,
      data: {
        object: 'sso_settings',
        id: input.organizationId,
        ...auditSnapshot(
          { ...before, [column]: input.on ? 1 : 0 },
          await tx.sso.listDomains(input.organizationId),
        ),
      },
    });
    if (input.name === 'ssoRequired' && input.on && before.sso_required !== 1) {
      await endPasswordSessions(tx, input.organizationId, input.actor, null);
    }
  });
}

/**
 * "SSO required" turned on: the password sessions opened in the organization end at once (else
 * they would last up to 12 hours); SSO sessions stay. Sessions belong to one organization, so a
 * member's password session in another organization they belong to is not this organization's to
 * end: it stays, and it cannot reach this one (the organization switcher refuses password sessions
 * where SSO is required).
 */
async function endPasswordSessions(
  tx: Repositories,
  organizationId: string,
  actor: Actor,
  requestId: string | null,
): Promise<void> {
  const ended = await tx.sessions.deletePasswordSessionsOfOrganization(organizationId);
  await recordAudit(tx, {
    organizationId,
    actor,
    action: 'session.password_sessions_ended',
    target: { type: 'organization', id: organizationId },
    after: { reason: 'sso_required', sessionsEnded: ended },
    requestId,
  });
}
