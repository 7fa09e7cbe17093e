// `GET|POST /saml/{slug}/continue`: the second step of every SAML sign-in (see
// src/sign-in/held-sign-in.ts). The GET is where the ACS sends the browser: a top-level GET carries
// the SameSite=Lax cookies the ACS's cross-site POST could not, the session's and
// `roster_saml_login` (which browser started an SP-initiated sign-in). The POST answers
// "Continue as …?": same-origin only, with the current session's CSRF token.
import fastifyCookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import { homePath } from '../../dashboard/navigation.ts';
import { foreignAnswerPage, ssoRefusalPage, switchAccountPage } from '../../dashboard/pages/saml-result.ts';
import { answerHeldSignIn, type PendingOutcome, resumeHeldSignIn } from '../../sign-in/held-sign-in.ts';
import { authenticateSession } from '../../sign-in/sessions.ts';
import type { Store } from '../../store/store.ts';
import { field } from '../../web/form-field.ts';
import { redirect } from '../../web/location.ts';
import { pageHeaders } from '../../web/page-headers.ts';
import { CSRF_FIELD, sameOrigin, sessionCookieOf, setSessionCookie, tokensMatch } from '../../web/session.ts';
import { samlLoginCookieOf } from '../saml-login-cookie.ts';

interface SlugParams {
  slug: string;
}

export function samlContinueRoutes(app: FastifyInstance, options: { store: Store; config: Config }): void {
  const { store, config } = options;
  const secure = config.publicUrl.startsWith('https:');

  app.register(async (scope) => {
    await scope.register(fastifyCookie);
    await scope.register(formbody, { bodyLimit: 8 * 1024 });
    scope.addHook('onSend', pageHeaders);

    function settle(request: FastifyRequest, reply: FastifyReply, outcome: PendingOutcome) {
      switch (outcome.kind) {
        case 'refused':
          return ssoRefusalPage(reply, request.id, outcome.failure, outcome.organization?.name);
        case 'confirm':
          return switchAccountPage(reply, outcome);
        case 'kept':
          return redirect(reply, homePath({ isAdmin: outcome.current.role === 'admin' }));
        case 'signed_in': {
          setSessionCookie(reply, outcome.session.cookie, secure);
          return redirect(
            reply,
            outcome.returnPath || homePath({ isAdmin: outcome.member.role === 'admin' }),
          );
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
        !sameOrigin(request, config.publicUrl) ||
        !current ||
        !tokensMatch(current.session.csrf_token, field(request.body, CSRF_FIELD))
      ) {
        return foreignAnswerPage(reply);
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
