// Properties of the SCIM protocol core under random input:
// - applyPatch: any PatchOp body → a document or a ScimError 4xx; never a TypeError; the stored
//   document it starts from is never modified; Object.prototype is never touched; the result is
//   plain JSON again (what gets stored).
// - normalizeUserInput (POST/PUT bodies): the same, and normalizing its own output changes nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyPatch } from '../../src/scim/patch/apply-patch.ts';
import { normalizeUserInput } from '../../src/scim/resource/normalize-user.ts';
import type { ScimUserDocument } from '../../src/scim/resource/scim-user.ts';
import {
  assertPrototypeClean,
  BAD_PATHS,
  casings,
  check,
  deepFreeze,
  ENTERPRISE,
  expectClientError,
  FUZZ_SEED,
  HOSTILE_STRINGS,
  jsonish,
  PATCH_OP,
  pollutingObject,
  SIMPLE_PATHS,
  VALUE_PATH_ATTRIBUTES,
} from './fuzz.ts';

/** Stored documents of the kind provisioning hands to applyPatch. */
const DOCUMENTS: ScimUserDocument[] = [
  {
    id: 'm-1',
    externalId: '00ujl29u0le5T6Aj10h7',
    userName: 'jane.doe@acme.com',
    name: { givenName: 'Jane', familyName: 'Doe', formatted: 'Jane Doe' },
    displayName: 'Jane Doe',
    locale: 'en-US',
    active: true,
    emails: [{ value: 'jane.doe@acme.com', type: 'work', primary: true }],
    meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z' },
  },
  {
    id: 'm-2',
    userName: 'alex@contoso.com',
    name: { givenName: 'Alex', familyName: 'Wilber' },
    active: false,
    emails: [
      { value: 'alex@contoso.com', type: 'work', primary: true },
      { value: 'alex@home.example', type: 'home' },
    ],
    phoneNumbers: [{ value: '+1 555 0100', type: 'work', primary: true }, { value: '+1 555 0199' }],
    addresses: [{ type: 'work', streetAddress: '1 Main St', country: 'US' }],
    [ENTERPRISE]: { department: 'Sales', manager: { value: 'm-9', displayName: 'Megan' } },
  },
  { id: 'm-3', userName: 'bare@acme.com', active: true },
];

const valueFilter = fc.constantFrom(...VALUE_PATH_ATTRIBUTES).chain(({ attribute, subs }) =>
  fc
    .tuple(
      fc.constantFrom(...subs),
      fc.constantFrom('eq', 'ne', 'co', 'pr', 'EQ'),
      fc.constantFrom('"work"', '"home"', 'true', '"x\\"]"', '"prototype@acme.com"', ''),
      fc.option(fc.constantFrom(...subs, '__proto__', 'bogus'), { nil: undefined }),
    )
    .map(([sub, op, value, tail]) => {
      const inner = op === 'pr' ? `${sub} pr` : `${sub} ${op} ${value}`;
      return `${attribute}[${inner}]${tail === undefined ? '' : `.${tail}`}`;
    }),
);

const patchPath = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...SIMPLE_PATHS).chain(casings) },
  { weight: 3, arbitrary: valueFilter },
  { weight: 2, arbitrary: fc.constantFrom(...BAD_PATHS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

/** A value shaped like what the path might want, or anything at all. */
const patchValue = fc.oneof(
  { weight: 3, arbitrary: jsonish },
  { weight: 1, arbitrary: pollutingObject },
  {
    weight: 2,
    arbitrary: fc.dictionary(
      fc.oneof(fc.constantFrom(...SIMPLE_PATHS).chain(casings), fc.constantFrom('__proto__', 'constructor')),
      jsonish,
      { maxKeys: 4 },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.array(
      fc.record(
        {
          value: jsonish,
          type: fc.constantFrom('work', 'home', 'other'),
          primary: fc.constantFrom(true, false, 'True'),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom({ active: false }, { active: 'False' }, { 'name.givenName': 'J' }),
  },
);

const operation = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        op: fc.constantFrom('add', 'replace', 'remove', 'Add', 'REPLACE', 'Remove', 'move', 'copy', ''),
        path: patchPath,
        value: patchValue,
      },
      { requiredKeys: ['op'] },
    ),
  },
  { weight: 1, arbitrary: jsonish },
  { weight: 1, arbitrary: pollutingObject },
);

const patchBody: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        schemas: fc.constantFrom([PATCH_OP], [PATCH_OP.toUpperCase()], 'wrong', [], undefined),
        Operations: fc.array(operation, { maxLength: 6 }),
      },
      { requiredKeys: ['Operations'] },
    ),
  },
  { weight: 1, arbitrary: fc.record({ operations: fc.array(operation, { maxLength: 3 }) }) },
  { weight: 1, arbitrary: jsonish },
);

