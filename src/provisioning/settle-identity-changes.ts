// A request's email/userName changes, decided by the organization's setting (docs/scim.md, "Email
// and userName changes"), before `applyIdpView` stores anything.
import { RosterError } from '../errors.ts';
import {
  type IdentityChange,
  identityChanges,
  immutabilityError,
  keepStoredIdentity,
} from '../scim/resource/assert-immutable-unchanged.ts';
import type { ScimUserDocument } from '../scim/resource/scim-user.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { Repositories } from '../store/store.ts';
import type { ProvisioningContext } from './context.ts';

/**
 * An email or userName change the request asked for and Roster did not store, and why: the
 * organization refuses such changes, the new value is another member's, or it removes the value.
 */
export interface RefusedChange extends IdentityChange {
  reason: 'refused_by_setting' | 'taken' | 'removed';
}

function identityTakenError(change: IdentityChange): RosterError {
  return new RosterError(
    'uniqueness',
    `"${change.after}" is already the userName or an email of another member of this organization`,
  );
}

function identityRemovedError(change: IdentityChange): RosterError {
  return new RosterError(
    'mutability',
    `${change.attribute === 'email' ? 'The email address' : 'userName'} cannot be removed (it is "${change.before}")`,
  );
}

/**
 * Decides the changes from `stored` (the member's current IdP view) to `requested`. `follow`: they
 * are stored unless the new value is another member's (409 `uniqueness`) or removes it (400).
 * `refuse`: 400 `mutability`. Either way, a request that leaves the member deactivated is never
 * refused for them — a leaver must not stay active because their email changed on the way out:
 * the stored values are kept, the rest of the request applies, and what was not stored is
 * returned to be audited and shown on the SCIM page.
 */
export async function settleIdentityChanges(
  tx: Repositories,
  ctx: ProvisioningContext,
  before: MemberRow,
  stored: ScimUserDocument,
  requested: ScimUserDocument,
): Promise<{ after: ScimUserDocument; refused: RefusedChange[] }> {
  const changes = identityChanges(stored, requested);
  if (changes.length === 0) return { after: requested, refused: [] };
  const organization = await tx.organizations.getById(ctx.organizationId);
  const refused: RefusedChange[] = [];
  if (organization?.email_changes === 'follow') {
    // Serializes with every other writer of the organization's members (creates take this row's
    // lock through nextMemberSeq), so two members cannot both move to the same free address.
    await tx.organizations.lock(ctx.organizationId);
    for (const change of changes) {
      if (change.after === null) refused.push({ ...change, reason: 'removed' });
      else if (await tx.members.identityTaken(ctx.organizationId, before.id, change.after))
        refused.push({ ...change, reason: 'taken' });
    }
  } else {
    refused.push(...changes.map((change) => ({ ...change, reason: 'refused_by_setting' as const })));
  }
  const [first] = refused;
  if (first === undefined) return { after: requested, refused };
  if (requested.active !== false) {
    if (first.reason === 'taken') throw identityTakenError(first);
    if (first.reason === 'removed') throw identityRemovedError(first);
    throw immutabilityError(first);
  }
  return { after: keepStoredIdentity(stored, requested, refused), refused };
}
