// Roster links a person by email and an IdP identity by userName, so neither may change once
// set (PRODUCT.md: "changing the email or userName → 400 mutability, nothing stored"). The PATCH
// engine cannot know this on its own; the caller runs this check after applyPatch and after
// mergeReplace, before storing anything.
import { ScimError } from '../scim-error.ts';
import { primaryEmail } from './primary-email.ts';
import type { ScimUserDocument } from './scim-user.ts';

/**
 * Throws 400 `mutability` when `after` changes the userName (a change of case only is allowed
 * and stored as sent — userName is case-insensitive, RFC 7643 §4.1.1) or the primary email
 * (compared case-insensitively; the primary email is the one `primaryEmail` picks). Adding or
 * changing other emails is fine, and so is setting an email where there was none.
 */
export function assertImmutableUnchanged(before: ScimUserDocument, after: ScimUserDocument): void {
  const { userName } = before;
  if (typeof userName === 'string' && userName !== '') {
    const next = after.userName;
    if (typeof next !== 'string' || next.toLowerCase() !== userName.toLowerCase()) {
      throw new ScimError(
        400,
        `userName cannot be changed (it is "${userName}"); Roster links the identity provider's ` +
          'account by userName. Create a new user instead.',
        'mutability',
      );
    }
  }
  const email = primaryEmail(before.emails);
  if (email !== undefined) {
    const next = primaryEmail(after.emails);
    if (next === undefined || next.toLowerCase() !== email.toLowerCase()) {
      throw new ScimError(
        400,
        `The email address cannot be changed (it is "${email}"); Roster links people by email. ` +
          'Create a new user instead.',
        'mutability',
      );
    }
  }
}
