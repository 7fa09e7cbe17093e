// oidc-provider's storage, over the Store: every model it keeps (Session, Grant, AuthorizationCode,
// AccessToken, RefreshToken, Interaction, …) is a row of `oidc_models`, so any instance of a
// multi-instance installation can continue what another began, on SQLite and PostgreSQL alike.
// Apps (model `Client`) are read from `oidc_clients`, Roster's own table, never written here.
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Store } from '../store/store.ts';
import { clientMetadata } from './client-metadata.ts';

/** `expiresIn` seconds from now, as the store's ISO time; null when the model does not expire. */
function expiry(expiresIn: number | undefined): string | null {
  if (!expiresIn) return null;
  return new Date(Date.now() + expiresIn * 1000).toISOString();
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The adapter factory oidc-provider calls with each model's name. */
export function storeAdapter(store: Store): new (name: string) => Adapter {
  return class StoreAdapter implements Adapter {
    constructor(private readonly kind: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.kind === 'Client') throw new Error('apps are registered through Roster, not by the provider');
      await store.oidc.upsert({
        kind: this.kind,
        id,
        payload: JSON.stringify(payload),
        grant_id: text(payload.grantId),
        uid: text(payload.uid),
        user_code: text(payload.userCode),
        account_id: text(payload.accountId),
        client_id: text(payload.clientId),
        expires_at: expiry(expiresIn),
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.kind === 'Client') {
        const client = await store.oidc.getClient(id);
        return client && client.revoked_at === null ? clientMetadata(client) : undefined;
      }
      return this.payloadOf(await store.oidc.find(this.kind, id, new Date().toISOString()));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.payloadOf(await store.oidc.findBy(this.kind, 'uid', uid, new Date().toISOString()));
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.payloadOf(
        await store.oidc.findBy(this.kind, 'user_code', userCode, new Date().toISOString()),
      );
    }

    async consume(id: string): Promise<void> {
      await store.oidc.consume(this.kind, id, new Date().toISOString());
    }

    async destroy(id: string): Promise<void> {
      await store.oidc.destroy(this.kind, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await store.oidc.revokeByGrantId(grantId);
    }

    private payloadOf(
      row: { payload: string; consumed_at: string | null } | undefined,
    ): AdapterPayload | undefined {
      if (!row) return undefined;
      const payload = JSON.parse(row.payload) as AdapterPayload;
      // oidc-provider reads a truthy `consumed` as "already used" (a replayed code is refused).
      return row.consumed_at === null
        ? payload
        : { ...payload, consumed: Math.floor(Date.parse(row.consumed_at) / 1000) };
    }
  };
}
