// `/api/v1/setup-links`: an organization's Admin makes, lists and revokes setup links for their
// identity provider's administrator (see accounts/setup-links.ts).
import type { FastifyInstance } from 'fastify';
import { createSetupLink, revokeSetupLink, setupLinkView } from '../../accounts/setup-links.ts';
import type { TokenAuthenticator } from '../../auth/authenticate-token.ts';
import type { Store } from '../../store/store.ts';
import { linkUrl } from '../../web/link-paths.ts';
import { apiRoute, idParams, ref } from '../api-schemas.ts';
import { principalOf, requireCaller } from '../authenticate.ts';

const CREATE = apiRoute({
  tags: ['setup-links'],
  summary:
    "Make a setup link for the identity provider's administrator (Admins): its url is in this response only",
  success: { 201: ref('SetupLink') },
});
const LIST = apiRoute({
  tags: ['setup-links'],
  summary: "The organization's setup links (Admins)",
  success: {
    200: {
      type: 'object',
      required: ['data'],
      properties: { data: { type: 'array', items: ref('SetupLink') } },
    },
  },
});
const REVOKE = apiRoute({
  tags: ['setup-links'],
  summary: 'Revoke a setup link, at once (Admins)',
  params: idParams,
  success: { 200: ref('SetupLink') },
});

export function apiSetupLinkRoutes(
  app: FastifyInstance,
  store: Store,
  authenticator: TokenAuthenticator,
  publicUrl: string,
): void {
  const admin = { onRequest: requireCaller(authenticator, store, 'admin') };

  app.post('/api/v1/setup-links', { ...admin, schema: CREATE }, async (request, reply) => {
    const principal = principalOf(request);
    const { link, secret } = await createSetupLink(store, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      requestId: request.id,
    });
    return reply.code(201).send({ ...link, url: linkUrl(publicUrl, 'setupLink', secret) });
  });

  app.get('/api/v1/setup-links', { ...admin, schema: LIST }, async (request) => ({
    data: (await store.setupLinks.list(principalOf(request).organizationId)).map(setupLinkView),
  }));

  app.delete<{ Params: { id: string } }>(
    '/api/v1/setup-links/:id',
    { ...admin, schema: REVOKE },
    async (request) => {
      const principal = principalOf(request);
      return revokeSetupLink(store, {
        organizationId: principal.organizationId,
        id: request.params.id,
        actor: principal.actor,
        requestId: request.id,
      });
    },
  );
}
