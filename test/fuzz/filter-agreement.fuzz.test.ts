// Property: for generated filters over the fixture of src/store/filter/members.fixture.ts, the
// members the database returns (compileFilter → SQL) are exactly those matchFilter picks from the
// same members' SCIM resources, on SQLite and on PostgreSQL. The hand-written cases of
// agreement-cases.fixture.ts pin the meaning; this run looks for the corners nobody wrote down.
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import fc from 'fast-check';
import { matchFilter } from '../../src/scim/filter/match-filter.ts';
import { parseFilter } from '../../src/scim/filter/parse-filter.ts';
import { resolveFilter } from '../../src/scim/filter/resolve-filter.ts';
import type { DialectName } from '../../src/store/dialect.ts';
import { compileFilter } from '../../src/store/filter/compile-filter.ts';
import { toHttpError } from '../../src/web/error-response.ts';
import {
  type FixtureDatabase,
  openFixtureDatabase,
  SQL_DIALECTS,
} from '../fixtures/filter/fixture-database.ts';
import { ACME, ACME_RESOURCES } from '../fixtures/filter/members.fixture.ts';
import { skipReason } from '../helpers/stores.ts';
import { grammarFilter } from './filter-arbitraries.ts';
import { checkAsync, FUZZ_SEED } from './fuzz.ts';

/** Every string in the fixture's resources, so that generated comparisons often hit something. */
function fixtureStrings(): string[] {
  const found = new Set<string>();
  const walk = (value: unknown) => {
    if (typeof value === 'string') found.add(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  ACME_RESOURCES.forEach(walk);
  return [...found];
}

const FIXTURE_STRINGS = fixtureStrings();

/**
 * Values: fixture strings, their pieces (for co/sw/ew), other cases (ASCII and Unicode upper case),
 * and a little noise, with letters that Unicode folding would change (`İ`, the Kelvin sign, `ß`,
 * `É`): both stores and the matcher fold ASCII letters only (src/scim/fold-case.ts), so they must
 * agree on those too.
 */
const values = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...FIXTURE_STRINGS) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...FIXTURE_STRINGS), fc.nat(), fc.nat())
      .map(([s, a, b]) => s.slice(Math.min(a, b) % (s.length + 1), Math.max(a, b) % (s.length + 1))),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...FIXTURE_STRINGS), fc.constantFrom('upper', 'lower', 'unicode'))
      .map(([s, how]) =>
        how === 'upper'
          ? s.replace(/[a-z]/g, (c) => c.toUpperCase())
          : how === 'lower'
            ? s.toLowerCase()
            : s.toUpperCase(),
      ),
  },
  {
    weight: 1,
    arbitrary: fc.string({ unit: fc.constantFrom(...'aAeE@._%\\*?[]-1 éÉiIİıkK\u212Aßs'), maxLength: 5 }),
  },
);

async function selectIds(harness: FixtureDatabase, filter: string, dialect: DialectName): Promise<string[]> {
  const rows = await harness.db
    .selectFrom('memberships as m')
    .select('m.id')
    .where('m.organization_id', '=', ACME)
    .where(compileFilter(resolveFilter(parseFilter(filter)), SQL_DIALECTS[dialect]))
    .execute();
  return rows.map((row) => row.id).sort();
}

function matchIds(filter: string): string[] {
  const parsed = parseFilter(filter);
  return ACME_RESOURCES.filter((resource) => matchFilter(parsed, resource))
    .map((resource) => String(resource.id))
    .sort();
}

const RUNS: Record<DialectName, number> = { sqlite: 1000, postgres: 600 };

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`filter SQL and the in-memory matcher agree (${dialect}, seed ${FUZZ_SEED})`, {
    skip: skipReason(dialect),
  }, () => {
    let harness: FixtureDatabase | undefined;
    before(async () => {
      harness = await openFixtureDatabase(dialect, 'fuzz_filter');
    });
    after(async () => harness?.close());

    it(`returns the same members for ${RUNS[dialect]} generated filters`, async (t: TestContext) => {
      const h = harness!;
      let compared = 0;
      let nonEmpty = 0;
      let refused = 0;
      await checkAsync(grammarFilter(values), RUNS[dialect], async (filter) => {
        let fromSql: string[];
        try {
          fromSql = await selectIds(h, filter, dialect);
        } catch (error) {
          // resolveFilter refused it (an ill-typed comparison), or the store (what SQL cannot
          // compare): that is the database's answer too.
          const answer = toHttpError(error);
          if (!answer.unexpected && answer.scimType === 'invalidFilter') {
            refused += 1;
            return;
          }
          throw error;
        }
        const inMemory = matchIds(filter);
        assert.deepEqual(fromSql, inMemory, `SQL and matchFilter disagree on: ${filter}`);
        compared += 1;
        if (inMemory.length > 0) nonEmpty += 1;
      });
      t.diagnostic(`compared ${compared}, of which ${nonEmpty} non-empty; ${refused} refused as invalid`);
      assert.ok(compared > RUNS[dialect] * 0.3, `only ${compared} filters reached the database`);
      assert.ok(nonEmpty > compared * 0.1, `only ${nonEmpty} of ${compared} filters matched anyone`);
    });

    it('does not match members without a name by name[not (…)]', async () => {
      for (const filter of ['name[not (givenName eq "Jane")]', 'name[givenName ne "Jane"]']) {
        assert.deepEqual(await selectIds(harness!, filter, dialect), matchIds(filter), filter);
      }
    });
  });
}
