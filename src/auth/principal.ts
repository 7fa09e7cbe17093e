// Who is calling: the authenticated caller of the HTTP surfaces, as every route sees it.
import type { Actor } from '../audit/actor.ts';
import type { Role } from '../store/schema.ts';

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
