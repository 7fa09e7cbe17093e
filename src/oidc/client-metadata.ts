// An app as oidc-provider knows a client. Its secret is stored as a SHA-256 hash, never in the clear:
// the provider is told the hash as the client's `client_secret` and compares a presented secret by
// hashing it first (`hashedClientSecrets`). The library would otherwise also derive HMAC keys from a
// client's secret (HS256 ID tokens, `client_secret_jwt`); neither is enabled (provider.ts), so the
// hash is only ever compared, and a stolen database holds no usable secret.
import type { ClientMetadata, Provider } from 'oidc-provider';
import { hashToken, sameHash } from '../auth/token-format.ts';
import type { OidcClientRecord } from '../store/repos/oidc.ts';

export function clientMetadata(client: OidcClientRecord): ClientMetadata {
  return {
    client_id: client.id,
    client_secret: client.secret_hash,
    client_name: client.name,
    redirect_uris: JSON.parse(client.redirect_uris) as string[],
    post_logout_redirect_uris: JSON.parse(client.post_logout_redirect_uris) as string[],
    ...(client.backchannel_logout_uri
      ? { backchannel_logout_uri: client.backchannel_logout_uri, backchannel_logout_session_required: true }
      : {}),
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  };
}

/** Makes `provider` compare a presented client secret with the stored hash. */
export function hashedClientSecrets(provider: Provider): void {
  const prototype = provider.Client.prototype as unknown as {
    clientSecret?: string;
    compareClientSecret(this: { clientSecret?: string }, actual: string): boolean;
  };
  prototype.compareClientSecret = function compareClientSecret(actual: string): boolean {
    return typeof this.clientSecret === 'string' && sameHash(this.clientSecret, hashToken(actual));
  };
}
