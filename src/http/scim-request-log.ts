// The "recent requests from your identity provider" panel: every authenticated SCIM request is
// recorded (time, method, path, status, User-Agent, the error's detail) in `scim_requests`, trimmed
// to the newest few hundred per organization. A table rather than a per-instance memory buffer,
// because Roster runs as several instances behind a load balancer and an admin must see every
// request whichever instance served it.
//
// Off the request path: each instance collects the rows of the requests it answered and writes
// them as one multi-row INSERT every FLUSH_AFTER_MS, or as soon as FLUSH_ROWS have gathered. A
// write per request was the largest database cost of an Okta lookup (its own write transaction);
// a batch costs a few microseconds a row. The panel is at most that fraction of a second behind on
// other instances, and never behind on the instance that serves it (`recent` writes its own batch
// first). A failed write is logged and its rows dropped: a slow or failing log never delays or
// fails provisioning, and never grows without bound.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { now } from '../store/ids.ts';
import {
  type NewScimRequest,
  type ScimRequestRecord,
  ScimRequestRepo,
} from '../store/repos/scim-requests.ts';
import type { Store } from '../store/store.ts';

/** Requests kept per organization; the dashboard shows the newest SCIM_REQUESTS_SHOWN. */
export const SCIM_REQUESTS_KEPT = 200;
export const SCIM_REQUESTS_SHOWN = 50;
/** Trim an organization's log every this many requests (per instance), not on every request. */
const TRIM_EVERY = 25;
/** A batch is written this long after its first row at the latest… */
export const FLUSH_AFTER_MS = 100;
/** …or as soon as it has this many rows. */
const FLUSH_ROWS = 200;

export interface ScimRequestLog {
  recent(organizationId: string, limit?: number): Promise<ScimRequestRecord[]>;
  /** Writes the rows gathered so far and resolves once every write has settled (tests; shutdown). */
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

/** Gathers rows and writes them in batches; `flush` writes what has gathered now. */
function batchWriter(repo: ScimRequestRepo, onError: (error: unknown) => void) {
  let batch: NewScimRequest[] = [];
  let timer: NodeJS.Timeout | undefined;
  const pending = new Set<Promise<void>>();
  const requestsSinceTrim = new Map<string, number>();

  async function write(rows: NewScimRequest[]): Promise<void> {
    await repo.insertMany(rows);
    const due = new Set<string>();
    for (const row of rows) {
      const count = (requestsSinceTrim.get(row.organization_id) ?? 0) + 1;
      requestsSinceTrim.set(row.organization_id, count % TRIM_EVERY);
      if (count >= TRIM_EVERY) due.add(row.organization_id);
    }
    for (const organizationId of due) await repo.trim(organizationId, SCIM_REQUESTS_KEPT);
  }

  function flush(): void {
    clearTimeout(timer);
    timer = undefined;
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    const writing = write(rows)
      .catch(onError)
      .finally(() => pending.delete(writing));
    pending.add(writing);
  }

  return {
    add(row: NewScimRequest): void {
      batch.push(row);
      if (batch.length >= FLUSH_ROWS) flush();
      else if (timer === undefined) timer = setTimeout(flush, FLUSH_AFTER_MS).unref();
    },
    async idle(): Promise<void> {
      flush();
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

/** Installs the hooks on the root instance (before the SCIM routes) and decorates `app.scimRequestLog`. */
export function recordScimRequests(app: FastifyInstance, store: Store): ScimRequestLog {
  const repo = new ScimRequestRepo({ db: store.db, dialect: store.dialect });
  const writer = batchWriter(repo, (error) => app.log.warn({ err: error }, 'could not record SCIM requests'));

  app.decorateRequest('scimErrorDetail', null);

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (reply.statusCode >= 400 && isScim(request)) request.scimErrorDetail = errorDetail(payload);
    return payload;
  });

  app.addHook('onResponse', (request, reply, done) => {
    const principal = request.authenticatedAs;
    if (principal && isScim(request)) {
      writer.add({
        organization_id: principal.organizationId,
        occurred_at: now(),
        method: request.method,
        path: truncate(request.url, 500) ?? '/',
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime),
        user_agent: truncate(request.headers['user-agent'], 300),
        detail: request.scimErrorDetail,
        request_id: request.id,
      });
    }
    done();
  });

  const log: ScimRequestLog = {
    async recent(organizationId, limit = SCIM_REQUESTS_SHOWN) {
      await writer.idle();
      return repo.listRecent(organizationId, limit);
    },
    idle: () => writer.idle(),
  };
  app.decorate('scimRequestLog', log);
  app.addHook('onClose', async () => log.idle());
  return log;
}
