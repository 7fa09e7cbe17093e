// The SQL compiler against the in-memory matcher, on SQLite and — when it is reachable — PostgreSQL:
// for every filter of agreement-cases.fixture.ts, the members the database returns must be exactly
// the members matchFilter picks from the same data's SCIM resources.
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { AGREEMENT_CASES } from '../../../test/fixtures/filter/agreement-cases.fixture.ts';
import {
  type FixtureDatabase,
  openFixtureDatabase,
  POSTGRES_URL,
  SQL_DIALECTS,
} from '../../../test/fixtures/filter/fixture-database.ts';
import {
  ACME,
  ACME_RESOURCES,
  insertMembers,
  memberId,
} from '../../../test/fixtures/filter/members.fixture.ts';
import { newMemberRow } from '../../membership/member-row.ts';
import { matchFilter } from '../../scim/filter/match-filter.ts';
import { parseFilter } from '../../scim/filter/parse-filter.ts';
import { resolveFilter, resolveSortBy } from '../../scim/filter/resolve-filter.ts';
import { foldCase } from '../../scim/fold-case.ts';
import { toHttpError } from '../../web/error-response.ts';
import type { DialectName, StoreDialect } from '../dialect.ts';
import { up } from '../migrations/001-initial.ts';
import { up as groups } from '../migrations/012-groups.ts';
import { up as effectiveAccess } from '../migrations/017-effective-access.ts';
import { MemberRepo, memberEmailRecords } from '../repos/members.ts';
import type { Database as Tables } from '../schema.ts';
import { fixStatistics } from '../sqlite/fix-statistics.ts';
import { type CompileOptions, compileFilter, compileSort, MEMBERSHIP_ALIAS } from './compile-filter.ts';

interface Harness extends FixtureDatabase {
  /** The member repository over `db`: one per harness, so its query templates live as long. */
  members(dialect: DialectName): MemberRepo;
}

function repoOver(db: Kysely<Tables>): (dialect: DialectName) => MemberRepo {
  let repo: MemberRepo | undefined;
  return (dialect) => {
    repo ??= new MemberRepo({ db, dialect: { name: dialect, sql: SQL_DIALECTS[dialect] } as StoreDialect });
    return repo;
  };
}

async function openHarness(dialect: DialectName): Promise<Harness> {
  const fixture = await openFixtureDatabase(dialect);
  return { ...fixture, members: repoOver(fixture.db) };
}

/** A filter as the listing use case hands it to the store: parsed, then validated and resolved. */
const filterOf = (text: string) => resolveFilter(parseFilter(text));

const openSqlite = () => openHarness('sqlite');
const openPostgres = () => openHarness('postgres');

async function selectIds(
  harness: Harness,
  filter: string,
  dialect: DialectName,
  options: CompileOptions = {},
): Promise<string[]> {
  const rows = await harness.db
    .selectFrom('memberships as m')
    .select('m.id')
    .where('m.organization_id', '=', ACME)
    .where(compileFilter(filterOf(filter), SQL_DIALECTS[dialect], options))
    .execute();
  return rows.map((row) => row.id).sort();
}

function matchIds(filter: string): string[] {
  const parsed = parseFilter(filter);
  return ACME_RESOURCES.filter((resource) => matchFilter(parsed, resource))
    .map((resource) => String(resource.id))
    .sort();
}

