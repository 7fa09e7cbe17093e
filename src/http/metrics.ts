// Prometheus metrics (prom-client) at `GET /metrics`, for a scraper that sends
// `Authorization: Bearer $METRICS_TOKEN`. Without METRICS_TOKEN nothing is collected and /metrics
// is a 404, so an installation that does not scrape pays nothing. docs/operations.md lists every
// series and gives a scrape configuration.
//
// Everything is counted from what the request log already knows, in one onResponse hook: the
// route's pattern (never the URL, whose ids would make a series per member), the status, the
// principal's organization, and the refusal noted by whoever handled the error
// (web/request-refusal.ts). Labels stay bounded: routes are the app's routes, statuses HTTP's,
// organizations the installation's.
//
// Webhooks: the delivery worker runs beside the app (main.ts), which hands it over so its attempts
// are counted here; the backlog is one count of pending deliveries, run at scrape time only.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { RosterError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { DeliveryWorker } from '../webhooks/delivery-worker.ts';

/** What the metrics need of the webhook worker: to hear of each attempt. */
export type AttemptSource = Pick<DeliveryWorker, 'onAttempt'>;

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const WEBHOOK_SECONDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const QUERY_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

const SCIM_OPERATIONS: Record<string, [list: string, one: string]> = {
  GET: ['list', 'get'],
  POST: ['create', 'create'],
  PUT: ['replace', 'replace'],
  PATCH: ['patch', 'patch'],
  DELETE: ['delete', 'delete'],
};

function outcomeOf(status: number): string {
  return status >= 500 ? 'failed' : status >= 400 ? 'refused' : 'success';
}

function surfaceOf(route: string): string {
  if (route.startsWith('/scim/')) return 'scim';
  if (route.startsWith('/api/')) return 'api';
  if (route.startsWith('/saml/')) return 'saml';
  return 'dashboard';
}

/** The metrics of one app, on their own registry (several apps may share a process: tests). */
export function createMetrics(store: Store, deliveries?: AttemptSource) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'roster_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'roster_http_request_duration_seconds',
    help: 'Time from a request arriving to its response being sent, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: SECONDS,
    registers: [registry],
  });
  const scim = new Counter({
    name: 'roster_scim_operations_total',
    help: 'SCIM requests by organization (slug), resource, operation and outcome (success, refused, failed)',
    labelNames: ['organization', 'resource', 'operation', 'outcome'] as const,
    registers: [registry],
  });
  const ssoSignIns = new Counter({
    name: 'roster_sso_sign_ins_total',
    help: 'SAML responses accepted at the ACS (the sign-in is then completed in the browser)',
    registers: [registry],
  });
  const ssoRefusals = new Counter({
    name: 'roster_sso_refusals_total',
    help: 'SAML sign-ins refused, by reason (docs/sso-okta.md, Troubleshooting)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'roster_rate_limit_refusals_total',
    help: 'Requests refused with 429 by a rate limit, by surface (scim, api, saml)',
    labelNames: ['surface'] as const,
    registers: [registry],
  });
  const queries = new Histogram({
    name: 'roster_db_query_duration_seconds',
    help: 'Time of each database query run through the store, by outcome (ok, error)',
    labelNames: ['outcome'] as const,
    buckets: QUERY_SECONDS,
    registers: [registry],
  });
  const pool = store.dialect.poolStats;
  if (pool) {
    new Gauge({
      name: 'roster_db_pool_connections',
      help: 'PostgreSQL pool: connections by state (open, idle, max) and queries waiting for one (waiting)',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const stats = pool();
        this.set({ state: 'open' }, stats.total);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
        this.set({ state: 'max' }, stats.max);
      },
    });
  }
  const stopTiming = store.onQuery((ms, failed) =>
    queries.observe({ outcome: failed ? 'error' : 'ok' }, ms / 1000),
  );
  new Gauge({
    name: 'roster_webhook_deliveries_pending',
    help: "Webhook deliveries not yet delivered nor given up, every organization's",
    registers: [registry],
    async collect() {
      this.set(await store.webhooks.pendingCount());
    },
  });
  const attempts = new Counter({
    name: 'roster_webhook_attempts_total',
    help: 'Webhook delivery attempts by outcome (delivered, retry, failed, refused)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const attemptSeconds = new Histogram({
    name: 'roster_webhook_attempt_duration_seconds',
    help: 'Time of each webhook delivery attempt, from resolving the address to the answer',
    buckets: WEBHOOK_SECONDS,
    registers: [registry],
  });
  const stopCounting = deliveries?.onAttempt((outcome, seconds) => {
    attempts.inc({ outcome });
    attemptSeconds.observe(seconds);
  });
  const close = () => {
    stopTiming();
    stopCounting?.();
  };

  function observe(request: FastifyRequest, status: number, seconds: number): void {
    const route = request.routeOptions.url ?? 'unmatched';
    const method = request.method;
    requests.inc({ method, route, status });
    duration.observe({ method, route }, seconds);
    const refusal = request.refusal;
    if (refusal?.code === 'rate_limited') rateLimited.inc({ surface: surfaceOf(route) });
    if (route.startsWith('/scim/v2/')) {
      const [, resource = '', id] = route.slice('/scim/v2'.length).split('/');
      const operation = SCIM_OPERATIONS[method]?.[id === undefined ? 0 : 1] ?? method.toLowerCase();
      scim.inc({
        organization: request.authenticatedAs?.organizationSlug ?? '',
        resource,
        operation,
        outcome: outcomeOf(status),
      });
    } else if (route.startsWith('/saml/')) {
      if (refusal) ssoRefusals.inc({ reason: refusal.code });
      else if (route === '/saml/:slug/acs' && status < 400) ssoSignIns.inc();
    }
  }

  return { registry, observe, close };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Installs the hook and `GET /metrics` when `token` is set; does nothing otherwise. */
export function metricsRoutes(
  app: FastifyInstance,
  store: Store,
  token: string | null,
  deliveries?: AttemptSource,
): void {
  if (token === null) return;
  const metrics = createMetrics(store, deliveries);
  const expected = digest(`Bearer ${token}`);
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observe(request, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.addHook('onClose', async () => metrics.close());
  app.get('/metrics', async (request, reply) => {
    const given = request.headers.authorization;
    // Compared as digests, in constant time: the length of the token leaks nothing either.
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) {
      reply.header('www-authenticate', 'Bearer realm="Roster metrics"');
      throw new RosterError('unauthorized', 'send "Authorization: Bearer <METRICS_TOKEN>"');
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
