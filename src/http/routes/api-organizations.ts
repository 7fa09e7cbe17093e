// `/api/v1/organizations`: the product's side (an installation token). Create an organization
// (with an invitation for its first Admin), list, read, rename, disable and enable, and invite
// further people. Invitation links are returned once, and mailed when SMTP_URL is set.
import type { FastifyInstance } from 'fastify';
import { type CreatedInvitation, createInvitation } from '../../accounts/invitations.ts';
import {
  createOrganization,
  organizationView,
  updateOrganization,
} from '../../accounts/manage-organizations.ts';
import { createSetupLink, revokeSetupLink, setupLinkView } from '../../accounts/setup-links.ts';
import type { InstallationAuthenticator } from '../../auth/authenticate-installation.ts';
import { RosterError } from '../../errors.ts';
import type { Mailer } from '../../mail/mailer.ts';
import type { Store } from '../../store/store.ts';
import { linkUrl } from '../../web/link-paths.ts';
import { sendInvitation } from '../../web/send-invitation.ts';
import { apiRoute, idParams, ref } from '../api-schemas.ts';
import { objectBody } from '../api-views.ts';
import { installationOf, requireInstallation } from '../authenticate.ts';

export interface OrganizationRoutesOptions {
  store: Store;
  authenticate: InstallationAuthenticator;
  mailer: Mailer;
  publicUrl: string;
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new RosterError('invalid_value', `"${name}" must be a string`);
  return value;
}

const route = (schema: Omit<Parameters<typeof apiRoute>[0], 'tags' | 'installation'>) =>
  apiRoute({ tags: ['organizations'], installation: true, ...schema });
const organization = ref('Organization');
const setupLinks = { type: 'array', items: ref('SetupLink') } as const;

const CREATE = route({
  summary:
    'Create an organization, with an invitation for its first Admin (the link is in this response only)',
  body: {
    type: 'object',
    required: ['name'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', description: '1–200 characters' },
      slug: { type: ['string', 'null'], description: 'made from the name when absent' },
      adminEmail: { type: ['string', 'null'], description: 'the first Admin, invited by email' },
    },
  },
  success: {
    201: {
      allOf: [
        organization,
        { type: 'object', properties: { invitation: { anyOf: [ref('Invitation'), { type: 'null' }] } } },
      ],
    },
  },
});
const LIST = route({
  summary: "The installation's organizations",
  success: {
    200: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: organization } } },
  },
});
const GET = route({ summary: 'An organization', params: idParams, success: { 200: organization } });
const UPDATE = route({
  summary: 'Rename, disable or enable an organization',
  params: idParams,
  body: {
    type: 'object',
    additionalProperties: false,
    properties: {
      name: { type: 'string', description: '1–200 characters' },
      disabled: {
        type: 'boolean',
        description: 'true stops every sign-in, token and SCIM request of its members',
      },
    },
  },
  success: { 200: organization },
});
const INVITE = route({
  summary:
    'Invite someone to an organization (the link is in this response only, and mailed when SMTP_URL is set)',
  params: idParams,
  body: {
    type: 'object',
    required: ['email'],
    additionalProperties: false,
    properties: {
      email: { type: 'string' },
      role: { type: 'string', enum: ['admin', 'member'], description: 'member by default' },
      workspaceIds: { type: 'array', items: { type: 'string' } },
    },
  },
  success: { 201: ref('Invitation') },
});
const CREATE_LINK = route({
  summary:
    "Make a setup link for the organization's identity provider administrator (its url is in this response only)",
  params: idParams,
  success: { 201: ref('SetupLink') },
});
const LIST_LINKS = route({
  summary: "An organization's setup links",
  params: idParams,
  success: { 200: { type: 'object', required: ['data'], properties: { data: setupLinks } } },
});
const REVOKE_LINK = route({
  summary: 'Revoke a setup link, at once',
  params: {
    type: 'object',
    required: ['id', 'linkId'],
    properties: { id: idParams.properties.id, linkId: { type: 'string', maxLength: 100 } },
  },
  success: { 200: ref('SetupLink') },
});

