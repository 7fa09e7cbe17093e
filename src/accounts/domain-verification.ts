// Proving that an organization controls an SSO email domain before the domain routes anyone to its
// identity provider. Each claim (organization, domain) has a random token; the organization
// publishes it as a DNS TXT record
//
//   _roster-verification.<domain>  TXT  "roster-verification=<token>"
//
// and "Verify" looks the record up through the configured resolver (DNS_SERVERS, else the system's).
// Only a verified domain routes "Continue with SSO" and allows just-in-time creation or linking
// (src/sign-in/sso-sign-in.ts). One organization at a time holds a domain verified: a second
// organization that proves control of a domain another holds is refused (409) until the holder
// removes it from its SSO settings. Public email providers' domains are refused outright.
import { randomBytes } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { RosterError } from '../errors.ts';
import { foldCase } from '../scim/fold-case.ts';
import { UniqueViolationError } from '../store/errors.ts';
import { now } from '../store/ids.ts';
import type { SsoDomainRecord } from '../store/repos/sso.ts';
import type { Store } from '../store/store.ts';

export const VERIFICATION_LABEL = '_roster-verification';
export const VERIFICATION_PREFIX = 'roster-verification=';

/** The one thing domain verification needs of DNS: the TXT records of a name (node:dns's shape). */
export interface TxtResolver {
  resolveTxt(name: string): Promise<string[][]>;
}

/** A resolver asking `servers` (host or host:port), or the system's resolver when null. */
export function createTxtResolver(servers: readonly string[] | null): TxtResolver {
  const resolver = new Resolver({ timeout: 2500, tries: 2 });
  if (servers) resolver.setServers([...servers]);
  return resolver;
}

/** 128 random bits in hex. */
export function newVerificationToken(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Webmail and consumer providers: nobody's organization, so no organization may route their people
 * to its identity provider (each would fail DNS verification anyway; refusing says so at once).
 */
export const PUBLIC_EMAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'hotmail.co.uk',
  'hotmail.fr',
  'live.com',
  'msn.com',
  'yahoo.com',
  'yahoo.co.uk',
  'yahoo.fr',
  'ymail.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'pm.me',
  'gmx.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  'mail.com',
  'zoho.com',
  'yandex.com',
  'yandex.ru',
  'mail.ru',
  'qq.com',
  '163.com',
  '126.com',
  'fastmail.com',
  'hey.com',
  'tutanota.com',
]);

export interface DomainVerificationView {
  domain: string;
  verified: boolean;
  verifiedAt: string | null;
  /** The record to create at the domain's DNS host. */
  record: { name: string; type: 'TXT'; value: string };
}

export function domainVerificationView(claim: SsoDomainRecord): DomainVerificationView {
  return {
    domain: claim.domain,
    verified: claim.verified_at !== null,
    verifiedAt: claim.verified_at,
    record: {
      name: `${VERIFICATION_LABEL}.${claim.domain}`,
      type: 'TXT',
      value: `${VERIFICATION_PREFIX}${claim.verification_token}`,
    },
  };
}

/** What the lookup found, as a sentence for the person verifying; undefined when the record is there. */
async function lookupProblem(
  resolver: TxtResolver,
  view: DomainVerificationView,
): Promise<string | undefined> {
  let records: string[][];
  try {
    records = await resolver.resolveTxt(view.record.name);
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'error';
    if (code === 'ENOTFOUND' || code === 'ENODATA') {
      return `no TXT record was found at ${view.record.name}: create it with the value ${view.record.value} (DNS changes can take a few minutes to appear)`;
    }
    return `the DNS lookup of ${view.record.name} failed (${code}); try again in a moment`;
  }
  // A TXT record may be split into several strings of at most 255 bytes: they are one value.
  const values = records.map((chunks) => chunks.join('').trim());
  if (values.includes(view.record.value)) return undefined;
  const ours = values.filter((value) => value.startsWith(VERIFICATION_PREFIX));
  return ours.length > 0
    ? `the TXT record at ${view.record.name} does not carry this organization's value: expected ${view.record.value}`
    : `no TXT record at ${view.record.name} carries ${view.record.value}`;
}

export interface VerifyDomainInput {
  organizationId: string;
  domain: string;
  actor: Actor;
  requestId?: string | null;
}

/**
 * Checks the claim's TXT record and marks the domain verified, audited as `sso.domain_verified`.
 * Refused (RosterError `conflict`, nothing stored) when the record is missing or wrong, or when another
 * organization holds the domain verified.
 */
export async function verifySsoDomain(
  store: Store,
  resolver: TxtResolver,
  input: VerifyDomainInput,
): Promise<DomainVerificationView> {
  const domain = foldCase(input.domain.trim().replace(/^@/, '').replace(/\.$/, ''));
  const claim = await store.sso.getDomainClaim(input.organizationId, domain);
  if (!claim) {
    throw new RosterError(
      'not_found',
      `"${domain}" is not one of this organization's SSO email domains: add it to the SSO settings first`,
    );
  }
  const view = domainVerificationView(claim);
  if (view.verified) return view;
  const heldBy = await store.sso.verifiedHolder(domain);
  if (heldBy !== undefined && heldBy !== input.organizationId) throw heldElsewhere(domain);
  const problem = await lookupProblem(resolver, view);
  if (problem) throw new RosterError('conflict', `${domain} is not verified: ${problem}`);

  const at = now();
  try {
    await store.transaction(async (tx) => {
      await recordAudit(tx, {
        organizationId: input.organizationId,
        actor: input.actor,
        action: 'sso.domain_verified',
        target: { type: 'organization', id: input.organizationId, label: domain },
        after: { domain, record: view.record.name },
        requestId: input.requestId ?? null,
      });
      // Last: on PostgreSQL a unique violation aborts the transaction, which then rolls back whole.
      await tx.sso.markDomainVerified(input.organizationId, domain, at);
    });
  } catch (error) {
    if (error instanceof UniqueViolationError) throw heldElsewhere(domain);
    throw error;
  }
  return { ...view, verified: true, verifiedAt: at };
}

function heldElsewhere(domain: string): RosterError {
  return new RosterError(
    'conflict',
    `${domain} is verified by another organization: a domain routes to one organization only. That organization must remove it from its SSO settings first (or the operator runs roster sso release-domain).`,
  );
}

/**
 * The operator's way out when a domain changed hands (`roster sso release-domain`): removes an
 * organization's claim, verified or not, audited in that organization's log.
 */
export async function releaseSsoDomain(
  store: Store,
  input: { organizationId: string; domain: string; actor: Actor },
): Promise<void> {
  const domain = foldCase(input.domain.trim());
  await store.transaction(async (tx) => {
    const claim = await tx.sso.getDomainClaim(input.organizationId, domain);
    if (!claim) {
      throw new RosterError('not_found', `"${domain}" is not one of this organization's SSO email domains`);
    }
    await tx.sso.deleteDomainClaim(input.organizationId, domain);
    await recordAudit(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'sso.domain_released',
      target: { type: 'organization', id: input.organizationId, label: domain },
      before: { domain, verified: claim.verified_at !== null },
    });
  });
}
