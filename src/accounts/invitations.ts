// Invitations: an Admin (or the product, for an organization's first Admin) invites a person by
// email with a role and workspaces. The link is one-time and expires; its secret is kept only as a
// SHA-256. Accepting creates the membership (source `invite`): a new person sets a password; one
// who has an account proves it with their password; when the organization requires SSO for the
// email's verified domain, nobody sets a password and the invitee is sent to SSO instead.
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { hashPassword, verifyPassword } from '../auth/password.ts';
import { checkNewPassword } from '../auth/password-policy.ts';
import { isRole } from '../auth/roles.ts';
import { generateLinkSecret, hashToken, isLinkSecret } from '../auth/token-format.ts';
import { RosterError } from '../errors.ts';
import { memberReference, memberResource } from '../events/event-resources.ts';
import { recordEvent } from '../events/record-event.ts';
import { newMemberRow } from '../membership/member-row.ts';
import { newId, now } from '../store/ids.ts';
import type { InvitationRecord } from '../store/repos/invitations.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { OrganizationRecord } from '../store/repos/organizations.ts';
import type { UserRecord } from '../store/repos/users.ts';
import type { Role } from '../store/schema.ts';
import type { Repositories, Store } from '../store/store.ts';
import { isEmail } from './organizations.ts';

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface InvitationView {
  id: string;
  email: string;
  role: Role;
  workspaceIds: string[];
  invitedBy: string | null;
  createdAt: string;
  expiresAt: string;
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
  membershipId: string | null;
}

export function invitationView(row: InvitationRecord): InvitationView {
  const status = row.accepted_at
    ? 'accepted'
    : row.revoked_at
      ? 'revoked'
      : Date.parse(row.expires_at) <= Date.now()
        ? 'expired'
        : 'pending';
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    workspaceIds: JSON.parse(row.workspace_ids) as string[],
    invitedBy: row.invited_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    status,
    membershipId: row.membership_id,
  };
}

export interface CreateInvitationInput {
  organizationId: string;
  email: string;
  role: Role;
  workspaceIds?: readonly string[];
  actor: Actor;
  requestId?: string;
}

export interface CreatedInvitation {
  invitation: InvitationView;
  /** The link's secret, returned this once. */
  secret: string;
}

/** Inside the caller's transaction (the organizations API invites a first Admin as it creates). */
export async function insertInvitation(
  tx: Repositories,
  input: CreateInvitationInput,
): Promise<CreatedInvitation> {
  const email = input.email.trim();
  if (!isEmail(email)) throw new RosterError('invalid_value', `"${email}" is not an email address`);
  if (!isRole(input.role)) throw new RosterError('invalid_value', 'the role must be admin or member');
  const workspaceIds = [...new Set(input.workspaceIds ?? [])];
  if (workspaceIds.length > 100) throw new RosterError('invalid_value', 'at most 100 workspaces');
  for (const id of workspaceIds) {
    if (typeof id !== 'string' || !(await tx.workspaces.getById(input.organizationId, id))) {
      throw new RosterError('invalid_value', `no workspace ${String(id)} in this organization`);
    }
  }
  const user = await tx.users.findByEmail(email);
  const member = user ? await tx.members.findByUserId(input.organizationId, user.id) : undefined;
  if (member) throw new RosterError('conflict', `${email} is already a member of this organization`);

  const secret = generateLinkSecret();
  const at = new Date();
  const row: InvitationRecord = {
    id: newId(),
    organization_id: input.organizationId,
    email,
    role: input.role,
    workspace_ids: JSON.stringify(workspaceIds),
    token_hash: secret.hash,
    invited_by: input.actor.label,
    created_at: at.toISOString(),
    expires_at: new Date(at.getTime() + INVITATION_TTL_MS).toISOString(),
    accepted_at: null,
    revoked_at: null,
    membership_id: null,
  };
  await tx.invitations.insert(row);
  await recordAudit(tx, {
    organizationId: input.organizationId,
    actor: input.actor,
    action: 'invitation.created',
    target: { type: 'invitation', id: row.id, label: email },
    after: { email, role: row.role, workspaceIds, expiresAt: row.expires_at },
    requestId: input.requestId ?? null,
  });
  return { invitation: invitationView(row), secret: secret.value };
}

export function createInvitation(store: Store, input: CreateInvitationInput): Promise<CreatedInvitation> {
  return store.transaction((tx) => insertInvitation(tx, input));
}

export async function revokeInvitation(
  store: Store,
  input: { organizationId: string; id: string; actor: Actor; requestId?: string },
): Promise<InvitationView> {
  return store.transaction(async (tx) => {
    const row = await tx.invitations.getById(input.organizationId, input.id);
    if (!row) throw new RosterError('not_found', `no invitation with id ${input.id}`);
    const at = now();
    if (await tx.invitations.revoke(row.id, at)) {
      await recordAudit(tx, {
        organizationId: row.organization_id,
        actor: input.actor,
        action: 'invitation.revoked',
        target: { type: 'invitation', id: row.id, label: row.email },
        before: { revokedAt: null },
        after: { revokedAt: at },
        requestId: input.requestId ?? null,
      });
      return invitationView({ ...row, revoked_at: at });
    }
    return invitationView(row);
  });
}

