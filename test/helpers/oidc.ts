// OpenID Connect tests: a listening Roster (openid-client speaks HTTP, not `inject`), an app
// registered as the operator would, a cookie-keeping "browser" that follows redirects by hand (for
// the HTTP tests; the browser test drives Chromium), and openid-client as the app.
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { type CreatedApp, createApp as registerApp } from '../../src/accounts/apps.ts';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/create-app.ts';
import type { Store } from '../../src/store/store.ts';
import { freePort } from './net.ts';
import { ADMIN_PASSWORD } from './seed.ts';
import { openTestStore, type StoreKind } from './stores.ts';

export const ADMIN_EMAIL = 'admin@acme.test';

export interface OidcServer {
  store: Store;
  app: ReturnType<typeof createApp>;
  baseUrl: string;
  issuer: string;
  organizationId: string;
  adminMembershipId: string;
  stop(): Promise<void>;
}

export async function startOidcServer(kind: StoreKind, logoutDeliveryIntervalMs = 200): Promise<OidcServer> {
  const { store, database, cleanup } = await openTestStore(kind);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({ PUBLIC_URL: baseUrl, DATABASE_URL: database.url, PORT: String(port) });
  const app = createApp(config, store, { logger: false, logoutDeliveryIntervalMs });
  await app.listen({ port, host: '127.0.0.1' });
  const org = await initOrganization(store, {
    name: 'Acme Inc',
    slug: 'acme',
    adminEmail: ADMIN_EMAIL,
    adminPassword: ADMIN_PASSWORD,
    actor: CLI_ACTOR,
  });
  return {
    store,
    app,
    baseUrl,
    issuer: `${baseUrl}/oidc`,
    organizationId: org.organization.id,
    adminMembershipId: org.membership.id,
    async stop() {
      await app.close();
      await cleanup();
    },
  };
}

export function newApp(
  store: Store,
  redirectUri: string,
  backchannelLogoutUri?: string,
): Promise<CreatedApp> {
  return registerApp(store, {
    name: 'Example product',
    redirectUris: [redirectUri],
    postLogoutRedirectUris: [redirectUri.replace(/\/callback$/, '/')],
    backchannelLogoutUri: backchannelLogoutUri ?? null,
  });
}

/** openid-client's view of the provider, as the app `created`, over plain http (tests only). */
export async function discover(server: OidcServer, created: Pick<CreatedApp, 'clientId' | 'clientSecret'>) {
  return client.discovery(
    new URL(server.issuer),
    created.clientId,
    { client_secret: created.clientSecret },
    client.ClientSecretBasic(created.clientSecret),
    { execute: [client.allowInsecureRequests] },
  );
}

/** A browser without a screen: keeps cookies per host and follows redirects one by one. */
export class TestBrowser {
  private readonly cookies = new Map<string, Map<string, string>>();

  /** Gives the browser a cookie for `url`'s host (a session opened elsewhere). */
  setCookie(url: string, name: string, value: string): void {
    const host = new URL(url).host;
    const jar = this.cookies.get(host) ?? new Map<string, string>();
    jar.set(name, value);
    this.cookies.set(host, jar);
  }

