// Bearer installation token → the product's principal. Like organization tokens: found by the
// SHA-256 of the presented value through a unique index, the digest re-checked in constant time,
// no cache (a revoked token fails on the very next request), its last use written off the request
// path at most once a minute.
import type { Actor } from '../audit/actor.ts';
import type { Store } from '../store/store.ts';
import { hashToken, isInstallationToken, sameHash } from './token-format.ts';

/** The product, speaking through an installation token: above every organization, inside none. */
export interface InstallationPrincipal {
  tokenId: string;
  tokenName: string;
  actor: Actor;
}

export type InstallationAuthResult =
  | { ok: true; principal: InstallationPrincipal }
  | { ok: false; reason: 'missing' | 'malformed' | 'unknown' | 'revoked' };

export function createInstallationAuthenticator(
  store: Store,
  options: { onError?: (error: unknown) => void } = {},
) {
  const written = new Map<string, number>();
  const onError = options.onError ?? (() => undefined);
  return async (value: string | undefined): Promise<InstallationAuthResult> => {
    if (value === undefined) return { ok: false, reason: 'missing' };
    if (!isInstallationToken(value)) return { ok: false, reason: 'malformed' };
    const hash = hashToken(value);
    const row = await store.installationTokens.findByHash(hash);
    if (!row || !sameHash(row.token_hash, hash)) return { ok: false, reason: 'unknown' };
    if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
    const at = Date.now();
    if ((written.get(row.id) ?? 0) <= at - 60_000) {
      written.set(row.id, at);
      if (written.size > 1000) written.clear();
      store.installationTokens.touch(row.id, new Date(at).toISOString()).catch(onError);
    }
    return {
      ok: true,
      principal: {
        tokenId: row.id,
        tokenName: row.name,
        actor: { type: 'installation_token', id: row.id, label: row.name },
      },
    };
  };
}

export type InstallationAuthenticator = ReturnType<typeof createInstallationAuthenticator>;
