// The dashboard as one encapsulated Fastify plugin: form bodies, the session of every request,
// security headers on every response, the CSRF check on every state-changing request, and errors
// rendered as pages (statuses from the one mapping in web/error-response.ts).
import fastifyCookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { RosterError } from '../errors.ts';
import type { Mailer } from '../mail/mailer.ts';
import { switchableMemberships } from '../sign-in/sign-in-policy.ts';
import { SignInThrottle } from '../sign-in/sign-in-throttle.ts';
import type { Store } from '../store/store.ts';
import { toHttpError } from '../web/error-response.ts';
import { field } from '../web/form-field.ts';
import { pageHeaders } from '../web/page-headers.ts';
import { noteRefusal } from '../web/request-refusal.ts';
import type { ScimRequestLog } from '../web/scim-request-log.ts';
import {
  CSRF_FIELD,
  formTokenMatches,
  isStateChanging,
  loadSession,
  sameOrigin,
  tokensMatch,
} from '../web/session.ts';
import { assetRoutes } from './assets.ts';
import { type DashboardContext, SignInRequired, viewerOf } from './context.ts';
import { sentence } from './format.ts';
import { html } from './html.ts';
import { homePath } from './navigation.ts';
import { appPages } from './pages/apps.ts';
import { auditPages } from './pages/audit.ts';
import { groupPages } from './pages/groups.ts';
import { invitationPages } from './pages/invitations.ts';
import { memberDetailPages } from './pages/member-detail.ts';
import { memberPages } from './pages/members.ts';
import { passwordPages } from './pages/passwords.ts';
import { scimSetupPages } from './pages/scim-setup.ts';
import { setupPages } from './pages/setup.ts';
import { setupLinkPages } from './pages/setup-link.ts';
import { signInPages } from './pages/sign-in.ts';
import { ssoSettingsPages } from './pages/sso-settings.ts';
import { tokenPages } from './pages/tokens.ts';
import { webhookPages } from './pages/webhooks.ts';
import { workspacePages } from './pages/workspaces.ts';
import { redirect, sendPage } from './render.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A form shown before sign-in (sign-in, setup): CSRF by double-submit cookie, not by session. */
    preSession?: boolean;
  }
}

export interface DashboardOptions {
  store: Store;
  config: Config;
  scimRequestLog: ScimRequestLog;
  mailer: Mailer;
  throttle?: SignInThrottle;
  /**
   * Pages of modules above the dashboard (the OpenID Connect sign-in, src/oidc/), registered in its
   * scope: they get its sessions, CSRF check, security headers and error pages.
   */
  pages?: readonly DashboardPages[];
}

export type DashboardPages = (scope: FastifyInstance, ctx: DashboardContext) => void;

export function dashboardRoutes(app: FastifyInstance, options: DashboardOptions): void {
  assetRoutes(app);
  app.register(async (scope) => {
    const ctx: DashboardContext = {
      store: options.store,
      config: options.config,
      secure: options.config.publicUrl.startsWith('https:'),
      scimRequestLog: options.scimRequestLog,
      throttle: options.throttle ?? new SignInThrottle(),
      mailer: options.mailer,
      routeExists: (url) => app.hasRoute({ method: 'GET', url }),
    };

    await scope.register(fastifyCookie);
    await scope.register(formbody, { bodyLimit: 64 * 1024 });
    scope.decorateRequest('hasOtherOrganizations', false);
    scope.decorateRequest('disabledWebhooks', 0);

    const readSession = loadSession(ctx.store);
    scope.addHook('onRequest', async (request) => {
      await readSession(request);
      const principal = request.sessionPrincipal;
      if (principal?.userId) {
        const memberships = await switchableMemberships(ctx.store, principal.session);
        request.hasOtherOrganizations = memberships.some((m) => m.id !== principal.membershipId);
      }
      // Admins are told on every page when Roster turned a webhook endpoint off.
      if (principal?.role === 'admin') {
        request.disabledWebhooks = await ctx.store.webhooks.autoDisabledCount(principal.organizationId);
      }
    });
    scope.addHook('onSend', pageHeaders);

    scope.addHook('preHandler', async (request) => {
      if (!isStateChanging(request.method)) return;
      if (!sameOrigin(request, ctx.config.publicUrl)) {
        throw new RosterError('forbidden', 'This request came from another site and was refused.');
      }
      const supplied = field(request.body, CSRF_FIELD);
      if (request.routeOptions.config.preSession) {
        if (!formTokenMatches(request, supplied)) {
          throw new RosterError('forbidden', 'This form has expired. Reload the page and try again.');
        }
        return;
      }
      const viewer = viewerOf(request);
      if (!tokensMatch(viewer.csrfToken, supplied)) {
        throw new RosterError(
          'forbidden',
          'This form has expired or did not come from Roster. Reload the page and try again.',
        );
      }
    });

    scope.setErrorHandler((error, request, reply) => {
      if (error instanceof SignInRequired) {
        const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
        return redirect(reply, `/signin${next}`);
      }
      const refusal = toHttpError(error);
      noteRefusal(request, refusal, error);
      reply.headers(refusal.headers);
      const title = TITLES[refusal.status] ?? 'Something went wrong';
      const message = refusal.unexpected
        ? 'Roster could not complete this request. Try again in a moment.'
        : sentence(refusal.message);
      return sendPage(ctx, request, reply, {
        title,
        status: refusal.status,
        body: html`<h1>${title}</h1>
          <p>${message}</p>
          <p><a href="/">Back to Roster</a></p>`,
      });
    });

    scope.get('/', async (request, reply) => {
      if (request.sessionPrincipal) {
        return redirect(reply, homePath({ isAdmin: request.sessionPrincipal.role === 'admin' }));
      }
      return redirect(reply, (await ctx.store.organizations.count()) === 0 ? '/setup' : '/signin');
    });

    setupPages(scope, ctx);
    signInPages(scope, ctx);
    tokenPages(scope, ctx);
    memberPages(scope, ctx);
    memberDetailPages(scope, ctx);
    workspacePages(scope, ctx);
    groupPages(scope, ctx);
    scimSetupPages(scope, ctx);
    auditPages(scope, ctx);
    ssoSettingsPages(scope, ctx);
    invitationPages(scope, ctx);
    passwordPages(scope, ctx);
    setupLinkPages(scope, ctx);
    webhookPages(scope, ctx);
    appPages(scope, ctx);
    for (const pages of options.pages ?? []) pages(scope, ctx);
  });
}

const TITLES: Record<number, string> = {
  400: 'That did not work',
  403: 'Not allowed',
  404: 'Page not found',
  409: 'That did not work',
  413: 'Too large',
  429: 'Too many attempts',
  503: 'Roster is unavailable',
};
