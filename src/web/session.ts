// Browser sessions at the HTTP edge: the `roster_session` cookie (HttpOnly, SameSite=Lax, Secure
// over https), the session's CSRF token checked on every state-changing request, a double-submit
// token for the forms shown before there is a session (sign-in, first-run setup), and an Origin
// check as a second line of defence. Sessions themselves live server-side (src/sign-in/sessions.ts).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  authenticateSession,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  type SessionPrincipal,
} from '../sign-in/sessions.ts';
import type { Store } from '../store/store.ts';

/** The hidden form field carrying the CSRF token. */
export const CSRF_FIELD = '_csrf';
/** The header carrying it on session-authenticated API calls. */
export const CSRF_HEADER = 'x-csrf-token';
/** Double-submit cookie for the forms shown without a session (sign-in, setup). */
export const FORM_TOKEN_COOKIE = 'roster_form';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person of a dashboard request, once `loadSession` ran. */
    sessionPrincipal: SessionPrincipal | null;
  }
}

export function isStateChanging(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
}

function cookieOptions(secure: boolean, maxAgeSeconds: number): CookieSerializeOptions {
  return { httpOnly: true, sameSite: 'lax', path: '/', secure, maxAge: maxAgeSeconds };
}

export function setSessionCookie(reply: FastifyReply, value: string, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, value, cookieOptions(secure, Math.floor(SESSION_TTL_MS / 1000)));
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(secure, 0));
}

export function sessionCookieOf(request: FastifyRequest): string | undefined {
  return request.cookies?.[SESSION_COOKIE];
}

/** Reads the session cookie into `request.sessionPrincipal` (null when absent, unknown or ended). */
export function loadSession(store: Store) {
  return async (request: FastifyRequest): Promise<void> => {
    request.sessionPrincipal = (await authenticateSession(store, sessionCookieOf(request))) ?? null;
  };
}

/** Compares two tokens without leaking where they differ. */
export function tokensMatch(expected: string, supplied: unknown): boolean {
  if (typeof supplied !== 'string' || supplied.length === 0) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(supplied);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The token for a form shown before sign-in: the cookie's value when it already has one, else a new
 * one set as a cookie. A cross-site page can neither read it nor (SameSite) make the browser send it.
 */
export function formToken(request: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const existing = request.cookies?.[FORM_TOKEN_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{32}$/.test(existing)) return existing;
  const value = randomBytes(24).toString('base64url');
  reply.setCookie(FORM_TOKEN_COOKIE, value, cookieOptions(secure, 60 * 60));
  return value;
}

export function formTokenMatches(request: FastifyRequest, supplied: unknown): boolean {
  const cookie = request.cookies?.[FORM_TOKEN_COOKIE];
  return cookie !== undefined && tokensMatch(cookie, supplied);
}

/**
 * False when the browser says the request comes from an origin other than PUBLIC_URL's (scheme,
 * host and port). Never compared with the Host header: a client chooses that one, so a forged Host
 * matching a forged Origin proved nothing. Requests without an Origin header (old browsers,
 * same-origin GET-turned-POST by tools) rely on the CSRF token alone.
 */
export function sameOrigin(request: FastifyRequest, publicUrl: string): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (origin === 'null') return false;
  try {
    return new URL(origin).origin === new URL(publicUrl).origin;
  } catch {
    return false;
  }
}
