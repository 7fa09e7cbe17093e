// Input every surface refuses before a handler sees it, whatever the route:
// - an Authorization or Content-Type header sent twice: Node keeps the first and drops the rest,
//   so a proxy that reads the last one and Roster would disagree on who is calling, or on how
//   the body is to be read (RFC 9110 §5.3: neither is a list);
// - a request body that is not valid UTF-8 (RFC 8259 §8.1 and HTML forms alike): Node would decode
//   it with U+FFFD replacements, silently storing something the client never sent;
// - U+0000 (NUL) and unpaired UTF-16 surrogates anywhere in the query, the path parameters or the
//   parsed body (JSON `"\u0000"`, `"\ud800"`, a form's `%00`). PostgreSQL cannot store the first in
//   text, and rejects both inside `jsonb`: one member with such a title made every profile filter
//   of the organization fail with a 500 on PostgreSQL, while SQLite stored it. Refusing them at
//   the edge keeps the two stores alike. No identity data contains either.
// Refusals are 400s in the shape of the route's surface (SCIM error, API JSON, dashboard page).
import { pipeline, Transform } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RosterError } from '../errors.ts';

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isUnstorable(text: string): boolean {
  return text.includes('\u0000') || UNPAIRED_SURROGATE.test(text);
}

/** True when a string (or an object key) anywhere in `value` is unstorable; iterative, any depth. */
export function containsUnstorableText(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (typeof next === 'string') {
      if (isUnstorable(next)) return true;
    } else if (Array.isArray(next)) {
      for (const element of next) stack.push(element);
    } else if (next !== null && typeof next === 'object') {
      for (const [key, element] of Object.entries(next)) {
        if (isUnstorable(key)) return true;
        stack.push(element);
      }
    }
  }
  return false;
}

function hasBody(request: FastifyRequest): boolean {
  return (
    request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined
  );
}

export function invalidUtf8(): RosterError {
  return new RosterError('invalid_syntax', 'the request body is not valid UTF-8');
}

/** Passes the body through unchanged, failing the stream at the first byte that is not UTF-8. */
function utf8Checked(payload: NodeJS.ReadableStream): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const check = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        decoder.decode(chunk, { stream: true });
        done(null, chunk);
      } catch {
        done(invalidUtf8());
      }
    },
    flush(done) {
      try {
        decoder.decode();
        done();
      } catch {
        done(invalidUtf8());
      }
    },
  });
  // pipeline: an aborted request destroys the check too, so the body reader never waits forever.
  pipeline(payload, check, () => undefined);
  return check;
}

const SINGLE_HEADERS = ['authorization', 'content-type'];

/** The first of SINGLE_HEADERS that the raw request carries more than once. */
function repeatedHeader(rawHeaders: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]?.toLowerCase() ?? '';
    if (!SINGLE_HEADERS.includes(name)) continue;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

/**
 * JSON and SCIM bodies are read whole into a buffer by their parser (create-app.ts), which checks
 * the encoding itself: cheaper than a checking stream (a pipeline, an AbortController) per request.
 */
const CHECKED_BY_PARSER = /^application\/(?:scim\+)?json\s*(?:;|$)/i;

/** Call on the root instance before the routes are registered, so that every scope inherits it. */
export function guardInput(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const repeated = repeatedHeader(request.raw.rawHeaders);
    if (repeated) throw new RosterError('invalid_syntax', `send the ${repeated} header once`);
  });
  app.addHook('preParsing', async (request, _reply, payload) =>
    hasBody(request) && !CHECKED_BY_PARSER.test(request.headers['content-type'] ?? '')
      ? utf8Checked(payload)
      : undefined,
  );
  app.addHook('preValidation', async (request) => {
    const where = containsUnstorableText(request.query)
      ? 'the query string'
      : containsUnstorableText(request.params)
        ? 'the URL'
        : containsUnstorableText(request.body)
          ? 'the request body'
          : undefined;
    if (where) {
      throw new RosterError(
        'invalid_value',
        `${where} contains a NUL character (U+0000) or an unpaired surrogate, which Roster does not accept`,
      );
    }
  });
}
