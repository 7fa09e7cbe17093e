// `GET /api/v1/events?after=<cursor>&types=a,b&limit=`: the organization's events, oldest first, from
// any cursor a previous page gave (`nextCursor`) for as long as events are kept
// (EVENTS_RETENTION_DAYS). A page with no events gives back the same cursor, so a reader can poll
// with it. Types only the installation may see are never listed.
import type { FastifyInstance } from 'fastify';
import type { TokenAuthenticator } from '../../auth/authenticate-token.ts';
import { RosterError } from '../../errors.ts';
import { INSTALLATION_ONLY_TYPES, isEventType } from '../../events/event-types.ts';
import type { Store } from '../../store/store.ts';
import { dispatchEvents } from '../../webhooks/dispatch-events.ts';
import { apiRoute, ref } from '../api-schemas.ts';
import { limitOf } from '../api-views.ts';
import { principalOf, requireCaller } from '../authenticate.ts';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

function typesOf(raw: string | undefined): string[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const types = raw.split(',').map((type) => type.trim());
  const unknown = types.find((type) => !isEventType(type) || INSTALLATION_ONLY_TYPES.has(type));
  if (unknown !== undefined) {
    throw new RosterError('invalid_value', `unknown event type "${unknown}": see docs/events.md`);
  }
  return types;
}

// `types` is checked by the route, against the catalogue (a list a schema's enum cannot say).
const LIST = apiRoute({
  tags: ['events'],
  summary: "The organization's events, oldest first, from a cursor (Admins)",
  querystring: {
    type: 'object',
    properties: {
      after: {
        type: 'string',
        pattern: '^\\d{1,15}$',
        description: 'the nextCursor of the previous page, or 0 (the default) for the oldest kept',
      },
      types: { type: 'string', description: 'event types, comma-separated (docs/events.md)' },
      limit: {
        type: 'string',
        pattern: '^\\d{1,6}$',
        description: `events per page (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT})`,
      },
    },
  },
  success: {
    200: {
      type: 'object',
      required: ['data', 'nextCursor', 'hasMore'],
      properties: {
        data: { type: 'array', items: ref('Event') },
        nextCursor: { type: 'string', description: 'the same cursor when the page is empty: poll with it' },
        hasMore: { type: 'boolean' },
      },
    },
  },
});

export function apiEventRoutes(app: FastifyInstance, store: Store, authenticator: TokenAuthenticator): void {
  const admin = { onRequest: requireCaller(authenticator, store, 'admin') };
  app.get('/api/v1/events', { ...admin, schema: LIST }, async (request) => {
    const principal = principalOf(request);
    const query = (request.query ?? {}) as Record<string, string | undefined>;
    const after = query.after ?? '0';
    if (!/^\d{1,15}$/.test(after)) {
      throw new RosterError('invalid_value', 'after must be the nextCursor of a previous page, or 0');
    }
    const limit = limitOf(query) ?? DEFAULT_LIMIT;
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new RosterError('invalid_value', `limit must be a whole number from 1 to ${MAX_LIMIT}`);
    }
    // Events committed a moment ago get their position here if no worker has given it yet.
    await dispatchEvents(store);
    const events = await store.events.page({
      organizationId: principal.organizationId,
      after: Number(after),
      ...(typesOf(query.types) ? { types: typesOf(query.types) } : {}),
      hiddenTypes: [...INSTALLATION_ONLY_TYPES],
      limit: limit + 1,
    });
    const page = events.slice(0, limit);
    const last = page.at(-1);
    return {
      data: page.map((event) => JSON.parse(event.payload) as unknown),
      nextCursor: last ? String(last.position) : after,
      hasMore: events.length > limit,
    };
  });
}
