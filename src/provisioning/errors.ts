// Provisioning's refusals, phrased for the IT admin who reads them in Okta's or Entra's task log.
import { RosterError } from '../errors.ts';
import { UniqueViolationError } from '../store/errors.ts';

export function memberNotFound(id: string): RosterError {
  return new RosterError('not_found', `no User with id "${id}" in this organization`);
}

/** Turns a unique-index refusal into the SCIM 409 naming what was duplicated. */
export function uniquenessError(error: UniqueViolationError): RosterError {
  const constraint = error.constraint.toLowerCase();
  if (constraint.includes('user_name')) {
    return new RosterError('uniqueness', 'a User with this userName already exists in this organization');
  }
  if (
    constraint.includes('org_user') ||
    constraint.includes('memberships.organization_id, memberships.user_id')
  ) {
    return new RosterError(
      'uniqueness',
      'a member with this email address already exists in this organization',
    );
  }
  return new RosterError('uniqueness', 'a User with these unique attributes already exists');
}

export function preconditionFailed(): RosterError {
  return new RosterError(
    'precondition_failed',
    'the resource has changed: its version does not match If-Match',
  );
}

/** Runs a member write; a unique-index refusal (two racing creates, another member's userName…) becomes its SCIM 409. */
export async function withUniquenessErrors<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof UniqueViolationError) throw uniquenessError(error);
    throw error;
  }
}