  private cookieHeader(url: URL): string {
    return [...(this.cookies.get(url.host) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(url: URL, response: Response): void {
    const jar = this.cookies.get(url.host) ?? new Map<string, string>();
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    this.cookies.set(url.host, jar);
  }

  async request(
    url: string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<Response> {
    const target = new URL(url);
    const response = await fetch(target, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: {
        cookie: this.cookieHeader(target),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    this.keep(target, response);
    return response;
  }

  /**
   * Follows redirects from `url` until one leaves for `stopAt` (the app's redirect URI: returned,
   * not fetched) or a page answers; returns that URL or the page.
   */
  async follow(url: string, stopAt: string, init: { form?: Record<string, string> } = {}) {
    let response = await this.request(url, init);
    let current = url;
    for (let hops = 0; hops < 20; hops += 1) {
      const location = response.headers.get('location');
      if (!location || response.status < 300 || response.status >= 400) {
        return { url: current, response, body: await response.text() };
      }
      current = new URL(location, current).href;
      if (current.startsWith(stopAt)) return { url: current, response, body: '' };
      response = await this.request(current);
    }
    throw new Error('too many redirects');
  }
}

/** Signs in on Roster's sign-in page (email and password) with the form's token. */
export async function signInWithPassword(
  browser: TestBrowser,
  signInUrl: string,
  email: string,
  password: string,
) {
  const page = await browser.follow(signInUrl, '\u0000');
  assert.equal(page.response.status, 200, page.body.slice(0, 300));
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  const next = /name="next" value="([^"]*)"/.exec(page.body)?.[1] ?? '';
  assert.ok(csrf, 'the sign-in form carries a token');
  return { csrf, next: next.replaceAll('&amp;', '&'), email, password };
}

export interface Authorization {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

/** The app's authorization request, with PKCE (S256), state and nonce, as the example builds it. */
export async function authorizationRequest(
  config: client.Configuration,
  redirectUri: string,
  extra: Record<string, string> = {},
): Promise<Authorization> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile organization',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

export interface SignInOutcome {
  /** Where the provider sent the browser back: the app's redirect URI with a code, or an error. */
  callback: URL;
  request: Authorization;
}

/**
 * The app's authorization request in `browser`, through Roster's sign-in page when the browser has no
 * Roster session (the password form), until the provider redirects back to the app.
 */
export async function signInToApp(
  server: OidcServer,
  config: client.Configuration,
  browser: TestBrowser,
  person: { email: string; password: string },
  redirectUri: string,
  extra: Record<string, string> = {},
): Promise<SignInOutcome> {
  const request = await authorizationRequest(config, redirectUri, extra);
  let step = await browser.follow(request.url.href, redirectUri);
  if (step.url.includes('/signin?')) {
    const form = await signInWithPassword(browser, step.url, person.email, person.password);
    step = await browser.follow(`${server.baseUrl}/signin`, redirectUri, {
      form: { _csrf: form.csrf, next: form.next, email: person.email, password: person.password },
    });
  }
  if (step.url.includes('/organizations?')) {
    // Roster's own chooser for a person in several organizations: the first one listed.
    const csrf = /name="_csrf" value="([^"]+)"/.exec(step.body)?.[1] ?? '';
    const organizationId = /name="organizationId" value="([^"]+)"/.exec(step.body)?.[1] ?? '';
    const next = (/name="next" value="([^"]*)"/.exec(step.body)?.[1] ?? '').replaceAll('&amp;', '&');
    step = await browser.follow(`${server.baseUrl}/organizations/switch`, redirectUri, {
      form: { _csrf: csrf, organizationId, next },
    });
  }
  assert.ok(
    step.url.startsWith(redirectUri),
    `back at the app, not at ${step.url}: ${step.body.slice(0, 300)}`,
  );
  return { callback: new URL(step.url), request };
}

/** Exchanges the code of a sign-in, checking PKCE, state and nonce as the app does. */
export function exchange(config: client.Configuration, outcome: SignInOutcome) {
  return client.authorizationCodeGrant(config, outcome.callback, {
    pkceCodeVerifier: outcome.request.verifier,
    expectedState: outcome.request.state,
    expectedNonce: outcome.request.nonce,
  });
}

/** The OAuth error code openid-client raised (`invalid_grant`, …), or the error itself. */
export async function oauthError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    // A 401 with a WWW-Authenticate challenge (userinfo, client authentication) carries its error
    // in the challenge's parameters.
    const challenge = (error as { cause?: { parameters?: { error?: string } }[] }).cause;
    const fromChallenge = Array.isArray(challenge) ? challenge[0]?.parameters?.error : undefined;
    return String((error as { error?: string }).error ?? fromChallenge ?? (error as Error).message);
  }
  return 'no error';
}
