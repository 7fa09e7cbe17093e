// Delivers webhooks: sequences and fans out new events, claims due deliveries endpoint by endpoint,
// sends them, and files each outcome. Several instances can run one each over PostgreSQL: a claim
// takes rows no other instance holds (FOR UPDATE SKIP LOCKED) and leases them; an instance that dies
// mid-delivery leaves its lease to run out, and the delivery is sent again with the same
// `webhook-id` (at least once). A resource's deliveries to an endpoint go one at a time, in order
// (WebhookRepo.claim). Each endpoint has a few requests in flight at most and every request a
// deadline, so a slow or dead receiver holds up neither the others nor any SCIM request (the worker
// shares only the event loop, never a transaction, with them).
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { WebhookSettings } from '../config.ts';
import { now } from '../store/ids.ts';
import type { WebhookDeliveryRow, WebhookEndpointRow } from '../store/repos/webhooks.ts';
import type { Repositories, Store } from '../store/store.ts';
import { DISPATCH_BATCH, dispatchEvents } from './dispatch-events.ts';
import { signingSecrets } from './manage-endpoints.ts';
import type { HostLookup } from './outbound-address.ts';
import { OutboundAgents, type SendResult, sendWebhook } from './send-webhook.ts';

interface Settlement {
  row: WebhookDeliveryRow;
  leaseUntil: string;
  result: SendResult;
  at: string;
}

/** A claimed delivery waiting in its endpoint's queue for a free request. */
interface Claimed {
  row: WebhookDeliveryRow;
  leaseUntil: string;
  endpoint: WebhookEndpointRow;
}

/** An endpoint's share of this instance: its claimed deliveries not yet sent, and its requests. */
interface EndpointState {
  id: string;
  queue: Claimed[];
  inFlight: number;
  /** Its last answer was a 2xx within FAST_MS: the next claim may take a queue's worth. */
  fast: boolean;
}

/** An endpoint answering within this is claimed for `perEndpoint * DEEP` deliveries at a time. */
const FAST_MS = 100;
const DEEP = 8;
/** Endpoints with work taken per look for it. */
const ENDPOINTS_PER_LOOK = 50;

/**
 * What became of one attempt: `delivered` (2xx), `retry` (failed, sent again later), `failed` (the
 * last attempt failed: the delivery is given up), `refused` (not sent: outbound-address.ts refused
 * the address; retried like any failure).
 */
export type AttemptResult = 'delivered' | 'retry' | 'failed' | 'refused';

/** Told of every attempt once its outcome is filed (the metrics count them). */
export type AttemptListener = (result: AttemptResult, seconds: number) => void;

const SYSTEM_ACTOR: Actor = { type: 'system', id: null, label: 'webhook delivery' };

export interface DeliveryWorkerOptions {
  settings: WebhookSettings;
  /** Days events and settled deliveries are kept. */
  retentionDays: number;
  /** How often to look for work when there was none. */
  pollMs?: number;
  /** Requests in flight per endpoint, per instance. */
  perEndpoint?: number;
  /** Requests in flight in all, per instance. */
  maxInFlight?: number;
  onError?: (error: unknown) => void;
  /** How endpoint names are resolved (tests); the system's resolver by default. */
  lookup?: HostLookup;
}

/** The wait before retry number `attempt` (1-based), with ±20% jitter so retries do not come in waves. */
export function retryDelayMs(
  schedule: readonly number[],
  attempt: number,
  random = Math.random,
): number | null {
  const base = schedule[attempt - 1];
  if (base === undefined) return null;
  return Math.round(base * 1000 * (0.8 + 0.4 * random()));
}

/**
 * How long a claim is held: the request's deadline and as long again (at most 5 s more) to file the
 * outcome, so a live instance settles before its lease ends, while a killed instance's claims come
 * free soon after the deadline it was given (20 s with the default 15 s timeout).
 */
export function leaseMs(timeoutSeconds: number): number {
  return (timeoutSeconds + Math.min(timeoutSeconds, 5)) * 1000;
}

/**
 * Whether a claimed delivery that waited in its endpoint's queue may still be sent at `nowMs`: its
 * request's deadline, and half the margin to file the outcome, must end before its lease does, so
 * no other instance can claim it while it is being sent. One that may not is given back unsent.
 */
export function leaseCoversSend(leaseUntilMs: number, timeoutSeconds: number, nowMs: number): boolean {
  return nowMs + timeoutSeconds * 1000 + (Math.min(timeoutSeconds, 5) * 1000) / 2 <= leaseUntilMs;
}

