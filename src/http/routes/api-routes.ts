// The REST API `/api/v1`, authenticated by an access token or the dashboard's session cookie (with
// `X-CSRF-Token` on writes); the events and webhooks APIs also by an installation token. Errors go through the
// one mapping (surface `api`).
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import type { InstallationAuthenticator } from '../../auth/authenticate-installation.ts';
import type { TokenAuthenticator } from '../../auth/authenticate-token.ts';
import type { WebhookSettings } from '../../config.ts';
import type { Store } from '../../store/store.ts';
import { apiAppRoutes } from './api-apps.ts';
import { apiAuditRoutes } from './api-audit.ts';
import { apiEventRoutes } from './api-events.ts';
import { apiGroupRoutes } from './api-groups.ts';
import { meRoutes } from './api-me.ts';
import { apiMemberRoutes } from './api-members.ts';
import { apiSetupLinkRoutes } from './api-setup-links.ts';
import { apiTokenRoutes } from './api-tokens.ts';
import { apiWebhookRoutes } from './api-webhooks.ts';
import { apiWorkspaceRoutes } from './api-workspaces.ts';

export function apiRoutes(
  app: FastifyInstance,
  store: Store,
  authenticators: { tokens: TokenAuthenticator; installation: InstallationAuthenticator },
  publicUrl: string,
  webhooks: WebhookSettings,
): void {
  const authenticator = authenticators.tokens;
  app.register(async (scope) => {
    await scope.register(fastifyCookie);
    meRoutes(scope, store, authenticator);
    apiMemberRoutes(scope, store, authenticator);
    apiWorkspaceRoutes(scope, store, authenticator);
    apiGroupRoutes(scope, store, authenticator);
    apiTokenRoutes(scope, store, authenticator);
    apiAuditRoutes(scope, store, authenticator);
    apiSetupLinkRoutes(scope, store, authenticator, publicUrl);
    apiEventRoutes(scope, store, authenticator, authenticators.installation);
    apiWebhookRoutes(scope, store, authenticator, authenticators.installation, webhooks);
    apiAppRoutes(scope, store, authenticator);
  });
}
