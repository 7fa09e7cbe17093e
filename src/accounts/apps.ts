// Apps: the products that sign their users in with Roster (OpenID Connect clients, src/oidc/). An
// app belongs to the installation, not to an organization: the operator registers it once, and
// people of every organization sign in to it. Its secret is shown once, at creation; only its
// SHA-256 hash is stored (src/oidc/client-metadata.ts explains how the provider checks it).
import { randomBytes } from 'node:crypto';
import { hashToken } from '../auth/token-format.ts';
import { RosterError } from '../errors.ts';
import type { OidcClientRecord } from '../store/repos/oidc.ts';
import type { Store } from '../store/store.ts';

const MAX_NAME = 100;

/** Where the OpenID Connect provider is mounted on Roster's origin. */
export const OIDC_PATH = '/oidc';

/** The issuer apps are told: PUBLIC_URL and the mount path. */
export function issuerOf(publicUrl: string): string {
  return `${publicUrl}${OIDC_PATH}`;
}
const MAX_URIS = 20;

export interface NewApp {
  name: string;
  redirectUris: readonly string[];
  postLogoutRedirectUris?: readonly string[];
  backchannelLogoutUri?: string | null;
}

export interface AppView {
  clientId: string;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | null;
  createdAt: string;
  revokedAt: string | null;
}

export interface CreatedApp extends AppView {
  /** Shown once: only its hash is stored. */
  clientSecret: string;
}

/** An absolute http(s) URL without a fragment (RFC 6749 §3.1.2), as given. */
function checkUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RosterError('invalid_value', `${what} must be an absolute URL: "${value.slice(0, 200)}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RosterError('invalid_value', `${what} must be an http or https URL: "${value.slice(0, 200)}"`);
  }
  if (url.hash || value.includes('#')) {
    throw new RosterError('invalid_value', `${what} must not have a fragment: "${value.slice(0, 200)}"`);
  }
  if (value.length > 2000) throw new RosterError('invalid_value', `${what} is longer than 2000 characters`);
  return value;
}

function checkUrls(values: readonly string[], what: string, required: boolean): string[] {
  if (required && values.length === 0) throw new RosterError('invalid_value', `give at least one ${what}`);
  if (values.length > MAX_URIS) throw new RosterError('invalid_value', `at most ${MAX_URIS} of ${what}`);
  return [...new Set(values.map((value) => checkUrl(value, what)))];
}

export function appView(client: OidcClientRecord): AppView {
  return {
    clientId: client.id,
    name: client.name,
    redirectUris: JSON.parse(client.redirect_uris) as string[],
    postLogoutRedirectUris: JSON.parse(client.post_logout_redirect_uris) as string[],
    backchannelLogoutUri: client.backchannel_logout_uri,
    createdAt: client.created_at,
    revokedAt: client.revoked_at,
  };
}

export async function createApp(store: Store, input: NewApp): Promise<CreatedApp> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > MAX_NAME) {
    throw new RosterError('invalid_value', `name must be 1 to ${MAX_NAME} characters`);
  }
  const redirectUris = checkUrls(input.redirectUris, 'redirect URI', true);
  const postLogout = checkUrls(input.postLogoutRedirectUris ?? [], 'post-logout redirect URI', false);
  const backchannel = input.backchannelLogoutUri
    ? checkUrl(input.backchannelLogoutUri, 'back-channel logout URI')
    : null;
  const clientSecret = randomBytes(32).toString('base64url');
  const record: OidcClientRecord = {
    id: `app_${randomBytes(12).toString('base64url')}`,
    name,
    secret_hash: hashToken(clientSecret),
    redirect_uris: JSON.stringify(redirectUris),
    post_logout_redirect_uris: JSON.stringify(postLogout),
    backchannel_logout_uri: backchannel,
    created_at: new Date().toISOString(),
    revoked_at: null,
  };
  await store.oidc.insertClient(record);
  return { ...appView(record), clientSecret };
}

export async function listApps(store: Store): Promise<AppView[]> {
  return (await store.oidc.listClients()).map(appView);
}

/** Revokes an app at once: it signs no one in any more, and its grants and tokens are deleted. */
export async function revokeApp(store: Store, clientId: string): Promise<AppView> {
  return store.transaction(async (tx) => {
    const client = await tx.oidc.getClient(clientId);
    if (!client) throw new RosterError('not_found', `no app ${clientId}`);
    if (client.revoked_at) throw new RosterError('conflict', `app ${clientId} is already revoked`);
    const at = new Date().toISOString();
    await tx.oidc.revokeClient(clientId, at);
    return appView({ ...client, revoked_at: at });
  });
}

/**
 * Whether an organization may manage the installation's apps from the API and the dashboard: its
 * Admins, when it is the installation's first organization (the one made at setup, the operator's
 * own). The CLI, run by whoever runs the server, may always.
 */
export async function isOperatorOrganization(store: Store, organizationId: string): Promise<boolean> {
  const [first] = await store.organizations.list();
  return first?.id === organizationId;
}
