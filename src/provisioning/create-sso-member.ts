// Just-in-time provisioning: the first SSO sign-in of a person the organization does not know yet
// creates their membership (source `sso`, the role the SSO settings name), linked to their Roster
// account when one exists for the email, inside the sign-in's transaction and audited like a SCIM
// creation. SCIM can take the member over later: it finds them by userName (the email).
import type { Actor } from '../audit/actor.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { OrganizationRecord } from '../store/repos/organizations.ts';
import type { Role } from '../store/schema.ts';
import type { Repositories } from '../store/store.ts';
import { addMember } from './add-member.ts';

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

  const { row } = await addMember(tx, {
    organizationId: organization.id,
    document,
    email: identity.email,
    source: 'sso',
    role: input.role,
    active: true,
    actor: input.actor,
    requestId: input.requestId,
    auditDetails: { justInTime: true },
  });
  return row;
}
