import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { type Compilable, Kysely, type RawBuilder, SqliteDialect, sql } from 'kysely';
import { parseFilter } from '../scim/filter/parse-filter.ts';
import { resolveFilter } from '../scim/filter/resolve-filter.ts';
import { filterShape } from './filter/filter-shape.ts';
import { QueryTemplates } from './query-templates.ts';
import type { Database as Tables } from './schema.ts';

describe('query templates', () => {
  let db: Kysely<Tables>;
  before(async () => {
    db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    await sql`create table people (name text, team text)`.execute(db);
    await sql`insert into people values ('ada', 'core'), ('bob', 'core'), ('cy', 'web'), ('100%', 'web')`.execute(
      db,
    );
  });
  after(() => db.destroy());

  /** A raw query as the templates take it (a query builder compiles without being handed the db). */
  const raw = (query: RawBuilder<unknown>): Compilable<unknown> => ({ compile: () => query.compile(db) });

  /** A template run whose builder counts its calls. */
  function counted(make: (values: readonly unknown[]) => RawBuilder<unknown>) {
    const calls = { count: 0 };
    const build = (values: readonly unknown[]) => {
      calls.count++;
      return raw(make(values));
    };
    return { calls, build };
  }

  const names = (rows: unknown[]) => rows.map((row) => (row as { name: string }).name).sort();

  it('binds each run’s values to the query compiled for the first run of its shape', async () => {
    const templates = new QueryTemplates();
    const { calls, build } = counted(
      ([team, name]) => sql`select name from people where team = ${team} and name <> ${name}`,
    );
    const run = (team: string, name: string) => templates.run(db, 'by team', [team, name], build).then(names);
    assert.deepEqual(await run('core', 'bob'), ['ada']);
    assert.deepEqual(await run('web', 'zz'), ['100%', 'cy']);
    assert.deepEqual(await run('core', 'ada'), ['bob']);
    assert.equal(calls.count, 1, 'built once, with placeholders');
    assert.equal(templates.size, 1);
  });

  it('keeps constant parameters of the compiled query in place', async () => {
    const templates = new QueryTemplates();
    const run = (name: string) =>
      templates
        .run(db, 'constant team', [name], ([n]) =>
          raw(sql`select name from people where team = ${'core'} and name = ${n}`),
        )
        .then(names);
    assert.deepEqual(await run('ada'), ['ada']);
    assert.deepEqual(await run('cy'), [], 'cy is in web: the constant still applies');
  });

  it('builds afresh, every time, a query that transforms its value before binding it', async () => {
    const templates = new QueryTemplates();
    const { calls, build } = counted(([part]) => sql`select name from people where name like ${`%${part}%`}`);
    assert.deepEqual(names(await templates.run(db, 'like', ['a'], build)), ['ada']);
    assert.deepEqual(names(await templates.run(db, 'like', ['y'], build)), ['cy']);
    assert.equal(calls.count, 1 + 2, 'one attempt with placeholders, then one build per run');
  });

  it('builds afresh a query that writes its value into the SQL text', async () => {
    const templates = new QueryTemplates();
    const build = ([name]: readonly unknown[]) =>
      raw(sql`select name from people where name = ${sql.lit(name)}`);
    assert.deepEqual(names(await templates.run(db, 'literal', ['ada'], build)), ['ada']);
    assert.deepEqual(names(await templates.run(db, 'literal', ['bob'], build)), ['bob']);
  });

  it('lets the real values of a query that refuses placeholders throw their own error', async () => {
    const templates = new QueryTemplates();
    const build = ([limit]: readonly unknown[]) => {
      if (!/^\d+$/.test(String(limit))) throw new RangeError(`not a number: ${String(limit)}`);
      return raw(sql`select name from people order by name limit ${sql.lit(Number(limit))}`);
    };
    assert.deepEqual(names(await templates.run(db, 'checked', ['2'], build)), ['100%', 'ada']);
    await assert.rejects(templates.run(db, 'checked', ['two'], build), /not a number: two/);
  });

  it('forgets the least recently used shape beyond its capacity', async () => {
    const templates = new QueryTemplates(2);
    const { calls, build } = counted(([name]) => sql`select name from people where name = ${name}`);
    await templates.run(db, 'a', ['ada'], build);
    await templates.run(db, 'b', ['ada'], build);
    await templates.run(db, 'a', ['ada'], build); // a is now the most recent
    await templates.run(db, 'c', ['ada'], build); // b goes
    assert.equal(templates.size, 2);
    assert.equal(calls.count, 3);
    await templates.run(db, 'a', ['ada'], build);
    assert.equal(calls.count, 3, 'a was kept');
    await templates.run(db, 'b', ['ada'], build);
    assert.equal(calls.count, 4, 'b was compiled again');
  });
});

