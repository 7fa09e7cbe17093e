import type { FastifyInstance } from 'fastify';
import { reachableWorkspaces } from '../../accounts/workspaces.ts';
import type { TokenAuthenticator } from '../../auth/authenticate-token.ts';
import type { Store } from '../../store/store.ts';
import { apiRoute } from '../api-schemas.ts';
import { principalOf, requireCaller } from '../authenticate.ts';

const ME = apiRoute({
  tags: ['me'],
  summary: 'Who the token or session speaks for',
  description: 'The membership, organization, effective role, token and reachable workspaces.',
  success: {
    200: {
      type: 'object',
      required: ['organization', 'role', 'token', 'workspaces'],
      properties: {
        user: { type: ['object', 'null'], properties: { email: { type: 'string' } } },
        membership: {
          type: ['object', 'null'],
          properties: {
            id: { type: 'string' },
            userName: { type: 'string' },
            role: { type: 'string' },
            status: { type: 'string' },
            source: { type: 'string' },
          },
        },
        organization: {
          type: ['object', 'null'],
          properties: { id: { type: 'string' }, slug: { type: 'string' }, name: { type: 'string' } },
        },
        role: { type: 'string', enum: ['admin', 'member'] },
        token: {
          type: 'object',
          properties: {
            id: { type: ['string', 'null'] },
            name: { type: ['string', 'null'] },
            role: { type: ['string', 'null'] },
            kind: { type: 'string', enum: ['personal', 'service', 'session'] },
          },
        },
        workspaces: {
          type: 'array',
          items: {
            type: 'object',
            properties: { id: { type: 'string' }, name: { type: 'string' }, isDefault: { type: 'boolean' } },
          },
        },
      },
    },
  },
});

/**
 * `GET /api/v1/me`: who the token (or session) speaks for, where, with which role, reaching which
 * workspaces: the membership, never the person's other organizations.
 */
export function meRoutes(app: FastifyInstance, store: Store, authenticator: TokenAuthenticator): void {
  app.get(
    '/api/v1/me',
    { schema: ME, onRequest: requireCaller(authenticator, store, 'member') },
    async (request) => {
      const principal = principalOf(request);
      const organization = await store.organizations.getById(principal.organizationId);
      const member = principal.membershipId
        ? await store.members.getById(principal.organizationId, principal.membershipId)
        : undefined;
      const user = member ? await store.users.getById(member.user_id) : undefined;
      const workspaces = await reachableWorkspaces(
        store,
        principal.organizationId,
        principal.membershipId,
        principal.role,
      );
      return {
        // Not the account's id: accounts are shared by every organization of the person, and a
        // time-ordered id would tell an organization how old the account it linked to is (whether
        // the person already had one). An organization's SSO can open a session as its member.
        user: user ? { email: user.email } : null,
        membership: member
          ? {
              id: member.id,
              userName: member.user_name,
              role: member.role,
              status: member.status,
              source: member.source,
            }
          : null,
        organization: organization
          ? { id: organization.id, slug: organization.slug, name: organization.name }
          : null,
        role: principal.role,
        token: {
          id: principal.tokenId,
          name: principal.tokenName,
          role: principal.tokenRole,
          kind: principal.kind,
        },
        workspaces: workspaces.map((w) => ({ id: w.id, name: w.name, isDefault: w.is_default === 1 })),
      };
    },
  );
}
