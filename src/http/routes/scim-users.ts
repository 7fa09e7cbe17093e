// /scim/v2/Users — parse → use case → project → respond.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TokenAuthenticator } from '../../auth/authenticate-token.ts';
import { type LoadedMember, loadMember } from '../../membership/loaded-member.ts';
import { createMember } from '../../provisioning/create-member.ts';
import { deleteMember } from '../../provisioning/delete-member.ts';
import { getMember } from '../../provisioning/get-member.ts';
import { projectionShows } from '../../provisioning/group-resource.ts';
import { listMembers } from '../../provisioning/list-members.ts';
import { referencesOfMembers } from '../../provisioning/member-references.ts';
import { etagOf, toScimUser } from '../../provisioning/member-resource.ts';
import { patchMember } from '../../provisioning/patch-member.ts';
import { replaceMember } from '../../provisioning/replace-member.ts';
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
  /** The `groups` and the IdP's assignments of each member, read only when the response shows them. */
  const referencesFor = (ids: readonly string[], fields: ProjectionOptions) =>
    referencesOfMembers(store, ids, scimBaseUrl, {
      groups: projectionShows(fields, 'groups'),
      assignments: projectionShows(fields, 'roles') || projectionShows(fields, 'entitlements'),
    });

  /** One member as the response shows it, with its groups and assignments. */
  const resourceOf = async (member: LoadedMember, fields: ProjectionOptions) => {
    const { groups, assigned } = await referencesFor([member.row.id], fields);
    return projectResource(
      toScimUser(member, scimBaseUrl, groups.get(member.row.id), assigned.get(member.row.id)),
      fields,
    );
  };

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
        Resources: await referencesFor(
          page.rows.map((row) => row.id),
          fields,
        ).then(({ groups, assigned }) =>
          page.rows.map((row) =>
            projectResource(
              toScimUser(loadMember(row), scimBaseUrl, groups.get(row.id), assigned.get(row.id)),
              fields,
            ),
          ),
        ),
      });
    });

    scope.post('/scim/v2/Users', async (request, reply) => {
      const input = toUserDocument(normalizeUserInput(request.body));
      const { member, assigned: assignedAny } = await createMember(
        store,
        provisioningContext(request, scimBaseUrl),
        input,
      );
      request.scimUserName = member.row.user_name;
      reply
        .header('location', `${scimBaseUrl}/Users/${member.row.id}`)
        .header('etag', etagOf(member.row.version));
      // A new member is in no group yet, and holds assignments only if the create gave some.
      const fields = projection(request);
      const { assigned } = await referencesOfMembers(store, [member.row.id], scimBaseUrl, {
        groups: false,
        assignments:
          assignedAny && (projectionShows(fields, 'roles') || projectionShows(fields, 'entitlements')),
      });
      return scimBody(
        reply,
        201,
        projectResource(toScimUser(member, scimBaseUrl, [], assigned.get(member.row.id)), fields),
      );
    });

    scope.get('/scim/v2/Users/:id', async (request: IdRequest, reply) => {
      const member = await getMember(store, principalOf(request).organizationId, request.params.id);
      request.scimUserName = member.row.user_name;
      const etag = etagOf(member.row.version);
      if (request.headers['if-none-match'] === etag) return reply.code(304).header('etag', etag).send();
      reply.header('etag', etag);
      return scimBody(reply, 200, await resourceOf(member, projection(request)));
    });

    scope.put('/scim/v2/Users/:id', async (request: IdRequest, reply) => {
      const input = normalizeUserInput(request.body);
      const ctx = provisioningContext(request, scimBaseUrl);
      const { member, refused } = await replaceMember(store, ctx, request.params.id, input, ifMatch(request));
      request.scimUserName = member.row.user_name;
      request.scimNotice = refusedChangesNotice(refused);
      reply.header('etag', etagOf(member.row.version));
      return scimBody(reply, 200, await resourceOf(member, projection(request)));
    });

    scope.patch('/scim/v2/Users/:id', async (request: IdRequest, reply) => {
      const ctx = provisioningContext(request, scimBaseUrl);
      const { member, refused } = await patchMember(
        store,
        ctx,
        request.params.id,
        request.body,
        ifMatch(request),
      );
      request.scimUserName = member.row.user_name;
      request.scimNotice = refusedChangesNotice(refused);
      reply.header('etag', etagOf(member.row.version));
      return scimBody(reply, 200, await resourceOf(member, projection(request)));
    });

    // Refused (405) for an existing member: Roster never deletes people (provisioning/delete-member.ts).
    scope.delete('/scim/v2/Users/:id', (request: IdRequest) =>
      deleteMember(store, principalOf(request).organizationId, request.params.id),
    );
  });
}
