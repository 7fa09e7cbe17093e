import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { CompanionSqliteDialect } from './companion-dialect.ts';
import { createSqliteDialect } from './sqlite-dialect.ts';
import { cachingDatabase } from './statement-cache.ts';

/** A database whose `prepare` calls are counted. */
function countedDatabase() {
  const database = new Database(':memory:');
  database.exec('create table t (id integer primary key, name text)');
  let prepared = 0;
  const prepare = database.prepare.bind(database);
  database.prepare = ((source: string) => {
    prepared += 1;
    return prepare(source);
  }) as typeof database.prepare;
  return { database, prepared: () => prepared };
}

describe('the SQLite statement cache', () => {
  it('prepares each SQL text once and reuses the statement with new parameters', () => {
    const { database, prepared } = countedDatabase();
    const cache = cachingDatabase(database);
    for (let i = 1; i <= 5; i += 1) cache.prepare('insert into t (id, name) values (?, ?)').run([i, `n${i}`]);
    const names = [1, 3, 5].map(
      (id) => (cache.prepare('select name from t where id = ?').all([id]) as { name: string }[])[0]?.name,
    );
    assert.deepEqual(names, ['n1', 'n3', 'n5']);
    assert.equal(prepared(), 2);
    assert.equal(cache.size, 2);
    cache.close();
  });

  it('keeps at most its capacity, dropping the least recently used statement', () => {
    const { database, prepared } = countedDatabase();
    const cache = cachingDatabase(database, 2);
    cache.prepare('select 1');
    cache.prepare('select 2');
    cache.prepare('select 1'); // now the most recent
    cache.prepare('select 3'); // evicts `select 2`
    assert.equal(cache.size, 2);
    assert.equal(prepared(), 3);
    cache.prepare('select 1');
    assert.equal(prepared(), 3, '`select 1` is still cached');
    cache.prepare('select 2');
    assert.equal(prepared(), 4, '`select 2` was evicted and is prepared again');
    cache.close();
  });

  it('hands out a fresh statement while the cached one is still being iterated', () => {
    const { database } = countedDatabase();
    const cache = cachingDatabase(database);
    for (let i = 1; i <= 3; i += 1) cache.prepare('insert into t (id, name) values (?, ?)').run([i, `n${i}`]);
    const seen: unknown[] = [];
    for (const row of cache.prepare('select id from t order by id').iterate([])) {
      seen.push((row as { id: number }).id, cache.prepare('select id from t order by id').all([]).length);
    }
    assert.deepEqual(seen, [1, 3, 2, 3, 3, 3]);
    cache.close();
  });

  it('closes the database when closed', () => {
    const { database } = countedDatabase();
    const cache = cachingDatabase(database);
    cache.prepare('select 1');
    cache.close();
    assert.equal(database.open, false);
    assert.equal(cache.size, 0);
  });
});

describe('the SQLite planner statistics', () => {
  it('are the fixed ones whatever an earlier analysis measured, at open and after migrations', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-stats-'));
    try {
      const path = join(dir, 'roster.db');
      const setup = new Database(path);
      setup.exec(`create table t (id integer primary key, organization_id text, status text, a text);
        create index t_org_status on t (organization_id, status, lower(a));
        create unique index t_org_a on t (organization_id, a);
        insert into t values (1, 'o', 'active', 'x');
        analyze;`);
      assert.deepEqual(setup.prepare('select stat from sqlite_stat1 order by idx').pluck().all(), [
        '1 1 1',
        '1 1 1 1',
      ]);
      setup.close();

      const dialect = createSqliteDialect(path);
      const db = new Kysely<{ sqlite_stat1: { tbl: string; idx: string; stat: string } }>({
        dialect: dialect.kysely,
      });
      const read = () => db.selectFrom('sqlite_stat1').select(['idx', 'stat']).orderBy('idx').execute();
      const fixed = [
        { idx: 't_org_a', stat: '10000000 1000000 1' },
        { idx: 't_org_status', stat: '10000000 1000000 500000 10' },
      ];
      assert.deepEqual(await read(), fixed);
      const { rows } = await sql<{ n: number }>`select count(*) as n from sqlite_stat4`.execute(db);
      assert.equal(rows[0]?.n, 0);
      // A migration's new index is described too.
      await sql`create index t_a on t (a)`.execute(db);
      dialect.afterMigrate?.();
      assert.deepEqual(await read(), [{ idx: 't_a', stat: '10000000 10' }, ...fixed]);
      await db.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stop the companion with the database', async () => {
    const database = new Database(':memory:');
    let stopped = false;
    const db = new Kysely<{ t: { a: number } }>({
      dialect: new CompanionSqliteDialect({ database: cachingDatabase(database) }, async () => ({
        stop: async () => {
          stopped = true;
        },
      })),
    });
    await sql`select 1`.execute(db);
    await db.destroy();
    assert.equal(stopped, true);
    assert.equal(database.open, false);
  });
});
