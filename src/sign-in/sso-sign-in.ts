// SAML SSO sign-in, start to finish. Starting: the organization that verified the email's domain, an
// AuthnRequest whose ID is kept in `saml_requests` with an opaque RelayState standing for the
// return path, and the hash of the browser's `roster_saml_login` cookie. Finishing (the ACS): the
// response validated (src/auth/saml/validate-response.ts), the return path settled, its assertion
// consumed once, the member it names found (or created just in time), refused when deactivated,
// and the sign-in held for the browser's next request, a same-site GET that carries the cookies the
// IdP's cross-site POST could not (src/sign-in/held-sign-in.ts): there it completes silently in the
// browser that started it, and otherwise never silently replaces another person's session.
// Refusals are audited as `sso.login_failed` with a typed reason: those of a response that did not
// verify are counted per reason and minute, keeping none of its text; success as `sso.login`.
import { randomBytes } from 'node:crypto';
import { isEmail } from '../accounts/organizations.ts';
import type { Actor } from '../audit/actor.ts';
import { SamlRequestCache } from '../auth/saml/request-cache.ts';
import { safeReturnPath } from '../auth/saml/return-path.ts';
import { samlClient, serviceProviderUrls } from '../auth/saml/service-provider.ts';
import { SsoFailure } from '../auth/saml/sso-failure.ts';
import { type ValidatedAssertion, validateSamlResponse } from '../auth/saml/validate-response.ts';
import { createJustInTimeMember } from '../provisioning/create-just-in-time-member.ts';
import { foldCase } from '../scim/fold-case.ts';
import { UniqueViolationError } from '../store/errors.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { OrganizationRecord } from '../store/repos/organizations.ts';
import type { SsoSettingsRecord } from '../store/repos/sso.ts';
import type { Store } from '../store/store.ts';
import { holdSignIn } from './held-sign-in.ts';
import { recordSsoFailure } from './record-sso-failure.ts';

/** The lower-case domain of an email address. */
function emailDomain(email: string): string {
  const trimmed = email.trim();
  return foldCase(trimmed.slice(trimmed.lastIndexOf('@') + 1));
}

/** The organization whose SSO covers an email address (by its domain), if any. */
export async function ssoOrganizationForEmail(
  store: Store,
  email: string,
): Promise<OrganizationRecord | undefined> {
  if (email.lastIndexOf('@') < 1 || !isEmail(email.trim())) return undefined;
  const domain = emailDomain(email);
  // Only a domain verified by DNS routes (src/accounts/domain-verification.ts).
  const organizationId = await store.sso.organizationIdForDomain(domain);
  if (!organizationId || !(await store.sso.getSettings(organizationId))) return undefined;
  return store.organizations.getById(organizationId);
}

/** How the browser carries the AuthnRequest to the IdP. */
export type AuthnRequestDelivery =
  | { binding: 'redirect'; url: string }
  | { binding: 'post'; url: string; fields: Record<string, string> };

/**
 * An SP-initiated sign-in: the AuthnRequest for the organization's IdP, kept with `browserHash`
 * (the hash of the starting browser's `roster_saml_login` cookie); undefined without SSO.
 */
export async function startSsoSignIn(
  store: Store,
  publicUrl: string,
  organization: OrganizationRecord,
  returnPath: string,
  browserHash: string,
): Promise<AuthnRequestDelivery | undefined> {
  const settings = await store.sso.getSettings(organization.id);
  if (!settings || organization.disabled_at !== null) return undefined;
  const relayState = randomBytes(24).toString('base64url');
  const cache = new SamlRequestCache(store, organization.id, {
    relayState,
    returnPath: safeReturnPath(returnPath) || null,
    browserHash,
  });
  const client = samlClient(settings, serviceProviderUrls(publicUrl, organization.slug), cache);
  if (settings.idp_sso_binding === 'post') {
    const message = await client.getAuthorizeMessageAsync(relayState);
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(message)) if (typeof value === 'string') fields[name] = value;
    return { binding: 'post', url: settings.idp_sso_url, fields };
  }
  return { binding: 'redirect', url: await client.getAuthorizeUrlAsync(relayState, undefined, {}) };
}

