// Headers every response gets, whichever surface answers it: `nosniff` (a JSON error is never
// sniffed into HTML), HSTS when Roster is reached over https, and — on the machine surfaces
// (/scim, /api), whose answers can carry a token value (POST /api/v1/tokens) or personal data —
// `no-store` and a CSP that lets nothing load or frame them. The dashboard and SAML scopes add
// their own page headers on top (src/web/page-headers.ts).
import type { FastifyInstance } from 'fastify';

export const HSTS = 'max-age=31536000; includeSubDomains';
const MACHINE_CSP = "default-src 'none'; frame-ancestors 'none'";

function isMachineSurface(url: string): boolean {
  const path = url.toLowerCase();
  return path.startsWith('/scim/') || path.startsWith('/api/') || path === '/healthz';
}

/** Call on the root instance before the routes are registered, so that every scope inherits it. */
export function securityHeaders(app: FastifyInstance, publicUrl: string): void {
  const secure = publicUrl.startsWith('https:');
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    if (secure) reply.header('strict-transport-security', HSTS);
    if (isMachineSurface(request.url)) {
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', MACHINE_CSP);
    }
  });
}
