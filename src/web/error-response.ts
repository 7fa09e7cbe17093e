// The one place where an error becomes an HTTP response. SCIM routes answer the SCIM Error schema
// (RFC 7644 §3.12, `status` as a string); the JSON API answers `{ error: { status, code, message } }`
// with a code of the catalogue (src/errors.ts); the dashboard and the SAML pages render `toHttpError`.
// Headers are set here, not by whoever threw: Retry-After for 429 and 503, Allow for 405.
import type { FastifyError } from 'fastify';
import { ERROR_CATALOGUE, type ErrorCode, RosterError } from '../errors.ts';
import { ScimError, type ScimType } from '../scim/scim-error.ts';
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

/** Any error as HTTP sees it: its status, catalogue code, SCIM scimType, message and headers. */
export interface HttpError {
  status: number;
  code: ErrorCode;
  scimType: ScimType | undefined;
  message: string;
  headers: Record<string, string>;
  /** True when the error is ours, not the client's: log it with its cause. */
  unexpected: boolean;
}

const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** How long a client should wait when the database is unavailable. */
const STORE_RETRY_AFTER_SECONDS = 5;

/** Any error → what a client should see. */
export function toHttpError(error: unknown): HttpError {
  const known = knownError(error);
  if (known instanceof RosterError) {
    return {
      status: known.status,
      code: known.code,
      scimType: scimTypeOf(known.code),
      message: known.message,
      headers: headersOf(known),
      unexpected: false,
    };
  }
  if (known instanceof ScimError) {
    return {
      status: known.status,
      code: codeOf(known.status, known.scimType),
      scimType: known.scimType,
      message: known.message,
      headers: {},
      unexpected: false,
    };
  }
  return {
    status: 500,
    code: 'internal_error',
    scimType: undefined,
    message: 'internal server error',
    headers: {},
    unexpected: true,
  };
}

/** The client's errors as a RosterError or ScimError; undefined for an unexpected one (a 500). */
function knownError(error: unknown): RosterError | ScimError | undefined {
  if (error instanceof RosterError || error instanceof ScimError) return error;
  if (error instanceof UniqueViolationError) {
    return new RosterError('uniqueness', 'a resource with these unique attributes already exists');
  }
  if (error instanceof UnsupportedQueryError) {
    return error.clause === 'filter'
      ? new RosterError('invalid_filter', `Invalid filter: ${error.message}`)
      : new RosterError('invalid_value', `Invalid sortBy: ${error.message}`);
  }
  if (error instanceof VersionConflictError) {
    return new RosterError('conflict', 'the resource was changed by another request; retry');
  }
  if (error instanceof StoreUnavailableError) {
    return new RosterError('unavailable', 'the database is unavailable; retry later', {
      retryAfterSeconds: STORE_RETRY_AFTER_SECONDS,
    });
  }
  const fastifyError = error as Partial<FastifyError> | null;
  // A route's JSON schema refused the request (http/validation-message.ts wrote the message).
  if (fastifyError?.validation !== undefined && fastifyError.statusCode === 400) {
    return new RosterError('invalid_value', fastifyError.message ?? 'invalid value');
  }
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ScimError(status, clientMessage(fastifyError), status === 400 ? 'invalidSyntax' : undefined);
  }
  return undefined;
}

function headersOf(error: RosterError): Record<string, string> {
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  if (error.allow !== undefined) headers.allow = error.allow.join(', ');
  return headers;
}

function scimTypeOf(code: ErrorCode): ScimType | undefined {
  // Typed so that a catalogue scimType that is not one of RFC 7644's fails to compile.
  const entry: { readonly status: number; readonly scimType?: ScimType } = ERROR_CATALOGUE[code];
  return entry.scimType;
}

const CODE_OF_SCIM_TYPE = new Map<string, ErrorCode>();
/** The code of each status that has one without a scimType (the catalogue has one per status). */
const CODE_OF_STATUS = new Map<number, ErrorCode>();
for (const [code, entry] of Object.entries(ERROR_CATALOGUE) as [
  ErrorCode,
  { status: number; scimType?: string },
][]) {
  if (entry.scimType !== undefined) CODE_OF_SCIM_TYPE.set(entry.scimType, code);
  else CODE_OF_STATUS.set(entry.status, code);
}

/** The catalogue code of a SCIM error: by its scimType, else by its status. */
export function codeOf(status: number, scimType: ScimType | undefined): ErrorCode {
  const code = (scimType && CODE_OF_SCIM_TYPE.get(scimType)) || CODE_OF_STATUS.get(status);
  if (code) return code;
  return status >= 500 ? 'internal_error' : 'invalid_request';
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

export function errorResponse(error: unknown, surface: Surface): ErrorResponse {
  const { status, code, scimType, message, headers, unexpected } = toHttpError(error);
  if (surface === 'scim') {
    const scimError = new ScimError(status, message, scimType);
    return {
      status,
      headers: { ...headers, 'content-type': SCIM_CONTENT_TYPE },
      body: scimError.toJSON(),
      unexpected,
    };
  }
  return {
    status,
    headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
    body: { error: { status, code, message } },
    unexpected,
  };
}
