// Request rate limits per credential and per organization, in memory, per instance. A fixed window
// (aligned on the clock, `windowSeconds` long) counts the requests each token — or dashboard
// session, on the API — and each organization made; over either limit the request is refused with
// 429 and an integer `Retry-After` (the seconds until the window ends), before its body is read.
// Okta honours exactly that (docs/idp-requests.md: integer Retry-After, else it waits five minutes).
//
// Two levels: one runaway integration (a token) cannot use more than its share, and the
// organization's total stays bounded however many tokens it makes. A refused request counts
// against neither, so a token hammering past its limit does not eat its organization's budget.
//
// Memory: only the current window's counters are kept, keyed by ids of credentials that
// authenticated (an anonymous flood creates no entry); everything is dropped when the window turns.
// With N instances behind a load balancer the effective limit is up to N times the configured one;
// a shared (Redis) store is deliberately out of scope (see docs/deploy.md).
import type { FastifyInstance } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import { RosterError } from '../errors.ts';

export interface RateLimitOptions {
  /** Requests per token (or session) per window; 0 turns the limit off. */
  perToken: number;
  /** Requests per organization per window, all its credentials together; 0 turns it off. */
  perOrganization: number;
  windowSeconds: number;
  /**
   * Counters kept at most in a window (unauthenticated callers, keyed by address, can make any
   * number): a request that needs a new one beyond it is refused until the window turns.
   */
  maxKeys?: number;
}

/** One counter: a key (a credential, a client address, an organization) and its limit per window. */
export interface KeyedLimit {
  key: string;
  limit: number;
  scope: string;
}

export type RateLimitDecision =
  | { allowed: true }
  | { allowed: false; retryAfterSeconds: number; scope: string };

export class RateLimiter {
  private windowStart = Number.NEGATIVE_INFINITY;
  private readonly counts = new Map<string, number>();
  private readonly windowMs: number;

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.windowMs = options.windowSeconds * 1000;
  }

  /** Counts one request of `principal` if both of its limits allow it. */
  take(
    principal: Pick<Principal, 'organizationId' | 'tokenId' | 'membershipId' | 'kind'>,
  ): RateLimitDecision {
    return this.count([
      {
        key: `c:${principal.tokenId ?? `${principal.kind}:${principal.membershipId}`}`,
        limit: this.options.perToken,
        scope: 'token',
      },
      { key: `o:${principal.organizationId}`, limit: this.options.perOrganization, scope: 'organization' },
    ]);
  }

  /**
   * Counts one request against every key of `limits` if none is over its limit (a limit of 0 is
   * off); otherwise counts nothing and names the first limit reached.
   */
  count(limits: readonly KeyedLimit[]): RateLimitDecision {
    const at = this.now();
    const start = Math.floor(at / this.windowMs) * this.windowMs;
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.counts.clear();
    }
    const maxKeys = this.options.maxKeys ?? Number.POSITIVE_INFINITY;
    const refused = limits.find(
      ({ key, limit }) =>
        limit > 0 &&
        ((this.counts.get(key) ?? 0) >= limit || (!this.counts.has(key) && this.counts.size >= maxKeys)),
    );
    if (refused) {
      const retryAfterSeconds = Math.max(1, Math.ceil((start + this.windowMs - at) / 1000));
      return { allowed: false, retryAfterSeconds, scope: refused.scope };
    }
    for (const { key, limit } of limits) {
      if (limit > 0) this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }
    return { allowed: true };
  }

  /** Counters held right now (tests: memory stays bounded). */
  get size(): number {
    return this.counts.size;
  }
}

/**
 * Adds the limit to every route of `app` that authenticates a principal (SCIM and `/api/v1`). Call
 * it on the root instance before the routes are registered: a `preParsing` hook runs after the
 * routes' authentication (`onRequest`) and before any body is read.
 */
export function rateLimit(app: FastifyInstance, options: RateLimitOptions, now?: () => number): RateLimiter {
  const limiter = new RateLimiter(options, now);
  if (options.perToken === 0 && options.perOrganization === 0) return limiter;
  app.addHook('preParsing', async (request) => {
    const principal = request.principal;
    if (!principal) return;
    const decision = limiter.take(principal);
    if (decision.allowed) return;
    throw new RosterError(
      'rate_limited',
      `too many requests for this ${decision.scope}: retry after ${decision.retryAfterSeconds} seconds`,
      { retryAfterSeconds: decision.retryAfterSeconds },
    );
  });
  return limiter;
}
