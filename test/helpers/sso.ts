// SAML SSO in tests: one test IdP per process (key generation takes a moment), an organization's
// SSO settings pointed at it through the real API, SP-initiated starts read back from the
// redirect (with the browser's `roster_saml_login` cookie), and responses posted to the ACS as a
// browser would.
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { serviceProviderUrls } from '../../src/auth/saml/service-provider.ts';
import { type ResponseOptions, TestIdp } from '../../src/auth/saml/test-idp/test-idp.ts';
import { SAML_LOGIN_COOKIE } from '../../src/http/saml-login-cookie.ts';
import { PUBLIC_URL, type TestApp } from './app.ts';
import { formBody } from './dashboard.ts';

export const IDP_ENTITY_ID = 'https://idp.example/okta/exk1';
export const IDP_SSO_URL = 'https://idp.example/app/roster/sso/saml';

let shared: Promise<{ idp: TestIdp; other: TestIdp }> | undefined;

/** The test IdP, and another one whose key the organization does not trust. */
export function testIdps(): Promise<{ idp: TestIdp; other: TestIdp }> {
  shared ??= (async () => {
    const [idp, other] = await Promise.all([
      TestIdp.create(IDP_ENTITY_ID),
      TestIdp.create('https://other.example'),
    ]);
    return { idp, other };
  })();
  return shared;
}

export function spOf(t: Pick<TestApp, 'org'>, slug = t.org.organization.slug) {
  return serviceProviderUrls(PUBLIC_URL, slug);
}