export interface AcsForm {
  SAMLResponse?: string;
  RelayState?: string;
}

export type SsoSignInResult =
  | {
      /** Held until the browser's next request (GET `continuePath`) completes it. */
      ok: 'pending';
      continuePath: string;
      organization: OrganizationRecord;
    }
  | { ok: false; failure: SsoFailure; organization: OrganizationRecord | undefined };

const EMAIL_ATTRIBUTES = [
  'email',
  'mail',
  'urn:oid:0.9.2342.19200300.100.1.3',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
];
const GIVEN_NAME_ATTRIBUTES = [
  'firstName',
  'givenName',
  'urn:oid:2.5.4.42',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
];
const FAMILY_NAME_ATTRIBUTES = [
  'lastName',
  'sn',
  'surname',
  'urn:oid:2.5.4.4',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
];

function attribute(assertion: ValidatedAssertion, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = assertion.attributes[name]?.[0]?.trim();
    if (value) return value;
  }
  return undefined;
}

interface SsoIdentity {
  nameId: string;
  email: string | null;
  givenName: string | null;
  familyName: string | null;
  /** What to match existing members by: the NameID, then the email attribute. */
  identifiers: string[];
}

function identityOf(assertion: ValidatedAssertion): SsoIdentity {
  const emailAttribute = attribute(assertion, EMAIL_ATTRIBUTES);
  const email = isEmail(assertion.nameId)
    ? assertion.nameId
    : emailAttribute && isEmail(emailAttribute)
      ? emailAttribute
      : null;
  return {
    nameId: assertion.nameId,
    email,
    givenName: attribute(assertion, GIVEN_NAME_ATTRIBUTES) ?? null,
    familyName: attribute(assertion, FAMILY_NAME_ATTRIBUTES) ?? null,
    identifiers: [...new Set([assertion.nameId, ...(emailAttribute ? [emailAttribute] : [])])],
  };
}

/** Where to land: the sign-in's own return path (SP-initiated), or an IdP's same-site RelayState. */
function returnPathOf(cache: SamlRequestCache, assertion: ValidatedAssertion, relayState: string): string {
  if (assertion.inResponseTo !== null) {
    const request = cache.found;
    return request && request.relay_state === relayState ? safeReturnPath(request.return_path ?? '') : '';
  }
  // IdP-initiated (an Okta tile): RelayState is whatever the IdP was configured to send.
  return safeReturnPath(relayState);
}

function actorFor(identity: string | null, member?: MemberRow): Actor {
  return { type: 'saml', id: member?.id ?? null, label: identity };
}

/**
 * The member the assertion names (found or created just in time), checked, and the sign-in held:
 * returns the one-time token of the held sign-in. `browserHash`: the binding of the AuthnRequest
 * an SP-initiated response answers.
 */
async function admit(
  store: Store,
  organization: OrganizationRecord,
  settings: SsoSettingsRecord,
  assertion: ValidatedAssertion,
  held: { returnPath: string; browserHash: string | null },
  requestId: string | null,
): Promise<string> {
  const identity = identityOf(assertion);
  return store.transaction(async (tx) => {
    let member: MemberRow | undefined;
    for (const identifier of identity.identifiers) {
      member = await tx.sso.findMemberForSignIn(organization.id, identifier);
      if (member) break;
    }
    let created = false;
    if (!member) {
      if (settings.jit_role === null) {
        throw new SsoFailure(
          'unknown_user',
          `no member matches "${identity.identifiers.join('", "')}"`,
          assertion.nameId,
        );
      }
      if (!identity.email) {
        throw new SsoFailure(
          'unknown_user',
          'just-in-time provisioning needs an email address as NameID or email attribute',
          assertion.nameId,
        );
      }
      // An IdP vouches for the people of the domains its organization proved it controls, and for
      // no one else: otherwise any organization could create (or link to their Roster account)
      // anybody's membership just by asserting their email.
      const domain = emailDomain(identity.email);
      if ((await tx.sso.verifiedHolder(domain)) !== organization.id) {
        throw new SsoFailure(
          'unknown_user',
          `just-in-time provisioning is only for email domains this organization has verified, and ${domain} is not one`,
          assertion.nameId,
        );
      }
      member = await createJustInTimeMember(tx, {
        organization,
        person: { ...identity, email: identity.email },
        role: settings.jit_role,
        actor: actorFor(assertion.nameId),
        requestId,
      });
      created = true;
    }
    if (member.status !== 'active' || member.role === null) {
      throw new SsoFailure(
        'deactivated',
        `member ${member.id} (${member.user_name}) is deactivated`,
        assertion.nameId,
      );
    }
    // Not signed in here: a cross-site POST carries no SameSite=Lax cookie, neither the session's
    // (whose session would this replace?) nor `roster_saml_login` (did this browser ask?). The
    // browser's next request, a same-site GET, carries both and decides.
    return holdSignIn(tx, {
      organizationId: organization.id,
      member,
      returnPath: held.returnPath,
      nameId: assertion.nameId,
      issuer: assertion.issuer,
      flow: assertion.inResponseTo === null ? 'idp_initiated' : 'sp_initiated',
      browserHash: held.browserHash,
      justInTimeCreated: created,
    });
  });
}

