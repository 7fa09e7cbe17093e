// The error catalogue: every code Roster answers on its JSON API, with the HTTP status it maps to,
// the SCIM scimType (RFC 7644 §3.12) where one applies, and what it means. Use cases throw
// RosterError with one of these codes; web/error-response.ts is the one place that turns any error
// into an HTTP response (SCIM bodies keep the RFC's scimType spelling); the CLI prints the message.
// Codes are snake_case. docs/dashboard.md ("Error codes") lists every one; test/docs.test.ts checks it.

interface CatalogueEntry {
  readonly status: number;
  /** The RFC 7644 scimType a SCIM response carries for this code; none for a plain status. */
  readonly scimType?: string;
  readonly meaning: string;
}

export const ERROR_CATALOGUE = {
  invalid_request: {
    status: 400,
    meaning: 'a refusal no more specific code names (a fallback: every refusal of Roster has one today)',
  },
  invalid_value: {
    status: 400,
    scimType: 'invalidValue',
    meaning: 'a value in the request (body, query or path) is missing, of the wrong type or not allowed',
  },
  invalid_syntax: {
    status: 400,
    scimType: 'invalidSyntax',
    meaning:
      'the request could not be read: a body that is not JSON or not UTF-8, a header sent twice, a bad URL',
  },
  invalid_filter: {
    status: 400,
    scimType: 'invalidFilter',
    meaning: 'the filter is not valid SCIM filter syntax or names an attribute that cannot be filtered',
  },
  invalid_path: {
    status: 400,
    scimType: 'invalidPath',
    meaning: 'a PATCH path is malformed or names an attribute that does not exist',
  },
  no_target: {
    status: 400,
    scimType: 'noTarget',
    meaning: 'a PATCH operation needs a path or its path selects nothing',
  },
  mutability: {
    status: 400,
    scimType: 'mutability',
    meaning:
      'the request changes an attribute that is read-only or that this organization does not let change',
  },
  too_many: {
    status: 400,
    scimType: 'tooMany',
    meaning: 'the request would answer more results than allowed (RFC 7644; Roster does not answer it today)',
  },
  invalid_vers: {
    status: 400,
    scimType: 'invalidVers',
    meaning: 'the SCIM protocol version is not supported (RFC 7644; Roster does not answer it today)',
  },
  sensitive: {
    status: 403,
    scimType: 'sensitive',
    meaning: 'sensitive information was sent in the URL (RFC 7644; Roster does not answer it today)',
  },
  unauthorized: {
    status: 401,
    meaning: 'no valid access token or session: missing, unknown, expired or revoked',
  },
  forbidden: {
    status: 403,
    meaning: 'authenticated, but not allowed: the role, the member’s state, or a cross-site or expired form',
  },
  not_found: { status: 404, meaning: 'no such route, or no such resource in this organization' },
  method_not_allowed: {
    status: 405,
    meaning: 'the resource does not answer this method; the Allow header lists those it does',
  },
  conflict: {
    status: 409,
    meaning:
      'the request conflicts with the current state (a name taken, the last Admin, a row changed meanwhile)',
  },
  uniqueness: {
    status: 409,
    scimType: 'uniqueness',
    meaning: 'a resource with the same unique attribute (userName, email) already exists',
  },
  precondition_failed: { status: 412, meaning: 'If-Match does not match the resource’s current version' },
  payload_too_large: { status: 413, meaning: 'the request body is larger than the configured limit' },
  uri_too_long: { status: 414, meaning: 'a path parameter is longer than 100 characters' },
  unsupported_media_type: {
    status: 415,
    meaning: 'the request body is not application/json or application/scim+json',
  },
  rate_limited: {
    status: 429,
    meaning: 'too many requests for this token or organization; the Retry-After header says when to retry',
  },
  internal_error: { status: 500, meaning: 'Roster failed; the log has the cause under the request id' },
  unavailable: {
    status: 503,
    meaning: 'the database cannot be reached right now; the Retry-After header says when to retry',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface RosterErrorOptions {
  /** For `rate_limited` and `unavailable`: sent as the Retry-After header. */
  retryAfterSeconds?: number;
  /** For `method_not_allowed`: the methods the resource answers, sent as the Allow header. */
  allow?: readonly string[];
  cause?: unknown;
}

export class RosterError extends Error {
  readonly code: ErrorCode;
  readonly retryAfterSeconds: number | undefined;
  readonly allow: readonly string[] | undefined;

  constructor(code: ErrorCode, message: string, options: RosterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RosterError';
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.allow = options.allow;
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }
}

/** True when `error` is a RosterError with one of `codes` (any code when none is given). */
export function isRosterError(error: unknown, ...codes: ErrorCode[]): error is RosterError {
  return error instanceof RosterError && (codes.length === 0 || codes.includes(error.code));
}
