// Serves the dashboard's stylesheet and script from the same origin, versioned by content hash so
// that they can be cached for long and still change with a release.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { CLIENT_SCRIPT } from './client-script.ts';
import { STYLESHEET } from './styles.ts';

const version = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

export const STYLESHEET_URL = `/assets/roster.css?v=${version(STYLESHEET)}`;
export const SCRIPT_URL = `/assets/roster.js?v=${version(CLIENT_SCRIPT)}`;

export function assetRoutes(app: FastifyInstance): void {
  const serve = (path: string, type: string, body: string) =>
    app.get(path, async (_request, reply) =>
      reply
        .type(type)
        .header('cache-control', 'public, max-age=86400')
        .header('x-content-type-options', 'nosniff')
        .send(body),
    );
  serve('/assets/roster.css', 'text/css; charset=utf-8', STYLESHEET);
  serve('/assets/roster.js', 'text/javascript; charset=utf-8', CLIENT_SCRIPT);
  // Browsers ask for it on every site; Roster has no icon. 204, cached for a day, instead of a 404
  // in every console.
  app.get('/favicon.ico', async (_request, reply) =>
    reply.code(204).header('cache-control', 'public, max-age=86400').send(),
  );
}
