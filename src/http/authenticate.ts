// Bearer authentication as Fastify hooks: 401 (with WWW-Authenticate, RFC 6750 §3) for a missing,
// malformed, unknown, revoked or expired token; 403 when the effective role is too low.
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Principal } from '../accounts/actor.ts';
import { AUTH_FAILURE_DETAIL, bearerToken, type TokenAuthenticator } from '../auth/authenticate-token.ts';
import { atLeast } from '../auth/roles.ts';
import { ScimError } from '../scim/scim-error.ts';
import type { Role } from '../store/schema.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new ScimError(401, AUTH_FAILURE_DETAIL.missing);
  return request.principal;
}

export function requireToken(authenticator: TokenAuthenticator, role: Role): onRequestAsyncHookHandler {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const result = await authenticator.authenticate(bearerToken(request.headers.authorization));
    if (!result.ok) {
      const error = result.reason === 'missing' ? '' : ', error="invalid_token"';
      reply.header('www-authenticate', `Bearer realm="Roster"${error}`);
      throw new ScimError(401, AUTH_FAILURE_DETAIL[result.reason]);
    }
    if (!atLeast(result.principal.role, role)) {
      throw new ScimError(
        403,
        `this requires the ${role === 'admin' ? 'Admin' : 'Member'} role; the token's effective role is ${result.principal.role}`,
      );
    }
    request.principal = result.principal;
  };
}
