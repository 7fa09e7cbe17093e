// Holds an instance's provider. It is made at the first OpenID Connect request (an installation that
// never uses it never makes keys), from the keys in the database; when they change (`roster keys
// rotate` on any instance) the next request after KEY_CHECK_MS makes a new provider with them, so
// all instances publish and sign with the same keys within that time. A listening instance also
// delivers the back-channel logout notices deactivations queue (logout-notices.ts).
import type Provider from 'oidc-provider';
import type { Store } from '../store/store.ts';
import { deliverLogoutNotices } from './logout-notices.ts';
import { createProvider } from './provider.ts';
import { loadProviderKeys } from './signing-keys.ts';

export const KEY_CHECK_MS = 30_000;

export interface ProviderHostOptions {
  /** How often a listening instance looks for logout notices to deliver (ms). */
  deliveryIntervalMs?: number;
  log?: { warn(object: object, message: string): void; error(object: object, message: string): void };
}

export class ProviderHost {
  private current: { provider: Provider; fingerprint: string; checkedAt: number } | undefined;
  private loading: Promise<Provider> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<number> = Promise.resolve(0);
  private ticking = false;

  constructor(
    private readonly publicUrl: string,
    private readonly store: Store,
    private readonly options: ProviderHostOptions = {},
  ) {}

  /** The provider with the database's current keys (checked at most every KEY_CHECK_MS). */
  async provider(): Promise<Provider> {
    const current = this.current;
    if (current && Date.now() - current.checkedAt < KEY_CHECK_MS) return current.provider;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<Provider> {
    const keys = await loadProviderKeys(this.store);
    if (this.current?.fingerprint === keys.fingerprint) {
      this.current.checkedAt = Date.now();
      return this.current.provider;
    }
    const provider = await createProvider(this.publicUrl, this.store, keys, this.options.log);
    this.current = { provider, fingerprint: keys.fingerprint, checkedAt: Date.now() };
    return provider;
  }

  /** Starts delivering back-channel logout notices (a listening server). */
  startDelivery(): void {
    if (this.timer) return;
    const interval = this.options.deliveryIntervalMs ?? 2000;
    // A tick finding the previous tick's round still running skips: rounds never pile up.
    this.timer = setInterval(() => {
      if (this.ticking) return;
      this.ticking = true;
      void this.deliverNow().finally(() => {
        this.ticking = false;
      });
    }, interval);
    this.timer.unref();
  }

  /**
   * Delivers the notices due now, after any round already running on this instance (one round at a
   * time): when it resolves, every notice due when it was called has been tried.
   */
  async deliverNow(): Promise<number> {
    const round = this.round.then(() => this.deliverRound());
    this.round = round.catch(() => 0);
    return round;
  }

  private async deliverRound(): Promise<number> {
    try {
      return await deliverLogoutNotices(this.store, () => this.provider(), this.options.log);
    } catch (error) {
      this.options.log?.warn({ err: error }, 'could not deliver back-channel logout notices');
      return 0;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