export class DeliveryWorker {
  private readonly endpoints = new Map<string, EndpointState>();
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private readonly settlements: Settlement[] = [];
  /** Claimed deliveries given back unsent (their lease no longer covered a request), to release. */
  private readonly releases: Claimed[] = [];
  /** The batch that takes the outcomes arriving now, until it starts; then the next one. */
  private nextFlush: Promise<void> | undefined;
  /** The last batch begun or waiting: each starts once the one before it is filed. */
  private flushTail: Promise<void> = Promise.resolve();
  /** Deliveries waiting in all endpoints' queues. */
  private queued = 0;
  private stopped = true;
  private inTick = false;
  private again = false;
  /** The round under way has yet to look for endpoints with work: one that asks now is included. */
  private lookPending = false;
  /** The endpoints the round under way has found due and is yet to claim for. */
  private readonly toClaim = new Set<string>();
  /** The last round left work it could take right away (a full batch, or more endpoints due). */
  private moreNow = false;
  /** Set by `stop`: nothing more is claimed. */
  private closing = false;
  private lastPrune = 0;
  private ticking: Promise<void> | undefined;
  private readonly pollMs: number;
  private readonly perEndpoint: number;
  private readonly maxInFlight: number;
  private readonly listeners = new Set<AttemptListener>();
  private readonly agents: OutboundAgents;

  constructor(
    private readonly store: Store,
    private readonly options: DeliveryWorkerOptions,
  ) {
    this.pollMs = options.pollMs ?? 200;
    this.perEndpoint = options.perEndpoint ?? 8;
    this.maxInFlight = options.maxInFlight ?? 64;
    this.agents = new OutboundAgents(this.perEndpoint);
  }

