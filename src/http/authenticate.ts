// Bearer authentication as Fastify hooks: 401 (with WWW-Authenticate, RFC 6750 §3) for a missing,
// malformed, unknown, revoked or expired token; 403 when the effective role is too low. The JSON
// API also accepts a dashboard session (`requireCaller`), with its CSRF token on writes.
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { InstallationAuthenticator, InstallationPrincipal } from '../auth/authenticate-installation.ts';
import { AUTH_FAILURE_DETAIL, bearerToken, type TokenAuthenticator } from '../auth/authenticate-token.ts';
import type { Principal } from '../auth/principal.ts';
import { atLeast } from '../auth/roles.ts';
import { isInstallationToken } from '../auth/token-format.ts';
import { RosterError } from '../errors.ts';
import { authenticateSession } from '../sign-in/sessions.ts';
import type { Role } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import { CSRF_HEADER, isStateChanging, sessionCookieOf, tokensMatch } from '../web/session.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /**
     * Whoever a valid credential speaks for, set even when the role then falls short (403): the
     * SCIM request log files such refusals under the organization.
     */
    authenticatedAs: Principal | null;
    /** The product, when an installation token authenticated the request (organizations API). */
    installation: InstallationPrincipal | null;
  }
}

const INSTALLATION_FAILURE_DETAIL = {
  missing: AUTH_FAILURE_DETAIL.missing,
  malformed: 'the organizations API takes an installation token (rst_iat_…)',
  unknown: AUTH_FAILURE_DETAIL.unknown,
  revoked: AUTH_FAILURE_DETAIL.revoked,
} as const;

/** The organizations API: an installation token, nothing else (an organization's tokens reach one organization). */
export function requireInstallation(authenticate: InstallationAuthenticator): onRequestAsyncHookHandler {
  return async (request, reply) => {
    const result = await authenticate(bearerToken(request.headers.authorization));
    if (!result.ok) {
      const error = result.reason === 'missing' ? '' : ', error="invalid_token"';
      reply.header('www-authenticate', `Bearer realm="Roster"${error}`);
      throw new RosterError('unauthorized', INSTALLATION_FAILURE_DETAIL[result.reason]);
    }
    request.installation = result.principal;
  };
}

export function installationOf(request: FastifyRequest): InstallationPrincipal {
  if (!request.installation) throw new RosterError('unauthorized', AUTH_FAILURE_DETAIL.missing);
  return request.installation;
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new RosterError('unauthorized', AUTH_FAILURE_DETAIL.missing);
  return request.principal;
}

function roleRefusal(role: Role, principal: Principal, holder: string): RosterError {
  return new RosterError(
    'forbidden',
    `this requires the ${role === 'admin' ? 'Admin' : 'Member'} role; the ${holder}'s effective role is ${principal.role}`,
  );
}

function authorize(request: FastifyRequest, principal: Principal, role: Role, holder: string): void {
  request.authenticatedAs = principal;
  if (!atLeast(principal.role, role)) throw roleRefusal(role, principal, holder);
  request.principal = principal;
}

async function authenticateBearer(
  authenticator: TokenAuthenticator,
  role: Role,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const result = await authenticator.authenticate(bearerToken(request.headers.authorization));
  if (!result.ok && result.reason === 'installation_token') {
    throw new RosterError('forbidden', AUTH_FAILURE_DETAIL.installation_token);
  }
  if (!result.ok) {
    const error = result.reason === 'missing' ? '' : ', error="invalid_token"';
    reply.header('www-authenticate', `Bearer realm="Roster"${error}`);
    throw new RosterError('unauthorized', AUTH_FAILURE_DETAIL[result.reason]);
  }
  authorize(request, result.principal, role, 'token');
}

export function requireToken(authenticator: TokenAuthenticator, role: Role): onRequestAsyncHookHandler {
  return (request, reply) => authenticateBearer(authenticator, role, request, reply);
}

/**
 * A bearer token when the request has an Authorization header, else the dashboard session cookie.
 * A session-authenticated request that changes something must echo the session's CSRF token in
 * `X-CSRF-Token`: the cookie alone would let any site the person visits act for them.
 */
export function requireCaller(
  authenticator: TokenAuthenticator,
  store: Store,
  role: Role,
): onRequestAsyncHookHandler {
  return async (request, reply) => {
    const cookie = request.headers.authorization === undefined ? sessionCookieOf(request) : undefined;
    const session = cookie ? await authenticateSession(store, cookie) : undefined;
    if (!session) return authenticateBearer(authenticator, role, request, reply);
    if (
      isStateChanging(request.method) &&
      !tokensMatch(session.session.csrf_token, request.headers[CSRF_HEADER])
    ) {
      throw new RosterError(
        'forbidden',
        'a request authenticated by a session cookie must send the X-CSRF-Token header',
      );
    }
    authorize(request, session, role, 'session');
  };
}

/**
 * A route both sides read (the events API): an installation token (`rst_iat_…`) sets
 * `request.installation` and speaks for every organization; anything else is `requireCaller`'s,
 * for one organization with `role`. The route tells them apart by `request.installation`.
 */
export function requireCallerOrInstallation(
  authenticator: TokenAuthenticator,
  installation: InstallationAuthenticator,
  store: Store,
  role: Role,
): onRequestAsyncHookHandler {
  const caller = requireCaller(authenticator, store, role);
  const product = requireInstallation(installation);
  return async function (this, request, reply) {
    const token = bearerToken(request.headers.authorization);
    const hook = token !== undefined && isInstallationToken(token) ? product : caller;
    await hook.call(this, request, reply);
  };
}
