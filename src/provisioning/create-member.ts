// POST /Users: create the member, or link it to the person's existing Roster account.
// Okta and Entra look a person up first; a POST for someone the organization already has is a 409
// `uniqueness` (RFC 7644 §3.3), which makes the IdP link to the existing id instead.
import { isEmail } from '../accounts/organizations.ts';
import { RosterError } from '../errors.ts';
import type { LoadedMember } from '../membership/loaded-member.ts';
import { primaryEmail } from '../scim/resource/primary-email.ts';
import type { ScimUserDocument } from '../scim/resource/scim-user.ts';
import type { Store } from '../store/store.ts';
import type { ProvisioningContext } from './context.ts';
import { withUniquenessErrors } from './errors.ts';
import { applyAssignments, NOTHING_HELD, requestedAssignments } from './idp-assignments.ts';
import { linkOrCreateMember } from './link-or-create-member.ts';

/** The email that identifies the person across organizations: the primary email, else an email-shaped userName. */
export function accountEmail(document: ScimUserDocument): string {
  const email = primaryEmail(document.emails ?? []) ?? document.userName;
  if (email === undefined || !isEmail(email)) {
    throw new RosterError(
      'invalid_value',
      'a User needs an email address: send emails[].value, or a userName that is an email address',
    );
  }
  return email;
}

export interface CreatedMember {
  member: LoadedMember;
  linked: boolean;
  /** Whether the create assigned roles or workspaces: without, the new member holds no assignment. */
  assigned: boolean;
}

export async function createMember(
  store: Store,
  ctx: ProvisioningContext,
  document: ScimUserDocument,
): Promise<CreatedMember> {
  const userName = document.userName;
  if (typeof userName !== 'string' || userName.trim() === '') {
    throw new RosterError('invalid_value', 'userName is required');
  }
  const email = accountEmail(document);
  const active = document.active ?? true;

  // Two identical POSTs racing: the loser's insert hits the unique index.
  return withUniquenessErrors(() =>
    store.transaction(async (tx) => {
      const read = await tx.members.beforeCreate(ctx.organizationId, userName, email);
      if (!read) throw new RosterError('not_found', 'the organization no longer exists');
      const { organization } = read;
      if (read.userNameTaken) {
        throw new RosterError(
          'uniqueness',
          `a User with userName "${userName}" already exists in this organization`,
        );
      }

      const assignments = await requestedAssignments(tx, ctx.organizationId, document);
      const created = await linkOrCreateMember(tx, {
        organizationId: ctx.organizationId,
        document,
        email,
        source: 'scim',
        role: organization.default_role,
        active,
        actor: ctx.actor,
        requestId: ctx.requestId,
        account: read.user ?? null,
      });
      // Okta may assign roles and workspaces in the create itself (docs/idp-requests.md#okta-entitlements).
      const member = await applyAssignments(tx, ctx, created.member, NOTHING_HELD, assignments);
      const assigned = assignments.roles.length > 0 || assignments.workspaces.length > 0;
      return { member, linked: created.linked, assigned };
    }),
  );
}
