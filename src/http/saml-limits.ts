// Limits of the two SAML endpoints anyone can reach without a credential: `GET /saml/{slug}/login`
// (each one stores an AuthnRequest) and `POST /saml/{slug}/acs` (each one parses and verifies XML).
// Counted per client address and per organization (the slug, as the URL names it) in a fixed
// window, before the body is read; over either limit the request gets the sign-in refusal page with
// 429 and an integer Retry-After. The per-address limit stops one client; the per-organization
// limit bounds what a flood from many addresses costs, at the price of that organization's own
// sign-ins while it lasts (the other organizations are unaffected). Like the token limits
// (rate-limit.ts), counters are per instance and only the current window's are kept; a flood from
// many addresses is also capped in memory (`MAX_KEYS`): past it, new keys are refused until the
// window turns rather than remembered.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SsoFailure } from '../auth/saml/sso-failure.ts';
import type { Config } from '../config.ts';
import { noteSsoRefusal } from '../web/request-refusal.ts';
import { RateLimiter } from './rate-limit.ts';

/** About 10 MB of counters at most, whatever the number of addresses in a window. */
const MAX_KEYS = 100_000;

export type SamlRateLimitOptions = Config['samlRateLimit'];

export interface SamlLimiter {
  /** undefined when the request may go on, else the refusal (reason `rate_limited`). */
  check(request: FastifyRequest<{ Params: { slug: string } }>): SamlRateLimitRefusal | undefined;
}

export interface SamlRateLimitRefusal {
  failure: SsoFailure;
  retryAfterSeconds: number;
}

export function samlLimiter(options: SamlRateLimitOptions, now?: () => number): SamlLimiter {
  const limiter = new RateLimiter(
    { perToken: 0, perOrganization: 0, windowSeconds: options.windowSeconds, maxKeys: MAX_KEYS },
    now,
  );
  return {
    check(request) {
      if (options.perAddress === 0 && options.perOrganization === 0) return undefined;
      const slug = String(request.params.slug ?? '').toLowerCase();
      const decision = limiter.count([
        { key: `a:${request.ip}`, limit: options.perAddress, scope: 'client address' },
        { key: `o:${slug}`, limit: options.perOrganization, scope: 'organization' },
      ]);
      if (decision.allowed) return undefined;
      const detail = `too many SAML requests for this ${decision.scope}: retry after ${decision.retryAfterSeconds} seconds`;
      noteSsoRefusal(request, 'rate_limited', detail);
      return {
        failure: new SsoFailure('rate_limited', detail),
        retryAfterSeconds: decision.retryAfterSeconds,
      };
    },
  };
}

/** Fastify's "body too large" (the route's bodyLimit): the ACS answers it with its refusal page. */
export function isBodyTooLarge(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
}

export function retryAfter(reply: FastifyReply, seconds: number): FastifyReply {
  return reply.header('retry-after', String(seconds));
}
