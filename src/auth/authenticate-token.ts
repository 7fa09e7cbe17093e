// Bearer token → Principal. Lookup is by the SHA-256 of the presented value through a unique index,
// so no comparison ever runs over the secret itself; the digest found is re-checked in constant time.
import type { Principal } from '../accounts/actor.ts';
import type { Store } from '../store/store.ts';
import { lowerRole } from './roles.ts';
import { hashToken, sameHash, tokenKind } from './token-format.ts';

export type AuthFailure = 'missing' | 'malformed' | 'unknown' | 'revoked' | 'expired' | 'owner_deactivated';

export type AuthResult = { ok: true; principal: Principal } | { ok: false; reason: AuthFailure };

export const AUTH_FAILURE_DETAIL: Record<AuthFailure, string> = {
  missing: 'authentication required: send "Authorization: Bearer <token>"',
  malformed: 'the bearer token is not a Roster access token',
  unknown: 'the bearer token is not valid',
  revoked: 'the bearer token has been revoked',
  expired: 'the bearer token has expired',
  owner_deactivated: "the token's owner is deactivated in this organization",
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

/**
 * Everything a request needs to trust a token, in ONE indexed query: the token by its hash (unique
 * index), its organization by primary key and, for a personal token, its owner by primary key.
 * Deliberately no cache: a revoked token, a deactivated owner or a lowered role must fail on the
 * very next request, whichever instance serves it. (A query of the token repository's; it lives
 * here while that file is being changed by others.)
 */
async function findGrant(store: Store, kind: 'personal' | 'service', hash: string) {
  if (kind === 'service') {
    const row = await store.db
      .selectFrom('service_access_tokens as t')
      .leftJoin('organizations as o', 'o.id', 't.organization_id')
      .select([
        't.id',
        't.name',
        't.role',
        't.token_hash',
        't.revoked_at',
        't.expires_at',
        'o.id as organization_id',
        'o.slug as organization_slug',
      ])
      .where('t.token_hash', '=', hash)
      .executeTakeFirst();
    return row && { ...row, owner: undefined };
  }
  const row = await store.db
    .selectFrom('personal_access_tokens as t')
    .leftJoin('organizations as o', 'o.id', 't.organization_id')
    // The owner must be a member of the token's organization (as `members.getById(org, id)` reads it).
    .leftJoin('memberships as m', (join) =>
      join.onRef('m.id', '=', 't.membership_id').onRef('m.organization_id', '=', 't.organization_id'),
    )
    .select([
      't.id',
      't.name',
      't.role',
      't.token_hash',
      't.revoked_at',
      't.expires_at',
      'o.id as organization_id',
      'o.slug as organization_slug',
      'm.id as owner_id',
      'm.user_id as owner_user_id',
      'm.user_name as owner_user_name',
      'm.status as owner_status',
      'm.role as owner_role',
    ])
    .where('t.token_hash', '=', hash)
    .executeTakeFirst();
  if (!row) return undefined;
  const { owner_id, owner_user_id, owner_user_name, owner_status, owner_role, ...token } = row;
  const owner =
    owner_id !== null && owner_user_id !== null && owner_user_name !== null && owner_status !== null
      ? {
          id: owner_id,
          user_id: owner_user_id,
          user_name: owner_user_name,
          status: owner_status,
          role: owner_role,
        }
      : null;
  return { ...token, owner };
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
      if (!kind) return { ok: false, reason: 'malformed' };
      const hash = hashToken(value);
      const row = await findGrant(store, kind, hash);
      if (!row || !sameHash(row.token_hash, hash)) return { ok: false, reason: 'unknown' };
      if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
      if (row.expires_at !== null && Date.parse(row.expires_at) <= Date.now())
        return { ok: false, reason: 'expired' };
      if (row.organization_id === null || row.organization_slug === null)
        return { ok: false, reason: 'unknown' };

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
