// The OpenID Connect provider: oidc-provider (OpenID Certified), configured for Roster. What it
// does, Roster does not hand-write: the authorization code flow with PKCE, discovery, JWKS,
// userinfo, revocation, introspection, RP-initiated logout, rotating refresh tokens and
// Back-Channel Logout 1.0. Roster supplies its storage (store-adapter.ts), its keys
// (signing-keys.ts), who the person is and which organization they chose (interaction-pages.ts:
// Roster's own sign-in), and the claims (access-claims.ts).
import type { Configuration, KoaContextWithOIDC, default as Provider } from 'oidc-provider';
import { issuerOf, OIDC_PATH } from '../accounts/apps.ts';
import type { Store } from '../store/store.ts';
import { accessClaims, SCOPE_CLAIMS } from './access-claims.ts';
import { hashedClientSecrets } from './client-metadata.ts';
import { endRosterSessionOnLogout, logoutSource, postLogoutSuccessSource } from './sign-out.ts';
import type { ProviderKeys } from './signing-keys.ts';
import { storeAdapter } from './store-adapter.ts';

export { issuerOf, OIDC_PATH } from '../accounts/apps.ts';

export const TOKEN_LIFETIMES = {
  AccessToken: 10 * 60,
  AuthorizationCode: 60,
  IdToken: 60 * 60,
  Interaction: 10 * 60,
  RefreshToken: 14 * 24 * 60 * 60,
  Grant: 14 * 24 * 60 * 60,
  // As long as a dashboard session (src/sign-in/sessions.ts).
  Session: 12 * 60 * 60,
} as const;

/**
 * The grant a token (code, access or refresh token) was issued under: whose membership, hence
 * which organization, it speaks for. The authorization endpoint asks without a token, before any
 * grant of this request exists (a grant the browser's session remembers may be revoked): there the
 * person alone is looked up.
 */
function grantIdOf(ctx: KoaContextWithOIDC, token: { grantId?: string } | undefined): string | undefined {
  return token?.grantId ?? ctx.oidc.entities.Grant?.jti;
}

export interface ProviderLog {
  error(object: object, message: string): void;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * The provider over `keys`. oidc-provider and what it brings (Koa, jose, an HTTP client) are
 * loaded here, at the first OpenID Connect request: every other command and a server that never
 * signs an app in start without them.
 */
export async function createProvider(
  publicUrl: string,
  store: Store,
  keys: ProviderKeys,
  log?: ProviderLog,
): Promise<Provider> {
  const { default: Provider } = await import('oidc-provider');
  const configuration: Configuration = {
    adapter: storeAdapter(store),
    jwks: { keys: keys.signing },
    cookies: {
      keys: keys.cookie,
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    scopes: Object.keys(SCOPE_CLAIMS),
    claims: Object.fromEntries(Object.entries(SCOPE_CLAIMS).map(([scope, claims]) => [scope, [...claims]])),
    // The claims of the granted scopes go into the ID token as well as userinfo: an app reads the
    // person's organization, role and workspaces from the token it gets at sign-in and refresh.
    conformIdTokenClaims: false,
    extraParams: ['organization'],
    responseTypes: ['code'],
    pkce: { required: () => true, methods: ['S256'] },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    // RS256 only: no HMAC algorithm, so a client's secret (stored hashed) is never used as a key.
    enabledJWA: {
      idTokenSigningAlgValues: ['RS256'],
      userinfoSigningAlgValues: ['RS256'],
      introspectionSigningAlgValues: ['RS256'],
      authorizationSigningAlgValues: ['RS256'],
      requestObjectSigningAlgValues: ['RS256'],
      clientAuthSigningAlgValues: ['RS256'],
    },
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      backchannelLogout: { enabled: true },
      claimsParameter: { enabled: false },
    },
    interactions: { url: (_ctx, interaction) => `${OIDC_PATH}/interaction/${interaction.uid}` },
    // Every authorization passes Roster's interaction (interaction-pages.ts), which checks the
    // person's Roster session and membership each time and makes a new grant for the organization
    // chosen; only the grant it has just made is used.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId;
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    // Every sign-in gets a refresh token, rotated at each use (a replayed one revokes its grant).
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: { ...TOKEN_LIFETIMES },
    // A request that cannot go back to the app (an unknown app, a redirect URI it did not register)
    // is answered here, in words, with the OAuth error code for the app's developer.
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in failed · Roster</title></head>
<body><h1>This sign-in cannot continue</h1><p>${escapeHtml(String(out.error_description ?? ''))}</p>
<p>Error: <code>${escapeHtml(String(out.error ?? ''))}</code>. Go back to the app and try again, or tell its developers.</p></body></html>`;
    },
    async findAccount(ctx, sub, token) {
      const grantId = grantIdOf(ctx, token as { grantId?: string } | undefined);
      const membershipId = grantId ? await store.oidc.grantMembership(grantId) : undefined;
      if (!membershipId) {
        // Before a grant exists (the authorization request checking its session): only the person.
        if (grantId) return undefined;
        return (await store.users.getById(sub)) ? { accountId: sub, claims: () => ({ sub }) } : undefined;
      }
      const claims = await accessClaims(store, sub, membershipId);
      // A deactivated member, or one removed from the organization: no token, no userinfo.
      if (!claims) return undefined;
      return { accountId: sub, claims: () => ({ ...claims }) };
    },
  };
  const provider = new Provider(issuerOf(publicUrl), configuration);
  // Client-supplied forwarding headers are replaced by PUBLIC_URL's (oidc-routes.ts) before the
  // provider reads them: every URL it publishes is PUBLIC_URL-based, behind a proxy or not.
  provider.proxy = true;
  hashedClientSecrets(provider);
  endRosterSessionOnLogout(provider, store);
  provider.on('server_error', (_ctx, error) => log?.error({ err: error }, 'OpenID Connect provider error'));
  return provider;
}
