// `GET|POST /saml/{slug}/continue`: the second step of every SAML sign-in (see
// src/sign-in/held-sign-in.ts). The GET is where the ACS sends the browser: a top-level GET carries
// the SameSite=Lax cookies the ACS's cross-site POST could not, the session's and
// `roster_saml_login` (which browser started an SP-initiated sign-in). The POST answers
// "Continue as …?": same-origin only, with the current session's CSRF token.
import fastifyCookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import { field } from '../../dashboard/context.ts';
import { html } from '../../dashboard/html.ts';
import { homePath } from '../../dashboard/navigation.ts';
import { answerHeldSignIn, type PendingOutcome, resumeHeldSignIn } from '../../sign-in/held-sign-in.ts';
import { authenticateSession } from '../../sign-in/sessions.ts';
import type { Store } from '../../store/store.ts';
import { locationOf } from '../../web/location.ts';
import { CSRF_FIELD, sessionCookieOf, setSessionCookie, tokensMatch } from '../../web/session.ts';
import { samlLoginCookieOf } from '../saml-login-cookie.ts';
import { page, refusal } from './saml-routes.ts';

const CSP =
  "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

interface SlugParams {
  slug: string;
}

function confirmation(reply: FastifyReply, outcome: Extract<PendingOutcome, { kind: 'confirm' }>) {
  const { current, member, organization, token } = outcome;
  return page(
    reply,
    200,
    'Switch account?',
    html`<h1>You are signed in as ${current.email}</h1>
      <p>Your identity provider has just signed in <strong>${member.user_name}</strong> to ${organization.name}.
        Continue as ${member.user_name}? You are then signed out as ${current.email} (${current.organizationName}).</p>
      <p class="hint">If you did not just choose Roster in your identity provider, another site may have sent you here: stay signed in as ${current.email}.</p>
      <form method="post" action="/saml/${organization.slug}/continue" class="actions">
        <input type="hidden" name="${CSRF_FIELD}" value="${current.session.csrf_token}">
        <input type="hidden" name="p" value="${token}">
        <button type="submit" name="choice" value="keep">Stay signed in as ${current.email}</button>
        <button type="submit" name="choice" value="continue" class="button-secondary">Continue as ${member.user_name}</button>
      </form>`,
  );
}

/** Same origin as PUBLIC_URL by the browser's own word; no Origin header leaves it to the CSRF token. */
function fromRoster(request: FastifyRequest, publicUrl: string): boolean {
  const origin = request.headers.origin;
  return origin === undefined || origin === new URL(publicUrl).origin;
}

export function samlContinueRoutes(app: FastifyInstance, options: { store: Store; config: Config }): void {
  const { store, config } = options;
  const secure = config.publicUrl.startsWith('https:');

  app.register(async (scope) => {
    await scope.register(fastifyCookie);
    await scope.register(formbody, { bodyLimit: 8 * 1024 });
    scope.addHook('onSend', async (_request, reply) => {
      reply.header('content-security-policy', CSP);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'same-origin');
      reply.header('x-frame-options', 'DENY');
      reply.header('cache-control', 'no-store');
    });

    function settle(request: FastifyRequest, reply: FastifyReply, outcome: PendingOutcome) {
      switch (outcome.kind) {
        case 'refused':
          return refusal(reply, request, outcome.failure, outcome.organization?.name);
        case 'confirm':
          return confirmation(reply, outcome);
        case 'kept':
          return reply
            .code(303)
            .header('location', homePath({ isAdmin: outcome.current.role === 'admin' }))
            .send();
        case 'signed_in': {
          setSessionCookie(reply, outcome.session.cookie, secure);
          const home = homePath({ isAdmin: outcome.member.role === 'admin' });
          return reply
            .code(303)
            .header('location', locationOf(outcome.returnPath || home))
            .send();
        }
      }
    }

    scope.get<{ Params: SlugParams; Querystring: { p?: unknown } }>(
      '/saml/:slug/continue',
      async (request, reply) => {
        const current = await authenticateSession(store, sessionCookieOf(request));
        const token = typeof request.query.p === 'string' ? request.query.p : '';
        const { slug } = request.params;
        return settle(
          request,
          reply,
          await resumeHeldSignIn(
            store,
            slug,
            token,
            { current, loginCookie: samlLoginCookieOf(request) },
            request.id,
          ),
        );
      },
    );

    scope.post<{ Params: SlugParams }>('/saml/:slug/continue', async (request, reply) => {
      const current = await authenticateSession(store, sessionCookieOf(request));
      if (
        !fromRoster(request, config.publicUrl) ||
        !current ||
        !tokensMatch(current.session.csrf_token, field(request.body, CSRF_FIELD))
      ) {
        return page(
          reply,
          403,
          'Not allowed',
          html`<h1>This request was refused</h1>
            <p>It did not come from Roster's own page. Nothing was changed.</p>
            <p><a href="/">Back to Roster</a></p>`,
        );
      }
      const choice = field(request.body, 'choice') === 'continue' ? 'continue' : 'keep';
      const { slug } = request.params;
      return settle(
        request,
        reply,
        await answerHeldSignIn(store, slug, field(request.body, 'p'), current, choice, request.id),
      );
    });
  });
}
