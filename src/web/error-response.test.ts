// The one error → HTTP mapping: the catalogue's codes on the JSON API, RFC 7644 bodies on SCIM, and
// the headers (Retry-After, Allow) set here rather than by whoever threw.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR_CATALOGUE, type ErrorCode, RosterError } from '../errors.ts';
import { ScimError, type ScimType } from '../scim/scim-error.ts';
import { StoreUnavailableError, UniqueViolationError, VersionConflictError } from '../store/errors.ts';
import { codeOf, errorResponse } from './error-response.ts';

/** Every scimType of RFC 7644 §3.12: a missing one fails the type check. */
const SCIM_TYPES: Record<ScimType, true> = {
  invalidFilter: true,
  tooMany: true,
  uniqueness: true,
  mutability: true,
  invalidSyntax: true,
  invalidPath: true,
  noTarget: true,
  invalidValue: true,
  invalidVers: true,
  sensitive: true,
};

describe('the error catalogue', () => {
  it('spells every code snake_case', () => {
    const others = Object.keys(ERROR_CATALOGUE).filter((code) => !/^[a-z]+(?:_[a-z]+)*$/.test(code));
    assert.deepEqual(others, []);
  });

  it('has one code for each scimType of RFC 7644, at that scimType', () => {
    for (const scimType of Object.keys(SCIM_TYPES) as ScimType[]) {
      const codes = Object.entries(ERROR_CATALOGUE).filter(
        ([, entry]) => 'scimType' in entry && entry.scimType === scimType,
      );
      assert.equal(codes.length, 1, scimType);
      const [code, entry] = codes[0] as [ErrorCode, { status: number }];
      assert.equal(codeOf(entry.status, scimType), code);
    }
  });

  it('has at most one code without a scimType per status, which names a SCIM error of that status', () => {
    const plain = Object.entries(ERROR_CATALOGUE).filter(([, entry]) => !('scimType' in entry));
    const statuses = plain.map(([, entry]) => entry.status);
    assert.equal(new Set(statuses).size, statuses.length);
    for (const [code, entry] of plain) assert.equal(codeOf(entry.status, undefined), code);
  });
});

describe('errorResponse', () => {
  it('answers a RosterError on the JSON API with its code, and on SCIM with the scimType of the RFC', () => {
    const error = new RosterError('invalid_value', 'the role must be "admin" or "member"');
    const api = errorResponse(error, 'api');
    assert.equal(api.status, 400);
    assert.equal(api.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(api.body, {
      error: { status: 400, code: 'invalid_value', message: 'the role must be "admin" or "member"' },
    });
    const scim = errorResponse(error, 'scim');
    assert.equal(scim.status, 400);
    assert.equal(scim.headers['content-type'], 'application/scim+json; charset=utf-8');
    assert.deepEqual(scim.body, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '400',
      scimType: 'invalidValue',
      detail: 'the role must be "admin" or "member"',
    });
    assert.equal(scim.unexpected, false);
  });

  it('spells a ScimError snake_case on the JSON API and keeps the SCIM body as thrown', () => {
    const error = new ScimError(400, 'Invalid filter: unexpected end', 'invalidFilter');
    assert.deepEqual(errorResponse(error, 'api').body, {
      error: { status: 400, code: 'invalid_filter', message: 'Invalid filter: unexpected end' },
    });
    assert.deepEqual(errorResponse(error, 'scim').body, error.toJSON());
    const plain = new ScimError(412, 'the resource has changed');
    assert.deepEqual(errorResponse(plain, 'api').body, {
      error: { status: 412, code: 'precondition_failed', message: 'the resource has changed' },
    });
    assert.deepEqual(errorResponse(plain, 'scim').body, plain.toJSON());
  });

  it('sends Retry-After for a rate limit and Allow for a method the resource does not answer', () => {
    for (const surface of ['api', 'scim'] as const) {
      const limited = errorResponse(
        new RosterError('rate_limited', 'slow down', { retryAfterSeconds: 40 }),
        surface,
      );
      assert.equal(limited.status, 429);
      assert.equal(limited.headers['retry-after'], '40');
      const refused = errorResponse(
        new RosterError('method_not_allowed', 'no delete', { allow: ['GET', 'PUT', 'PATCH'] }),
        surface,
      );
      assert.equal(refused.status, 405);
      assert.equal(refused.headers.allow, 'GET, PUT, PATCH');
      assert.equal(refused.headers['retry-after'], undefined);
    }
  });

  it("maps the store's errors: unavailable (503, Retry-After 5), uniqueness and conflict (409)", () => {
    const unavailable = errorResponse(new StoreUnavailableError(), 'api');
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.headers['retry-after'], '5');
    assert.deepEqual(unavailable.body, {
      error: { status: 503, code: 'unavailable', message: 'the database is unavailable; retry later' },
    });
    assert.deepEqual(errorResponse(new UniqueViolationError('users.user_name'), 'scim').body, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '409',
      scimType: 'uniqueness',
      detail: 'a resource with these unique attributes already exists',
    });
    assert.deepEqual(errorResponse(new VersionConflictError(), 'api').body, {
      error: { status: 409, code: 'conflict', message: 'the resource was changed by another request; retry' },
    });
  });

  it("answers Fastify's 400s as invalid_syntax and anything unknown as a 500 that says nothing", () => {
    const badJson = Object.assign(new Error('Unexpected token'), { statusCode: 400 });
    assert.deepEqual(errorResponse(badJson, 'api').body, {
      error: { status: 400, code: 'invalid_syntax', message: 'Unexpected token' },
    });
    const crash = errorResponse(new TypeError('x is undefined'), 'api');
    assert.equal(crash.unexpected, true);
    assert.deepEqual(crash.body, {
      error: { status: 500, code: 'internal_error', message: 'internal server error' },
    });
  });
});
