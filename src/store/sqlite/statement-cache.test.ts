import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { OptimizingSqliteDialect } from './optimizing-dialect.ts';
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
  it('are brought up to date when the store opens a database that has data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-stats-'));
    try {
      const path = join(dir, 'roster.db');
      const setup = new Database(path);
      setup.exec('create table t (a integer, b text); create index t_a on t (a);');
      const insert = setup.prepare('insert into t values (?, ?)');
      setup.transaction(() => {
        for (let i = 0; i < 1000; i += 1) insert.run(i % 10, `x${i}`);
      })();
      setup.close();

      const dialect = createSqliteDialect(path);
      const db = new Kysely<{ sqlite_stat1: { tbl: string; idx: string; stat: string } }>({
        dialect: dialect.kysely,
      });
      const stats = await db.selectFrom('sqlite_stat1').selectAll().execute();
      await db.destroy();
      assert.deepEqual(
        stats.map((row) => row.idx),
        ['t_a'],
      );
      assert.match(stats[0]!.stat, /^1000 /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are refreshed periodically through the driver, and the timer stops with the database', async () => {
    const database = new Database(':memory:');
    database.exec('create table t (a integer); create index t_a on t (a);');
    const db = new Kysely<{ t: { a: number } }>({
      dialect: new OptimizingSqliteDialect({ database: cachingDatabase(database) }, 20),
    });
    await db
      .insertInto('t')
      .values(Array.from({ length: 500 }, (_, i) => ({ a: i % 5 })))
      .execute();
    const deadline = Date.now() + 5000;
    let analyzed = false;
    while (!analyzed && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const { rows } = await sql<{
        n: number;
      }>`select count(*) as n from sqlite_master where name = 'sqlite_stat1'`.execute(db);
      analyzed = rows[0]?.n === 1;
    }
    await db.destroy();
    assert.equal(analyzed, true);
    assert.equal(database.open, false);
  });
});