function suite(dialect: DialectName, open: () => Promise<Harness>): void {
  describe(`compileFilter on ${dialect}`, () => {
    let harness: Harness | undefined;
    let unavailable: string | undefined;

    before(async () => {
      try {
        harness = await open();
      } catch (error) {
        if (dialect === 'sqlite' || process.env.REQUIRE_POSTGRES === '1') throw error;
        unavailable = `PostgreSQL not reachable at ${POSTGRES_URL.replace(/\/\/[^@]*@/, '//…@')}: ${String(error)}`;
      }
    });
    after(async () => harness?.close());

    /** The harness, or undefined after marking the test skipped (PostgreSQL down, not required). */
    const ready = (t: TestContext): Harness | undefined => {
      if (harness === undefined) t.skip(unavailable ?? 'database not opened');
      return harness;
    };

    for (const { filter, expect } of AGREEMENT_CASES) {
      it(`returns what matchFilter returns for ${filter}`, async (t) => {
        const h = ready(t);
        if (h === undefined) return;
        const expected = matchIds(filter);
        assert.deepEqual(await selectIds(h, filter, dialect), expected);
        // Told the organization, as listMembers does (emails then start from the organization's index).
        assert.deepEqual(await selectIds(h, filter, dialect, { organizationId: ACME }), expected);
        // Through the member repository, whose compiled queries are shared by filters of one shape:
        // the cases run one after another on one repository, so most shapes are met again with
        // other values (query-templates.ts).
        const members = h.members(dialect);
        const listed = await members.list(ACME, { filter: filterOf(filter), offset: 0, limit: 200 });
        assert.deepEqual(listed.map((row) => row.id).sort(), expected);
        assert.equal(await members.count(ACME, filterOf(filter)), expected.length);
        if (expect) assert.deepEqual(expected, expect.map(memberId).sort());
      });
    }

    it('binds values as parameters instead of writing them into the SQL', async (t) => {
      const h = ready(t);
      if (h === undefined) return;
      const value = `x'); DROP TABLE memberships; --`;
      const query = h.db
        .selectFrom('memberships as m')
        .select('m.id')
        .where(compileFilter(filterOf(`displayName co "${value}"`), SQL_DIALECTS[dialect]))
        .compile();
      assert.ok(!query.sql.includes('DROP TABLE'));
      assert.ok(query.parameters.some((p) => typeof p === 'string' && p.includes('DROP TABLE')));
      assert.deepEqual(await selectIds(h, `displayName co "${value}"`, dialect), []);
    });

    it('answers a chain of 250 or terms, about as many as a 4096-character filter holds', async (t) => {
      const h = ready(t);
      if (h === undefined) return;
      const filter = Array.from({ length: 250 }, (_, i) => `id eq "${i}"`).join(' or ');
      assert.deepEqual(await selectIds(h, `${filter} or id eq "mem-jane"`, dialect), [memberId('jane')]);
    });

    it('sorts by userName ignoring case, with the tie-breaker the caller adds', async (t) => {
      const h = ready(t);
      if (h === undefined) return;
      const rows = await h.db
        .selectFrom('memberships as m')
        .select(['m.id', 'm.user_name'])
        .where('m.organization_id', '=', ACME)
        .orderBy(compileSort(resolveSortBy('USERNAME'), SQL_DIALECTS[dialect]), 'asc')
        .orderBy('m.seq')
        .execute();
      const names = rows.map((row) => row.user_name);
      const sorted = [...names].sort((a, b) =>
        Buffer.compare(Buffer.from(foldCase(a)), Buffer.from(foldCase(b))),
      );
      assert.deepEqual(names, sorted);
    });

    it('sorts a multi-valued attribute by its primary value, else its first', async (t) => {
      const h = ready(t);
      if (h === undefined) return;
      const rows = await h.db
        .selectFrom('memberships as m')
        .select([
          'm.id',
          sql<string>`${compileSort(resolveSortBy('emails'), SQL_DIALECTS[dialect])}`.as('key'),
        ])
        .where('m.organization_id', '=', ACME)
        .where('m.id', 'in', [memberId('john'), memberId('photo'), memberId('cross'), memberId('noprimary')])
        .execute();
      const keys = Object.fromEntries(rows.map((row) => [row.id, row.key]));
      assert.deepEqual(keys, {
        [memberId('john')]: 'john.smith@acme.com',
        [memberId('photo')]: 'photo@acme.com',
        [memberId('cross')]: 'cross@other.org',
        [memberId('noprimary')]: 'p1@acme.com',
      });
      const phones = await h.db
        .selectFrom('memberships as m')
        .select(
          sql<string>`${compileSort(resolveSortBy('phoneNumbers.value'), SQL_DIALECTS[dialect])}`.as('key'),
        )
        .where('m.id', '=', memberId('phones'))
        .executeTakeFirstOrThrow();
      assert.equal(phones.key, '+33 1 23 45');
    });

    it('sorts by dates, extension attributes and roles', async (t) => {
      const h = ready(t);
      if (h === undefined) return;
      for (const sortBy of [
        'meta.created',
        `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`,
        'roles',
        'active',
      ]) {
        const rows = await h.db
          .selectFrom(`memberships as ${MEMBERSHIP_ALIAS}`)
          .select('m.id')
          .where('m.organization_id', '=', ACME)
          .orderBy(compileSort(resolveSortBy(sortBy), SQL_DIALECTS[dialect]), 'desc')
          .execute();
        assert.equal(rows.length, ACME_RESOURCES.length, sortBy);
      }
    });
  });
}

