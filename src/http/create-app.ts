// createApp(config, store) builds the whole HTTP surface and never listens: tests use `inject`,
// main.ts listens.
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from 'fastify';
import { createTxtResolver } from '../accounts/domain-verification.ts';
import { createInstallationAuthenticator } from '../auth/authenticate-installation.ts';
import { createTokenAuthenticator } from '../auth/authenticate-token.ts';
import type { Config } from '../config.ts';
import { dashboardRoutes } from '../dashboard/dashboard-routes.ts';
import { createMailer, type Mailer } from '../mail/mailer.ts';
import { interactionPages } from '../oidc/interaction-pages.ts';
import { oidcRoutes } from '../oidc/oidc-routes.ts';
import { ProviderHost } from '../oidc/provider-host.ts';
import { MAX_PAGE_SIZE } from '../provisioning/list-members.ts';
import type { Store } from '../store/store.ts';
import { errorResponse, type Surface, toHttpError } from '../web/error-response.ts';
import { noteRefusal } from '../web/request-refusal.ts';
import { recordScimRequests } from '../web/scim-request-log.ts';
import { guardInput, invalidUtf8 } from './input-guards.ts';
import { type AttemptSource, metricsRoutes } from './metrics.ts';
import { openApi } from './openapi.ts';
import { rateLimit } from './rate-limit.ts';
import { loggerOptions, logRequests } from './request-log.ts';
import { apiOrganizationRoutes } from './routes/api-organizations.ts';
import { apiRoutes } from './routes/api-routes.ts';
import { apiScimRequestRoutes } from './routes/api-scim-requests.ts';
import { apiSsoRoutes } from './routes/api-sso.ts';
import { healthRoutes } from './routes/health.ts';
import { samlContinueRoutes } from './routes/saml-continue-routes.ts';
import { samlRoutes } from './routes/saml-routes.ts';
import { scimDiscoveryRoutes } from './routes/scim-discovery.ts';
import { scimEntitlementRoutes } from './routes/scim-entitlements.ts';
import { scimGroupRoutes } from './routes/scim-groups.ts';
import { scimUserRoutes } from './routes/scim-users.ts';
import { SHARED_SCHEMA_COMPILERS } from './schema-compilers.ts';
import { securityHeaders } from './security-headers.ts';
import { validationMessage } from './validation-message.ts';

export interface AppOptions {
  /** Fastify logger options; tests pass `false`. */
  logger?: FastifyServerOptions['logger'];
  /** The rate limiter's clock (tests move time forward); `Date.now` by default. */
  now?: () => number;
  /** Outgoing mail; by default one made from the config's SMTP_URL. */
  mailer?: Mailer;
  /** How often a listening server delivers back-channel logout notices (ms; tests shorten it). */
  logoutDeliveryIntervalMs?: number;
  /** The webhook worker of this process, whose attempts the metrics count (main.ts). */
  deliveryWorker?: AttemptSource;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The OpenID Connect provider of this instance (src/oidc/). */
    oidc: ProviderHost;
  }
}

type JsonParser = (
  request: FastifyRequest,
  body: string,
  done: (error: Error | null, body?: unknown) => void,
) => void;
type BufferParser = (
  request: FastifyRequest,
  body: Buffer,
  done: (error: Error | null, body?: unknown) => void,
) => void;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function surfaceOf(url: string): Surface {
  return url.toLowerCase().startsWith('/scim/') ? 'scim' : 'api';
}

/**
 * SCIM clients differ in case and trailing slashes (`/scim/v2/users/`, Entra's validator sends
 * lower-case paths): canonicalise the SCIM prefix and resource segment, and drop a trailing slash.
 */