export function apiOrganizationRoutes(app: FastifyInstance, options: OrganizationRoutesOptions): void {
  // In a plugin, so that the routes are added once @fastify/swagger listens (openapi.ts).
  app.register(async (scope) => organizationRoutes(scope, options));
}

function organizationRoutes(app: FastifyInstance, options: OrganizationRoutesOptions): void {
  const { store, mailer, publicUrl } = options;
  const installation = { onRequest: requireInstallation(options.authenticate) };

  async function organizationOr404(id: string) {
    const organization = await store.organizations.getById(id);
    if (!organization) throw new RosterError('not_found', `no organization with id ${id}`);
    return organization;
  }

  const invitationReply = async (created: CreatedInvitation, organizationName: string) =>
    sendInvitation(mailer, publicUrl, created, organizationName);

  app.post('/api/v1/organizations', { ...installation, schema: CREATE }, async (request, reply) => {
    const body = objectBody(request.body);
    const name = optionalString(body, 'name');
    if (name === undefined) throw new RosterError('invalid_value', 'send {"name": "…"}');
    const slug = optionalString(body, 'slug');
    const adminEmail = optionalString(body, 'adminEmail');
    const { organization, invitation } = await createOrganization(store, {
      name,
      ...(slug ? { slug } : {}),
      ...(adminEmail !== undefined ? { adminEmail } : {}),
      actor: installationOf(request).actor,
      requestId: request.id,
    });
    return reply.code(201).send({
      ...organizationView(organization),
      invitation: invitation ? await invitationReply(invitation, organization.name) : null,
    });
  });

  app.get('/api/v1/organizations', { ...installation, schema: LIST }, async () => ({
    data: (await store.organizations.list()).map(organizationView),
  }));

  app.get<{ Params: { id: string } }>(
    '/api/v1/organizations/:id',
    { ...installation, schema: GET },
    async (request) => organizationView(await organizationOr404(request.params.id)),
  );

  app.patch<{ Params: { id: string } }>(
    '/api/v1/organizations/:id',
    { ...installation, schema: UPDATE },
    async (request) => {
      // The schema refuses any other field, the slug among them.
      const body = objectBody(request.body);
      const updated = await updateOrganization(store, {
        id: request.params.id,
        name: body.name,
        disabled: body.disabled,
        actor: installationOf(request).actor,
        requestId: request.id,
      });
      return organizationView(updated);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/organizations/:id/invitations',
    { ...installation, schema: INVITE },
    async (request, reply) => {
      const organization = await organizationOr404(request.params.id);
      const body = objectBody(request.body);
      const email = optionalString(body, 'email');
      if (email === undefined) throw new RosterError('invalid_value', 'send {"email": "…", "role": "admin"}');
      const workspaceIds = body.workspaceIds ?? [];
      if (!Array.isArray(workspaceIds))
        throw new RosterError('invalid_value', '"workspaceIds" must be an array');
      const created = await createInvitation(store, {
        organizationId: organization.id,
        email,
        role: (optionalString(body, 'role') ?? 'member') as 'admin',
        workspaceIds: workspaceIds as string[],
        actor: installationOf(request).actor,
        requestId: request.id,
      });
      return reply.code(201).send(await invitationReply(created, organization.name));
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/organizations/:id/setup-links',
    { ...installation, schema: CREATE_LINK },
    async (request, reply) => {
      const { link, secret } = await createSetupLink(store, {
        organizationId: request.params.id,
        actor: installationOf(request).actor,
        requestId: request.id,
      });
      return reply.code(201).send({ ...link, url: linkUrl(publicUrl, 'setupLink', secret) });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/organizations/:id/setup-links',
    { ...installation, schema: LIST_LINKS },
    async (request) => {
      const organization = await organizationOr404(request.params.id);
      return { data: (await store.setupLinks.list(organization.id)).map(setupLinkView) };
    },
  );

  app.delete<{ Params: { id: string; linkId: string } }>(
    '/api/v1/organizations/:id/setup-links/:linkId',
    { ...installation, schema: REVOKE_LINK },
    async (request) =>
      revokeSetupLink(store, {
        organizationId: request.params.id,
        id: request.params.linkId,
        actor: installationOf(request).actor,
        requestId: request.id,
      }),
  );
}
