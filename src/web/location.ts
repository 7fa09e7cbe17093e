// Location headers carry only ASCII: Node refuses a header value with a character above U+00FF
// (ERR_INVALID_CHAR, a 500 after the work was done) and sends U+0080–U+00FF as Latin-1 bytes no
// browser reads as meant. Paths people and identity providers give (`next`, RelayState) may hold
// any character, so every redirect Roster builds from them goes through `locationOf`, most through
// `redirect`.
import type { FastifyReply } from 'fastify';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `target` with every character outside printable ASCII percent-encoded as UTF-8 (RFC 3986 §2.5),
 * and what is already percent-encoded left alone. Lone surrogates become U+FFFD.
 */
export function locationOf(target: string): string {
  return target
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(/[^\x21-\x7e]/gu, (char) => encodeURIComponent(char));
}

/** A redirect to `target`: 303 See Other by default (after a POST, and to the next step of a sign-in). */
export function redirect(reply: FastifyReply, target: string, status: 302 | 303 = 303) {
  return reply.code(status).header('location', locationOf(target)).send();
}
