// The one place where an error becomes an HTTP response. SCIM routes answer the SCIM Error schema
// (RFC 7644 §3.12, `status` as a string); the JSON API answers `{ error: { status, code, message } }`.
import type { FastifyError } from 'fastify';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../errors.ts';
import { ScimError } from '../scim/scim-error.ts';
import {
  StoreUnavailableError,
  UniqueViolationError,
  UnsupportedQueryError,
  VersionConflictError,
} from '../store/errors.ts';

export type Surface = 'scim' | 'api';

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** True when the error is ours, not the client's: log it with its cause. */
  unexpected: boolean;
}

const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** Any error → the ScimError a client should see. */
export function toScimError(error: unknown): { scimError: ScimError; unexpected: boolean } {
  if (error instanceof ScimError) return { scimError: error, unexpected: false };
  if (error instanceof NotFoundError)
    return { scimError: new ScimError(404, error.message), unexpected: false };
  if (error instanceof InvalidInputError) {
    return { scimError: new ScimError(400, error.message, 'invalidValue'), unexpected: false };
  }
  if (error instanceof ConflictError)
    return { scimError: new ScimError(409, error.message), unexpected: false };
  if (error instanceof ForbiddenError)
    return { scimError: new ScimError(403, error.message), unexpected: false };
  if (error instanceof UniqueViolationError) {
    return {
      scimError: new ScimError(409, 'a resource with these unique attributes already exists', 'uniqueness'),
      unexpected: false,
    };
  }
  if (error instanceof UnsupportedQueryError) {
    const scimError =
      error.clause === 'filter'
        ? new ScimError(400, `Invalid filter: ${error.message}`, 'invalidFilter')
        : new ScimError(400, `Invalid sortBy: ${error.message}`, 'invalidValue');
    return { scimError, unexpected: false };
  }
  if (error instanceof VersionConflictError) {
    return {
      scimError: new ScimError(409, 'the resource was changed by another request; retry'),
      unexpected: false,
    };
  }
  if (error instanceof StoreUnavailableError) {
    return {
      scimError: new ScimError(503, 'the database is unavailable; retry later', undefined, {
        'retry-after': '5',
      }),
      unexpected: false,
    };
  }
  const fastifyError = error as Partial<FastifyError> | null;
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const scimType = status === 400 ? 'invalidSyntax' : undefined;
    return { scimError: new ScimError(status, clientMessage(fastifyError), scimType), unexpected: false };
  }
  return { scimError: new ScimError(500, 'internal server error'), unexpected: true };
}

function clientMessage(error: Partial<FastifyError> | null): string {
  switch (error?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'the request body is too large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported content type: send application/scim+json or application/json';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the request body is empty';
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return 'a path parameter is too long: no id is longer than 100 characters';
    case 'FST_ERR_BAD_URL':
      return 'the URL is not valid (a malformed percent-encoding?)';
    default:
      return error?.message || 'bad request';
  }
}

const API_CODES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  500: 'internal_error',
  501: 'not_implemented',
  503: 'unavailable',
};

export function errorResponse(error: unknown, surface: Surface): ErrorResponse {
  const { scimError, unexpected } = toScimError(error);
  const headers: Record<string, string> = { ...scimError.headers };
  if (surface === 'scim') {
    headers['content-type'] = SCIM_CONTENT_TYPE;
    return { status: scimError.status, headers, body: scimError.toJSON(), unexpected };
  }
  headers['content-type'] = 'application/json; charset=utf-8';
  const code = scimError.scimType ?? API_CODES[scimError.status] ?? 'error';
  return {
    status: scimError.status,
    headers,
    body: { error: { status: scimError.status, code, message: scimError.message } },
    unexpected,
  };
}
