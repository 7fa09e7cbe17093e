// Discovery (RFC 7644 §4): public documents, no tenant data, so no token is needed to read them.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RosterError } from '../../errors.ts';
import { resourceTypeById, resourceTypes } from '../../scim/schemas/resource-types.ts';
import { schemaById, schemas } from '../../scim/schemas/schema-documents.ts';
import { serviceProviderConfig } from '../../scim/schemas/service-provider-config.ts';
import { LIST_RESPONSE_SCHEMA } from '../../scim/schemas/urns.ts';
import { scimBody } from '../scim-reply.ts';

function listResponse(resources: unknown[]) {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: resources.length,
    itemsPerPage: resources.length,
    startIndex: 1,
    Resources: resources,
  };
}

export function scimDiscoveryRoutes(app: FastifyInstance, scimBaseUrl: string, maxResults: number): void {
  app.get('/scim/v2/ServiceProviderConfig', async (_request, reply) =>
    scimBody(reply, 200, serviceProviderConfig(scimBaseUrl, { maxResults })),
  );
  app.get('/scim/v2/ResourceTypes', async (_request, reply) =>
    scimBody(reply, 200, listResponse(resourceTypes(scimBaseUrl))),
  );
  app.get(
    '/scim/v2/ResourceTypes/:id',
    async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
      const document = resourceTypeById(scimBaseUrl, request.params.id);
      if (!document) throw new RosterError('not_found', `no resource type "${request.params.id}"`);
      return scimBody(reply, 200, document);
    },
  );
  app.get('/scim/v2/Schemas', async (_request, reply) =>
    scimBody(reply, 200, listResponse(schemas(scimBaseUrl))),
  );
  app.get('/scim/v2/Schemas/:id', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const document = schemaById(scimBaseUrl, request.params.id);
    if (!document) throw new RosterError('not_found', `no schema "${request.params.id}"`);
    return scimBody(reply, 200, document);
  });
}