  /** Adds a listener to every attempt's outcome; returns the function that removes it. */
  onAttempt(listener: AttemptListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /**
   * Stops claiming; resolves once the requests in flight are settled, each within its deadline
   * (WEBHOOK_TIMEOUT_SECONDS, the name's resolution included).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.closing = true;
    clearTimeout(this.timer);
    await this.ticking;
    // What waits in the queues is given back for any instance to claim at once, not at its lease's end.
    for (const state of this.endpoints.values()) this.releases.push(...state.queue.splice(0));
    this.queued = 0;
    await Promise.allSettled([...this.running, this.flushSoon()]);
    await this.flushTail;
    this.agents.destroy();
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inTick = true;
      this.again = false;
      this.ticking = this.tick()
        .catch((error) => this.options.onError?.(error))
        .then(() => {
          this.inTick = false;
          // Not after every claim: the endpoints just claimed for ask for more themselves (`kick`)
          // as their queues run low, so looking again at once would only find nothing.
          this.schedule(this.moreNow || this.again ? 0 : this.pollMs);
        });
    }, delay);
  }

  /**
   * An endpoint (or, without one, any) has room again, so claim now rather than at the next poll;
   * unless the round under way will claim for it anyway.
   */
  private kick(endpointId?: string): void {
    if (this.stopped) return;
    if (this.inTick) {
      if (endpointId !== undefined && (this.lookPending || this.toClaim.has(endpointId))) return;
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.schedule(0);
  }

  /** One round of work; true when there may be more right away. */
  async tick(): Promise<boolean> {
    this.moreNow = false;
    this.lookPending = true;
    const sequenced = await dispatchEvents(this.store);
    const claimed = await this.claimAndSend();
    await this.prune();
    if (sequenced === DISPATCH_BATCH) this.moreNow = true;
    return sequenced === DISPATCH_BATCH || claimed > 0;
  }

  /** Waits until nothing is due, queued or in flight (tests and benchmarks). */
  async drain(): Promise<void> {
    for (;;) {
      const more = await this.tick();
      while (this.running.size > 0) await Promise.allSettled([...this.running]);
      await this.flushTail;
      if (!more && this.running.size === 0 && this.queued === 0) return;
    }
  }

  private state(endpointId: string): EndpointState {
    let state = this.endpoints.get(endpointId);
    if (!state) {
      state = { id: endpointId, queue: [], inFlight: 0, fast: false };
      this.endpoints.set(endpointId, state);
    }
    return state;
  }

  /** How many deliveries an endpoint is claimed for at most: a queue's worth while it answers fast. */
  private depth(state: EndpointState | undefined): number {
    return state?.fast ? this.perEndpoint * DEEP : this.perEndpoint;
  }

  /**
   * Whether an endpoint is to be claimed for: once half its depth is free. A claim is a statement
   * (on PostgreSQL a round trip, on SQLite a share of a commit) of its own, so claiming one
   * delivery each time one settled would cost one per delivery.
   */
  private wants(state: EndpointState | undefined): boolean {
    if (!state) return true;
    const depth = this.depth(state);
    return state.queue.length + state.inFlight <= depth - Math.max(1, Math.floor(depth / 2));
  }

  private async claimAndSend(): Promise<number> {
    if (this.closing || this.running.size >= this.maxInFlight) {
      this.lookPending = false;
      return 0;
    }
    const busy = [...this.endpoints].filter(([, state]) => !this.wants(state)).map(([id]) => id);
    let endpoints: WebhookEndpointRow[];
    try {
      endpoints = await this.store.webhooks.endpointsDue(now(), busy, ENDPOINTS_PER_LOOK);
    } finally {
      this.lookPending = false;
    }
    if (endpoints.length === ENDPOINTS_PER_LOOK) this.moreNow = true;
    for (const endpoint of endpoints) this.toClaim.add(endpoint.id);
    try {
      return await this.claimFor(endpoints);
    } finally {
      this.toClaim.clear();
    }
  }

  private async claimFor(endpoints: readonly WebhookEndpointRow[]): Promise<number> {
    let claimed = 0;
    for (const endpoint of endpoints) {
      this.toClaim.delete(endpoint.id);
      const state = this.endpoints.get(endpoint.id);
      const held = (state?.queue.length ?? 0) + (state?.inFlight ?? 0);
      const room = Math.min(this.depth(state) - held, this.maxInFlight * DEEP - this.queued);
      if (room <= 0 || this.closing) continue;
      const leaseUntil = new Date(Date.now() + leaseMs(this.options.settings.timeoutSeconds)).toISOString();
      // One statement chooses and leases the rows: atomic without a transaction around it (on
      // PostgreSQL that saves BEGIN and COMMIT, two round trips per claim).
      const rows = await this.store.webhooks.claim(endpoint.id, now(), leaseUntil, room);
      const target = this.state(endpoint.id);
      for (const row of rows) target.queue.push({ row, leaseUntil, endpoint });
      this.queued += rows.length;
      this.pump(target);
      claimed += rows.length;
      if (rows.length === room && this.wants(target)) this.moreNow = true;
    }
    return claimed;
  }

  /** Sends an endpoint's queued deliveries, `perEndpoint` at a time. */
  private pump(state: EndpointState): void {
    const timeoutSeconds = this.options.settings.timeoutSeconds;
    while (state.inFlight < this.perEndpoint && this.running.size < this.maxInFlight) {
      const next = state.queue.shift();
      if (!next) break;
      this.queued--;
      if (this.closing || !leaseCoversSend(Date.parse(next.leaseUntil), timeoutSeconds, Date.now())) {
        this.releases.push(next);
        this.flushSoon();
        continue;
      }
      this.launch(state, next);
    }
  }

  private launch(state: EndpointState, { row, leaseUntil, endpoint }: Claimed): void {
    state.inFlight++;
    let answered = false;
    const job = this.deliver(state, row, leaseUntil, endpoint, () => {
      // The answer is in: the endpoint's next request may go while this outcome waits to be filed.
      answered = true;
      this.answered(state);
    })
      .catch((error) => this.options.onError?.(error))
      .finally(() => {
        if (!answered) this.answered(state);
        this.running.delete(job);
        if (state.queue.length > 0) this.pump(state);
      });
    this.running.add(job);
  }

  private answered(state: EndpointState): void {
    state.inFlight--;
    this.pump(state);
    if (state.inFlight === 0 && state.queue.length === 0 && this.endpoints.get(state.id) === state) {
      this.endpoints.delete(state.id);
    }
    if (this.wants(state)) this.kick(state.id);
  }

  private async deliver(
    state: EndpointState,
    row: WebhookDeliveryRow,
    leaseUntil: string,
    endpoint: WebhookEndpointRow,
    onAnswer: () => void,
  ): Promise<void> {
    const settings = this.options.settings;
    const result = await sendWebhook({
      url: endpoint.url,
      messageId: row.event_id,
      payload: row.payload,
      secrets: signingSecrets(endpoint),
      timeoutMs: settings.timeoutSeconds * 1000,
      allowPrivate: settings.allowPrivateNetworks,
      ...(this.options.lookup ? { lookup: this.options.lookup } : {}),
      agents: this.agents,
    });
    state.fast = result.ok && result.durationMs < FAST_MS;
    const filed = this.settleSoon({ row, leaseUntil, result, at: now() });
    onAnswer();
    await filed;
  }

  /**
   * Outcomes are filed in batches: one transaction (one commit, one fsync) for every outcome that
   * arrived meanwhile, instead of one per delivery, which on PostgreSQL cost the SCIM writes their
   * share of the disk. One batch is filed at a time: under load, what arrives while one is being
   * filed waits for the next, so the busier the worker, the fewer its commits per delivery.
   */
  private settleSoon(settlement: Settlement): Promise<void> {
    this.settlements.push(settlement);
    return this.flushSoon();
  }

  private flushSoon(): Promise<void> {
    if (!this.nextFlush) {
      const next = this.flushTail
        .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
        .then(() => {
          this.nextFlush = undefined;
          return this.flush();
        });
      this.nextFlush = next;
      this.flushTail = next.catch(() => undefined);
    }
    return this.nextFlush;
  }

  /** Files what is waiting: outcomes, and claims given back unsent. */
  private async flush(): Promise<void> {
    const batch = this.settlements.splice(0);
    const released = this.releases.splice(0);
    if (batch.length === 0 && released.length === 0) return;
    const delivered = (items: Settlement[]) =>
      items
        .filter((item) => item.result.ok)
        .map(({ row, leaseUntil, result, at }) => ({ id: row.id, leaseUntil, outcome: { at, ...result } }));
    if (released.length === 0 && batch.every((item) => item.result.ok)) {
      // Nearly always under load: one statement, no transaction around it (no BEGIN and COMMIT
      // round trips on PostgreSQL).
      await this.store.webhooks.settleDelivered(delivered(batch));
      this.told(
        batch,
        batch.map(() => 'delivered'),
      );
      this.kickFiled(batch);
      return;
    }
    const results = await this.store.transaction(async (tx) => {
      // A crash of the database that lost this commit would only have the deliveries sent again.
      await tx.webhooks.commitWithoutWaitingForDisk();
      // The delivered (nearly all of them) in one statement; each failure on its own (it may
      // schedule a retry, or turn the endpoint off).
      await tx.webhooks.settleDelivered(delivered(batch));
      await tx.webhooks.release(released.map(({ row, leaseUntil }) => ({ id: row.id, leaseUntil })));
      const filed: AttemptResult[] = [];
      for (const item of batch) filed.push(item.result.ok ? 'delivered' : await this.settle(tx, item));
      return filed;
    });
    this.told(batch, results);
    this.kickFiled(batch);
    if (released.length > 0) this.kick();
  }

  /**
   * Filed outcomes may free the next event of their resources (claimed only once the one before is
   * settled): an endpoint with room is claimed for now.
   */
  private kickFiled(batch: readonly Settlement[]): void {
    for (const id of new Set(batch.map((item) => item.row.endpoint_id))) {
      if (this.wants(this.endpoints.get(id))) this.kick(id);
    }
  }

  /** Only once committed: a batch rolled back is filed by nobody and counted by nobody. */
  private told(batch: readonly Settlement[], results: readonly AttemptResult[]): void {
    results.forEach((result, i) => {
      const seconds = (batch[i]?.result.durationMs ?? 0) / 1000;
      for (const listener of this.listeners) listener(result, seconds);
    });
  }

  private async settle(
    tx: Repositories,
    { row, leaseUntil, result, at }: Settlement,
  ): Promise<AttemptResult> {
    const outcome = { at, ...result };
    const failure = result.refused ? 'refused' : undefined;
    const delay = retryDelayMs(this.options.settings.retrySchedule, row.attempts);
    if (delay !== null) {
      const next = new Date(Date.now() + delay).toISOString();
      await tx.webhooks.settle(row.id, leaseUntil, outcome, { state: 'pending', nextAttemptAt: next });
      return failure ?? 'retry';
    }
    // Out of attempts (about three days with the default schedule): the endpoint is turned off and
    // its Admins see why on the webhooks page (the installation, in `GET /api/v1/webhooks`);
    // re-enabling it resumes its pending deliveries.
    const settled = await tx.webhooks.settle(row.id, leaseUntil, outcome, {
      state: 'failed',
      nextAttemptAt: null,
    });
    const current = await tx.webhooks.endpointById(row.endpoint_id);
    if (!settled || !current || current.enabled !== 1) return failure ?? 'failed';
    const reason = `every attempt to deliver ${row.event_id} failed (last: ${result.error ?? 'no answer'})`;
    await tx.webhooks.updateEndpoint({
      ...current,
      enabled: 0,
      disabled_reason: reason,
      disabled_at: at,
      updated_at: at,
    });
    await recordAudit(tx, {
      // The endpoint's own: the installation's audit for an installation-wide endpoint.
      organizationId: current.organization_id,
      actor: SYSTEM_ACTOR,
      action: 'webhook.disabled',
      target: { type: 'webhook_endpoint', id: current.id, label: current.url },
      after: { enabled: false, reason },
    });
    return failure ?? 'failed';
  }

  /** Hourly: events and settled deliveries older than the retention go. */
  private async prune(): Promise<void> {
    if (Date.now() - this.lastPrune < 3600_000) return;
    this.lastPrune = Date.now();
    const cutoff = new Date(Date.now() - this.options.retentionDays * 86_400_000).toISOString();
    while ((await this.store.transaction((tx) => tx.events.prune(cutoff, 1000))) === 1000) {
      if (this.closing) return;
    }
    await this.store.transaction((tx) => tx.webhooks.prune(cutoff));
  }
}
