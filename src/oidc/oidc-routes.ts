// oidc-provider mounted in Fastify under /oidc. The provider is a Koa application that reads the
// raw Node request and writes the raw response, so its routes hand both over and `hijack` the reply
// (Fastify sends nothing of its own). Bodies are read by Fastify as raw bytes (its size limit) and
// handed over unparsed as `req.body`, which the provider parses by their content type itself: a
// stream left for the provider to read raced Fastify's own handling of an unread body, and a form
// posted to it sometimes arrived empty.
// The interaction pages (/oidc/interaction/…, Roster's sign-in and organization choice) are
// dashboard pages, registered in the dashboard's scope (interaction-pages.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OIDC_PATH } from './provider.ts';
import type { ProviderHost } from './provider-host.ts';

declare module 'node:http' {
  interface IncomingMessage {
    /** The URL before the mount path was stripped: oidc-provider derives its mount path from it. */
    originalUrl?: string;
  }
}

/** The largest body the provider takes (its own parser's limit is 56 KiB). */
const BODY_LIMIT = 56 * 1024;

export function oidcRoutes(app: FastifyInstance, host: ProviderHost, publicUrl: string): void {
  const base = new URL(publicUrl);
  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const provider = await host.provider();
    const raw = request.raw;
    const original = raw.url ?? '/';
    raw.originalUrl = original;
    if (Buffer.isBuffer(request.body)) (raw as { body?: Buffer }).body = request.body;
    raw.url = original.slice(OIDC_PATH.length) || '/';
    // Every URL the provider builds (discovery, redirects, cookies' Secure flag) from PUBLIC_URL,
    // whatever Host or X-Forwarded-* the client sent (the provider runs with `proxy = true`).
    raw.headers['x-forwarded-proto'] = base.protocol.slice(0, -1);
    raw.headers['x-forwarded-host'] = base.host;
    reply.hijack();
    provider.callback()(raw, reply.raw);
  };

  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) =>
      done(null, body),
    );
    scope.all(OIDC_PATH, handle);
    scope.all(`${OIDC_PATH}/*`, handle);
  });
  app.addHook('onListen', async () => host.startDelivery());
  app.addHook('onClose', async () => host.stop());
}
