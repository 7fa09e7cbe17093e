// `/api/v1/groups`: the groups the organization's identity provider pushed over SCIM, with their
// member counts and mappings, and one group's members. A group's name and members change only
// through the IdP; what it gives its members (the Admin role, workspaces) is mapped here by PATCH.
import type { FastifyInstance } from 'fastify';
import { groupNotFoundError, mapGroup, parseGroupMapping } from '../../accounts/group-mapping.ts';
import type { TokenAuthenticator } from '../../auth/authenticate-token.ts';
import { RosterError } from '../../errors.ts';
import type { GroupRow } from '../../store/repos/groups.ts';
import type { Store } from '../../store/store.ts';
import { apiRoute, idParams, ref } from '../api-schemas.ts';
import { limitOf, objectBody } from '../api-views.ts';
import { principalOf, requireCaller } from '../authenticate.ts';

/** Groups per list response, and members per group response, at most. */
const MAX = 1000;

type Mapped = { id: string; name: string };

function groupView(row: GroupRow, workspaces: readonly Mapped[]) {
  return {
    id: row.id,
    displayName: row.display_name,
    externalId: row.external_id,
    memberCount: row.member_count,
    role: row.role,
    workspaces: workspaces.map((w) => ({ id: w.id, name: w.name })),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** `?limit=` (api-views.ts), at most MAX, which is also the default. */
function groupLimit(query: Record<string, unknown>): number {
  const limit = limitOf(query) ?? MAX;
  if (limit < 1 || limit > MAX) {
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

const PATCH = apiRoute({
  tags,
  summary: 'Map a group to the Admin role and/or workspaces (Admins)',
  description:
    "What the group gives its members: `role` (`admin`, or null for no role) and `workspaceIds`; a key not sent stays as it is. Every member of the group is settled: their effective role and workspaces change, audited and announced with the group as the cause. The group's name and members belong to the identity provider. A change that would leave the organization without an active Admin succeeds: the last Admin keeps the role as a direct grant (docs/scim.md).",
  params: idParams,
  body: {
    type: 'object',
    additionalProperties: false,
    properties: {
      role: { type: ['string', 'null'], enum: ['admin', null] },
      workspaceIds: { type: 'array', items: { type: 'string' }, maxItems: 1000 },
    },
  },
  success: { 200: ref('Group') },
});

export function apiGroupRoutes(app: FastifyInstance, store: Store, authenticator: TokenAuthenticator): void {
  const admin = { onRequest: requireCaller(authenticator, store, 'admin') };

  app.get<{ Querystring: { limit?: string } }>(
    '/api/v1/groups',
    { ...admin, schema: LIST },
    async (request) => {
      const { organizationId } = principalOf(request);
      const [rows, total] = await Promise.all([
        store.groups.list(organizationId, {}, 0, groupLimit(request.query)),
        store.groups.count(organizationId, {}),
      ]);
      const mapped = await store.groups.workspacesOfGroups(rows.map((row) => row.id));
      return {
        data: rows.map((row) =>
          groupView(
            row,
            mapped.filter((w) => w.groupId === row.id),
          ),
        ),
        total,
      };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: string } }>(
    '/api/v1/groups/:id',
    { ...admin, schema: GET },
    async (request) => {
      const { organizationId } = principalOf(request);
      const row = await store.groups.getById(organizationId, request.params.id);
      if (!row) throw groupNotFoundError(request.params.id);
      const [members, workspaces] = await Promise.all([
        store.groups.members(row.id, groupLimit(request.query)),
        store.groups.workspacesOf(row.id),
      ]);
      return {
        ...groupView(row, workspaces),
        members: members.map((member) => ({ id: member.membershipId, display: member.display })),
      };
    },
  );

  app.patch<{ Params: { id: string } }>(
    '/api/v1/groups/:id',
    { ...admin, schema: PATCH },
    async (request) => {
      const principal = principalOf(request);
      const body = objectBody(request.body);
      const current = await store.groups.getById(principal.organizationId, request.params.id);
      if (!current) throw groupNotFoundError(request.params.id);
      // A key not sent keeps what the group gives today.
      const role = 'role' in body ? body.role : current.role;
      const workspaceIds =
        'workspaceIds' in body
          ? body.workspaceIds
          : (await store.groups.workspacesOf(current.id)).map((w) => w.id);
      const mapped = await mapGroup(store, {
        organizationId: principal.organizationId,
        groupId: current.id,
        mapping: parseGroupMapping(role, workspaceIds),
        actor: principal.actor,
        requestId: request.id,
      });
      return groupView(mapped.group, mapped.workspaces);
    },
  );
}
