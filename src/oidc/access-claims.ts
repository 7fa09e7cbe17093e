// The claims an app receives about a person: who they are, and their effective access in the
// organization they signed in to the app with, read at the moment a token is issued (a role or
// workspace change shows in the next refresh). Every claim the provider releases comes from
// `accessClaims`; which of them an app gets is decided by the scopes it was granted (SCOPE_CLAIMS).
import { reachableWorkspaces } from '../accounts/workspaces.ts';
import { foldCase } from '../scim/fold-case.ts';
import type { Store } from '../store/store.ts';

/** The scopes an app may ask for, and the claims each releases (docs/integrate.md#scopes-and-claims). */
export const SCOPE_CLAIMS = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name'],
  organization: ['organization', 'role', 'workspaces'],
} as const satisfies Record<string, readonly string[]>;

export interface AccessClaims {
  /** The person (their Roster account), the same in every organization and app. */
  sub: string;
  email: string;
  /** Whether the email's domain is a domain the organization proved it owns (a DNS TXT record). */
  email_verified: boolean;
  name: string | null;
  organization: { id: string; slug: string; name: string };
  role: 'admin' | 'member';
  workspaces: { id: string; name: string }[];
}

/**
 * The person's claims through a membership, or undefined when the membership is gone, deactivated,
 * or not the person's (`userId`): then no token is issued for it.
 */
export async function accessClaims(
  store: Store,
  userId: string,
  membershipId: string,
): Promise<AccessClaims | undefined> {
  const member = (await store.members.listForUser(userId)).find((row) => row.id === membershipId);
  if (member?.status !== 'active' || member.role === null) return undefined;
  const [user, organization] = await Promise.all([
    store.users.getById(userId),
    store.organizations.getById(member.organization_id),
  ]);
  if (!user || !organization) return undefined;
  const workspaces = await reachableWorkspaces(store, organization.id, member.id, member.role);
  const domain = foldCase(user.email.slice(user.email.lastIndexOf('@') + 1));
  const claim = await store.sso.getDomainClaim(organization.id, domain);
  const name =
    member.display_name ??
    ([member.given_name, member.family_name].filter(Boolean).join(' ') || user.display_name || null);
  return {
    sub: user.id,
    email: user.email,
    email_verified: claim?.verified_at != null,
    name,
    organization: { id: organization.id, slug: organization.slug, name: organization.name },
    role: member.role,
    workspaces: workspaces.map((workspace) => ({ id: workspace.id, name: workspace.name })),
  };
}
