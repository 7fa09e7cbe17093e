// The headers of every HTML page Roster serves, the dashboard's and the SAML sign-in's: a CSP that
// loads only Roster's own assets (a page may set a stricter one of its own first), no sniffing, no
// framing, no referrer to other sites, and no cache (pages show new tokens once, and personal
// data). `nosniff` again and HSTS come from src/http/security-headers.ts, for every response.
import type { FastifyReply, FastifyRequest } from 'fastify';

export const PAGE_CSP =
  "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

/** An `onSend` hook for a scope of pages. */
export async function pageHeaders(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', PAGE_CSP);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'same-origin');
  reply.header('x-frame-options', 'DENY');
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
}
