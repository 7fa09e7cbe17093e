// `GET /api/v1/audit`: the organization's audit events, newest first, `?cursor=<id>&limit=` pages
// (`{ data, nextCursor }`), with the dashboard's filters (action, actor, target, since, until).
import type { FastifyInstance } from 'fastify';
import { pageSize } from '../../accounts/member-directory.ts';
import { auditEventView, auditFilters } from '../../audit/audit-log.ts';
import type { TokenAuthenticator } from '../../auth/authenticate-token.ts';
import { RosterError } from '../../errors.ts';
import type { Store } from '../../store/store.ts';
import { apiRoute, pageQuery } from '../api-schemas.ts';
import { limitOf } from '../api-views.ts';
import { principalOf, requireCaller } from '../authenticate.ts';

const party = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    id: { type: ['string', 'null'] },
    label: { type: ['string', 'null'] },
  },
};
const SEARCH = apiRoute({
  tags: ['audit'],
  summary: "The organization's audit events, newest first (Admins)",
  querystring: {
    type: 'object',
    properties: {
      action: { type: 'string', description: 'an audit action, e.g. member.deactivated' },
      actor: { type: 'string', description: "the actor's id" },
      target: { type: 'string', description: "the target's id" },
      since: { type: 'string', description: 'an ISO-8601 time' },
      until: { type: 'string', description: 'an ISO-8601 time' },
      ...pageQuery,
    },
  },
  success: {
    200: {
      type: 'object',
      required: ['data', 'nextCursor'],
      properties: {
        data: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'occurredAt', 'action'],
            properties: {
              id: { type: 'integer' },
              occurredAt: { type: 'string' },
              actor: party,
              action: { type: 'string' },
              target: party,
              before: { description: 'the state before the change (JSON), or null' },
              after: { description: 'the state after the change (JSON), or null' },
              requestId: { type: ['string', 'null'] },
            },
          },
        },
        nextCursor: { type: ['string', 'null'] },
      },
    },
  },
});

export function apiAuditRoutes(app: FastifyInstance, store: Store, authenticator: TokenAuthenticator): void {
  app.get(
    '/api/v1/audit',
    { schema: SEARCH, onRequest: requireCaller(authenticator, store, 'admin') },
    async (request) => {
      const principal = principalOf(request);
      const query = (request.query ?? {}) as Record<string, string | undefined>;
      const cursor = query.cursor;
      if (cursor !== undefined && cursor !== '' && !/^\d{1,15}$/.test(cursor)) {
        throw new RosterError('invalid_value', 'cursor must be the nextCursor of a previous page');
      }
      const limit = pageSize(limitOf(query));
      const events = await store.audit.search({
        organizationId: principal.organizationId,
        ...auditFilters(query),
        limit: limit + 1,
        ...(cursor ? { before: Number(cursor) } : {}),
      });
      const page = events.slice(0, limit);
      const last = page[page.length - 1];
      return {
        data: page.map(auditEventView),
        nextCursor: events.length > limit && last ? String(last.id) : null,
      };
    },
  );
}
