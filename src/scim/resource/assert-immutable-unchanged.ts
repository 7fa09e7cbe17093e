// Roster links a person by email and an IdP identity by userName, so by default neither may change
// once set (PRODUCT.md: "changing the email or userName → 400 mutability, nothing stored"). The
// PATCH engine cannot know this on its own; the caller compares the stored document with the
// result of applyPatch or mergeReplace (`identityChanges`) before storing anything, and decides by
// the organization's setting (src/provisioning/settle-identity-changes.ts).

import { foldCase } from '../fold-case.ts';
import { ScimError } from '../scim-error.ts';
import { primaryEmail } from './primary-email.ts';
import type { ScimUserDocument } from './scim-user.ts';

/** A change of the userName or of the primary email: what was stored, what the request asks for. */
export interface IdentityChange {
  attribute: 'userName' | 'email';
  before: string;
  /** The requested value; null when the request removes it. */
  after: string | null;
}

/**
 * The identity changes from `before` to `after`: the userName (a change of case only is not a
 * change, and is stored as sent — userName is case-insensitive, RFC 7643 §4.1.1) and the primary
 * email (compared case-insensitively; the primary email is the one `primaryEmail` picks). Adding
 * or changing other emails is not one, and neither is setting an email where there was none.
 */
export function identityChanges(before: ScimUserDocument, after: ScimUserDocument): IdentityChange[] {
  const changes: IdentityChange[] = [];
  const { userName } = before;
  if (typeof userName === 'string' && userName !== '') {
    const next = after.userName;
    if (typeof next !== 'string' || foldCase(next) !== foldCase(userName)) {
      changes.push({
        attribute: 'userName',
        before: userName,
        after: typeof next === 'string' ? next : null,
      });
    }
  }
  const email = primaryEmail(before.emails);
  if (email !== undefined) {
    const next = primaryEmail(after.emails);
    if (next === undefined || foldCase(next) !== foldCase(email)) {
      changes.push({ attribute: 'email', before: email, after: next ?? null });
    }
  }
  return changes;
}

/** The 400 `mutability` refusal of a change, phrased for the IT admin reading the IdP's task log. */
export function immutabilityError(change: IdentityChange): ScimError {
  if (change.attribute === 'userName') {
    return new ScimError(
      400,
      `userName cannot be changed (it is "${change.before}"); Roster links the identity provider's ` +
        'account by userName. Create a new user instead, or have an Admin set "Email changes from the ' +
        'identity provider" to follow on Roster\'s SCIM page.',
      'mutability',
    );
  }
  return new ScimError(
    400,
    `The email address cannot be changed (it is "${change.before}"); Roster links people by email. ` +
      'Create a new user instead, or have an Admin set "Email changes from the identity provider" to ' +
      "follow on Roster's SCIM page.",
    'mutability',
  );
}

/** Throws 400 `mutability` when `after` changes the userName or the primary email (see above). */
export function assertImmutableUnchanged(before: ScimUserDocument, after: ScimUserDocument): void {
  const [change] = identityChanges(before, after);
  if (change) throw immutabilityError(change);
}

/**
 * `after` with the stored identity put back: the stored userName when it was changed, the stored
 * emails (all of them: the list is one attribute) when the primary email was. A new object.
 */
export function keepStoredIdentity(
  before: ScimUserDocument,
  after: ScimUserDocument,
  changes: readonly IdentityChange[],
): ScimUserDocument {
  const kept: ScimUserDocument = { ...after };
  for (const change of changes) {
    if (change.attribute === 'userName') kept.userName = before.userName;
    else if (before.emails === undefined) delete kept.emails;
    else kept.emails = structuredClone(before.emails);
  }
  return kept;
}