/** Fails unless `value` is plain JSON: plain objects and arrays, no undefined, no cycles. */
function assertPlainJson(value: unknown, where: string): void {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return;
  if (Array.isArray(value)) {
    for (const [index, element] of value.entries()) assertPlainJson(element, `${where}[${index}]`);
    return;
  }
  assert.equal(typeof value, 'object', `${where} is ${typeof value}`);
  assert.equal(Object.getPrototypeOf(value), Object.prototype, `${where} is not a plain object`);
  for (const [key, element] of Object.entries(value as object)) assertPlainJson(element, `${where}.${key}`);
}

const FROZEN = DOCUMENTS.map((document) => deepFreeze(structuredClone(document)));

describe(`the PATCH engine under fuzzing (seed ${FUZZ_SEED})`, () => {
  it('turns random operation lists into a document or a 4xx ScimError, never touching its input', () => {
    let applied = 0;
    let refused = 0;
    check(fc.tuple(fc.nat({ max: DOCUMENTS.length - 1 }), patchBody), 2000, ([index, body]) => {
      const input = FROZEN[index]!;
      let result: ScimUserDocument | undefined;
      try {
        // A frozen input: any write to it throws a TypeError here, so "never mutated" is checked.
        result = applyPatch(input, body);
        applied += 1;
      } catch (error) {
        expectClientError(error, `applyPatch(${JSON.stringify(body)})`);
        refused += 1;
      }
      assert.deepEqual(input, DOCUMENTS[index], 'the input document is unchanged');
      assertPrototypeClean('applyPatch');
      if (result) {
        assertPlainJson(result, 'result');
        assert.deepEqual(JSON.parse(JSON.stringify(result)), result, 'the result survives a JSON round trip');
      }
    });
    assert.ok(applied > 100, `only ${applied} bodies applied (${refused} refused): the generator misses`);
  });

  it('refuses every path through __proto__, constructor or prototype, however it is spelled', () => {
    const names = fc.constantFrom('__proto__', 'constructor', 'prototype', '__PROTO__', 'Constructor');
    const path = fc
      .tuple(
        fc.constantFrom('', 'name.', 'emails.', `${ENTERPRISE}:`, 'emails[type eq "work"].'),
        names,
        fc.constantFrom('', '.isAdmin', '.polluted'),
      )
      .map(([prefix, name, suffix]) => `${prefix}${name}${suffix}`);
    check(fc.tuple(path, fc.constantFrom('add', 'replace', 'remove')), 500, ([p, op]) => {
      const body = { schemas: [PATCH_OP], Operations: [{ op, path: p, value: { isAdmin: true } }] };
      assert.throws(
        () => applyPatch(FROZEN[0]!, body),
        (error) => expectClientError(error, p).scimType === 'invalidPath',
      );
      assertPrototypeClean(p);
    });
  });
});

/** A POST/PUT body: SCIM attribute names in any case with random values, plus noise. */
const userBody: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.dictionary(
          fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom(...SIMPLE_PATHS).chain(casings) },
            { weight: 1, arbitrary: fc.constantFrom('schemas', 'password', 'roles', 'groups', ENTERPRISE) },
            { weight: 1, arbitrary: fc.constantFrom(...BAD_PATHS) },
            { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
          ),
          patchValue,
          { maxKeys: 8 },
        ),
        fc.constantFrom(...HOSTILE_STRINGS),
      )
      .map(([body, userName]) => ({ userName, ...body })),
  },
  { weight: 1, arbitrary: pollutingObject },
  { weight: 1, arbitrary: jsonish },
);

describe(`SCIM body normalization under fuzzing (seed ${FUZZ_SEED})`, () => {
  it('refuses a dotted key into a multi-valued attribute, or stores an array', () => {
    for (const body of [
      { userName: 'a@acme.test', 'emails.value': 'a@acme.test' },
      { 'addresses.postalCode': '1' },
    ]) {
      try {
        const input = normalizeUserInput(body) as Record<string, unknown>;
        assert.ok(input.emails === undefined || Array.isArray(input.emails), 'emails is an array');
        assert.ok(input.addresses === undefined || Array.isArray(input.addresses), 'addresses is an array');
      } catch (error) {
        expectClientError(error, JSON.stringify(body));
      }
    }
  });

  it('turns random bodies into canonical input or a 4xx ScimError, never touching the body', () => {
    let accepted = 0;
    check(userBody, 2000, (body) => {
      const snapshot = structuredClone(body);
      const frozen = deepFreeze(structuredClone(body));
      try {
        const input = normalizeUserInput(frozen);
        accepted += 1;
        assertPlainJson(input, 'input');
        // Canonical input is a fixed point: normalizing it again changes nothing.
        assert.deepEqual(normalizeUserInput(structuredClone(input)), input);
      } catch (error) {
        expectClientError(error, `normalizeUserInput(${JSON.stringify(body)})`);
      }
      assert.deepEqual(frozen, snapshot, 'the body is unchanged');
      assertPrototypeClean('normalizeUserInput');
    });
    assert.ok(accepted > 200, `only ${accepted} bodies were accepted: the generator misses`);
  });
});
