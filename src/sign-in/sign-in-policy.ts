// Which way a member may sign in. Once an organization turns "SSO required" on,
// `passwordSignInAllowed` answers false for its members and the sign-in page's "Continue with SSO"
// is the way in (PRODUCT.md: "Once SSO is on for an organization, password sign-in is refused for
// its members"). It applies to every member, Admins included: the break-glass path is the
// operator's `roster sso require --org SLUG off` (docs/sso-okta.md).
import type { MemberRow } from '../store/repos/members.ts';
import type { SessionRecord } from '../store/repos/sessions.ts';
import type { Store } from '../store/store.ts';

export type SignInDecision = { allowed: true } | { allowed: false; reason: string };

export async function passwordSignInAllowed(store: Store, member: MemberRow): Promise<SignInDecision> {
  const disabled = await store.organizations.getById(member.organization_id);
  if (disabled?.disabled_at) {
    return { allowed: false, reason: `${disabled.name} is disabled: nobody can sign in to it for now.` };
  }
  const settings = await store.sso.getSettings(member.organization_id);
  if (settings?.sso_required === 1) {
    const organization = await store.organizations.getById(member.organization_id);
    return {
      allowed: false,
      reason: `${organization?.name ?? 'Your organization'} requires single sign-on: use "Continue with SSO" with your work email.`,
    };
  }
  return { allowed: true };
}

/**
 * Whether a session may be exchanged for one in another organization of the same person (the
 * organization switcher). A SAML assertion vouches for the person to one organization only: an
 * organization's identity provider must not open the doors of another organization the person
 * belongs to, so an SSO session never switches. A password session may switch wherever password
 * sign-in is allowed.
 */
export async function organizationSwitchAllowed(
  store: Store,
  session: SessionRecord,
  target: MemberRow,
): Promise<SignInDecision> {
  if (session.sign_in_method === 'sso' && target.organization_id !== session.organization_id) {
    return {
      allowed: false,
      reason:
        'You signed in with single sign-on, which vouches for you in one organization only. Sign out, then sign in to the other organization.',
    };
  }
  return passwordSignInAllowed(store, target);
}

/**
 * The memberships a session may list and switch to ("my organizations": the chooser, the header's
 * switch link). A password session: each of the person's active memberships. An SSO session: its
 * own only, since the IdP that opened it vouches for one organization, and listing the others would
 * tell that organization where else the person is a member and with which role.
 */
export async function switchableMemberships(store: Store, session: SessionRecord): Promise<MemberRow[]> {
  const active = (await store.members.listForUser(session.user_id)).filter(
    (member) => member.status === 'active' && member.role !== null,
  );
  return session.sign_in_method === 'sso'
    ? active.filter((member) => member.id === session.membership_id)
    : active;
}
