// Driving the dashboard through `inject` as a browser would: cookies, the CSRF token of forms,
// url-encoded bodies. `signIn` goes through the real sign-in form.
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { changeRole } from '../../src/accounts/members.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { recordAudit } from '../../src/audit/record-audit.ts';
import { passwordSignInAudit } from '../../src/sign-in/password-sign-in.ts';
import { startSession } from '../../src/sign-in/sessions.ts';
import { now } from '../../src/store/ids.ts';
import type { Store } from '../../src/store/store.ts';
import type { TestApp } from './app.ts';
import { passwordHashOf } from './seed.ts';

export const MEMBER_PASSWORD = 'a member password that is long';

export interface BrowserSession {
  /** The `roster_session` cookie value. */
  cookie: string;
  /** The session's CSRF token, as the pages carry it. */
  csrf: string;
}

export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** The value of a `Set-Cookie` for `name` in a response, if any. */
export function setCookie(res: LightMyRequestResponse, name: string): string | undefined {
  const cookie = res.cookies.find((c) => c.name === name);
  return cookie?.value;
}

export function hiddenCsrf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(match?.[1], 'the page has a form with a CSRF field');
  return match[1];
}

export function metaCsrf(html: string): string {
  const match = /<meta name="csrf-token" content="([^"]+)">/.exec(html);
  assert.ok(match?.[1], 'the page carries the session CSRF token');
  return match[1];
}

/** Loads the sign-in page and posts its password form, as a browser does; the response, whatever it is. */
export async function submitSignInForm(app: FastifyInstance, email: string, password: string) {
  const form = await app.inject({ method: 'GET', url: '/signin' });
  const formCookie = setCookie(form, 'roster_form');
  assert.ok(formCookie, 'the sign-in form sets its CSRF cookie');
  return app.inject({
    method: 'POST',
    url: '/signin',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `roster_form=${formCookie}` },
    payload: formBody({ _csrf: hiddenCsrf(form.body), email, password }),
  });
}

export async function signIn(app: FastifyInstance, email: string, password: string): Promise<BrowserSession> {
  const res = await submitSignInForm(app, email, password);
  assert.equal(
    res.statusCode,
    303,
    `sign-in of ${email} redirects (got ${res.statusCode}: ${res.body.slice(0, 300)})`,
  );
  const cookie = setCookie(res, 'roster_session');
  assert.ok(cookie, 'sign-in sets the session cookie');
  const page = await app.inject({
    method: 'GET',
    url: '/settings/account/tokens',
    headers: { cookie: `roster_session=${cookie}` },
  });
  return { cookie, csrf: metaCsrf(page.body) };
}

/**
 * A dashboard session for the member with this email in `t`'s organization (or `organizationId`),
 * started as a password sign-in starts it (the session row and its `password.login` event, in one
 * transaction) without going through the form and its scrypt check. For tests of what a signed-in
 * person can do; the tests of sign-in itself use `signIn`.
 */
export async function openSession(
  t: Pick<TestApp, 'store' | 'org'>,
  email: string,
  organizationId = t.org.organization.id,
): Promise<BrowserSession> {
  const user = await t.store.users.findByEmail(email);
  assert.ok(user, `an account for ${email}`);
  const member = await t.store.members.findByUserId(organizationId, user.id);
  assert.ok(member?.status === 'active' && member.role, `${email} is an active member`);
  const { cookie, record } = await t.store.transaction(async (tx) => {
    const session = await startSession(tx, member);
    await recordAudit(tx, passwordSignInAudit(user, member, null));
    return session;
  });
  return { cookie, csrf: record.csrf_token };
}

export function get(app: FastifyInstance, url: string, session?: BrowserSession) {
  return app.inject({
    method: 'GET',
    url,
    headers: session ? { cookie: `roster_session=${session.cookie}` } : {},
  });
}

/** A form POST with the session's CSRF token unless `csrf` says otherwise (null: no field). */
export function post(
  app: FastifyInstance,
  url: string,
  session: BrowserSession | undefined,
  fields: Record<string, string> = {},
  options: { csrf?: string | null; headers?: Record<string, string> } = {},
) {
  const csrf = options.csrf === undefined ? session?.csrf : options.csrf;
  return app.inject({
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(session ? { cookie: `roster_session=${session.cookie}` } : {}),
      ...options.headers,
    },
    payload: formBody({ ...(csrf ? { _csrf: csrf } : {}), ...fields }),
  });
}

export async function setPassword(store: Store, userId: string, password = MEMBER_PASSWORD): Promise<void> {
  await store.users.setPassword(userId, await passwordHashOf(password), now());
}

export interface ScimPerson {
  id: string;
  userId: string;
  email: string;
}

/** A member created over SCIM (as Okta would), given a password so that they can sign in. */
export async function scimMember(
  t: TestApp,
  userName: string,
  extra: { role?: 'admin' | 'member'; givenName?: string; familyName?: string; password?: boolean } = {},
): Promise<ScimPerson> {
  const res = await t.scim('POST', 'Users', {
    userName,
    name: { givenName: extra.givenName ?? 'Pat', familyName: extra.familyName ?? 'Doe' },
    emails: [{ value: userName, type: 'work', primary: true }],
  });
  assert.equal(res.statusCode, 201, res.body);
  const id = res.json().id as string;
  const member = await t.store.members.getById(t.org.organization.id, id);
  assert.ok(member);
  if (extra.role === 'admin') {
    await changeRole(t.store, {
      organizationId: t.org.organization.id,
      membershipId: id,
      role: 'admin',
      actor: CLI_ACTOR,
    });
  }
  if (extra.password !== false) await setPassword(t.store, member.user_id);
  return { id, userId: member.user_id, email: userName };
}

export function adminEmail(t: TestApp): string {
  return t.org.user.email;
}

export const ADMIN_PASSWORD = 'correct horse battery staple';

/**
 * Submits a "Generate token" form as a browser does: the POST answers 303 (post/redirect/get) and
 * the page it leads to shows the value once. Returns that page, and the POST's response.
 */
export async function generateToken(
  app: FastifyInstance,
  path: string,
  session: BrowserSession,
  fields: Record<string, string>,
) {
  const posted = await post(app, path, session, fields);
  assert.equal(
    posted.statusCode,
    303,
    `the form redirects (got ${posted.statusCode}: ${posted.body.slice(0, 300)})`,
  );
  const location = String(posted.headers.location);
  assert.match(location, /\?created=/);
  const page = await get(app, location, session);
  return Object.assign(page, { posted, location });
}
