// The one way a membership comes into being from an identity provider (SCIM create, SSO
// just-in-time): link the person's Roster account by email, or create it; take the next dense
// position; store the member with its email index; audit it — all in the caller's transaction.
// Whether the account existed stays inside Roster: the organization sees the same response and the
// same `member.created` event either way (`linked` is for the caller's own logic, never shown).
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { profileColumns, profileEmails } from '../membership/member-row.ts';
import type { ScimUserDocument } from '../scim/resource/scim-user.ts';
import { ScimError } from '../scim/scim-error.ts';
import { newId, now } from '../store/ids.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { UserRecord } from '../store/repos/users.ts';
import type { MemberSource, Role } from '../store/schema.ts';
import type { Repositories } from '../store/store.ts';
import { auditSnapshot } from './save-member.ts';

export interface NewMember {
  organizationId: string;
  /** The identity provider's view of the person. */
  document: ScimUserDocument;
  /** The email that identifies the person's Roster account. */
  email: string;
  source: MemberSource;
  role: Role;
  /** A member created deactivated keeps `role` as its previous role. */
  active: boolean;
  actor: Actor;
  requestId: string | null;
  /** Extra facts for the audit event (e.g. `justInTime: true`). */
  auditDetails?: Record<string, unknown>;
}

export interface AddedMember {
  row: MemberRow;
  user: UserRecord;
  /** True when the person already had a Roster account. Never to be shown to the organization. */
  linked: boolean;
}

export async function addMember(tx: Repositories, input: NewMember): Promise<AddedMember> {
  const at = now();
  let user = await tx.users.findByEmail(input.email);
  const linked = user !== undefined;
  if (user) {
    if (await tx.members.findByUserId(input.organizationId, user.id)) {
      throw new ScimError(
        409,
        `a member with the email ${input.email} already exists in this organization`,
        'uniqueness',
      );
    }
  } else {
    user = {
      id: newId(),
      email: input.email,
      display_name: input.document.displayName ?? null,
      password_hash: null,
      created_at: at,
      updated_at: at,
    };
    await tx.users.insert(user);
  }

  const row: MemberRow = {
    id: newId(),
    organization_id: input.organizationId,
    user_id: user.id,
    seq: await tx.organizations.nextMemberSeq(input.organizationId),
    role: input.active ? input.role : null,
    previous_role: input.active ? null : input.role,
    status: input.active ? 'active' : 'deactivated',
    source: input.source,
    ...profileColumns(input.document),
    version: 1,
    created_at: at,
    updated_at: at,
    deactivated_at: input.active ? null : at,
  };
  await tx.members.insert(row, profileEmails(input.document));
  // The same event whether the person already had an account: the organization's log must not tell
  // which emails have a Roster account elsewhere (nor the account's id, which dates it).
  await recordAudit(tx, {
    organizationId: input.organizationId,
    actor: input.actor,
    action: 'member.created',
    target: { type: 'member', id: row.id, label: row.user_name },
    after: { ...auditSnapshot(row), ...input.auditDetails },
    requestId: input.requestId,
  });
  return { row, user, linked };
}
