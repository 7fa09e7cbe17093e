// The provider's keys live in the database, so that every instance of an installation signs with and
// publishes the same ones: the signing keys (RSA, RS256: the algorithm every OpenID Connect relying
// party supports, OIDC Core §15.1) and the secrets its cookies are signed with. The first instance to
// start makes generation 1 (an insert that a racing instance loses harmlessly). `roster keys rotate`
// adds a generation that signs from then on; the previous ones stay published in the JWKS for
// RETIRED_KEYS_KEPT_MS, longer than any ID token they signed lives and any relying party caches the
// JWKS, and are dropped by a later rotation. Instances notice a rotation when they next reload
// (provider-host.ts).
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { JWK } from 'oidc-provider';
import type { OidcKeyRecord } from '../store/repos/oidc.ts';
import type { Store } from '../store/store.ts';

export const RETIRED_KEYS_KEPT_MS = 24 * 60 * 60 * 1000;

type KeyKind = 'signing' | 'cookie';

export interface ProviderKeys {
  /** Private JWKs, the signing one first, then the retired ones still published. */
  signing: JWK[];
  /** Cookie secrets, the newest first (it signs; all verify). */
  cookie: string[];
  /** Changes whenever the set of keys does: instances compare it to know when to reload. */
  fingerprint: string;
}

function newMaterial(kind: KeyKind, generation: number): string {
  if (kind === 'cookie') return randomBytes(32).toString('base64url');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  const kid = `${generation}-${randomBytes(6).toString('base64url')}`;
  return JSON.stringify({ ...jwk, kid, alg: 'RS256', use: 'sig' });
}

async function addGeneration(store: Store, kind: KeyKind, generation: number, at: Date): Promise<boolean> {
  return store.oidc.insertKey({
    kind,
    generation,
    material: newMaterial(kind, generation),
    created_at: at.toISOString(),
    retired_at: null,
  });
}

function toKeys(signing: OidcKeyRecord[], cookie: OidcKeyRecord[]): ProviderKeys {
  const fingerprint = createHash('sha256')
    .update([...signing, ...cookie].map((key) => `${key.kind}:${key.generation}`).join(','))
    .digest('hex');
  return {
    signing: signing.map((key) => JSON.parse(key.material) as JWK),
    cookie: cookie.map((key) => key.material),
    fingerprint,
  };
}

/** The keys, making generation 1 of each kind when there is none yet (first start). */
export async function loadProviderKeys(store: Store): Promise<ProviderKeys> {
  for (const kind of ['signing', 'cookie'] as const) {
    if ((await store.oidc.listKeys(kind)).length === 0) await addGeneration(store, kind, 1, new Date());
  }
  return toKeys(await store.oidc.listKeys('signing'), await store.oidc.listKeys('cookie'));
}

export interface Rotation {
  /** The `kid` of the new signing key. */
  kid: string;
  generation: number;
  /** Retired signing keys still published. */
  published: number;
  pruned: number;
}

/**
 * Adds a signing key and a cookie secret that are used from now on; the previous ones stay
 * published (the JWKS) and accepted (cookies) until a rotation after RETIRED_KEYS_KEPT_MS.
 */
export async function rotateProviderKeys(store: Store, at = new Date()): Promise<Rotation> {
  await loadProviderKeys(store);
  const pruneBefore = new Date(at.getTime() - RETIRED_KEYS_KEPT_MS).toISOString();
  let pruned = 0;
  let generation = 0;
  for (const kind of ['signing', 'cookie'] as const) {
    pruned += await store.oidc.pruneKeys(kind, pruneBefore);
    const [newest] = await store.oidc.listKeys(kind);
    const next = (newest?.generation ?? 0) + 1;
    // Two operators rotating at once: one of them adds the generation, both see it afterwards.
    await addGeneration(store, kind, next, at);
    await store.oidc.retireKeysBelow(kind, next, at.toISOString());
    if (kind === 'signing') generation = next;
  }
  const signing = await store.oidc.listKeys('signing');
  const current = signing.find((key) => key.generation === generation);
  const kid = current ? String((JSON.parse(current.material) as JWK).kid) : '';
  return { kid, generation, published: signing.length - 1, pruned };
}
