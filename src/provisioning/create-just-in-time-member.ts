// Just-in-time provisioning: the first SSO sign-in of a person the organization does not know yet
// creates their membership (source `sso`, the role the SSO settings name), linked to their Roster
// account when one exists for the email, inside the sign-in's transaction and audited like a SCIM
// creation. SCIM can take the member over later: it finds them by userName (the email).
import type { Actor } from '../audit/actor.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { OrganizationRecord } from '../store/repos/organizations.ts';
import type { Role } from '../store/schema.ts';
import type { Repositories } from '../store/store.ts';
import { linkOrCreateMember } from './link-or-create-member.ts';

/** Who the SAML assertion says the person is. */
export interface JustInTimePerson {
  email: string;
  givenName: string | null;
  familyName: string | null;
}

export interface JustInTimeMemberInput {
  organization: OrganizationRecord;
  person: JustInTimePerson;
  role: Role;
  actor: Actor;
  requestId: string | null;
}

export async function createJustInTimeMember(
  tx: Repositories,
  input: JustInTimeMemberInput,
): Promise<MemberRow> {
  const { organization, person } = input;
  const name = {
    ...(person.givenName ? { givenName: person.givenName } : {}),
    ...(person.familyName ? { familyName: person.familyName } : {}),
  };
  const displayName = [person.givenName, person.familyName].filter(Boolean).join(' ') || null;
  const document = {
    userName: person.email,
    ...(Object.keys(name).length > 0 ? { name } : {}),
    ...(displayName ? { displayName } : {}),
    emails: [{ value: person.email, type: 'work', primary: true }],
  };

  const { member } = await linkOrCreateMember(tx, {
    organizationId: organization.id,
    document,
    email: person.email,
    source: 'sso',
    role: input.role,
    active: true,
    actor: input.actor,
    requestId: input.requestId,
    auditDetails: { justInTime: true },
  });
  return member.row;
}
