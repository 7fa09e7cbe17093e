// createApp(config, store) builds the whole HTTP surface and never listens: tests use `inject`,
// main.ts listens.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { createTokenAuthenticator } from '../auth/authenticate-token.ts';
import type { Config } from '../config.ts';
import type { Store } from '../store/store.ts';
import { errorResponse, type Surface } from './error-response.ts';
import { meRoutes } from './routes/api-me.ts';
import { healthRoutes } from './routes/health.ts';

export interface AppOptions {
  /** Fastify logger options; tests pass `false`. */
  logger?: FastifyServerOptions['logger'];
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function loggerOptions(level: Config['logLevel']): FastifyServerOptions['logger'] {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.password',
        '*.token',
      ],
      censor: '[redacted]',
    },
  };
}

function surfaceOf(url: string): Surface {
  return url.toLowerCase().startsWith('/scim/') ? 'scim' : 'api';
}

/**
 * SCIM clients differ in case and trailing slashes (`/scim/v2/users/`, Entra's validator sends
 * lower-case paths): canonicalise the SCIM prefix and resource segment, and drop a trailing slash.
 */
export function canonicalUrl(url: string): string {
  const queryAt = url.indexOf('?');
  let path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : url.slice(queryAt);
  if (path.length > 1) path = path.replace(/\/+$/, '');
  path = path.replace(
    /^\/scim\/v2(\/(users|groups|serviceproviderconfig|resourcetypes|schemas)(?=\/|$))?/i,
    (_match, _rest, resource: string | undefined) => {
      if (!resource) return '/scim/v2';
      const canonical = ['Users', 'Groups', 'ServiceProviderConfig', 'ResourceTypes', 'Schemas'].find(
        (name) => name.toLowerCase() === resource.toLowerCase(),
      );
      return `/scim/v2/${canonical}`;
    },
  );
  return path + query;
}

export function createApp(config: Config, store: Store, options: AppOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config.logLevel),
    bodyLimit: config.bodyLimit,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    rewriteUrl: (req) => canonicalUrl(req.url ?? '/'),
    trustProxy: process.env.TRUST_PROXY === 'true',
  });

  app.decorateRequest('principal', null);

  // SCIM bodies arrive as application/scim+json (RFC 7644 §3.1), with or without a charset; the
  // default JSON parser (which rejects __proto__ and constructor.prototype keys) serves both.
  app.addContentTypeParser(
    /^application\/scim\+json/i,
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.setErrorHandler((error, request, reply) => {
    const response = errorResponse(error, surfaceOf(request.url));
    if (response.unexpected) request.log.error({ err: error }, 'unexpected error');
    else request.log.info({ status: response.status, detail: (error as Error).message }, 'request refused');
    reply.code(response.status).headers(response.headers).send(response.body);
  });

  app.setNotFoundHandler((request, reply) => {
    const response = errorResponse(
      Object.assign(new Error(`no route for ${request.method} ${request.url.split('?')[0]}`), {
        statusCode: 404,
      }),
      surfaceOf(request.url),
    );
    reply.code(404).headers(response.headers).send(response.body);
  });

  const authenticator = createTokenAuthenticator(store, {
    onError: (error) => app.log.warn({ err: error }, 'could not record token use'),
  });

  healthRoutes(app, store);
  meRoutes(app, store, authenticator);

  return app;
}
