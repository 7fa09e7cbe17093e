// One case-folding rule on both stores: ASCII letters only (src/scim/fold-case.ts). `İ` (U+0130),
// the Kelvin sign (U+212A) and `ß` are letters of their own: a spelling with them reaches no account,
// no member and no SCIM filter match, and has a sign-in throttle counter of its own that cannot
// touch the account's; ASCII case variants reach the account and share its counter. Regression: on
// PostgreSQL, lower() folded `admİn@…` to admin@…, so the variant signed in to that account with a
// fresh throttle counter (the throttle's String#toLowerCase kept the dotted İ).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type Kysely, Migrator, sql } from 'kysely';
import { foldCase } from '../../src/scim/fold-case.ts';
import { SignInThrottle } from '../../src/sign-in/sign-in-throttle.ts';
import { FOLDED_INDEXES } from '../../src/store/migrations/007-case-folding.ts';
import { migrationProvider } from '../../src/store/migrations/index.ts';
import { POSTGRES_SQL } from '../../src/store/postgres/postgres-sql.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import {
  ADMIN_PASSWORD,
  MEMBER_PASSWORD,
  type ScimPerson,
  scimMember,
  setCookie,
  submitSignInForm,
} from '../helpers/dashboard.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { createTestDatabase, STORE_KINDS, skipReason } from '../helpers/stores.ts';

const KELVIN = '\u212A';
const DOTTED_I = '\u0130';

describe('foldCase and the throttle key', () => {
  it('folds A–Z and nothing else', () => {
    assert.equal(foldCase('Ann.O’Neil@Example.TEST'), 'ann.o’neil@example.test');
    for (const letter of [DOTTED_I, KELVIN, 'ß', 'É', 'Ω', 'ı']) assert.equal(foldCase(letter), letter);
  });

  it('gives ASCII case variants one key and non-ASCII look-alikes keys of their own', () => {
    const key = (email: string) => SignInThrottle.key(email, '192.0.2.1');
    assert.equal(key(' KIM@Acme.Test '), key('kim@acme.test'));
    assert.notEqual(key(`${KELVIN}im@acme.test`), key('kim@acme.test'));
    assert.notEqual(key(`k${DOTTED_I}m@acme.test`), key('kim@acme.test'));
    assert.notEqual(key('straße@acme.test'), key('strasse@acme.test'));
  });
});

