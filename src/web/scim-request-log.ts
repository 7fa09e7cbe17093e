// The "recent requests from your identity provider" panel: every authenticated SCIM request is
// recorded (time, method, path, the userName it was about, status, User-Agent, the error's detail, a
// note on what an answered request did not apply) in `scim_requests`, trimmed to the newest 1,000
// per organization and to the last 7 days: enough that a push of hundreds of people does not bury
// its first failures, which the page and `GET /api/v1/scim-requests?outcome=error` filter out.
// A table rather than a per-instance memory buffer, because Roster runs as several instances
// behind a load balancer and an admin must see every request whichever instance served it.
//
// Off the request path: each instance gathers the rows of the requests it answered and writes them
// every FLUSH_AFTER_MS, in multi-row INSERTs. Of each organization it writes only the newest
// SCIM_REQUESTS_KEPT rows gathered: the trim that follows would delete the older ones at once, so
// during an Okta push an instance writes a few hundred rows a second, not one per request. (A
// write per request was the largest database cost of an Okta lookup; a batch every 100 ms or 200
// rows still cost a lookup 20–40 µs of CPU at 5,000 requests a second.) The panel is at most
// that second behind on other instances, and never behind on the instance that serves it (`recent`
// writes its own rows first). A failed write is logged and its rows dropped: a slow or failing log
// never delays or fails provisioning, and never grows without bound.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RefusedChange } from '../provisioning/settle-identity-changes.ts';
import { now } from '../store/ids.ts';
import {
  type NewScimRequest,
  type ScimRequestCounts,
  type ScimRequestOutcome,
  type ScimRequestRecord,
  ScimRequestRepo,
} from '../store/repos/scim-requests.ts';
import type { Store } from '../store/store.ts';

/** Requests kept per organization, for at most SCIM_REQUESTS_DAYS; the dashboard shows the newest SCIM_REQUESTS_SHOWN. */
export const SCIM_REQUESTS_KEPT = 1000;
export const SCIM_REQUESTS_DAYS = 7;
export const SCIM_REQUESTS_SHOWN = 200;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The oldest time kept: requests before it are trimmed, and never shown meanwhile. */
function retentionStart(at = Date.now()): string {
  return new Date(at - SCIM_REQUESTS_DAYS * DAY_MS).toISOString();
}
/** Rows are written this long after the first of them was gathered. */
export const FLUSH_AFTER_MS = 1000;
/** Rows per INSERT statement (10 values each, far below SQLite's and PostgreSQL's parameter limits). */
const INSERT_ROWS = 200;

export interface ScimRequestLog {
  recent(
    organizationId: string,
    options?: { limit?: number; outcome?: ScimRequestOutcome },
  ): Promise<ScimRequestRecord[]>;
  /** The requests and errors of the last 24 hours, for "at a glance". */
  lastDay(organizationId: string): Promise<ScimRequestCounts>;
  /** Writes the rows gathered so far and resolves once every write has settled (tests; shutdown). */
  idle(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    scimRequestLog: ScimRequestLog;
  }
  interface FastifyRequest {
    scimErrorDetail: string | null;
    /** What an answered request did not apply, for the log's `notice` (see `refusedChangesNotice`). */
    scimNotice: string | null;
    /** The userName of the member a SCIM route answered, when the request itself does not name it. */
    scimUserName: string | null;
  }
}

function isScim(request: FastifyRequest): boolean {
  return request.url.startsWith('/scim/v2/') || request.url === '/scim/v2';
}

function truncate(value: string | undefined, length: number): string | null {
  if (value === undefined || value === '') return null;
  return value.length > length ? `${value.slice(0, length - 1)}…` : value;
}

/**
 * The person a request is about: the member the route answered, else the body's userName (a POST or
 * PUT, refused or not), else the userName of Okta's and Entra's lookup filter (`userName eq "…"`).
 */
