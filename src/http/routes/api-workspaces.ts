// `/api/v1/workspaces`: the workspaces the caller reaches (every one for Admins); create and rename
// for Admins.
import type { FastifyInstance } from 'fastify';
import { createWorkspace, renameWorkspace } from '../../accounts/manage-workspaces.ts';
import { reachableWorkspaces } from '../../accounts/workspaces.ts';
import type { TokenAuthenticator } from '../../auth/authenticate-token.ts';
import { RosterError } from '../../errors.ts';
import type { Store } from '../../store/store.ts';
import { apiRoute, idParams, ref } from '../api-schemas.ts';
import { objectBody, workspaceView } from '../api-views.ts';
import { principalOf, requireCaller } from '../authenticate.ts';

function nameOf(body: unknown): string {
  const name = objectBody(body).name;
  if (typeof name !== 'string') throw new RosterError('invalid_value', 'send {"name": "…"}');
  return name;
}

const nameBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', description: '1–100 characters, unique in the organization' } },
} as const;

const LIST = apiRoute({
  tags: ['workspaces'],
  summary: 'The workspaces the caller reaches (every one for Admins)',
  success: {
    200: {
      type: 'object',
      required: ['data'],
      properties: { data: { type: 'array', items: ref('Workspace') } },
    },
  },
});
const CREATE = apiRoute({
  tags: ['workspaces'],
  summary: 'Create a workspace (Admins)',
  body: nameBody,
  success: { 201: ref('Workspace') },
});
const RENAME = apiRoute({
  tags: ['workspaces'],
  summary: 'Rename a workspace (Admins)',
  params: idParams,
  body: nameBody,
  success: { 200: ref('Workspace') },
});

export function apiWorkspaceRoutes(
  app: FastifyInstance,
  store: Store,
  authenticator: TokenAuthenticator,
): void {
  const member = { onRequest: requireCaller(authenticator, store, 'member') };
  const admin = { onRequest: requireCaller(authenticator, store, 'admin') };

  app.get('/api/v1/workspaces', { ...member, schema: LIST }, async (request) => {
    const principal = principalOf(request);
    const workspaces = await reachableWorkspaces(
      store,
      principal.organizationId,
      principal.membershipId,
      principal.role,
    );
    return { data: workspaces.map(workspaceView) };
  });

  app.post('/api/v1/workspaces', { ...admin, schema: CREATE }, async (request, reply) => {
    const principal = principalOf(request);
    const workspace = await createWorkspace(store, {
      organizationId: principal.organizationId,
      name: nameOf(request.body),
      actor: principal.actor,
      requestId: request.id,
    });
    return reply.code(201).send(workspaceView(workspace));
  });

  app.patch<{ Params: { id: string } }>(
    '/api/v1/workspaces/:id',
    { ...admin, schema: RENAME },
    async (request) => {
      const principal = principalOf(request);
      const workspace = await renameWorkspace(store, {
        organizationId: principal.organizationId,
        workspaceId: request.params.id,
        name: nameOf(request.body),
        actor: principal.actor,
        requestId: request.id,
      });
      return workspaceView(workspace);
    },
  );
}
