// Small helpers shared by the SCIM routes: the media type, query parameters, the request context.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { RosterError } from '../errors.ts';
import type { ProvisioningContext } from '../provisioning/context.ts';
import { principalOf } from './authenticate.ts';

export const SCIM_MEDIA_TYPE = 'application/scim+json; charset=utf-8';

/**
 * Sets the status and the SCIM media type and hands back `body`, for the route to return: Fastify
 * then sends it. (A route that sends itself and returns the reply makes Fastify wait on the reply
 * as a promise, with listeners on the response that a lookup pays for and does not need.)
 */
export function scimBody<T extends object>(reply: FastifyReply, status: number, body: T): T {
  reply.code(status).type(SCIM_MEDIA_TYPE);
  return body;
}

/**
 * Reads query parameters by case-insensitive name (clients vary: `startIndex`, `startindex`);
 * a parameter given twice is ambiguous and refused.
 */
export function queryParameters(request: FastifyRequest): (name: string) => string | undefined {
  const query = (request.query ?? {}) as Record<string, string | string[] | undefined>;
  const byName = new Map<string, string | string[] | undefined>();
  for (const [key, value] of Object.entries(query)) byName.set(key.toLowerCase(), value);
  return (name) => {
    const value = byName.get(name.toLowerCase());
    if (Array.isArray(value))
      throw new RosterError('invalid_value', `the query parameter ${name} is given more than once`);
    return value;
  };
}

export function provisioningContext(request: FastifyRequest, scimBaseUrl: string): ProvisioningContext {
  const principal = principalOf(request);
  return {
    organizationId: principal.organizationId,
    actor: principal.actor,
    requestId: request.id,
    scimBaseUrl,
  };
}
