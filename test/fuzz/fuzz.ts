// Shared settings and generators of the property-based tests (fast-check). Every property runs a
// bounded number of cases from one fixed seed, so a run is reproducible and the suite stays fast;
// on failure fast-check's message carries `seed` and `path`, and the property's name says how to
// replay it (FUZZ_SEED=<seed>). FUZZ_RUNS multiplies every budget for a longer local run.
import fc from 'fast-check';
import { ENTERPRISE_USER_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA } from '../../src/scim/schemas/urns.ts';
import { ScimError } from '../../src/scim/scim-error.ts';

export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_240_611);
const MULTIPLIER = Number(process.env.FUZZ_RUNS ?? 1) || 1;

/** The parameters of one property run: the fixed seed and `runs` (times FUZZ_RUNS). */
export function settings(runs: number): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED, numRuns: Math.max(1, Math.round(runs * MULTIPLIER)), endOnFailure: true };
}

/** Runs a synchronous property; the thrown error names the seed and the shrunk counterexample. */
export function check<T>(arbitrary: fc.Arbitrary<T>, runs: number, predicate: (value: T) => void): void {
  fc.assert(
    fc.property(arbitrary, (value) => {
      predicate(value);
    }),
    settings(runs) as fc.Parameters<[T]>,
  );
}

export async function checkAsync<T>(
  arbitrary: fc.Arbitrary<T>,
  runs: number,
  predicate: (value: T) => Promise<void>,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arbitrary, async (value) => {
      await predicate(value);
    }),
    settings(runs) as fc.Parameters<[T]>,
  );
}

/** Rethrows anything but a ScimError with a 4xx status: what "a client error, never a crash" means. */
export function expectClientError(error: unknown, what: string): ScimError {
  if (!(error instanceof ScimError)) {
    throw new Error(`${what} threw ${String(error)} instead of a ScimError`, { cause: error });
  }
  if (error.status < 400 || error.status > 499) {
    throw new Error(`${what} threw a ScimError with status ${error.status}: ${error.detail}`);
  }
  return error;
}

/** Fails when anything was added to Object.prototype (prototype pollution). */
export function assertPrototypeClean(what: string): void {
  const keys = Object.getOwnPropertyNames(Object.prototype);
  const polluted = keys.filter((key) => !BUILTIN_PROTOTYPE_KEYS.has(key));
  const probe = {} as Record<string, unknown>;
  if (polluted.length > 0 || probe.polluted !== undefined || probe.isAdmin !== undefined) {
    throw new Error(`${what} polluted Object.prototype: ${polluted.join(', ')}`);
  }
}

const BUILTIN_PROTOTYPE_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Freezes a JSON-like value all the way down, so that any write to it throws. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

/** Upper, lower and mixed case spellings of a name (SCIM names are case-insensitive). */
export function casings(name: string): fc.Arbitrary<string> {
  return fc.constantFrom(
    name,
    name.toLowerCase(),
    name.toUpperCase(),
    name.replace(/^./, (c) => c.toUpperCase()),
  );
}

// ---- Attribute vocabulary --------------------------------------------------------------------

export const ENTERPRISE = ENTERPRISE_USER_SCHEMA;
export const CORE = USER_SCHEMA;
export const PATCH_OP = PATCH_OP_SCHEMA;

/** Attribute paths a filter or a PATCH may name: valid ones, and near misses. */
export const SIMPLE_PATHS = [
  'id',
  'userName',
  'externalId',
  'displayName',
  'nickName',
  'title',
  'userType',
  'locale',
  'timezone',
  'preferredLanguage',
  'profileUrl',
  'active',
  'name',
  'name.givenName',
  'name.familyName',
  'name.formatted',
  'name.middleName',
  'name.honorificPrefix',
  'emails',
  'emails.value',
  'emails.type',
  'emails.primary',
  'emails.display',
  'phoneNumbers',
  'phoneNumbers.value',
  'phoneNumbers.type',
  'addresses.locality',
  'addresses.country',
  'addresses.postalCode',
  'addresses.primary',
  'ims.value',
  'photos.value',
  'entitlements.value',
  'x509Certificates.value',
  'roles.value',
  'groups.value',
  'meta.created',
  'meta.lastModified',
  'meta.resourceType',
  'meta.version',
  'meta.location',
  `${CORE}:userName`,
  `${CORE}:name.familyName`,
  `${ENTERPRISE}:department`,
  `${ENTERPRISE}:employeeNumber`,
  `${ENTERPRISE}:costCenter`,
  `${ENTERPRISE}:division`,
  `${ENTERPRISE}:manager`,
  `${ENTERPRISE}:manager.value`,
  `${ENTERPRISE}:manager.displayName`,
] as const;

export const BAD_PATHS = [
  'unknown',
  'password',
  'emails.bogus',
  'name.givenName.extra',
  'urn:bogus:schema:userName',
  '__proto__',
  '__proto__.isAdmin',
  'constructor.prototype.polluted',
  'name.__proto__',
  'emails.constructor',
  '$ref',
  '',
  '.',
  'a..b',
  'userName.',
] as const;

/** Multi-valued attributes with the sub-attributes a value filter may use. */
export const VALUE_PATH_ATTRIBUTES = [
  { attribute: 'emails', subs: ['value', 'type', 'primary', 'display'] },
  { attribute: 'phoneNumbers', subs: ['value', 'type', 'primary'] },
  { attribute: 'addresses', subs: ['locality', 'country', 'postalCode', 'type', 'primary'] },
  { attribute: 'ims', subs: ['value', 'type'] },
  { attribute: 'entitlements', subs: ['value', 'type'] },
  { attribute: 'roles', subs: ['value', 'primary'] },
  { attribute: 'name', subs: ['givenName', 'familyName'] },
] as const;

export const OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const;

/** Strings that have bitten filter, SQL or JSON handling somewhere. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  '%',
  '_',
  '\\',
  '*',
  '?',
  '[a]',
  "'",
  '"',
  "'; DROP TABLE memberships; --",
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF',
  '😀',
  'İ',
  'ß',
  'ǅ',
  '\u212A',
  '\n',
  'null',
  'true',
  '2024-01-03T09:30:00Z',
  '2024-01-03T09:30:00.000Z',
  '9999-12-31T23:59:59Z',
  '__proto__',
  'constructor',
  '{"a":1}',
  'x'.repeat(300),
] as const;

/** Any JSON value, including the hostile strings, as a body part. */
export const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small', withCrossShrink: true },
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.constantFrom(true, false, 'True', 'False', 'TRUE', 0, 1, -1, 1e308, null),
);

/**
 * Objects whose own keys are dangerous: `__proto__`, `constructor`, `prototype`, as JSON.parse
 * makes them (an own property, not the setter).
 */
export const pollutingObject: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.constantFrom('__proto__', 'constructor', 'prototype', '__proto__.isAdmin', 'constructor.prototype'),
    fc.constantFrom('{"polluted":true}', '{"isAdmin":true}', '{"prototype":{"polluted":true}}', 'true'),
  )
  .map(([key, value]) => JSON.parse(`{${JSON.stringify(key)}:${value}}`) as unknown);
