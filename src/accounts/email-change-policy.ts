// "Email changes from the identity provider": what Roster does when an organization's IdP changes a
// member's email or userName (see src/provisioning/settle-identity-changes.ts and docs/scim.md). An Admin sets
// it on the SCIM page; the change is audited in the same transaction.

import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { RosterError } from '../errors.ts';
import type { EmailChangePolicy } from '../store/schema.ts';
import type { Store } from '../store/store.ts';

export const EMAIL_CHANGE_POLICIES: readonly EmailChangePolicy[] = ['refuse', 'follow'];

export function isEmailChangePolicy(value: unknown): value is EmailChangePolicy {
  return EMAIL_CHANGE_POLICIES.includes(value as EmailChangePolicy);
}

export interface EmailChangePolicyInput {
  organizationId: string;
  policy: string;
  actor: Actor;
  requestId?: string | null;
}

/** Stores the organization's setting; returns the one in force. Saving the same value writes nothing. */
export async function setEmailChangePolicy(
  store: Store,
  input: EmailChangePolicyInput,
): Promise<EmailChangePolicy> {
  const { policy } = input;
  if (!isEmailChangePolicy(policy)) {
    throw new RosterError(
      'invalid_value',
      `email changes must be one of ${EMAIL_CHANGE_POLICIES.join(', ')}`,
    );
  }
  return store.transaction(async (tx) => {
    await tx.organizations.lock(input.organizationId);
    const organization = await tx.organizations.getById(input.organizationId);
    if (!organization) throw new RosterError('not_found', 'the organization no longer exists');
    if (organization.email_changes === policy) return policy;
    await tx.organizations.setEmailChanges(organization.id, policy);
    await recordAudit(tx, {
      organizationId: organization.id,
      actor: input.actor,
      action: 'organization.email_changes_updated',
      target: { type: 'organization', id: organization.id, label: organization.slug },
      before: { emailChanges: organization.email_changes },
      after: { emailChanges: policy },
      requestId: input.requestId ?? null,
    });
    return policy;
  });
}
