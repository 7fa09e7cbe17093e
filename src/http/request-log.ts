// The server's log: pino, one JSON object a line on stdout (LOG_FORMAT=pretty: coloured lines for
// people, through pino-pretty), and exactly one line per request, written when its response has
// been sent. Fastify's own request logging ("incoming request", "request completed") is off: two
// lines a request, without the organization or why a request was refused. docs/operations.md lists
// the fields.
//
// Cheap on purpose: the line is one flat object that pino serializes once; nothing is read from the
// request's body or headers (which may hold credentials, and cost to serialize), and what
// went wrong was noted by whoever handled the error (web/request-refusal.ts).
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Config } from '../config.ts';
import { redactLinkSecrets } from '../web/link-paths.ts';

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

/** The logger of `roster serve`: JSON on stdout, or pino-pretty's lines with LOG_FORMAT=pretty. */
export async function serverLogger(config: Pick<Config, 'logLevel' | 'logFormat'>) {
  const options = loggerOptions(config.logLevel);
  if (config.logFormat !== 'pretty') return options;
  // Loaded only when asked for: a JSON server never pays for it.
  const { default: pretty } = await import('pino-pretty');
  return {
    ...(options as object),
    stream: pretty({
      destination: 1,
      translateTime: 'SYS:HH:MM:ss.l',
      singleLine: true,
      // A request reads "GET /api/v1/me 401 4.9 ms unauthorized: …"; other lines keep their fields.
      messageFormat: (log, messageKey) => {
        if (typeof log.status !== 'number') return String(log[messageKey]);
        const error = log.error as { code: string; detail: string } | undefined;
        return [
          `${log.method} ${log.path} ${log.status} ${log.ms} ms`,
          log.org ? `org=${log.org}` : '',
          error ? `${error.code}: ${error.detail}` : '',
        ]
          .filter(Boolean)
          .join(' ');
      },
      ignore: 'pid,hostname,reqId,method,route,path,status,ms,org,tokenId,error',
    }),
  };
}

/**
 * The path without its query string (which may carry a one-time value: `/saml/…/continue?p=`) and
 * without the secret of a one-time link (`/invitations/…`: web/link-paths.ts).
 */
function pathOf(url: string): string {
  const at = url.indexOf('?');
  const path = redactLinkSecrets(at === -1 ? url : url.slice(0, at));
  return path.length > 200 ? `${path.slice(0, 199)}…` : path;
}

/** Installs the one line per request on the root instance. */
export function logRequests(app: FastifyInstance): void {
  app.decorateRequest('refusal', null);
  app.decorateRequest('failure', null);
  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const principal = request.authenticatedAs;
    const line = {
      method: request.method,
      route: request.routeOptions.url ?? null,
      path: pathOf(request.url),
      status,
      ms: Math.round(reply.elapsedTime * 100) / 100,
      org: principal?.organizationSlug ?? null,
      tokenId: principal?.tokenId ?? null,
      ...(request.refusal ? { error: request.refusal } : {}),
      ...(request.failure ? { err: request.failure } : {}),
    };
    if (status >= 500) request.log.error(line, 'request failed');
    else request.log.info(line, status >= 400 ? 'request refused' : 'request');
    done();
  });
}