function userNameOf(request: FastifyRequest): string | null {
  if (request.scimUserName) return request.scimUserName;
  const body = request.body as { userName?: unknown } | null | undefined;
  if (typeof body?.userName === 'string') return truncate(body.userName, 300);
  const filter = (request.query as { filter?: unknown } | undefined)?.filter;
  if (typeof filter !== 'string') return null;
  const match = /^\s*userName\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i.exec(filter);
  return match?.[1] ? truncate(match[1].replace(/\\(.)/g, '$1'), 300) : null;
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

const REFUSAL_REASONS: Record<RefusedChange['reason'], string> = {
  refused_by_setting: 'email changes from the identity provider are set to refuse',
  taken: 'another member of the organization already has it',
  removed: 'it cannot be removed',
};

/** The request log's note on a request answered 200 whose email or userName change was not stored. */
export function refusedChangesNotice(refused: readonly RefusedChange[]): string | null {
  if (refused.length === 0) return null;
  const changes = refused.map(
    (change) =>
      `${change.attribute} "${change.before}" → ${change.after === null ? 'none' : `"${change.after}"`} (${REFUSAL_REASONS[change.reason]})`,
  );
  return truncate(
    `Email change refused, not stored: ${changes.join('; ')}. The rest of the request, the deactivation included, was applied.`,
    1000,
  );
}

/**
 * Gathers each organization's rows, oldest first, and writes the newest SCIM_REQUESTS_KEPT of each
 * every FLUSH_AFTER_MS; `flush` writes what has gathered now.
 */
export function batchWriter(repo: ScimRequestRepo, onError: (error: unknown) => void) {
  let gathered = new Map<string, NewScimRequest[]>();
  let timer: NodeJS.Timeout | undefined;
  const pending = new Set<Promise<void>>();

  async function write(byOrganization: Map<string, NewScimRequest[]>): Promise<void> {
    const rows = [...byOrganization.values()].flatMap((own) => own.slice(-SCIM_REQUESTS_KEPT));
    for (let at = 0; at < rows.length; at += INSERT_ROWS) {
      await repo.insertMany(rows.slice(at, at + INSERT_ROWS));
    }
    // Every batch trims what it wrote to: at most one DELETE per organization a second, so the
    // table never holds more than SCIM_REQUESTS_KEPT rows of an organization once a write settles
    // (a trim every 25 rows let a burst's last, smaller batch leave up to 224).
    const before = retentionStart();
    for (const organizationId of byOrganization.keys()) {
      await repo.trim(organizationId, SCIM_REQUESTS_KEPT, before);
    }
  }

  function flush(): void {
    clearTimeout(timer);
    timer = undefined;
    if (gathered.size === 0) return;
    const byOrganization = gathered;
    gathered = new Map();
    const writing = write(byOrganization)
      .catch(onError)
      .finally(() => pending.delete(writing));
    pending.add(writing);
  }

  return {
    add(row: NewScimRequest): void {
      let own = gathered.get(row.organization_id);
      if (own === undefined) {
        own = [];
        gathered.set(row.organization_id, own);
      }
      own.push(row);
      // Dropping the older rows only once there are twice as many keeps this O(1) a row.
      if (own.length >= 2 * SCIM_REQUESTS_KEPT) own.splice(0, own.length - SCIM_REQUESTS_KEPT);
      if (timer === undefined) timer = setTimeout(flush, FLUSH_AFTER_MS).unref();
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
  app.decorateRequest('scimNotice', null);
  app.decorateRequest('scimUserName', null);

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
        user_name: userNameOf(request),
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime),
        user_agent: truncate(request.headers['user-agent'], 300),
        detail: request.scimErrorDetail,
        notice: request.scimNotice,
        request_id: request.id,
      });
    }
    done();
  });

  const log: ScimRequestLog = {
    async recent(organizationId, options = {}) {
      await writer.idle();
      return repo.listRecent(organizationId, {
        limit: options.limit ?? SCIM_REQUESTS_SHOWN,
        outcome: options.outcome ?? 'all',
        since: retentionStart(),
      });
    },
    async lastDay(organizationId) {
      await writer.idle();
      return repo.countSince(organizationId, new Date(Date.now() - DAY_MS).toISOString());
    },
    idle: () => writer.idle(),
  };
  app.decorate('scimRequestLog', log);
  app.addHook('onClose', async () => log.idle());
  return log;
}
