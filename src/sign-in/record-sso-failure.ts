// A refused SSO sign-in in the organization's audit log, from the ACS or from the step that
// completes a held sign-in (`/saml/{slug}/continue`).
import { recordAudit, recordUnauthenticatedFailure } from '../audit/record-audit.ts';
import { AUTHENTICATED_FAILURES, type SsoFailure } from '../auth/saml/sso-failure.ts';
import type { OrganizationRecord } from '../store/repos/organizations.ts';
import type { Store } from '../store/store.ts';

/** At most this much of an identity provider's words in an audit event. */
const MAX_AUDIT_TEXT = 256;

function bounded(text: string | null): string | null {
  return text === null || text.length <= MAX_AUDIT_TEXT ? text : `${text.slice(0, MAX_AUDIT_TEXT)}…`;
}

/**
 * A refusal in the organization's audit log. One of a verified response (unknown or deactivated
 * member, a sign-in the organization does not accept): an event of its own, naming who the IdP
 * vouched for. Any other: anyone can post it, so it is counted — one `sso.login_failed` event per
 * reason and minute, its `count` going up, with nothing of what the request said (the detail goes
 * to the server log).
 */
export async function recordSsoFailure(
  store: Store,
  organization: OrganizationRecord,
  failure: SsoFailure,
  requestId: string | null,
): Promise<void> {
  const target = { type: 'organization', id: organization.id, label: organization.slug };
  if (AUTHENTICATED_FAILURES.has(failure.reason)) {
    const nameId = bounded(failure.nameId);
    await store.transaction((tx) =>
      recordAudit(tx, {
        organizationId: organization.id,
        actor: { type: 'saml', id: null, label: nameId },
        action: 'sso.login_failed',
        target,
        after: { reason: failure.reason, detail: bounded(failure.detail), nameId },
        requestId,
      }),
    );
    return;
  }
  await recordUnauthenticatedFailure(store, {
    organizationId: organization.id,
    action: 'sso.login_failed',
    reason: failure.reason,
    target,
    requestId,
  });
}