export function canonicalUrl(url: string): string {
  // What Okta and Entra send on every lookup and change is already canonical: no regular expression.
  if (url.startsWith('/scim/v2/Users')) {
    const next = url.charCodeAt(14);
    const queryAt = url.indexOf('?');
    const pathEnd = queryAt === -1 ? url.length : queryAt;
    if ((next === 0x3f || next === 0x2f || Number.isNaN(next)) && url.charCodeAt(pathEnd - 1) !== 0x2f)
      return url;
  }
  const queryAt = url.indexOf('?');
  let path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : url.slice(queryAt);
  if (path.length > 1) path = path.replace(/\/+$/, '');
  path = path.replace(
    /^\/scim\/v2(\/(users|groups|roles|workspaces|serviceproviderconfig|resourcetypes|schemas)(?=\/|$))?/i,
    (_match, _rest, resource: string | undefined) => {
      if (!resource) return '/scim/v2';
      const canonical = [
        'Users',
        'Groups',
        'Roles',
        'Workspaces',
        'ServiceProviderConfig',
        'ResourceTypes',
        'Schemas',
      ].find((name) => name.toLowerCase() === resource.toLowerCase());
      return `/scim/v2/${canonical}`;
    },
  );
  return path + query;
}

/** Often enough that a request timeout is enforced within a quarter of itself (Node's default: 30 s). */
function checkingInterval(requestTimeoutSeconds: number): number {
  if (requestTimeoutSeconds === 0) return 30_000;
  return Math.min(30_000, Math.max(250, (requestTimeoutSeconds * 1000) / 4));
}

/**
 * Which X-Forwarded-For entries to believe, rightmost first (see TRUST_PROXY in config.ts). Fastify
 * reads a bare number as "trust nothing", so a hop count becomes the function proxy-addr calls with
 * each address and its distance from the socket (0: the peer itself).
 */
function proxyTrust(trust: Config['trustProxy']): FastifyServerOptions['trustProxy'] {
  if (typeof trust !== 'number') return trust;
  return (_address: string, hop: number) => hop < trust;
}

