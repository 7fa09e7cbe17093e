import type { Actor } from '../audit/actor.ts';

/** Who asks, for which organization, under which request id, and where resources live. */
export interface ProvisioningContext {
  organizationId: string;
  actor: Actor;
  requestId: string | null;
  /** The SCIM base URL, e.g. https://roster.example.com/scim/v2 (for meta.location). */
  scimBaseUrl: string;
}
