// /scim/v2/Users — parse → use case → project → respond.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TokenAuthenticator } from '../../auth/authenticate-token.ts';
import { RosterError } from '../../errors.ts';
import { createMember } from '../../provisioning/create-member.ts';
import { memberNotFound } from '../../provisioning/errors.ts';
import { listMembers } from '../../provisioning/list-members.ts';
import { etagOf, toScimUser } from '../../provisioning/member-resource.ts';
import { patchMember, replaceMember } from '../../provisioning/update-member.ts';
import { normalizeUserInput, toUserDocument } from '../../scim/resource/normalize-user.ts';
import { type ProjectionOptions, projectResource } from '../../scim/resource/project-resource.ts';
import { LIST_RESPONSE_SCHEMA } from '../../scim/schemas/urns.ts';
import type { Store } from '../../store/store.ts';
import { refusedChangesNotice } from '../../web/scim-request-log.ts';
import { principalOf, requireToken } from '../authenticate.ts';
import { provisioningContext, queryParameters, scimBody } from '../scim-reply.ts';

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

function projection(request: FastifyRequest): ProjectionOptions {
  const query = queryParameters(request);
  return { attributes: query('attributes'), excludedAttributes: query('excludedAttributes') };
}

function ifMatch(request: FastifyRequest): string | undefined {
  const header = request.headers['if-match'];
  return Array.isArray(header) ? header.join(',') : header;
}

export function scimUserRoutes(
  app: FastifyInstance,
  store: Store,
  authenticator: TokenAuthenticator,
  scimBaseUrl: string,
) {
  app.register(async (scope) => {
    scope.addHook('onRequest', requireToken(authenticator, 'admin'));

    scope.get('/scim/v2/Users', async (request, reply) => {
      const query = queryParameters(request);
      const fields = projection(request);
      const page = await listMembers(store, principalOf(request).organizationId, {
        filter: query('filter'),
        startIndex: query('startIndex'),
        count: query('count'),
        sortBy: query('sortBy'),
        sortOrder: query('sortOrder'),
      });
      return scimBody(reply, 200, {
        schemas: [LIST_RESPONSE_SCHEMA],
        totalResults: page.totalResults,
        itemsPerPage: page.rows.length,
        startIndex: page.startIndex,
        Resources: page.rows.map((row) => projectResource(toScimUser(row, scimBaseUrl), fields)),
      });
    });

    scope.post('/scim/v2/Users', async (request, reply) => {
      const input = toUserDocument(normalizeUserInput(request.body));
      const { row } = await createMember(store, provisioningContext(request, scimBaseUrl), input);
      const resource = toScimUser(row, scimBaseUrl);
      reply.header('location', resource.meta?.location).header('etag', etagOf(row.version));
      return scimBody(reply, 201, projectResource(resource, projection(request)));
    });

    scope.get('/scim/v2/Users/:id', async (request: IdRequest, reply) => {
      const row = await store.members.getById(principalOf(request).organizationId, request.params.id);
      if (!row) throw memberNotFound(request.params.id);
      const etag = etagOf(row.version);
      if (request.headers['if-none-match'] === etag) return reply.code(304).header('etag', etag).send();
      reply.header('etag', etag);
      return scimBody(reply, 200, projectResource(toScimUser(row, scimBaseUrl), projection(request)));
    });

    scope.put('/scim/v2/Users/:id', async (request: IdRequest, reply) => {
      const input = normalizeUserInput(request.body);
      const ctx = provisioningContext(request, scimBaseUrl);
      const { row, refused } = await replaceMember(store, ctx, request.params.id, input, ifMatch(request));
      request.scimNotice = refusedChangesNotice(refused);
      reply.header('etag', etagOf(row.version));
      return scimBody(reply, 200, projectResource(toScimUser(row, scimBaseUrl), projection(request)));
    });

    scope.patch('/scim/v2/Users/:id', async (request: IdRequest, reply) => {
      const ctx = provisioningContext(request, scimBaseUrl);
      const { row, refused } = await patchMember(
        store,
        ctx,
        request.params.id,
        request.body,
        ifMatch(request),
      );
      request.scimNotice = refusedChangesNotice(refused);
      reply.header('etag', etagOf(row.version));
      return scimBody(reply, 200, projectResource(toScimUser(row, scimBaseUrl), projection(request)));
    });

    // Roster never deletes people: with SSO, removing the person in the IdP already stops sign-in,
    // and deactivation (active: false) revokes their access while keeping their history.
    scope.delete('/scim/v2/Users/:id', async (request: IdRequest) => {
      const row = await store.members.getById(principalOf(request).organizationId, request.params.id);
      if (!row) throw memberNotFound(request.params.id);
      throw new RosterError(
        'method_not_allowed',
        'Roster does not delete users. Deactivate instead: PATCH {"op":"replace","path":"active","value":false}. In Entra ID, untick "Delete" under the target object actions.',
        { allow: ['GET', 'PUT', 'PATCH'] },
      );
    });
  });
}
