// POST /Users: create the member, or link it to the person's existing Roster account.
// Okta and Entra look a person up first; a POST for someone the organization already has is a 409
// `uniqueness` (RFC 7644 §3.3), which makes the IdP link to the existing id instead.
import { isEmail } from '../accounts/organizations.ts';
import { recordAudit } from '../accounts/record-audit.ts';
import { primaryEmail } from '../scim/resource/primary-email.ts';
import type { ScimUserDocument } from '../scim/resource/scim-user.ts';
import { badRequest, ScimError } from '../scim/scim-error.ts';
import { UniqueViolationError } from '../store/errors.ts';
import { newId, now } from '../store/ids.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { Store } from '../store/store.ts';
import type { ProvisioningContext } from './context.ts';
import { uniquenessError } from './errors.ts';
import { profileColumns, profileEmails } from './member-row.ts';
import { auditSnapshot } from './save-member.ts';

/** The email that identifies the person across organizations: the primary email, else an email-shaped userName. */
export function accountEmail(document: ScimUserDocument): string {
  const email = primaryEmail(document.emails ?? []) ?? document.userName;
  if (email === undefined || !isEmail(email)) {
    throw badRequest(
      'a User needs an email address: send emails[].value, or a userName that is an email address',
    );
  }
  return email;
}

export interface CreatedMember {
  row: MemberRow;
  linked: boolean;
}

export async function createMember(
  store: Store,
  ctx: ProvisioningContext,
  document: ScimUserDocument,
): Promise<CreatedMember> {
  const userName = document.userName;
  if (typeof userName !== 'string' || userName.trim() === '') {
    throw badRequest('userName is required', 'invalidValue');
  }
  const email = accountEmail(document);
  const active = document.active ?? true;

  try {
    return await store.transaction(async (tx) => {
      const organization = await tx.organizations.getById(ctx.organizationId);
      if (!organization) throw new ScimError(404, 'the organization no longer exists');
      if (await tx.members.findByUserName(ctx.organizationId, userName)) {
        throw new ScimError(
          409,
          `a User with userName "${userName}" already exists in this organization`,
          'uniqueness',
        );
      }

      const at = now();
      let user = await tx.users.findByEmail(email);
      const linked = user !== undefined;
      if (user) {
        if (await tx.members.findByUserId(ctx.organizationId, user.id)) {
          throw new ScimError(
            409,
            `a member with the email ${email} already exists in this organization`,
            'uniqueness',
          );
        }
      } else {
        user = {
          id: newId(),
          email,
          display_name: document.displayName ?? null,
          password_hash: null,
          created_at: at,
          updated_at: at,
        };
        await tx.users.insert(user);
      }

      const row: MemberRow = {
        id: newId(),
        organization_id: ctx.organizationId,
        user_id: user.id,
        seq: await tx.organizations.nextMemberSeq(ctx.organizationId),
        role: active ? organization.default_role : null,
        previous_role: active ? null : organization.default_role,
        status: active ? 'active' : 'deactivated',
        source: 'scim',
        ...profileColumns(document),
        version: 1,
        created_at: at,
        updated_at: at,
        deactivated_at: active ? null : at,
      };
      await tx.members.insert(row, profileEmails(document));
      await recordAudit(tx, {
        organizationId: ctx.organizationId,
        actor: ctx.actor,
        action: linked ? 'member.linked' : 'member.created',
        target: { type: 'member', id: row.id, label: row.user_name },
        after: { ...auditSnapshot(row), userId: user.id },
        requestId: ctx.requestId,
      });
      return { row, linked };
    });
  } catch (error) {
    // Two identical POSTs racing: the loser's insert hits the unique index.
    if (error instanceof UniqueViolationError) throw uniquenessError(error);
    throw error;
  }
}
