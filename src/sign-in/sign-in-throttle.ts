// Failed sign-in attempts per (email, client address), in memory: at most `limit` failures in a
// sliding `windowMs`, then 429 until the oldest failure leaves the window. Per instance: behind a
// load balancer with N instances an attacker gets at most N × limit tries per window, which scrypt's
// cost and the 12-character minimum keep harmless; a shared store is not worth its latency here.
import { foldCase } from '../scim/fold-case.ts';

export interface ThrottleOptions {
  limit?: number;
  windowMs?: number;
  /** Keys tracked at most; the oldest are forgotten first (memory bound under a spray attack). */
  maxKeys?: number;
}

export class SignInThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;

  constructor(options: ThrottleOptions = {}) {
    this.limit = options.limit ?? 10;
    this.windowMs = options.windowMs ?? 15 * 60 * 1000;
    this.maxKeys = options.maxKeys ?? 50_000;
  }

  /**
   * The email as the store matches it — trimmed, ASCII letters folded (src/scim/fold-case.ts) — and
   * the client address: every spelling that reaches one account shares one counter, and a spelling
   * that reaches no account cannot share or reset another's. (String#toLowerCase folded more than
   * the store: the Kelvin sign became `k`, while PostgreSQL folded `İ` to `i` and it did not.)
   */
  static key(email: string, address: string): string {
    return `${foldCase(email.trim())}\u0000${address}`;
  }

  private recent(key: string, at: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((time) => time > at - this.windowMs);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept;
  }

  /** Seconds until another attempt is allowed, or 0 when one is allowed now. */
  retryAfter(key: string, at = Date.now()): number {
    const recent = this.recent(key, at);
    if (recent.length < this.limit) return 0;
    const oldest = recent[recent.length - this.limit] ?? at;
    return Math.max(1, Math.ceil((oldest + this.windowMs - at) / 1000));
  }

  recordFailure(key: string, at = Date.now()): void {
    const recent = this.recent(key, at);
    recent.push(at);
    this.failures.delete(key);
    this.failures.set(key, recent);
    if (this.failures.size > this.maxKeys) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
  }

  reset(key: string): void {
    this.failures.delete(key);
  }
}