const LINK_INVALID = 'this invitation is not valid: it expired, was used already, or was revoked';

export interface OpenedInvitation {
  invitation: InvitationRecord;
  organization: OrganizationRecord;
  /** The invitee's existing account, if any. */
  user: UserRecord | undefined;
  /** The organization requires SSO for this email's verified domain: no password is set. */
  ssoRequired: boolean;
}

export async function openInvitation(store: Store, secret: string): Promise<OpenedInvitation> {
  if (!isLinkSecret(secret)) throw new RosterError('not_found', LINK_INVALID);
  const invitation = await store.invitations.findByHash(hashToken(secret));
  if (!invitation || invitationView(invitation).status !== 'pending') {
    throw new RosterError('not_found', LINK_INVALID);
  }
  const organization = await store.organizations.getById(invitation.organization_id);
  if (!organization || organization.disabled_at !== null) throw new RosterError('not_found', LINK_INVALID);
  const user = await store.users.findByEmail(invitation.email);
  const domain = invitation.email.slice(invitation.email.lastIndexOf('@') + 1).toLowerCase();
  const settings = await store.sso.getSettings(organization.id);
  const ssoRequired =
    settings?.sso_required === 1 && (await store.sso.organizationIdForDomain(domain)) === organization.id;
  return { invitation, organization, user, ssoRequired };
}

export interface AcceptInvitationInput {
  secret: string;
  /** A new person's (or a password-less account's) new password. */
  newPassword?: string;
  /** An existing account's password. */
  currentPassword?: string;
  requestId?: string;
}

export interface AcceptedInvitation {
  member: MemberRow;
  organization: OrganizationRecord;
  ssoRequired: boolean;
}

export async function acceptInvitation(
  store: Store,
  input: AcceptInvitationInput,
): Promise<AcceptedInvitation> {
  const opened = await openInvitation(store, input.secret);
  const { invitation, organization, user, ssoRequired } = opened;
  let passwordHash: string | null = null;
  if (!ssoRequired) {
    if (user?.password_hash) {
      if (!(await verifyPassword(input.currentPassword ?? '', user.password_hash))) {
        throw new RosterError('invalid_value', 'the password of your Roster account is not correct');
      }
    } else {
      checkNewPassword(input.newPassword ?? '', invitation.email);
      passwordHash = await hashPassword(input.newPassword ?? '');
    }
  }
  return store.transaction(async (tx) => {
    const at = now();
    let account = await tx.users.findByEmail(invitation.email);
    if (!account) {
      account = {
        id: newId(),
        email: invitation.email,
        display_name: null,
        password_hash: passwordHash,
        created_at: at,
        updated_at: at,
      };
      await tx.users.insert(account);
    } else if (passwordHash !== null && account.password_hash === null) {
      await tx.users.setPassword(account.id, passwordHash, at);
    }
    if (await tx.members.findByUserId(organization.id, account.id)) {
      throw new RosterError('conflict', `${invitation.email} is already a member of ${organization.name}`);
    }
    await tx.organizations.lock(organization.id);
    const {
      row: member,
      emails,
      profile,
    } = newMemberRow({
      organizationId: organization.id,
      userId: account.id,
      seq: await tx.organizations.nextMemberSeq(organization.id),
      document: {
        userName: invitation.email,
        emails: [{ value: invitation.email, type: 'work', primary: true }],
      },
      source: 'invite',
      role: invitation.role,
      at,
    });
    await tx.members.insert(member, emails);
    // The conditional update is the link's one use: a second acceptance, on any instance, fails here.
    if (!(await tx.invitations.accept(invitation.id, member.id, at))) {
      throw new RosterError('not_found', LINK_INVALID);
    }
    const actor: Actor = { type: 'password', id: account.id, label: invitation.email };
    await recordEvent(tx, {
      type: 'member.created',
      organizationId: organization.id,
      actor,
      data: memberResource(member, profile),
    });
    const workspaceIds = JSON.parse(invitation.workspace_ids) as string[];
    for (const workspaceId of workspaceIds) {
      const workspace = await tx.workspaces.getById(organization.id, workspaceId);
      if (workspace) {
        await tx.workspaceGrants.grant(member.id, workspaceId, at);
        await recordEvent(tx, {
          type: 'workspace_access.granted',
          organizationId: organization.id,
          actor,
          data: {
            object: 'workspace_access',
            id: `${member.id}:${workspace.id}`,
            member: memberReference(member),
            workspace: { id: workspace.id, name: workspace.name },
            granted: true,
            cause: 'direct',
          },
        });
      }
    }
    await recordAudit(tx, {
      organizationId: organization.id,
      actor,
      action: 'member.created',
      target: { type: 'member', id: member.id, label: invitation.email },
      after: { userName: invitation.email, role: invitation.role, source: 'invite', workspaceIds },
      requestId: input.requestId ?? null,
    });
    await recordAudit(tx, {
      organizationId: organization.id,
      actor,
      action: 'invitation.accepted',
      target: { type: 'invitation', id: invitation.id, label: invitation.email },
      after: { membershipId: member.id },
      requestId: input.requestId ?? null,
    });
    return { member, organization, ssoRequired };
  });
}