suite('sqlite', openSqlite);
suite('postgres', openPostgres);

/**
 * The lookups IdPs make before every create — and prefix searches — must be index searches, not
 * walks of the organization (SQLite `EXPLAIN QUERY PLAN`), at a realistic size and with the planner
 * statistics the store fixes (sqlite/fix-statistics.ts). The caller's `m.organization_id = ?`
 * is part of each query and the organization is passed to the compiler, as in listMembers.
 * Regression: `emails.value co|sw` once probed every email of the organization for every member
 * (100 s at 10k members), and `emails.value eq` visited every member.
 */
describe('compileFilter query plans on SQLite', () => {
  const PLANS: ReadonlyArray<readonly [string, RegExp]> = [
    [
      'userName eq "jane.doe@acme.com"',
      /SEARCH m USING INDEX memberships_org_user_name \(organization_id=\? AND <expr>=\?\)/,
    ],
    [
      'externalId eq "00ujl29u0le5T6Aj10h7"',
      /SEARCH m USING INDEX \S+ \(organization_id=\? AND external_id=\?\)/,
    ],
    [
      'emails.value eq "jane.doe@acme.com"',
      /SEARCH e USING INDEX member_emails_org_value \(organization_id=\? AND <expr>=\?\)/,
    ],
    [
      'emails[type eq "work"].value eq "jane.doe@acme.com"',
      /SEARCH e USING INDEX member_emails_org_value \(organization_id=\? AND <expr>=\?\)/,
    ],
    [
      'emails.value sw "jane."',
      /SEARCH e USING INDEX member_emails_org_value \(organization_id=\? AND <expr>>\? AND <expr><\?\)/,
    ],
    [
      'userName sw "JANE"',
      /SEARCH m USING INDEX memberships_org_user_name \(organization_id=\? AND <expr>>\? AND <expr><\?\)/,
    ],
    [
      'displayName sw "Jane D"',
      /SEARCH m USING INDEX memberships_org_display_name \(organization_id=\? AND <expr>>\? AND <expr><\?\)/,
    ],
    ['id eq "mem-jane"', /SEARCH m USING INDEX \S+ \(id=\?\)/],
    // No index can seek these: one pass over the covering index, never the rows.
    [
      'displayName co "ller 1"',
      /SEARCH m USING COVERING INDEX memberships_org_display_name \(organization_id=\?\)/,
    ],
    [
      'name.familyName ew "99"',
      /SEARCH m USING COVERING INDEX memberships_org_family_name \(organization_id=\?\)/,
    ],
    [
      'emails.value co "filler.1"',
      /SEARCH e USING (?:COVERING )?INDEX member_emails_org_value \(organization_id=\?\)/,
    ],
  ];
  /** Members beyond the fixture's, so that reaching one by the organization alone is a real walk. */
  const FILLER = 2000;
  let harness: Harness;
  before(async () => {
    const database = new Database(':memory:');
    const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database }) });
    await up(db as unknown as Kysely<unknown>, 'sqlite');
    await groups(db as unknown as Kysely<unknown>, 'sqlite');
    await effectiveAccess(db as unknown as Kysely<unknown>, 'sqlite');
    await insertMembers(db);
    const at = '2024-01-01T00:00:00.000Z';
    for (let i = 0; i < FILLER; i += 1) {
      const email = `filler.${i}@acme.com`;
      await db
        .insertInto('users')
        .values({
          id: `user-filler-${i}`,
          email,
          display_name: null,
          password_hash: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      const { row, emails } = newMemberRow({
        id: `mem-filler-${i}`,
        organizationId: ACME,
        userId: `user-filler-${i}`,
        seq: 1000 + i,
        document: {
          userName: email,
          displayName: `Filler ${i}`,
          name: { givenName: 'Filler', familyName: String(i) },
          emails: [{ value: email, type: 'work', primary: true }],
        },
        source: 'scim',
        role: 'member',
        at,
      });
      await db.insertInto('memberships').values(row).execute();
      await db.insertInto('member_emails').values(memberEmailRecords(row, emails)).execute();
    }
    fixStatistics(database);
    harness = { db, members: repoOver(db), close: () => db.destroy() };
  });
  after(async () => harness.close());

  for (const [filter, index] of PLANS) {
    it(`answers ${filter} from an index without walking the organization`, async () => {
      const query = harness.db
        .selectFrom('memberships as m')
        .select('m.id')
        .where('m.organization_id', '=', ACME)
        .where(compileFilter(filterOf(filter), SQL_DIALECTS.sqlite, { organizationId: ACME }))
        .compile();
      const { rows } = await harness.db.executeQuery<{ detail: string }>({
        ...query,
        sql: `EXPLAIN QUERY PLAN ${query.sql}`,
      });
      const plan = rows.map((row) => row.detail).join('\n');
      assert.match(plan, index);
      assert.doesNotMatch(plan, /SCAN m\b/);
      // Every member of the organization, row by row:
      assert.doesNotMatch(plan, /SEARCH m USING INDEX \S+ \(organization_id=\?\)/);
      assert.doesNotMatch(plan, /SEARCH e EXISTS USING (?:COVERING )?INDEX member_emails_org_value/);
      // …or even one pass over an index, unless nothing can seek the condition (`co`, `ew`):
      if (!/ (co|ew) /.test(filter)) {
        assert.doesNotMatch(plan, /USING (?:COVERING )?INDEX \S+ \(organization_id=\?\)/);
      }
    });
  }

  it("reads an email condition on the member's own emails when the organization is not given", async () => {
    const query = harness.db
      .selectFrom('memberships as m')
      .select('m.id')
      .where('m.organization_id', '=', ACME)
      .where(compileFilter(filterOf('emails.value co "filler.1"'), SQL_DIALECTS.sqlite))
      .compile();
    const { rows } = await harness.db.executeQuery<{ detail: string }>({
      ...query,
      sql: `EXPLAIN QUERY PLAN ${query.sql}`,
    });
    const plan = rows.map((row) => row.detail).join('\n');
    assert.match(plan, /SEARCH e EXISTS USING INDEX sqlite_autoindex_member_emails_1 \(membership_id=\?\)/);
  });
});