/** The ACS: a posted SAML response → a held sign-in, or a refusal with its reason (already audited). */
export async function completeSsoSignIn(
  store: Store,
  publicUrl: string,
  slug: string,
  form: AcsForm,
  requestId: string | null,
): Promise<SsoSignInResult> {
  const organization = await store.organizations.getBySlug(slug);
  if (!organization) {
    return {
      ok: false,
      failure: new SsoFailure('not_configured', `no organization "${slug}"`),
      organization,
    };
  }
  try {
    if (organization.disabled_at !== null) {
      throw new SsoFailure('organization_disabled', 'the organization is disabled');
    }
    const settings = await store.sso.getSettings(organization.id);
    if (!settings) throw new SsoFailure('not_configured', 'SSO is not configured for this organization');
    const urls = serviceProviderUrls(publicUrl, organization.slug);
    const cache = new SamlRequestCache(store, organization.id);
    const assertion = await validateSamlResponse(samlClient(settings, urls, cache), form.SAMLResponse ?? '', {
      acsUrl: urls.acsUrl,
      idpEntityId: settings.idp_entity_id,
      allowSha1: settings.allow_sha1_signatures === 1,
    });
    // Settled before the assertion is used up, so nothing about it can fail afterwards.
    const held = {
      returnPath: returnPathOf(cache, assertion, form.RelayState ?? ''),
      // The request node-saml matched InResponseTo with; null for an unsolicited response.
      browserHash: assertion.inResponseTo === null ? null : (cache.found?.browser_hash ?? null),
    };

    // Consumed in its own statement, before anything else: a refused sign-in still uses it up,
    // and the primary key makes a second use fail on every instance.
    const at = new Date().toISOString();
    if (
      !(await store.sso.consumeAssertion(organization.id, assertion.assertionId, assertion.expiresAt, at))
    ) {
      throw new SsoFailure(
        'replayed',
        `assertion ${assertion.assertionId} was already used`,
        assertion.nameId,
      );
    }
    await store.sso.deleteExpiredAssertions(at);
    // After consumption: each signed response is refused (and audited) once.
    if (assertion.inResponseTo === null && settings.idp_initiated !== 1) {
      throw new SsoFailure(
        'idp_initiated_off',
        'the organization refuses IdP-initiated sign-in (a response with no InResponseTo)',
        assertion.nameId,
      );
    }

    let pendingToken: string;
    try {
      pendingToken = await admit(store, organization, settings, assertion, held, requestId);
    } catch (error) {
      // Two first sign-ins of one person racing through just-in-time creation: the loser finds
      // the member the winner created.
      if (!(error instanceof UniqueViolationError)) throw error;
      pendingToken = await admit(store, organization, settings, assertion, held, requestId);
    }
    return {
      ok: 'pending',
      organization,
      continuePath: `/saml/${encodeURIComponent(organization.slug)}/continue?p=${pendingToken}`,
    };
  } catch (error) {
    if (!(error instanceof SsoFailure)) throw error;
    await recordSsoFailure(store, organization, error, requestId);
    return { ok: false, failure: error, organization };
  }
}
