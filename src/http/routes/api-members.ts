// `/api/v1/members`: the directory (search, status, role, cursor pages), one member, role changes,
// and workspace grants. Reading and changing members is for Admins.
import type { FastifyInstance } from 'fastify';
import { setWorkspaceAccess } from '../../accounts/manage-workspaces.ts';
import { listDirectory, pageSize } from '../../accounts/member-directory.ts';
import { changeRole, memberNotFoundError } from '../../accounts/members.ts';
import type { TokenAuthenticator } from '../../auth/authenticate-token.ts';
import { RosterError } from '../../errors.ts';
import { accessOf, accessOfMembers } from '../../membership/effective-access.ts';
import type { Store } from '../../store/store.ts';
import { apiRoute, idParams, pageQuery, ref } from '../api-schemas.ts';
import { accessView, limitOf, memberView, objectBody } from '../api-views.ts';
import { principalOf, requireCaller } from '../authenticate.ts';

export function apiMemberRoutes(app: FastifyInstance, store: Store, authenticator: TokenAuthenticator): void {
  const admin = { onRequest: requireCaller(authenticator, store, 'admin') };
  const memberDetail = {
    allOf: [
      ref('Member'),
      {
        type: 'object',
        properties: {
          emails: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                value: { type: 'string' },
                type: { type: ['string', 'null'] },
                primary: { type: 'boolean' },
              },
            },
          },
          workspaceGrants: {
            type: 'array',
            items: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } },
          },
        },
      },
    ],
  };

  const list = apiRoute({
    tags: ['members'],
    summary: 'The member directory (Admins)',
    querystring: {
      type: 'object',
      properties: {
        search: { type: 'string', description: 'the start of a name, email or userName' },
        status: { type: 'string', enum: ['active', 'deactivated'] },
        role: { type: 'string', enum: ['admin', 'member'] },
        ...pageQuery,
      },
    },
    success: {
      200: {
        type: 'object',
        required: ['data', 'total', 'nextCursor'],
        properties: {
          data: { type: 'array', items: ref('Member') },
          total: { type: 'integer' },
          nextCursor: { type: ['string', 'null'] },
        },
      },
    },
  });
  app.get('/api/v1/members', { ...admin, schema: list }, async (request) => {
    const principal = principalOf(request);
    const query = (request.query ?? {}) as Record<string, string | undefined>;
    const page = await listDirectory(store, principal.organizationId, {
      ...(query.search !== undefined ? { text: query.search } : {}),
      ...(query.status !== undefined ? { status: query.status } : {}),
      ...(query.role !== undefined ? { role: query.role } : {}),
      ...(query.cursor ? { after: query.cursor } : {}),
      limit: pageSize(limitOf(query)),
    });
    const access = await accessOfMembers(store, page.rows);
    return {
      data: page.rows.map((row) => {
        const found = access.get(row.id);
        return { ...memberView(row), ...(found ? { access: accessView(found) } : {}) };
      }),
      total: page.total,
      nextCursor: page.nextCursor,
    };
  });

  async function detail(organizationId: string, id: string) {
    const member = await store.members.getById(organizationId, id);
    if (!member) throw memberNotFoundError(id);
    const [emails, access] = await Promise.all([store.members.emails(member.id), accessOf(store, member)]);
    const primary = emails.find((e) => e.primary) ?? emails[0];
    return {
      ...memberView(member),
      email: primary?.value ?? null,
      emails,
      // The direct grants: what PUT/DELETE …/workspaces/{id} change.
      workspaceGrants: access.workspaces
        .filter((w) => w.sources.some((source) => source.kind === 'direct'))
        .map((w) => ({ id: w.id, name: w.name })),
      access: accessView(access),
    };
  }

  const get = apiRoute({
    tags: ['members'],
    summary:
      'One member, with their emails, direct workspace grants, and effective access with its sources (Admins)',
    params: idParams,
    success: { 200: memberDetail },
  });
  app.get<{ Params: { id: string } }>('/api/v1/members/:id', { ...admin, schema: get }, async (request) =>
    detail(principalOf(request).organizationId, request.params.id),
  );

  const patch = apiRoute({
    tags: ['members'],
    summary: "Change a member's role (Admins)",
    description:
      'Only the direct role changes here: name, emails, userName and status belong to the identity provider, and so does a role given by a group or an entitlement (the effective `role` stays Admin while one gives it). The last active Admin cannot be demoted (409).',
    params: idParams,
    body: {
      type: 'object',
      required: ['role'],
      additionalProperties: false,
      properties: { role: { type: 'string', enum: ['admin', 'member'] } },
    },
    success: { 200: memberDetail },
  });
  app.patch<{ Params: { id: string } }>(
    '/api/v1/members/:id',
    { ...admin, schema: patch },
    async (request) => {
      const principal = principalOf(request);
      const body = objectBody(request.body);
      const others = Object.keys(body).filter((key) => key !== 'role');
      if (others.length > 0 || typeof body.role !== 'string') {
        throw new RosterError(
          'invalid_value',
          'send {"role": "admin" | "member"}: only the role changes here; name, emails, userName and status belong to the identity provider',
        );
      }
      await changeRole(store, {
        organizationId: principal.organizationId,
        membershipId: request.params.id,
        role: body.role,
        actor: principal.actor,
        requestId: request.id,
      });
      return detail(principal.organizationId, request.params.id);
    },
  );

  for (const method of ['put', 'delete'] as const) {
    const schema = apiRoute({
      tags: ['members'],
      summary:
        method === 'put'
          ? 'Grant a member a workspace (Admins)'
          : "Remove a member's workspace grant (Admins)",
      params: {
        type: 'object',
        required: ['id', 'workspaceId'],
        properties: { id: { type: 'string' }, workspaceId: { type: 'string' } },
      },
      success: { 204: null },
    });
    app[method]<{ Params: { id: string; workspaceId: string } }>(
      '/api/v1/members/:id/workspaces/:workspaceId',
      { ...admin, schema },
      async (request, reply) => {
        const principal = principalOf(request);
        await setWorkspaceAccess(store, {
          organizationId: principal.organizationId,
          membershipId: request.params.id,
          workspaceId: request.params.workspaceId,
          granted: method === 'put',
          actor: principal.actor,
          requestId: request.id,
        });
        return reply.code(204).send();
      },
    );
  }
}