/** The same lookups on PostgreSQL, with sequential scans disabled so that the tiny fixture cannot hide them. */
describe('compileFilter query plans on PostgreSQL', () => {
  const PLANS: ReadonlyArray<readonly [string, RegExp]> = [
    [
      'userName eq "jane.doe@acme.com"',
      /Index Scan on memberships_org_user_name|Index Scan using memberships_org_user_name/,
    ],
    ['externalId eq "00ujl29u0le5T6Aj10h7"', /memberships_org_external_id/],
    ['emails.value eq "jane.doe@acme.com"', /Index Scan using member_emails_org_value/],
    ['emails[type eq "work"].value eq "jane.doe@acme.com"', /Index Scan using member_emails_org_value/],
    ['id eq "mem-jane"', /Index Scan using memberships_pkey/],
  ];
  let harness: Harness | undefined;
  let unavailable: string | undefined;
  before(async () => {
    try {
      harness = await openPostgres();
      await sql`ANALYZE memberships, member_emails`.execute(harness.db);
    } catch (error) {
      if (process.env.REQUIRE_POSTGRES === '1') throw error;
      unavailable = `PostgreSQL not reachable at ${POSTGRES_URL.replace(/\/\/[^@]*@/, '//…@')}: ${String(error)}`;
    }
  });
  after(async () => harness?.close());

  for (const [filter, index] of PLANS) {
    it(`answers ${filter} from an index`, async (t) => {
      if (harness === undefined) return t.skip(unavailable);
      const { db } = harness;
      const plan = await db.connection().execute(async (connection) => {
        await sql`SET enable_seqscan = off`.execute(connection);
        const query = connection
          .selectFrom('memberships as m')
          .select('m.id')
          .where('m.organization_id', '=', ACME)
          .where(compileFilter(filterOf(filter), SQL_DIALECTS.postgres, { organizationId: ACME }))
          .compile();
        const { rows } = await connection.executeQuery<{ 'QUERY PLAN': string }>({
          ...query,
          sql: `EXPLAIN ${query.sql}`,
        });
        await sql`RESET enable_seqscan`.execute(connection);
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      });
      assert.match(plan, index);
      assert.doesNotMatch(plan, /Seq Scan on memberships/);
    });
  }
});

