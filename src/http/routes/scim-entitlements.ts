// /scim/v2/Roles and /scim/v2/Workspaces — what Okta Identity Governance reads to learn the values
// it may assign (docs/idp-requests.md#okta-entitlements). Read-only: every other method is a 405
// that names GET. Same authentication as /Users.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TokenAuthenticator } from '../../auth/authenticate-token.ts';
import { RosterError } from '../../errors.ts';
import {
  type EntitlementPage,
  getRole,
  getWorkspace,
  listRoles,
  listWorkspaces,
} from '../../provisioning/entitlement-resources.ts';
import { LIST_RESPONSE_SCHEMA } from '../../scim/schemas/urns.ts';
import type { Store } from '../../store/store.ts';
import { principalOf, requireToken } from '../authenticate.ts';
import { queryParameters, scimBody } from '../scim-reply.ts';

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

function listBody<T>(reply: FastifyReply, page: EntitlementPage<T>) {
  return scimBody(reply, 200, {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: page.totalResults,
    itemsPerPage: page.resources.length,
    startIndex: page.startIndex,
    Resources: page.resources,
  });
}

function pageQuery(request: FastifyRequest) {
  const query = queryParameters(request);
  return { filter: query('filter'), startIndex: query('startIndex'), count: query('count') };
}

function readOnly(resource: 'Roles' | 'Workspaces'): () => never {
  return () => {
    throw new RosterError(
      'method_not_allowed',
      resource === 'Roles'
        ? "The organization's roles are fixed: assign them to a User with roles[].value."
        : 'Workspaces are made in Roster: grant them to a User with entitlements[] of type "Workspace".',
      { allow: ['GET'] },
    );
  };
}

export function scimEntitlementRoutes(
  app: FastifyInstance,
  store: Store,
  authenticator: TokenAuthenticator,
  scimBaseUrl: string,
) {
  app.register(async (scope) => {
    scope.addHook('onRequest', requireToken(authenticator, 'admin'));

    scope.get('/scim/v2/Roles', async (request, reply) =>
      listBody(reply, listRoles(pageQuery(request), scimBaseUrl)),
    );
    scope.get('/scim/v2/Roles/:id', async (request: IdRequest, reply) =>
      scimBody(reply, 200, getRole(request.params.id, scimBaseUrl)),
    );
    scope.get('/scim/v2/Workspaces', async (request, reply) =>
      listBody(
        reply,
        await listWorkspaces(store, principalOf(request).organizationId, pageQuery(request), scimBaseUrl),
      ),
    );
    scope.get('/scim/v2/Workspaces/:id', async (request: IdRequest, reply) =>
      scimBody(
        reply,
        200,
        await getWorkspace(store, principalOf(request).organizationId, request.params.id, scimBaseUrl),
      ),
    );
    for (const resource of ['Roles', 'Workspaces'] as const) {
      const refuse = readOnly(resource);
      for (const url of [`/scim/v2/${resource}`, `/scim/v2/${resource}/:id`]) {
        scope.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url, handler: refuse });
      }
    }
  });
}
