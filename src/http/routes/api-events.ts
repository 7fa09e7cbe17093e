// `GET /api/v1/events?after=<cursor>&types=a,b&limit=`: the organization's events, oldest first, from
// any cursor a previous page gave (`nextCursor`) for as long as events are kept
// (EVENTS_RETENTION_DAYS). A page with no events gives back the same cursor, so a reader can poll
// with it. An organization's credential reads its own events, never the types only the
// installation may see; an installation token reads every event of every organization (and of
// none), in the same order and with the same cursors, or one organization's with `organization=`.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { InstallationAuthenticator } from '../../auth/authenticate-installation.ts';
import type { TokenAuthenticator } from '../../auth/authenticate-token.ts';
import { RosterError } from '../../errors.ts';
import { INSTALLATION_ONLY_TYPES, isEventType } from '../../events/event-types.ts';
import type { Store } from '../../store/store.ts';
import { dispatchEvents } from '../../webhooks/dispatch-events.ts';
import { apiRoute, ref } from '../api-schemas.ts';
import { limitOf } from '../api-views.ts';
import { principalOf, requireCallerOrInstallation } from '../authenticate.ts';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/** The types asked for: any of the catalogue, but the installation's own for the installation only. */
function typesOf(raw: string | undefined, installation: boolean): string[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const types = raw.split(',').map((type) => type.trim());
  const unknown = types.find(
    (type) => !isEventType(type) || (!installation && INSTALLATION_ONLY_TYPES.has(type)),
  );
  if (unknown !== undefined) {
    throw new RosterError('invalid_value', `unknown event type "${unknown}": see docs/events.md`);
  }
  return types;
}

/**
 * Whose events: the installation's (every organization, or the one `organization` names), or the
 * organization's own (an organization's credential may name only its own organization).
 */
async function scopeOf(
  request: FastifyRequest,
  store: Store,
  organization: string | undefined,
): Promise<{ organizationId?: string; hiddenTypes: string[] }> {
  if (request.installation) {
    if (organization === undefined) return { hiddenTypes: [] };
    if (!(await store.organizations.getById(organization))) {
      throw new RosterError('not_found', `no organization with id ${organization}`);
    }
    return { organizationId: organization, hiddenTypes: [] };
  }
  const principal = principalOf(request);
  if (organization !== undefined && organization !== principal.organizationId) {
    throw new RosterError(
      'forbidden',
      "an organization's credential reads its own organization's events only",
    );
  }
  return { organizationId: principal.organizationId, hiddenTypes: [...INSTALLATION_ONLY_TYPES] };
}

// `types` is checked by the route, against the catalogue (a list a schema's enum cannot say).
const LIST = apiRoute({
  tags: ['events'],
  summary:
    "The organization's events (an Admin), or every organization's (an installation token), oldest first, from a cursor",
  installation: 'also',
  querystring: {
    type: 'object',
    properties: {
      after: {
        type: 'string',
        pattern: '^\\d{1,15}$',
        description: 'the nextCursor of the previous page, or 0 (the default) for the oldest kept',
      },
      types: { type: 'string', description: 'event types, comma-separated (docs/events.md)' },
      organization: {
        type: 'string',
        maxLength: 100,
        description: "with an installation token: only this organization's events",
      },
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

export function apiEventRoutes(
  app: FastifyInstance,
  store: Store,
  authenticator: TokenAuthenticator,
  installation: InstallationAuthenticator,
): void {
  const reader = { onRequest: requireCallerOrInstallation(authenticator, installation, store, 'admin') };
  app.get('/api/v1/events', { ...reader, schema: LIST }, async (request) => {
    const query = (request.query ?? {}) as Record<string, string | undefined>;
    const after = query.after ?? '0';
    if (!/^\d{1,15}$/.test(after)) {
      throw new RosterError('invalid_value', 'after must be the nextCursor of a previous page, or 0');
    }
    const limit = limitOf(query) ?? DEFAULT_LIMIT;
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new RosterError('invalid_value', `limit must be a whole number from 1 to ${MAX_LIMIT}`);
    }
    const types = typesOf(query.types, request.installation !== null);
    const scope = await scopeOf(request, store, query.organization || undefined);
    // Events committed a moment ago get their position here if no worker has given it yet.
    await dispatchEvents(store);
    const events = await store.events.page({
      ...scope,
      after: Number(after),
      ...(types ? { types } : {}),
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