describe('compileFilter refusals', () => {
  // Validation refuses most (a ScimError), the store what SQL cannot compare (a store error): each
  // checked as the client is answered (toHttpError).
  const REFUSED: ReadonlyArray<readonly [string, string, RegExp]> = [
    ['an unknown attribute', 'favoriteColor eq "blue"', /unknown attribute 'favoriteColor'/],
    [
      'an attribute of another schema',
      'urn:example:1.0:Thing:color eq "red"',
      /schema 'urn:example:1.0:Thing'/,
    ],
    ['an extension attribute without its URN', 'department eq "x"', /take their schema URN/],
    ['a boolean compared with gt', 'active gt true', /boolean: only eq, ne and pr/],
    ['a boolean sub-attribute compared with lt', 'emails[primary lt true]', /boolean: only eq, ne and pr/],
    ['a boolean attribute compared with a string', 'active eq "True"', /compare it with true or false/],
    ['a string attribute compared with a boolean', 'userName eq true', /'userName' is a string/],
    ['an invalid dateTime', 'meta.lastModified gt "2024-13-01T00:00:00Z"', /not an xsd:dateTime/],
    ['co on a dateTime', 'meta.created co "2024"', /is a dateTime/],
    [
      'a comparison of meta.location',
      'meta.location eq "https://x/Users/1"',
      /'meta.location' cannot be compared/,
    ],
    ['a comparison of a complex attribute', 'name eq "Jane"', /is a complex attribute/],
    ['the password', 'password pr', /never returned/],
  ];
  for (const [name, filter, message] of REFUSED) {
    it(`rejects ${name} with 400 invalidFilter: ${filter}`, () => {
      for (const dialect of ['sqlite', 'postgres'] as const) {
        assert.throws(
          () => compileFilter(filterOf(filter), SQL_DIALECTS[dialect]),
          (error: unknown) => {
            const answer = toHttpError(error);
            return (
              !answer.unexpected &&
              answer.status === 400 &&
              answer.scimType === 'invalidFilter' &&
              message.test(answer.message)
            );
          },
        );
      }
    });
  }

  for (const sortBy of ['favoriteColor', 'name', 'meta.location', 'name..x', '']) {
    it(`rejects sortBy ${JSON.stringify(sortBy)} with 400 invalidValue`, () => {
      assert.throws(
        () => compileSort(resolveSortBy(sortBy), SQL_DIALECTS.sqlite),
        (error: unknown) => {
          const answer = toHttpError(error);
          return !answer.unexpected && answer.status === 400 && answer.scimType === 'invalidValue';
        },
      );
    });
  }
});