for (const kind of STORE_KINDS) {
  describe(`case folding of emails and userNames (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let kim: ScimPerson;
    beforeEach(async () => {
      t = await setupApp(kind);
      kim = await scimMember(t, 'kim.strasse@acme.test');
    });
    afterEach(() => t.cleanup());

    const lookAlikes = [
      `${KELVIN}im.strasse@acme.test`,
      `k${DOTTED_I}m.strasse@acme.test`,
      'kim.straße@acme.test',
      `${KELVIN}IM.STRASSE@ACME.TEST`,
    ];

    it('finds the account and the member by ASCII case variants only', async () => {
      const org = t.org.organization.id;
      for (const variant of ['KIM.STRASSE@ACME.TEST', 'Kim.Strasse@acme.test']) {
        assert.equal((await t.store.users.findByEmail(variant))?.id, kim.userId, variant);
        assert.equal((await t.store.members.findByUserName(org, variant))?.id, kim.id, variant);
        assert.equal((await t.store.sso.findMemberForSignIn(org, variant))?.id, kim.id, variant);
      }
      for (const variant of lookAlikes) {
        assert.equal(await t.store.users.findByEmail(variant), undefined, variant);
        assert.equal(await t.store.members.findByUserName(org, variant), undefined, variant);
        assert.equal(await t.store.sso.findMemberForSignIn(org, variant), undefined, variant);
      }
    });

    it('matches SCIM filters and the directory search by ASCII case variants only', async () => {
      const count = async (filter: string) => {
        const res = await t.scim('GET', `Users?filter=${encodeURIComponent(filter)}`);
        assert.equal(res.statusCode, 200, res.body);
        return res.json().totalResults as number;
      };
      assert.equal(await count('userName eq "KIM.STRASSE@ACME.TEST"'), 1);
      assert.equal(await count('emails.value eq "Kim.Strasse@Acme.Test"'), 1);
      assert.equal(await count('userName sw "KIM."'), 1);
      for (const variant of lookAlikes) {
        assert.equal(await count(`userName eq "${variant}"`), 0, variant);
        assert.equal(await count(`emails[type eq "work"].value eq "${variant}"`), 0, variant);
        assert.equal(await count(`userName sw "${variant.slice(0, -1)}"`), 0, variant);
      }
      const search = async (text: string) =>
        (await t.store.memberDirectory.search(t.org.organization.id, { text, limit: 10 })).map(
          (row) => row.id,
        );
      assert.deepEqual(await search('KIM.S'), [kim.id]);
      assert.deepEqual(await search(`${KELVIN}IM.S`), []);
    });

    it('provisions a look-alike userName as another person, never linked to the account', async () => {
      const res = await t.scim('POST', 'Users', {
        userName: `k${DOTTED_I}m.strasse@acme.test`,
        emails: [{ value: `k${DOTTED_I}m.strasse@acme.test`, type: 'work', primary: true }],
      });
      assert.equal(res.statusCode, 201, res.body);
      const created = await t.store.members.getById(t.org.organization.id, res.json().id as string);
      assert.ok(created);
      assert.notEqual(created.user_id, kim.userId);
      assert.equal((await t.store.users.getById(kim.userId))?.email, 'kim.strasse@acme.test');
      // An ASCII case variant is the same person: a uniqueness conflict, nothing stored.
      const before = await snapshot(t.store);
      const again = await t.scim('POST', 'Users', { userName: 'KIM.STRASSE@acme.test' });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().scimType, 'uniqueness');
      assert.deepEqual(await snapshot(t.store), before);
    });

    it('signs in with an ASCII case variant, and not with a look-alike, even with the right password', async () => {
      const ascii = await submitSignInForm(t.app, ' Kim.Strasse@ACME.test ', MEMBER_PASSWORD);
      assert.equal(ascii.statusCode, 303);
      assert.ok(setCookie(ascii, 'roster_session'));
      for (const variant of lookAlikes) {
        const res = await submitSignInForm(t.app, variant, MEMBER_PASSWORD);
        assert.equal(res.statusCode, 401, variant);
        assert.match(String(res.headers['content-type']), /^text\/html/);
        assert.match(res.body, /Incorrect email or password/);
        assert.equal(setCookie(res, 'roster_session'), undefined, variant);
      }
    });

    it('counts failures of every ASCII case variant together', async () => {
      const variants = ['ADMIN@ACME.TEST', 'Admin@Acme.Test', ' admin@acme.test '];
      for (let i = 0; i < 10; i++) {
        const res = await submitSignInForm(t.app, variants[i % variants.length]!, 'a wrong password!');
        assert.equal(res.statusCode, 401, `attempt ${i + 1}`);
      }
      const blocked = await submitSignInForm(t.app, t.org.user.email, ADMIN_PASSWORD);
      assert.equal(blocked.statusCode, 429);
      assert.equal(setCookie(blocked, 'roster_session'), undefined);
      // The attack: a look-alike comes with a fresh counter, but it reaches no account.
      const lookAlike = await submitSignInForm(t.app, `adm${DOTTED_I}n@acme.test`, ADMIN_PASSWORD);
      assert.equal(lookAlike.statusCode, 401);
      assert.equal(setCookie(lookAlike, 'roster_session'), undefined);
    });

    it("gives a look-alike a counter of its own that neither reaches nor blocks the account's", async () => {
      const lookAlike = `adm${DOTTED_I}n@acme.test`;
      for (let i = 0; i < 10; i++) {
        assert.equal((await submitSignInForm(t.app, lookAlike, `wrong password ${i}!`)).statusCode, 401);
      }
      assert.equal((await submitSignInForm(t.app, lookAlike, ADMIN_PASSWORD)).statusCode, 429);
      const owner = await submitSignInForm(t.app, t.org.user.email, ADMIN_PASSWORD);
      assert.equal(owner.statusCode, 303, 'the account itself is not blocked');
    });
  });
}

describe('the PostgreSQL indexes after migration 007', { skip: skipReason('postgres') }, () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await setupApp('postgres');
  });
  afterEach(() => t.cleanup());

  it('are all built on lower(col COLLATE "C"), under their old names', async () => {
    const { rows } = await sql<{ indexname: string; indexdef: string }>`
      select indexname, indexdef from pg_indexes where schemaname = current_schema()
    `.execute(t.store.db);
    const definitions = new Map(rows.map((row) => [row.indexname, row.indexdef]));
    for (const index of FOLDED_INDEXES) {
      assert.match(definitions.get(index.name) ?? '', /lower\(\(?\w+\)? COLLATE "C"\)/, index.name);
    }
    assert.ok(
      ![...definitions.values()].some((d) => /lower\(\(?\w+\)?(::text)?\)/.test(d)),
      'an unfolded lower() index is left',
    );
  });

  it('serve the sign-in lookup by email from the users_email index', async () => {
    const plan = await t.store.db.connection().execute(async (connection) => {
      await sql`SET enable_seqscan = off`.execute(connection);
      const query = connection
        .selectFrom('users')
        .selectAll()
        .where(POSTGRES_SQL.fold(sql.ref('email')), '=', POSTGRES_SQL.fold('Admin@Acme.Test'))
        .compile();
      const { rows } = await connection.executeQuery<{ 'QUERY PLAN': string }>({
        ...query,
        sql: `EXPLAIN ${query.sql}`,
      });
      await sql`RESET enable_seqscan`.execute(connection);
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    assert.match(plan, /Index Scan using users_email/);
  });
});

describe('upgrading a PostgreSQL database to migration 007', { skip: skipReason('postgres') }, () => {
  it('keeps its people, and finds them by ASCII case variants only', async () => {
    const database = await createTestDatabase('postgres');
    const store = database.open();
    try {
      const migrator = new Migrator({
        db: store.db as unknown as Kysely<unknown>,
        provider: migrationProvider('postgres'),
      });
      const before = await migrator.migrateTo('003-sso');
      assert.equal(before.error, undefined);
      const at = new Date().toISOString();
      const user = { display_name: null, password_hash: null, created_at: at, updated_at: at };
      await store.users.insert({ ...user, id: 'u-1', email: 'Kim@Acme.Test' });
      assert.ok((await store.migrate()).includes('007-case-folding'));
      assert.equal((await store.users.findByEmail('KIM@ACME.TEST'))?.id, 'u-1');
      assert.equal(await store.users.findByEmail(`${KELVIN}im@acme.test`), undefined);
      await store.users.insert({ ...user, id: 'u-2', email: `${KELVIN}im@acme.test` });
      await assert.rejects(store.users.insert({ ...user, id: 'u-3', email: 'kim@ACME.test' }), /users_email/);
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
