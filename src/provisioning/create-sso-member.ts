// Just-in-time provisioning: the first SSO sign-in of a person the organization does not know yet
// creates their membership (source `sso`, the role the SSO settings name), linked to their Roster
// account when one exists for the email, inside the sign-in's transaction and audited like a SCIM
// creation. SCIM can take the member over later: it finds them by userName (the email).
import type { Actor } from '../accounts/actor.ts';
import { recordAudit } from '../accounts/record-audit.ts';
import { newId, now } from '../store/ids.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { OrganizationRecord } from '../store/repos/organizations.ts';
import type { Role } from '../store/schema.ts';
import type { Repositories } from '../store/store.ts';
import { profileColumns, profileEmails } from './member-row.ts';
import { auditSnapshot } from './save-member.ts';

export interface SsoIdentity {
  nameId: string;
  email: string | null;
  givenName: string | null;
  familyName: string | null;
  /** What to match existing members by: the NameID, then the email attribute. */
  identifiers: string[];
}

export interface CreateSsoMemberInput {
  organization: OrganizationRecord;
  identity: SsoIdentity & { email: string };
  role: Role;
  actor: Actor;
  requestId: string | null;
}

export async function createSsoMember(tx: Repositories, input: CreateSsoMemberInput): Promise<MemberRow> {
  const { organization, identity } = input;
  const at = now();
  const name = {
    ...(identity.givenName ? { givenName: identity.givenName } : {}),
    ...(identity.familyName ? { familyName: identity.familyName } : {}),
  };
  const displayName = [identity.givenName, identity.familyName].filter(Boolean).join(' ') || null;
  const document = {
    userName: identity.email,
    ...(Object.keys(name).length > 0 ? { name } : {}),
    ...(displayName ? { displayName } : {}),
    emails: [{ value: identity.email, type: 'work', primary: true }],
  };

  let user = await tx.users.findByEmail(identity.email);
  const linked = user !== undefined;
  if (!user) {
    user = {
      id: newId(),
      email: identity.email,
      display_name: displayName,
      password_hash: null,
      created_at: at,
      updated_at: at,
    };
    await tx.users.insert(user);
  }
  const row: MemberRow = {
    id: newId(),
    organization_id: organization.id,
    user_id: user.id,
    seq: await tx.organizations.nextMemberSeq(organization.id),
    role: input.role,
    previous_role: null,
    status: 'active',
    source: 'sso',
    ...profileColumns(document),
    version: 1,
    created_at: at,
    updated_at: at,
    deactivated_at: null,
  };
  await tx.members.insert(row, profileEmails(document));
  await recordAudit(tx, {
    organizationId: organization.id,
    actor: input.actor,
    action: linked ? 'member.linked' : 'member.created',
    target: { type: 'member', id: row.id, label: row.user_name },
    after: { ...auditSnapshot(row), userId: user.id, justInTime: true },
    requestId: input.requestId,
  });
  return row;
}
