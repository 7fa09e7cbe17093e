// Why an SSO sign-in was refused: a typed reason for the audit log (`sso.login_failed`) and the
// troubleshooting table of docs/sso-okta.md, a status, and a message a person can act on. The
// technical detail goes to the audit log only, never to the page.

export const SSO_FAILURE_REASONS = [
  'not_configured',
  'organization_disabled',
  'malformed',
  'too_large',
  'too_complex',
  'too_many_assertions',
  'too_many_signatures',
  'misplaced_signature',
  'weak_signature',
  'rate_limited',
  'unsigned',
  'bad_signature',
  'expired',
  'not_yet_valid',
  'wrong_audience',
  'wrong_recipient',
  'wrong_issuer',
  'invalid_in_response_to',
  'replayed',
  'idp_error',
  'unknown_user',
  'deactivated',
  'idp_initiated_off',
  'not_this_browser',
  'pending_expired',
] as const;

/**
 * Reasons given only after the response's signature, issuer, audience and validity were verified
 * and its assertion consumed: an identity provider's words, once per assertion. Every other
 * failure could be anyone's, any number of times; the audit log counts those (see
 * src/sign-in/sso-sign-in.ts) instead of keeping what they say.
 */
export const AUTHENTICATED_FAILURES: ReadonlySet<SsoFailureReason> = new Set([
  'unknown_user',
  'deactivated',
  'idp_initiated_off',
  'not_this_browser',
]);

export type SsoFailureReason = (typeof SSO_FAILURE_REASONS)[number];

const MESSAGES: Record<SsoFailureReason, string> = {
  not_configured: 'Single sign-on is not set up for this organization.',
  organization_disabled: 'This organization is disabled: nobody can sign in to it for now.',
  malformed: 'The sign-in response from your identity provider could not be read.',
  too_large:
    'The sign-in response from your identity provider is too large. Ask your administrator to send fewer attributes (such as groups) to Roster.',
  too_complex:
    'The sign-in response from your identity provider has more content than Roster accepts. Ask your administrator to send fewer attributes (such as groups) to Roster.',
  too_many_assertions: 'The sign-in response from your identity provider carries more than one assertion.',
  too_many_signatures:
    'The sign-in response from your identity provider carries more signatures than expected.',
  misplaced_signature:
    'The sign-in response from your identity provider has a signature in a place where none belongs.',
  weak_signature:
    'The sign-in response from your identity provider is signed with SHA-1, which this organization does not accept. Ask your administrator to switch the identity provider to SHA-256.',
  rate_limited: 'Too many sign-in attempts right now. Wait a minute, then sign in again.',
  unsigned: 'The sign-in response from your identity provider was not signed.',
  bad_signature: 'The signature of the sign-in response from your identity provider is not valid.',
  expired: 'The sign-in response from your identity provider has expired. Sign in again.',
  not_yet_valid:
    'The sign-in response from your identity provider is not valid yet. Check the clocks, then sign in again.',
  wrong_audience: 'The sign-in response was meant for another application.',
  wrong_recipient: 'The sign-in response was sent to another address.',
  wrong_issuer: 'The sign-in response came from an identity provider this organization does not use.',
  invalid_in_response_to: 'This sign-in was not started here, or took too long. Sign in again.',
  replayed: 'This sign-in response was already used. Sign in again.',
  idp_error: 'Your identity provider did not sign you in.',
  unknown_user:
    'There is no member with your email address in this organization. Ask your administrator for access.',
  deactivated: 'Your access to this organization has been deactivated by your administrator.',
  idp_initiated_off:
    'This organization accepts only sign-ins started at Roster. Open Roster\'s sign-in page and choose "Continue with SSO".',
  not_this_browser:
    'This sign-in was started in another browser, and this organization accepts only sign-ins started at Roster in the same browser. Open Roster\'s sign-in page here and choose "Continue with SSO".',
  pending_expired: 'This sign-in has expired or was already used. Sign in again.',
};

/** What the person is told, naming the organization where it helps. */
export function ssoFailureMessage(reason: SsoFailureReason, organizationName?: string): string {
  if (organizationName && reason === 'deactivated') {
    return `Your access to ${organizationName} has been deactivated by your administrator.`;
  }
  if (organizationName && reason === 'unknown_user') {
    return `There is no member with your email address in ${organizationName}. Ask your administrator for access.`;
  }
  return MESSAGES[reason];
}

export class SsoFailure extends Error {
  readonly reason: SsoFailureReason;
  /** For the audit log: what exactly failed. */
  readonly detail: string;
  /** Who the response named, when it got that far. */
  readonly nameId: string | null;

  constructor(reason: SsoFailureReason, detail: string, nameId: string | null = null) {
    super(MESSAGES[reason]);
    this.name = 'SsoFailure';
    this.reason = reason;
    this.detail = detail;
    this.nameId = nameId;
  }

  /**
   * 400 for a response that is not acceptable (413 when too large, 429 when too many arrive); 403
   * for a valid one naming someone without access.
   */
  get status(): 400 | 403 | 413 | 429 {
    if (this.reason === 'too_large') return 413;
    if (this.reason === 'rate_limited') return 429;
    return this.reason === 'unknown_user' ||
      this.reason === 'deactivated' ||
      this.reason === 'organization_disabled'
      ? 403
      : 400;
  }
}
