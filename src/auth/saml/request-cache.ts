// node-saml's CacheProvider over the `saml_requests` table, so that the instance receiving the
// IdP's answer need not be the one that sent the AuthnRequest. Saving an id also stores the
// opaque RelayState, the return path of the sign-in and the hash of the starting browser's
// `roster_saml_login` cookie (src/sign-in/held-sign-in.ts); a lookup remembers the row it found,
// because node-saml deletes it once `InResponseTo` has been checked.
import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import type { SamlRequestRecord } from '../../store/repos/sso.ts';
import type { Store } from '../../store/store.ts';
import { REQUEST_TTL_MS } from './service-provider.ts';

export class SamlRequestCache implements CacheProvider {
  /** The request row a lookup found (the sign-in this response answers). */
  found: SamlRequestRecord | undefined;

  constructor(
    private readonly store: Store,
    private readonly organizationId: string,
    private readonly pending?: { relayState: string; returnPath: string | null; browserHash: string },
  ) {}

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    if (!this.pending) throw new Error('this cache only checks responses; it cannot start a sign-in');
    const at = new Date();
    await this.store.sso.deleteExpiredRequests(at.toISOString());
    await this.store.sso.insertRequest({
      id: key,
      organization_id: this.organizationId,
      relay_state: this.pending.relayState,
      return_path: this.pending.returnPath,
      browser_hash: this.pending.browserHash,
      created_at: at.toISOString(),
      expires_at: new Date(at.getTime() + REQUEST_TTL_MS).toISOString(),
    });
    return { value, createdAt: at.getTime() };
  }

  /** node-saml reads the value as the request's creation time. */
  async getAsync(key: string): Promise<string | null> {
    const row = await this.store.sso.findRequest(this.organizationId, key, new Date().toISOString());
    if (row) this.found = row;
    return row ? row.created_at : null;
  }

  async removeAsync(key: string | null): Promise<string | null> {
    if (key === null) return null;
    await this.store.sso.deleteRequest(this.organizationId, key);
    return key;
  }
}
