// Bearer token → Principal. Lookup is by the SHA-256 of the presented value through a unique index,
// so no comparison ever runs over the secret itself; the digest found is re-checked in constant time.
// One query per request (`TokenRepo.findGrant`) and deliberately no cache: a revoked token, a
// deactivated owner or a lowered role fails on the very next request, whichever instance serves it.

import type { Store } from '../store/store.ts';
import type { Principal } from './principal.ts';
import { lowerRole } from './roles.ts';
import { hashToken, isInstallationToken, sameHash, tokenKind } from './token-format.ts';

export type AuthFailure =
  | 'missing'
  | 'malformed'
  | 'unknown'
  | 'revoked'
  | 'expired'
  | 'owner_deactivated'
  | 'organization_disabled'
  /** An installation token where an organization's token belongs: 403, not 401. */
  | 'installation_token';

export type AuthResult = { ok: true; principal: Principal } | { ok: false; reason: AuthFailure };

export const AUTH_FAILURE_DETAIL: Record<AuthFailure, string> = {
  missing: 'authentication required: send "Authorization: Bearer <token>"',
  malformed: 'the bearer token is not a Roster access token',
  unknown: 'the bearer token is not valid',
  revoked: 'the bearer token has been revoked',
  expired: 'the bearer token has expired',
  owner_deactivated: "the token's owner is deactivated in this organization",
  organization_disabled: "the token's organization is disabled; its tokens work again once it is re-enabled",
  installation_token:
    "an installation token manages organizations (/api/v1/organizations); it cannot read or change an organization's people",
};

/** Extracts the token from an Authorization header value (scheme case-insensitive, RFC 6750 §2.1). */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1] ?? '';
}

export interface TokenAuthenticator {
  authenticate(value: string | undefined): Promise<AuthResult>;
}

/**
 * Records `last_used_at` at most once a minute per token and off the request path: the write is
 * neither awaited nor allowed to fail the request.
 */
function lastUseRecorder(store: Store, onError: (error: unknown) => void) {
  const written = new Map<string, number>();
  return (kind: 'personal' | 'service', id: string) => {
    const at = Date.now();
    if ((written.get(id) ?? 0) > at - 60_000) return;
    written.set(id, at);
    if (written.size > 10_000) written.clear();
    store.tokens.touch(kind, id, new Date(at).toISOString()).catch(onError);
  };
}

export function createTokenAuthenticator(
  store: Store,
  options: { onError?: (error: unknown) => void } = {},
): TokenAuthenticator {
  const recordUse = lastUseRecorder(store, options.onError ?? (() => undefined));

  return {
    async authenticate(value) {
      if (value === undefined) return { ok: false, reason: 'missing' };
      const kind = tokenKind(value);
      if (!kind)
        return { ok: false, reason: isInstallationToken(value) ? 'installation_token' : 'malformed' };
      const hash = hashToken(value);
      const row = await store.tokens.findGrant(kind, hash);
      if (!row || !sameHash(row.token_hash, hash)) return { ok: false, reason: 'unknown' };
      if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
      if (row.expires_at !== null && Date.parse(row.expires_at) <= Date.now())
        return { ok: false, reason: 'expired' };
      if (row.organization_id === null || row.organization_slug === null)
        return { ok: false, reason: 'unknown' };
      if (row.organization_disabled_at !== null) return { ok: false, reason: 'organization_disabled' };

      if (row.owner === undefined) {
        recordUse('service', row.id);
        return {
          ok: true,
          principal: {
            kind: 'service',
            organizationId: row.organization_id,
            organizationSlug: row.organization_slug,
            role: row.role,
            tokenId: row.id,
            tokenName: row.name,
            tokenRole: row.role,
            membershipId: null,
            userId: null,
            actor: { type: 'service_token', id: row.id, label: row.name },
          },
        };
      }

      const owner = row.owner;
      const role = owner && owner.status === 'active' ? lowerRole(row.role, owner.role) : null;
      if (!owner || role === null) return { ok: false, reason: 'owner_deactivated' };
      recordUse('personal', row.id);
      return {
        ok: true,
        principal: {
          kind: 'personal',
          organizationId: row.organization_id,
          organizationSlug: row.organization_slug,
          role,
          tokenId: row.id,
          tokenName: row.name,
          tokenRole: row.role,
          membershipId: owner.id,
          userId: owner.user_id,
          actor: { type: 'personal_token', id: row.id, label: `${row.name} (${owner.user_name})` },
        },
      };
    },
  };
}
