// Sends a dashboard page: the layout around a body, as text/html, with the viewer's navigation.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CSRF_FIELD } from '../web/session.ts';
import type { DashboardContext, Viewer } from './context.ts';
import { html, type SafeHtml } from './html.ts';
import { layout } from './layout.ts';
import { navigationFor } from './navigation.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person has an active membership in another organization too. */
    hasOtherOrganizations: boolean;
    /** Webhook endpoints of the viewer's organization that Roster turned off (Admins only). */
    disabledWebhooks: number;
  }
}

export interface PageInput {
  title: string;
  body: SafeHtml;
  /** The navigation entry to mark as current. */
  currentPath?: string;
  status?: number;
  /** Render without the signed-in shell (sign-in, setup). */
  plain?: boolean;
}

export function sendPage(
  ctx: DashboardContext,
  request: FastifyRequest,
  reply: FastifyReply,
  input: PageInput,
) {
  const principal = request.sessionPrincipal;
  const viewer: Viewer | undefined =
    principal && !input.plain
      ? { ...principal, isAdmin: principal.role === 'admin', csrfToken: principal.session.csrf_token }
      : undefined;
  const disabled = viewer?.isAdmin ? request.disabledWebhooks : 0;
  const page = layout({
    title: input.title,
    body: disabled
      ? html`<div class="warning" role="alert" id="webhooks-disabled"><strong>${disabled === 1 ? 'A webhook endpoint was' : `${disabled} webhook endpoints were`} turned off</strong>
          after every attempt of a delivery failed. <a href="/settings/organization/webhooks">Review webhooks</a></div>${input.body}`
      : input.body,
    ...(viewer
      ? {
          viewer,
          navigation: navigationFor(viewer, ctx.routeExists),
          canSwitchOrganization: request.hasOtherOrganizations,
        }
      : {}),
    ...(input.currentPath ? { currentPath: input.currentPath } : {}),
  });
  return reply
    .code(input.status ?? 200)
    .type('text/html; charset=utf-8')
    .send(page);
}

// The pages' redirect after every successful POST (post/redirect/get) is the one of web/.
export { redirect } from '../web/location.ts';

export function csrfInput(viewer: Pick<Viewer, 'csrfToken'>): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${viewer.csrfToken}">`;
}

/**
 * A `next` parameter that stays on this site: a path starting with one slash, no scheme, no
 * protocol-relative `//host` and no backslash tricks; anything else is dropped.
 */
export function safeNext(value: string): string {
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\') || value.length > 500)
    return '';
  if ([...value].some((char) => char.charCodeAt(0) < 0x20)) return '';
  return value;
}
