// Roster as a SAML service provider, per organization: `GET /saml/{slug}/metadata`,
// `GET /saml/{slug}/login` (SP-initiated: the AuthnRequest, HTTP-Redirect or an auto-posted form)
// and `POST /saml/{slug}/acs` (the IdP's response). Outside the dashboard's scope on purpose: the
// ACS receives a cross-site POST from the IdP, which the dashboard's Origin and CSRF checks would
// rightly refuse; the response's signature is what authenticates it. Refusals are pages for the
// person (400/403, no technical detail); the detail is in the audit log. The login and the ACS have
// their own rate limit (per client address and per organization) and the ACS its own body limit
// (saml-limits.ts), refused with the same page: 429 with Retry-After, 413. The ACS starts no
// session: it holds the verified sign-in and sends the browser to `/saml/{slug}/continue`
// (saml-continue-routes.ts), whose same-site GET carries the cookies the IdP's POST could not.
import fastifyCookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { safeReturnPath } from '../../auth/saml/return-path.ts';
import { serviceProviderMetadata, serviceProviderUrls } from '../../auth/saml/service-provider.ts';
import { SsoFailure } from '../../auth/saml/sso-failure.ts';
import { hashToken } from '../../auth/token-format.ts';
import type { Config } from '../../config.ts';
import {
  autoPostPage,
  ssoErrorPage,
  ssoRefusalPage,
  ssoUnavailablePage,
} from '../../dashboard/pages/saml-result.ts';
import { completeSsoSignIn, startSsoSignIn } from '../../sign-in/sso-sign-in.ts';
import type { Store } from '../../store/store.ts';
import { toHttpError } from '../../web/error-response.ts';
import { redirect } from '../../web/location.ts';
import { pageHeaders } from '../../web/page-headers.ts';
import { noteRefusal, noteSsoRefusal } from '../../web/request-refusal.ts';
import { isBodyTooLarge, retryAfter, samlLimiter } from '../saml-limits.ts';
import { samlLoginValue, setSamlLoginCookie } from '../saml-login-cookie.ts';

interface SlugParams {
  slug: string;
}

export function samlRoutes(
  app: FastifyInstance,
  options: { store: Store; config: Config; now?: () => number },
): void {
  const { store, config } = options;
  const secure = config.publicUrl.startsWith('https:');
  const limiter = samlLimiter(config.samlRateLimit, options.now);
  /** Before the body is read: over a limit, the refusal page with 429 and Retry-After. */
  const rateLimited = {
    onRequest: async (request: FastifyRequest<{ Params: SlugParams }>, reply: FastifyReply) => {
      const refused = limiter.check(request);
      if (!refused) return;
      retryAfter(reply, refused.retryAfterSeconds);
      await ssoRefusalPage(reply, request.id, refused.failure);
      return reply;
    },
  };

  app.register(async (scope) => {
    await scope.register(fastifyCookie);
    await scope.register(formbody, { bodyLimit: config.samlBodyLimit });
    scope.addHook('onSend', pageHeaders);

    scope.setErrorHandler((error, request, reply) => {
      if (isBodyTooLarge(error)) {
        noteSsoRefusal(
          request,
          'too_large',
          `the form body is over SAML_BODY_LIMIT (${config.samlBodyLimit})`,
        );
        return ssoRefusalPage(
          reply,
          request.id,
          new SsoFailure('too_large', 'the form body is over SAML_BODY_LIMIT'),
        );
      }
      const refusal = toHttpError(error);
      noteRefusal(request, refusal, error);
      const { status, message: detail, unexpected } = refusal;
      const message = unexpected ? 'Roster could not complete this sign-in. Try again in a moment.' : detail;
      return ssoErrorPage(reply, status, message);
    });

    scope.get<{ Params: SlugParams }>('/saml/:slug/metadata', async (request, reply) => {
      const organization = await store.organizations.getBySlug(request.params.slug);
      if (!organization) return ssoUnavailablePage(reply);
      const settings = await store.sso.getSettings(organization.id);
      const metadata = serviceProviderMetadata(
        serviceProviderUrls(config.publicUrl, organization.slug),
        settings,
      );
      return reply.type('application/samlmetadata+xml; charset=utf-8').send(metadata);
    });

    scope.get<{ Params: SlugParams; Querystring: { next?: string } }>(
      '/saml/:slug/login',
      rateLimited,
      async (request, reply) => {
        const organization = await store.organizations.getBySlug(request.params.slug);
        const next = typeof request.query.next === 'string' ? safeReturnPath(request.query.next) : '';
        if (!organization) return ssoUnavailablePage(reply);
        // Only the hash is kept with the AuthnRequest; the browser keeps the value.
        const browser = samlLoginValue(request);
        const delivery = await startSsoSignIn(
          store,
          config.publicUrl,
          organization,
          next,
          hashToken(browser),
        );
        if (!delivery) return ssoUnavailablePage(reply);
        setSamlLoginCookie(reply, browser, secure);
        if (delivery.binding === 'post') return autoPostPage(reply, delivery);
        return redirect(reply, delivery.url, 302);
      },
    );

    scope.post<{ Params: SlugParams }>('/saml/:slug/acs', rateLimited, async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
      const result = await completeSsoSignIn(
        store,
        config.publicUrl,
        request.params.slug,
        { SAMLResponse: text('SAMLResponse'), RelayState: text('RelayState') },
        request.id,
      );
      if (!result.ok) {
        noteSsoRefusal(request, result.failure.reason, result.failure.detail);
        return ssoRefusalPage(reply, request.id, result.failure, result.organization?.name);
      }
      // Completed by the browser's next request, which carries its cookies.
      return redirect(reply, result.continuePath);
    });
  });
}
