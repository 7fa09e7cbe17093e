// `/api/v1/groups`: the groups the organization's identity provider pushed over SCIM, with their
// member counts, and one group's members. Read-only: groups change only through the IdP.
import type { FastifyInstance } from 'fastify';
import type { TokenAuthenticator } from '../../auth/authenticate-token.ts';
import { RosterError } from '../../errors.ts';
import type { GroupRow } from '../../store/repos/groups.ts';
import type { Store } from '../../store/store.ts';
import { apiRoute, idParams, ref } from '../api-schemas.ts';
import { principalOf, requireCaller } from '../authenticate.ts';

/** Groups per list response, and members per group response, at most. */
const MAX = 1000;

function groupView(row: GroupRow) {
  return {
    id: row.id,
    displayName: row.display_name,
    externalId: row.external_id,
    memberCount: row.member_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function limitOf(raw: unknown): number {
  if (raw === undefined) return MAX;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX) {
    throw new RosterError('invalid_value', `limit must be an integer from 1 to ${MAX}`);
  }
  return limit;
}

const tags = ['groups'];
const limitQuery = {
  type: 'object',
  properties: { limit: { type: 'string', pattern: '^\\d{1,6}$', description: `at most ${MAX}` } },
} as const;
const LIST = apiRoute({
  tags,
  summary: 'The groups the identity provider pushed, with their member counts (Admins)',
  querystring: limitQuery,
  success: {
    200: {
      type: 'object',
      required: ['data', 'total'],
      properties: { data: { type: 'array', items: ref('Group') }, total: { type: 'integer' } },
    },
  },
});
const GET = apiRoute({
  tags,
  summary: 'One group and its members (Admins)',
  params: idParams,
  querystring: limitQuery,
  success: {
    200: {
      allOf: [ref('Group')],
      type: 'object',
      required: ['members'],
      properties: {
        members: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id'],
            properties: { id: { type: 'string' }, display: { type: ['string', 'null'] } },
          },
        },
      },
    },
  },
});

export function apiGroupRoutes(app: FastifyInstance, store: Store, authenticator: TokenAuthenticator): void {
  const admin = { onRequest: requireCaller(authenticator, store, 'admin') };

  app.get<{ Querystring: { limit?: string } }>(
    '/api/v1/groups',
    { ...admin, schema: LIST },
    async (request) => {
      const { organizationId } = principalOf(request);
      const [rows, total] = await Promise.all([
        store.groups.list(organizationId, {}, 0, limitOf(request.query.limit)),
        store.groups.count(organizationId, {}),
      ]);
      return { data: rows.map(groupView), total };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: string } }>(
    '/api/v1/groups/:id',
    { ...admin, schema: GET },
    async (request) => {
      const { organizationId } = principalOf(request);
      const row = await store.groups.getById(organizationId, request.params.id);
      if (!row) throw new RosterError('not_found', `no group "${request.params.id}" in this organization`);
      const members = await store.groups.members(row.id, limitOf(request.query.limit));
      return {
        ...groupView(row),
        members: members.map((member) => ({ id: member.membershipId, display: member.display })),
      };
    },
  );
}