export function putSso(t: TestApp, body: Record<string, unknown>, token = t.token) {
  return t.app.inject({
    method: 'PUT',
    url: '/api/v1/sso',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

/**
 * Points the organization's SSO at the test IdP (its metadata), with the domain acme.test, marked
 * verified in the store as if its DNS TXT record had been checked (test/sso/domain-verification.test.ts
 * checks the real lookup); `{ verified: false }` leaves the domains unverified.
 */
export async function configureSso(
  t: TestApp,
  extra: Record<string, unknown> = {},
  options: { verified?: boolean } = {},
) {
  const { idp } = await testIdps();
  const res = await putSso(t, {
    idpMetadataXml: idp.metadataXml(IDP_SSO_URL),
    domains: ['acme.test'],
    ...extra,
  });
  assert.equal(res.statusCode, 200, res.body);
  const view = res.json();
  if (options.verified !== false) {
    for (const domain of view.domains as string[]) await markVerified(t, domain);
  }
  return view;
}

/** Marks an organization's claimed domain verified, skipping the DNS lookup. */
export async function markVerified(
  t: Pick<TestApp, 'store' | 'org'>,
  domain: string,
  organizationId?: string,
) {
  await t.store.sso.markDomainVerified(
    organizationId ?? t.org.organization.id,
    domain,
    new Date().toISOString(),
  );
}

export interface SpStart {
  location: URL;
  requestId: string;
  relayState: string;
  authnRequestXml: string;
  /** The `roster_saml_login` cookie the browser that started it holds (for `postAcs`). */
  loginCookie: string;
}

/**
 * GET /saml/{slug}/login → the IdP redirect, with its AuthnRequest inflated. `loginCookie`: the
 * browser's `roster_saml_login` cookie, if it has one already (a browser starting a second sign-in).
 */
export async function startSpSignIn(
  app: FastifyInstance,
  slug: string,
  next?: string,
  options: { loginCookie?: string } = {},
): Promise<SpStart> {
  const res = await app.inject({
    method: 'GET',
    url: `/saml/${slug}/login${next === undefined ? '' : `?next=${encodeURIComponent(next)}`}`,
    headers: options.loginCookie ? { cookie: `${SAML_LOGIN_COOKIE}=${options.loginCookie}` } : {},
  });
  assert.equal(res.statusCode, 302, res.body);
  const loginCookie = res.cookies.find((cookie) => cookie.name === SAML_LOGIN_COOKIE)?.value;
  assert.ok(loginCookie, 'the browser that starts a sign-in gets the roster_saml_login cookie');
  const location = new URL(String(res.headers.location));
  const samlRequest = location.searchParams.get('SAMLRequest');
  assert.ok(samlRequest, 'the redirect carries a SAMLRequest');
  const authnRequestXml = inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
  const requestId = /\sID="([^"]+)"/.exec(authnRequestXml)?.[1];
  assert.ok(requestId, 'the AuthnRequest has an ID');
  return {
    location,
    requestId,
    relayState: location.searchParams.get('RelayState') ?? '',
    authnRequestXml,
    loginCookie,
  };
}

/**
 * Posts a response to the ACS as the IdP's page does (cross-site: no Roster cookie), and follows
 * its redirect to `/saml/{slug}/continue` as the browser would, with the browser's cookies:
 * `options.cookie` (a session cookie value) if it has a session, and `options.loginCookie` (the
 * `roster_saml_login` value, `SpStart.loginCookie`) if it is the browser that started the sign-in.
 * `follow: false` stops at the ACS.
 */
export async function postAcs(
  app: FastifyInstance,
  slug: string,
  samlResponse: string,
  relayState?: string,
  options: { cookie?: string; loginCookie?: string; follow?: boolean } = {},
): Promise<LightMyRequestResponse> {
  const res = await app.inject({
    method: 'POST',
    url: `/saml/${slug}/acs`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://idp.example' },
    payload: formBody({
      SAMLResponse: samlResponse,
      ...(relayState === undefined ? {} : { RelayState: relayState }),
    }),
  });
  const location = String(res.headers.location ?? '');
  if (options.follow === false || res.statusCode !== 303 || !CONTINUE.test(location)) return res;
  assert.equal(res.cookies.length, 0, 'the ACS sets no cookie');
  const cookies = [
    ...(options.cookie ? [`roster_session=${options.cookie}`] : []),
    ...(options.loginCookie ? [`${SAML_LOGIN_COOKIE}=${options.loginCookie}`] : []),
  ];
  return app.inject({
    method: 'GET',
    url: location,
    headers: cookies.length > 0 ? { cookie: cookies.join('; ') } : {},
  });
}

const CONTINUE = /^\/saml\/[^/]+\/continue\?p=[A-Za-z0-9_-]+$/;

/** A response from the test IdP for this organization's SP, tweaked by `options`. */
export async function idpResponse(
  t: Pick<TestApp, 'org'>,
  options: Partial<ResponseOptions> & { nameId: string },
) {
  const { idp } = await testIdps();
  const sp = spOf(t);
  return idp.createResponse({
    acsUrl: sp.acsUrl,
    audience: sp.entityId,
    attributes: { email: options.nameId, firstName: 'Pat', lastName: 'Doe' },
    ...options,
  });
}

/** The latest audit events with this action in the organization, newest first. */
export async function auditEvents(t: TestApp, action: string) {
  const rows = await t.store.db
    .selectFrom('audit_events')
    .selectAll()
    .where('organization_id', '=', t.org.organization.id)
    .where('action', '=', action)
    .orderBy('id', 'desc')
    .execute();
  return rows.map((row) => ({
    ...row,
    after: row.after ? (JSON.parse(row.after) as Record<string, unknown>) : null,
  }));
}

/** How many SSO sign-ins were refused for `reason`: counted failures add their count, others one each. */
export async function countedFailures(t: TestApp, reason: string): Promise<number> {
  const events = await auditEvents(t, 'sso.login_failed');
  return events
    .filter((event) => event.after?.reason === reason)
    .reduce((sum, event) => sum + (typeof event.after?.count === 'number' ? event.after.count : 1), 0);
}

export async function sessionCount(t: TestApp): Promise<number> {
  const row = await t.store.db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