describe('template inserts', () => {
  let db: Kysely<Tables>;
  before(async () => {
    db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    await sql`create table users (id text, email text, display_name text, password_hash text, created_at text, updated_at text)`.execute(
      db,
    );
  });
  after(() => db.destroy());

  const user = (id: string, extra: Partial<Tables['users']> = {}) => ({
    id,
    email: `${id}@acme.test`,
    display_name: undefined as string | null | undefined,
    password_hash: null,
    created_at: 't',
    updated_at: 't',
    ...extra,
  });
  const stored = async (id: string) =>
    (await sql<Tables['users']>`select * from users where id = ${id}`.execute(db)).rows[0];

  it('writes one row, leaving out its undefined columns, and reuses the template for the next row of that shape', async () => {
    const templates = new QueryTemplates();
    await templates.insert(db, 'users', [user('u1')]);
    await templates.insert(db, 'users', [user('u2', { display_name: undefined })]);
    assert.equal(templates.size, 1);
    assert.deepEqual(await stored('u2'), {
      id: 'u2',
      email: 'u2@acme.test',
      display_name: null,
      password_hash: null,
      created_at: 't',
      updated_at: 't',
    });
    assert.equal((await stored('u1'))?.email, 'u1@acme.test');
  });

  it('gives one row with another set of columns a template of its own', async () => {
    const templates = new QueryTemplates();
    await templates.insert(db, 'users', [user('u3')]);
    await templates.insert(db, 'users', [user('u4', { display_name: 'Dee' })]);
    assert.equal(templates.size, 2);
    assert.equal((await stored('u4'))?.display_name, 'Dee');
  });

  it('writes several rows of one shape in order, from one template', async () => {
    const templates = new QueryTemplates();
    await templates.insert(db, 'users', [
      user('u5', { display_name: 'E' }),
      user('u6', { display_name: 'F' }),
    ]);
    assert.equal(templates.size, 1);
    assert.equal((await stored('u5'))?.display_name, 'E');
    assert.equal((await stored('u6'))?.display_name, 'F');
  });

  it('writes rows of different shapes without a template, each with its own columns', async () => {
    const templates = new QueryTemplates();
    await templates.insert(db, 'users', [user('u7'), user('u8', { display_name: 'H' })]);
    assert.equal(templates.size, 0);
    assert.equal((await stored('u7'))?.display_name, null);
    assert.equal((await stored('u8'))?.display_name, 'H');
  });
});

describe('filter shapes', () => {
  const shape = (filter: string) => filterShape(parseFilter(filter));

  it('gives filters that differ only in their string values one key', () => {
    const a = shape('userName eq "a@acme.test" and emails[type eq "work"].value co "x"');
    const b = shape('userName eq "b@acme.test" and emails[type eq "home"].value co "y"');
    assert.equal(a.key, b.key);
    assert.deepEqual(a.values, ['a@acme.test', 'work', 'x']);
    assert.deepEqual(b.values, ['b@acme.test', 'home', 'y']);
  });

  const differentShapes: [string, string][] = [
    ['userName eq "a"', 'userName ne "a"'],
    ['userName eq "a"', 'externalId eq "a"'],
    ['userName eq "a"', 'not (userName eq "a")'],
    ['userName eq "a" and title eq "b"', 'userName eq "a" or title eq "b"'],
    ['active eq true', 'active eq false'],
    ['title eq "1"', 'title eq 1'],
    ['title eq null', 'title eq "null"'],
    ['title pr', 'title eq "x"'],
    ['emails[type eq "work"]', 'phoneNumbers[type eq "work"]'],
  ];
  for (const [one, other] of differentShapes) {
    it(`keeps ${one} and ${other} apart`, () => {
      assert.notEqual(shape(one).key, shape(other).key);
    });
  }

  it('keys a validated filter by its attribute names, not their definitions', () => {
    const resolved = (filter: string) => filterShape(resolveFilter(parseFilter(filter)));
    const a = resolved('USERNAME eq "a@acme.test" and emails[type eq "work"]');
    const b = resolved('userName eq "b@acme.test" and emails[TYPE eq "home"]');
    assert.equal(a.key, b.key);
    assert.doesNotMatch(a.key, /description|caseExact/);
    assert.notEqual(a.key, resolved('userName eq "a" and phoneNumbers[type eq "work"]').key);
    assert.deepEqual(
      b.fill(a.values),
      resolveFilter(parseFilter('userName eq "a@acme.test" and emails[type eq "work"]')),
    );
  });

  it('fills the values back in, in order', () => {
    const filter = parseFilter('(userName eq "a" or title sw "b") and not (emails[type eq "c"])');
    const { values, fill } = filterShape(filter);
    assert.deepEqual(fill(values), filter);
    assert.deepEqual(
      fill(['x', 'y', 'z']),
      parseFilter('(userName eq "x" or title sw "y") and not (emails[type eq "z"])'),
    );
  });
});
