// The "recent requests from your identity provider" panel: every authenticated SCIM request is
// recorded (time, method, path, status, User-Agent, the error's detail) in `scim_requests`, trimmed
// to the newest few hundred per organization. A table rather than a per-instance memory buffer,
// because Roster runs as several instances behind a load balancer and an admin must see every
// request whichever instance served it. The write happens after the response has been sent and is
// not awaited: a slow or failing log never delays or fails provisioning.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { now } from '../store/ids.ts';
import { type ScimRequestRecord, ScimRequestRepo } from '../store/repos/scim-requests.ts';
import type { Store } from '../store/store.ts';

/** Requests kept per organization; the dashboard shows the newest SCIM_REQUESTS_SHOWN. */
export const SCIM_REQUESTS_KEPT = 200;
export const SCIM_REQUESTS_SHOWN = 50;
/** Trim an organization's log every this many writes (per instance), not on every request. */
const TRIM_EVERY = 25;

export interface ScimRequestLog {
  recent(organizationId: string, limit?: number): Promise<ScimRequestRecord[]>;
  /** Resolves once every write started so far has settled (tests; shutdown). */
  idle(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    scimRequestLog: ScimRequestLog;
  }
  interface FastifyRequest {
    scimErrorDetail: string | null;
  }
}

function isScim(request: FastifyRequest): boolean {
  return request.url.startsWith('/scim/v2/') || request.url === '/scim/v2';
}

function truncate(value: string | undefined, length: number): string | null {
  if (value === undefined || value === '') return null;
  return value.length > length ? `${value.slice(0, length - 1)}…` : value;
}

/** The SCIM Error's `detail` of a refused request's body, if it has one. */
function errorDetail(payload: unknown): string | null {
  if (typeof payload !== 'string' || payload.length > 64 * 1024) return null;
  try {
    const detail = (JSON.parse(payload) as { detail?: unknown }).detail;
    return typeof detail === 'string' ? truncate(detail, 1000) : null;
  } catch {
    return null;
  }
}

/** Installs the hooks on the root instance (before the SCIM routes) and decorates `app.scimRequestLog`. */
export function recordScimRequests(app: FastifyInstance, store: Store): ScimRequestLog {
  const repo = new ScimRequestRepo({ db: store.db, dialect: store.dialect });
  const pending = new Set<Promise<void>>();
  const writesSinceTrim = new Map<string, number>();

  app.decorateRequest('scimErrorDetail', null);

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (reply.statusCode >= 400 && isScim(request)) request.scimErrorDetail = errorDetail(payload);
    return payload;
  });

  app.addHook('onResponse', (request, reply, done) => {
    const principal = request.authenticatedAs;
    if (principal && isScim(request)) {
      const organizationId = principal.organizationId;
      const writes = (writesSinceTrim.get(organizationId) ?? 0) + 1;
      writesSinceTrim.set(organizationId, writes % TRIM_EVERY);
      const userAgent = request.headers['user-agent'];
      const write = (async () => {
        await repo.insert({
          organization_id: organizationId,
          occurred_at: now(),
          method: request.method,
          path: truncate(request.url, 500) ?? '/',
          status: reply.statusCode,
          duration_ms: Math.round(reply.elapsedTime),
          user_agent: truncate(userAgent, 300),
          detail: request.scimErrorDetail,
          request_id: request.id,
        });
        if (writes >= TRIM_EVERY) await repo.trim(organizationId, SCIM_REQUESTS_KEPT);
      })()
        .catch((error: unknown) => request.log.warn({ err: error }, 'could not record the SCIM request'))
        .finally(() => pending.delete(write));
      pending.add(write);
    }
    done();
  });

  const log: ScimRequestLog = {
    recent: (organizationId, limit = SCIM_REQUESTS_SHOWN) => repo.listRecent(organizationId, limit),
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
  app.decorate('scimRequestLog', log);
  app.addHook('onClose', async () => log.idle());
  return log;
}