export function createApp(config: Config, store: Store, options: AppOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config.logLevel),
    // One line per request instead, with the organization and the refusal (request-log.ts).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimit,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    rewriteUrl: (req) => canonicalUrl(req.url ?? '/'),
    trustProxy: proxyTrust(config.trustProxy),
    // Ids (UUIDs) and slugs are far shorter; a longer path parameter is answered 414 unread.
    routerOptions: { maxParamLength: 100 },
    // Slow clients (slowloris): the whole request within requestTimeout, no idle connection beyond
    // connectionTimeout. Node checks both every connectionsCheckingInterval, 30 s by default.
    requestTimeout: config.requestTimeoutSeconds * 1000,
    connectionTimeout: config.connectionTimeoutSeconds * 1000,
    http: {
      connectionsCheckingInterval: checkingInterval(config.requestTimeoutSeconds),
      // Node enforces requestTimeout on the body only while headersTimeout is not above it; left at
      // its default (60 s) a body dripped a byte a second ran on for a minute, whatever the setting.
      ...(config.requestTimeoutSeconds > 0
        ? { headersTimeout: Math.min(60_000, config.requestTimeoutSeconds * 1000) }
        : {}),
    },
    // Route schemas validate requests as they are: no type coercion, no defaults filled in, no
    // properties silently dropped (a field a route does not take is refused by its schema).
    ajv: { customOptions: { coerceTypes: false, useDefaults: false, removeAdditional: false } },
    schemaController: SHARED_SCHEMA_COMPILERS,
    schemaErrorFormatter: (errors, context) => new Error(validationMessage(errors, context)),
    // A malformed URL or an over-long path parameter is refused before routing, in the error
    // shape of its surface (Fastify's default is its own JSON, even on /scim).
    frameworkErrors: (error, request, reply) => {
      const response = errorResponse(error, surfaceOf(request.url));
      noteRefusal(request, toHttpError(error), error);
      (reply as FastifyReply).code(response.status).headers(response.headers).send(response.body);
    },
  });

  app.decorateRequest('principal', null);
  app.decorateRequest('authenticatedAs', null);
  app.decorateRequest('installation', null);
  logRequests(app);

  // SCIM bodies arrive as application/scim+json (RFC 7644 §3.1) or application/json, with or
  // without a charset; Fastify's JSON parser (which rejects __proto__ and constructor.prototype
  // keys) serves both. An empty body is no body: Entra sends DELETE with a JSON content type.
  const parseJson = app.getDefaultJsonParser('error', 'error') as JsonParser;
  const parseBody: BufferParser = (request, body, done) => {
    // RFC 8259 §8.1: JSON is UTF-8; decoding would silently replace what is not (see input-guards.ts).
    if (!isUtf8(body)) return done(invalidUtf8());
    const text = body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    return parseJson(request, text, done);
  };
  app.removeContentTypeParser('application/json');
  // Nothing in Roster reads text/plain: without this, Fastify's built-in parser hands handlers a
  // string, and a JSON body sent as text/plain was half-understood instead of refused with 415.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parseBody);
  app.addContentTypeParser(/^application\/scim\+json/i, { parseAs: 'buffer' }, parseBody);

  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  securityHeaders(app, config.publicUrl);

  app.setErrorHandler((error, request, reply) => {
    const response = errorResponse(error, surfaceOf(request.url));
    noteRefusal(request, toHttpError(error), error);
    reply.code(response.status).headers(response.headers).send(response.body);
  });

  app.setNotFoundHandler((request, reply) => {
    const notFound = Object.assign(new Error(`no route for ${request.method} ${request.url.split('?')[0]}`), {
      statusCode: 404,
    });
    const response = errorResponse(notFound, surfaceOf(request.url));
    noteRefusal(request, toHttpError(notFound));
    reply.code(404).headers(response.headers).send(response.body);
  });

  // Before the routes, so that every scope inherits their hooks: the rate limit (before any body is
  // read), then the refusal of bodies that are not UTF-8 and of NUL characters anywhere.
  rateLimit(app, config.rateLimit, options.now);
  guardInput(app);

  const authenticator = createTokenAuthenticator(store, {
    onError: (error) => app.log.warn({ err: error }, 'could not record token use'),
  });

  const mailer =
    options.mailer ??
    createMailer({
      ...config.mail,
      onError: (error, to) => app.log.warn({ err: error, to }, 'could not send mail'),
    });
  app.addHook('onClose', async () => mailer.close());

  openApi(app, config.publicUrl);
  metricsRoutes(app, store, config.metricsToken, options.deliveryWorker);
  healthRoutes(app, store);
  const scimRequestLog = recordScimRequests(app, store);
  const installationAuthenticator = createInstallationAuthenticator(store, {
    onError: (error) => app.log.warn({ err: error }, 'could not record token use'),
  });
  apiRoutes(
    app,
    store,
    { tokens: authenticator, installation: installationAuthenticator },
    config.publicUrl,
    config.webhooks,
  );
  apiOrganizationRoutes(app, {
    store,
    authenticate: installationAuthenticator,
    mailer,
    publicUrl: config.publicUrl,
  });
  apiScimRequestRoutes(app, store, authenticator, scimRequestLog);
  apiSsoRoutes(app, store, authenticator, config.publicUrl, createTxtResolver(config.dnsServers));
  const oidc = new ProviderHost(config.publicUrl, store, {
    log: app.log,
    ...(options.logoutDeliveryIntervalMs ? { deliveryIntervalMs: options.logoutDeliveryIntervalMs } : {}),
  });
  app.decorate('oidc', oidc);
  dashboardRoutes(app, { store, config, scimRequestLog, mailer, pages: [interactionPages(oidc)] });
  oidcRoutes(app, oidc, config.publicUrl);
  samlRoutes(app, { store, config, ...(options.now ? { now: options.now } : {}) });
  samlContinueRoutes(app, { store, config });
  const scimBaseUrl = `${config.publicUrl}/scim/v2`;
  scimDiscoveryRoutes(app, scimBaseUrl, MAX_PAGE_SIZE);
  scimUserRoutes(app, store, authenticator, scimBaseUrl);
  scimGroupRoutes(app, store, authenticator, scimBaseUrl);
  scimEntitlementRoutes(app, store, authenticator, scimBaseUrl);

  return app;
}
