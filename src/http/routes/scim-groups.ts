// /scim/v2/Groups — parse → use case → project → respond. A group's members are read only when the
// response shows them, and PATCH answers 204 unless the client asks for the resource with
// `attributes` or `excludedAttributes`: membership changes then cost the same in a group of any size.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TokenAuthenticator } from '../../auth/authenticate-token.ts';
import { createGroup } from '../../provisioning/create-group.ts';
import { deleteGroup } from '../../provisioning/delete-group.ts';
import { getGroup, listGroups } from '../../provisioning/get-group.ts';
import { toScimGroup, wantsMembers } from '../../provisioning/group-resource.ts';
import { etagOf } from '../../provisioning/member-resource.ts';
import { patchGroup, replaceGroup } from '../../provisioning/patch-group.ts';
import { normalizeGroupInput } from '../../scim/group/normalize-group.ts';
import { type ProjectionOptions, projectResource } from '../../scim/resource/project-resource.ts';
import type { ScimComplex } from '../../scim/resource/scim-user.ts';
import { GROUP_RESOURCE_ATTRIBUTES } from '../../scim/schemas/group-attributes.ts';
import { LIST_RESPONSE_SCHEMA } from '../../scim/schemas/urns.ts';
import type { Store } from '../../store/store.ts';
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

function project(resource: object, fields: ProjectionOptions): ScimComplex {
  return projectResource(resource as unknown as ScimComplex, fields, GROUP_RESOURCE_ATTRIBUTES);
}

export function scimGroupRoutes(
  app: FastifyInstance,
  store: Store,
  authenticator: TokenAuthenticator,
  scimBaseUrl: string,
) {
  app.register(async (scope) => {
    scope.addHook('onRequest', requireToken(authenticator, 'admin'));

    scope.get('/scim/v2/Groups', async (request, reply) => {
      const query = queryParameters(request);
      const fields = projection(request);
      const page = await listGroups(
        store,
        principalOf(request).organizationId,
        { filter: query('filter'), startIndex: query('startIndex'), count: query('count') },
        wantsMembers(fields),
      );
      return scimBody(reply, 200, {
        schemas: [LIST_RESPONSE_SCHEMA],
        totalResults: page.totalResults,
        itemsPerPage: page.groups.length,
        startIndex: page.startIndex,
        Resources: page.groups.map((group) =>
          project(toScimGroup(group.row, group.members, scimBaseUrl), fields),
        ),
      });
    });

    scope.post('/scim/v2/Groups', async (request, reply) => {
      const input = normalizeGroupInput(request.body);
      const { row } = await createGroup(store, provisioningContext(request, scimBaseUrl), input);
      const fields = projection(request);
      const { members } = await getGroup(store, row.organization_id, row.id, wantsMembers(fields));
      const resource = toScimGroup(row, members, scimBaseUrl);
      reply.header('location', resource.meta.location).header('etag', etagOf(row.version));
      return scimBody(reply, 201, project(resource, fields));
    });

    scope.get('/scim/v2/Groups/:id', async (request: IdRequest, reply) => {
      const fields = projection(request);
      const group = await getGroup(
        store,
        principalOf(request).organizationId,
        request.params.id,
        wantsMembers(fields),
      );
      const etag = etagOf(group.row.version);
      if (request.headers['if-none-match'] === etag) return reply.code(304).header('etag', etag).send();
      reply.header('etag', etag);
      return scimBody(reply, 200, project(toScimGroup(group.row, group.members, scimBaseUrl), fields));
    });

    scope.put('/scim/v2/Groups/:id', async (request: IdRequest, reply) => {
      const input = normalizeGroupInput(request.body);
      const ctx = provisioningContext(request, scimBaseUrl);
      const { row } = await replaceGroup(store, ctx, request.params.id, input, ifMatch(request));
      const fields = projection(request);
      const { members } = await getGroup(store, ctx.organizationId, row.id, wantsMembers(fields));
      reply.header('etag', etagOf(row.version));
      return scimBody(reply, 200, project(toScimGroup(row, members, scimBaseUrl), fields));
    });

    scope.patch('/scim/v2/Groups/:id', async (request: IdRequest, reply) => {
      const ctx = provisioningContext(request, scimBaseUrl);
      const { row } = await patchGroup(store, ctx, request.params.id, request.body, ifMatch(request));
      reply.header('etag', etagOf(row.version));
      const fields = projection(request);
      // RFC 7644 §3.5.2: 200 with the resource, or 204. Entra expects 204; Okta takes either.
      if (fields.attributes === undefined && fields.excludedAttributes === undefined) {
        return reply.code(204).send();
      }
      const { members } = await getGroup(store, ctx.organizationId, row.id, wantsMembers(fields));
      return scimBody(reply, 200, project(toScimGroup(row, members, scimBaseUrl), fields));
    });

    scope.delete('/scim/v2/Groups/:id', async (request: IdRequest, reply) => {
      await deleteGroup(
        store,
        provisioningContext(request, scimBaseUrl),
        request.params.id,
        ifMatch(request),
      );
      return reply.code(204).send();
    });
  });
}
