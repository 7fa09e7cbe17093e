// `roster_saml_login`: ties an SP-initiated SAML sign-in to the browser that started it (login CSRF,
// see src/sign-in/held-sign-in.ts). `/saml/{slug}/login` gives the browser a random value (HttpOnly,
// SameSite=Lax, Secure over https, only for /saml/) and keeps its hash with the AuthnRequest;
// `/saml/{slug}/continue` compares. One value per browser, reused by every sign-in it starts, so
// several sign-ins in flight (two tabs, two organizations) all keep working.
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { REQUEST_TTL_MS } from '../auth/saml/service-provider.ts';
import { PENDING_SIGN_IN_TTL_MS } from '../sign-in/held-sign-in.ts';

export const SAML_LOGIN_COOKIE = 'roster_saml_login';
const VALUE = /^[A-Za-z0-9_-]{43}$/;
/** Long enough for an AuthnRequest to be answered and its held sign-in completed. */
const MAX_AGE_SECONDS = Math.floor((REQUEST_TTL_MS + PENDING_SIGN_IN_TTL_MS) / 1000);

/** The browser's value, if it carries a well-formed one. */
export function samlLoginCookieOf(request: FastifyRequest): string | undefined {
  const value = request.cookies?.[SAML_LOGIN_COOKIE];
  return value !== undefined && VALUE.test(value) ? value : undefined;
}

/** The browser's value, or a new one. */
export function samlLoginValue(request: FastifyRequest): string {
  return samlLoginCookieOf(request) ?? randomBytes(32).toString('base64url');
}

/** (Re)sets the cookie so that it lasts for this sign-in. */
export function setSamlLoginCookie(reply: FastifyReply, value: string, secure: boolean): void {
  reply.setCookie(SAML_LOGIN_COOKIE, value, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/saml/',
    maxAge: MAX_AGE_SECONDS,
  });
}
