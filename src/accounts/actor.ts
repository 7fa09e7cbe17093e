// Who did something: written on every audit event.
import type { Role } from '../store/schema.ts';

/**
 * `saml`: a person signing in with SAML SSO (their identity provider vouches for them).
 * `password`: a person signing in with their password. `unauthenticated`: anyone (a request that
 * proved nothing: a SAML response that did not verify, a wrong password), counted, never quoted.
 */
export type ActorType =
  | 'cli'
  | 'personal_token'
  | 'service_token'
  | 'session'
  | 'system'
  | 'saml'
  | 'password'
  | 'unauthenticated';

export interface Actor {
  type: ActorType;
  id: string | null;
  label: string | null;
}

/** An authenticated caller of the HTTP surfaces, always inside one organization. */
export interface Principal {
  kind: 'personal' | 'service' | 'session';
  organizationId: string;
  organizationSlug: string;
  /** The effective role: for a personal token, the lower of the token's and its owner's role. */
  role: Role;
  tokenId: string | null;
  tokenName: string | null;
  tokenRole: Role | null;
  membershipId: string | null;
  userId: string | null;
  /** What to write as the actor of audit events. */
  actor: Actor;
}

export const CLI_ACTOR: Actor = { type: 'cli', id: null, label: 'roster CLI' };
