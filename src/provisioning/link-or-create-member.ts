// The one way a membership comes into being from an identity provider (SCIM create, SSO
// just-in-time): link the person's Roster account by email, or create it; take the next dense
// position; store the member with its email index; audit it — all in the caller's transaction.
// Whether the account existed stays inside Roster: the organization sees the same response and the
// same `member.created` event either way (`linked` is for the caller's own logic, never shown).

import type { Actor } from '../audit/actor.ts';
import { RosterError } from '../errors.ts';
import { memberResource } from '../events/event-resources.ts';
import { recordAuditAndEvents } from '../events/record-event.ts';
import { auditSnapshot, type LoadedMember } from '../membership/loaded-member.ts';
import { newMemberRow } from '../membership/member-row.ts';
import type { ScimUserDocument } from '../scim/resource/scim-user.ts';
import { newId, now } from '../store/ids.ts';
import type { UserRecord } from '../store/repos/users.ts';
import type { MemberSource, Role } from '../store/schema.ts';
import type { Repositories } from '../store/store.ts';

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
  /**
   * The Roster account with `email`, when the caller read it in this transaction (null: there is
   * none); read here when undefined.
   */
  account?: UserRecord | null;
}

export interface LinkedOrCreatedMember {
  member: LoadedMember;
  user: UserRecord;
  /** True when the person already had a Roster account. Never to be shown to the organization. */
  linked: boolean;
}

export async function linkOrCreateMember(tx: Repositories, input: NewMember): Promise<LinkedOrCreatedMember> {
  const at = now();
  let user =
    input.account === undefined ? await tx.users.findByEmail(input.email) : (input.account ?? undefined);
  const linked = user !== undefined;
  if (user) {
    if (await tx.members.findByUserId(input.organizationId, user.id)) {
      throw new RosterError(
        'uniqueness',
        `a member with the email ${input.email} already exists in this organization`,
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
  }

  // The member's position is taken last (`insertAtNextPosition`): on PostgreSQL, taking it locks the
  // organization's row until the commit, so each statement after it is a round trip during which no
  // other create of the organization can go on. The audit event and the public event (whose
  // snapshots have no position) are written before.
  const built = newMemberRow({
    organizationId: input.organizationId,
    userId: user.id,
    seq: 0,
    document: input.document,
    source: input.source,
    role: input.role,
    active: input.active,
    at,
  });
  // The same event whether the person already had an account: the organization's log must not tell
  // which emails have a Roster account elsewhere (nor the account's id, which dates it). The event's
  // resource has no position either. A new account is written in the same statement (PostgreSQL):
  // its email's unique index refuses a racing create of the same person there as it did alone.
  const data = memberResource(built.row, built.profile);
  await recordAuditAndEvents(
    tx,
    {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'member.created',
      target: { type: 'member', id: built.row.id, label: built.row.user_name },
      after: { ...auditSnapshot({ row: built.row, profile: built.profile }), ...input.auditDetails },
      requestId: input.requestId,
    },
    [
      { type: 'member.created', organizationId: input.organizationId, actor: input.actor, data },
      // Only the installation sees that the person already had an account (event-types.ts).
      ...(linked
        ? [
            {
              type: 'member.linked' as const,
              organizationId: input.organizationId,
              actor: input.actor,
              data: { ...data, userId: user.id },
            },
          ]
        : []),
    ],
    linked ? [] : [{ table: 'users', rows: [user] }],
  );
  const row = await tx.members.insertAtNextPosition(built.row, built.emails);
  const member: LoadedMember = { row, profile: built.profile };
  return { member, user, linked };
}
