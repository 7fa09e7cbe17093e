// `GET /api/v1/scim-requests`: what the SCIM page shows, for Admins: the organization's latest SCIM
// requests (newest first; `?outcome=error` for the refused and failed ones only; kept: the newest
// 1,000 of the last 7 days), with the userName each was about, and the counts of the last 24 hours.
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import type { TokenAuthenticator } from '../../auth/authenticate-token.ts';
import type { ScimRequestRecord } from '../../store/repos/scim-requests.ts';
import type { Store } from '../../store/store.ts';
import { SCIM_REQUESTS_KEPT, type ScimRequestLog } from '../../web/scim-request-log.ts';
import { apiRoute } from '../api-schemas.ts';
import { principalOf, requireCaller } from '../authenticate.ts';

const nullableString = { type: ['string', 'null'] };

const LIST = apiRoute({
  tags: ['scim-requests'],
  summary: "The organization's latest SCIM requests and the last day's error count (Admins)",
  querystring: {
    type: 'object',
    properties: {
      outcome: {
        type: 'string',
        enum: ['all', 'error'],
        description: '`error`: only the requests answered 4xx or 5xx',
      },
      limit: {
        type: 'string',
        pattern: '^\\d{1,4}$',
        description: `rows (default 100, at most ${SCIM_REQUESTS_KEPT})`,
      },
    },
  },
  success: {
    200: {
      type: 'object',
      required: ['data', 'lastDay'],
      properties: {
        data: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'occurredAt', 'method', 'path', 'status'],
            properties: {
              id: { type: 'integer' },
              occurredAt: { type: 'string' },
              method: { type: 'string' },
              path: { type: 'string', description: 'path and query string as received (canonical case)' },
              userName: { ...nullableString, description: 'the person the request was about' },
              status: { type: 'integer' },
              durationMs: { type: 'integer' },
              userAgent: nullableString,
              detail: { ...nullableString, description: "a refusal's SCIM error detail" },
              notice: { ...nullableString, description: 'what an answered request did not apply' },
              requestId: nullableString,
            },
          },
        },
        lastDay: {
          type: 'object',
          required: ['requests', 'errors'],
          properties: { requests: { type: 'integer' }, errors: { type: 'integer' } },
        },
      },
    },
  },
});

function requestView(row: ScimRequestRecord) {
  return {
    id: row.id,
    occurredAt: row.occurred_at,
    method: row.method,
    path: row.path,
    userName: row.user_name,
    status: row.status,
    durationMs: Number(row.duration_ms),
    userAgent: row.user_agent,
    detail: row.detail,
    notice: row.notice,
    requestId: row.request_id,
  };
}

export function apiScimRequestRoutes(
  app: FastifyInstance,
  store: Store,
  authenticator: TokenAuthenticator,
  log: ScimRequestLog,
): void {
  app.register(async (scope) => {
    await scope.register(fastifyCookie);
    const onRequest = requireCaller(authenticator, store, 'admin');
    scope.get<{ Querystring: { outcome?: 'all' | 'error'; limit?: string } }>(
      '/api/v1/scim-requests',
      { onRequest, schema: LIST },
      async (request) => {
        const { organizationId } = principalOf(request);
        const limit = Math.min(Number(request.query.limit ?? 100) || 100, SCIM_REQUESTS_KEPT);
        const [rows, lastDay] = await Promise.all([
          log.recent(organizationId, { limit, outcome: request.query.outcome ?? 'all' }),
          log.lastDay(organizationId),
        ]);
        return { data: rows.map(requestView), lastDay };
      },
    );
  });
}
