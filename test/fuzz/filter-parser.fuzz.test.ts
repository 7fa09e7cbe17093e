// Property: whatever text arrives in `?filter=`, the parser, the validator, the in-memory matcher and
// the SQL compiler either succeed or refuse it with a ScimError 400 `invalidFilter` — never a
// TypeError, a RangeError (stack overflow) or a hang. Seeds are fixed (see fuzz.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import type { FilterNode } from '../../src/scim/filter/ast.ts';
import { matchFilter } from '../../src/scim/filter/match-filter.ts';
import { parseFilter } from '../../src/scim/filter/parse-filter.ts';
import { resolveFilter } from '../../src/scim/filter/resolve-filter.ts';
import { validateFilter } from '../../src/scim/filter/validate-filter.ts';
import { ScimError } from '../../src/scim/scim-error.ts';
import type { DialectName } from '../../src/store/dialect.ts';
import { compileFilter } from '../../src/store/filter/compile-filter.ts';
import type { Database } from '../../src/store/schema.ts';
import { toHttpError } from '../../src/web/error-response.ts';
import { SQL_DIALECTS } from '../fixtures/filter/fixture-database.ts';
import { ACME_RESOURCES } from '../fixtures/filter/members.fixture.ts';
import { deepFilter, grammarFilter, tokenSoup } from './filter-arbitraries.ts';
import { check, expectClientError, FUZZ_SEED, HOSTILE_STRINGS } from './fuzz.ts';

/** Query builders that compile SQL without a database, one per dialect. */
const compilers: Record<DialectName, Kysely<Database>> = {
  sqlite: new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  }),
  postgres: new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  }),
};

interface Outcome {
  parsed: boolean;
  compiled: boolean;
}

/** A store refusal as the client is answered (as a ScimError); any other error as it is. */
function answered(error: unknown): unknown {
  const answer = toHttpError(error);
  return answer.unexpected ? error : new ScimError(answer.status, answer.message, answer.scimType);
}

/** Runs text through every stage a listing runs it through; only ScimError 400 may escape. */
function exercise(text: string): Outcome {
  let node: FilterNode;
  try {
    node = parseFilter(text);
  } catch (error) {
    const refusal = expectClientError(error, `parseFilter(${JSON.stringify(text)})`);
    assert.equal(refusal.status, 400);
    assert.equal(refusal.scimType, 'invalidFilter');
    return { parsed: false, compiled: false };
  }
  // The matcher never throws, valid filter or not.
  for (const resource of ACME_RESOURCES.slice(0, 8)) matchFilter(node, resource);
  try {
    validateFilter(node);
  } catch (error) {
    const refusal = expectClientError(error, `validateFilter(${JSON.stringify(text)})`);
    assert.equal(refusal.scimType, 'invalidFilter');
  }
  let compiled = false;
  for (const dialect of ['sqlite', 'postgres'] as const) {
    try {
      const query = compilers[dialect]
        .selectFrom('memberships as m')
        .select('m.id')
        .where(compileFilter(resolveFilter(node), SQL_DIALECTS[dialect]))
        .compile();
      assert.equal(typeof query.sql, 'string');
      compiled = true;
    } catch (error) {
      const refusal = expectClientError(
        answered(error),
        `compileFilter(${JSON.stringify(text)}, ${dialect})`,
      );
      assert.equal(refusal.scimType, 'invalidFilter');
    }
  }
  return { parsed: true, compiled };
}

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const strings = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
);

describe(`the filter parser under fuzzing (seed ${FUZZ_SEED})`, () => {
  it('answers arbitrary Unicode text with a filter or a 400 invalidFilter, nothing else', () => {
    check(fc.string({ unit: 'binary', maxLength: 200 }), 2000, (text) => void exercise(text));
  });

  it('answers arbitrary printable ASCII with a filter or a 400 invalidFilter, nothing else', () => {
    check(fc.string({ unit: 'binary-ascii', maxLength: 120 }), 1500, (text) => void exercise(text));
  });

  it('answers grammar-shaped token soup with a filter or a 400 invalidFilter, nothing else', () => {
    check(tokenSoup, 2000, (text) => void exercise(text));
  });

  it('answers deep nesting below and beyond the depth limit without overflowing the stack', () => {
    check(deepFilter, 300, (text) => void exercise(text));
  });

  it('parses every grammar-built filter, and compiles or refuses it with invalidFilter', () => {
    let compiled = 0;
    let total = 0;
    // Values Roster stores: U+0000 and unpaired surrogates may be refused by the parser itself.
    const storable = strings.filter((s) => !s.includes('\u0000') && !UNPAIRED_SURROGATE.test(s));
    check(grammarFilter(storable), 1500, (text) => {
      const outcome = exercise(text);
      assert.ok(outcome.parsed, `a well-formed filter was refused by the parser: ${text}`);
      total += 1;
      if (outcome.compiled) compiled += 1;
    });
    // The generator must mostly reach the compiler, or the property above proves little.
    assert.ok(compiled / total > 0.3, `only ${compiled} of ${total} generated filters compiled`);
  });

  it('refuses a filter longer than the limit before tokenizing it', () => {
    const text = `userName eq "${'a'.repeat(5000)}"`;
    assert.throws(() => parseFilter(text), /limit is 4096/);
  });
});
