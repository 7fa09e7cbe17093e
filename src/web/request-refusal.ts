// What went wrong with a request, noted where the error is handled (the app's error handler, the
// dashboard's, the SAML routes) and written once, in the request's log line (http/request-log.ts),
// and counted by the metrics. Only the catalogue code, the SCIM type and the message a client was
// shown: never a body or a header, which may hold a credential.
import type { FastifyRequest } from 'fastify';
import type { HttpError } from './error-response.ts';

export interface Refusal {
  /** A catalogue code (src/errors.ts), or an SSO failure reason on the SAML routes. */
  code: string;
  /** The SCIM `scimType`, when the error has one. */
  type?: string;
  detail: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    refusal: Refusal | null;
    /** An error that is ours (a 500), logged with its stack in the request's line. */
    failure: unknown;
  }
}

/** Details longer than this are cut in the log (a SCIM filter can be echoed back at length). */
const DETAIL_LENGTH = 500;

export function noteRefusal(request: FastifyRequest, error: HttpError, cause?: unknown): void {
  const detail =
    error.message.length > DETAIL_LENGTH ? `${error.message.slice(0, DETAIL_LENGTH - 1)}…` : error.message;
  request.refusal = error.scimType
    ? { code: error.code, type: error.scimType, detail }
    : { code: error.code, detail };
  if (error.unexpected) request.failure = cause;
}

/** A refusal that is not an HttpError: an SSO failure's reason and detail. */
export function noteSsoRefusal(request: FastifyRequest, reason: string, detail: string): void {
  request.refusal = { code: reason, detail: detail.slice(0, DETAIL_LENGTH) };
}
