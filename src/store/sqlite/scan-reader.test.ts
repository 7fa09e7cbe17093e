import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { CompiledQuery } from 'kysely';
import { scanReader } from './scan-reader.ts';

/** A recursive count that keeps SQLite busy for `n` steps. */
const busyFor = (n: number) =>
  CompiledQuery.raw(
    'with recursive c(x) as (select 1 union all select x + 1 from c where x < ?) select count(*) as n from c',
    [n],
  );

describe('the scan thread', () => {
  let dir: string;
  let path: string;
  let database: Database.Database;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'roster-scan-'));
    path = join(dir, 'roster.db');
    database = new Database(path);
    database.pragma('journal_mode = WAL');
    database.exec('create table people (id integer primary key, name text not null)');
    database.prepare('insert into people (name) values (?), (?), (?)').run('Ann', 'Bob', 'Cy');
  });
  after(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a read with the rows the server connection reads', async () => {
    const scans = scanReader(path);
    try {
      const query = CompiledQuery.raw('select * from people where name like ? order by id', ['%b%']);
      assert.deepEqual(await scans.run(query), database.prepare(query.sql).all(...query.parameters));
      assert.deepEqual(await scans.run(query), [{ id: 2, name: 'Bob' }]);
    } finally {
      await scans.close();
    }
  });

  it('sees what was committed before each read', async () => {
    const scans = scanReader(path);
    try {
      const count = CompiledQuery.raw('select count(*) as n from people', []);
      const [before] = await scans.run<{ n: number }>(count);
      database.prepare('insert into people (name) values (?)').run('Dee');
      assert.deepEqual(await scans.run(count), [{ n: (before?.n ?? 0) + 1 }]);
    } finally {
      await scans.close();
    }
  });

  it("refuses with SQLite's message and code, and goes on answering", async () => {
    const scans = scanReader(path);
    try {
      await assert.rejects(scans.run(CompiledQuery.raw('select * from nowhere', [])), (error: Error) => {
        assert.match(error.message, /no such table: nowhere/);
        assert.equal((error as Error & { code?: string }).code, 'SQLITE_ERROR');
        return true;
      });
      await assert.rejects(
        scans.run(CompiledQuery.raw("insert into people (name) values ('Eve')", [])),
        /only reads|readonly/,
      );
      assert.deepEqual(await scans.run(CompiledQuery.raw('select 1 as one', [])), [{ one: 1 }]);
    } finally {
      await scans.close();
    }
  });

  it("leaves the server's event loop free while a read runs", async () => {
    const scans = scanReader(path);
    try {
      await scans.run(CompiledQuery.raw('select 1', []));
      // On the event loop this read would hold it for its whole length: no timer would fire.
      let ticks = 0;
      const ticker = setInterval(() => {
        ticks += 1;
      }, 5);
      const started = performance.now();
      const [row] = await scans.run<{ n: number }>(busyFor(3_000_000));
      const took = performance.now() - started;
      clearInterval(ticker);
      assert.equal(row?.n, 3_000_000);
      assert.ok(took > 50, `the read was long enough to tell (${took.toFixed(0)} ms)`);
      assert.ok(ticks >= took / 5 / 4, `${ticks} ticks of 5 ms during a ${took.toFixed(0)} ms read`);
    } finally {
      await scans.close();
    }
  });

  it('ends its thread after a while without reads, and starts another for the next one', async () => {
    const scans = scanReader(path, 50);
    try {
      const one = CompiledQuery.raw('select 1 as one', []);
      assert.equal(scans.running, false);
      await scans.run(one);
      assert.equal(scans.running, true);
      await setTimeout(300);
      assert.equal(scans.running, false);
      assert.deepEqual(await scans.run(one), [{ one: 1 }]);
      assert.equal(scans.running, true);
    } finally {
      await scans.close();
    }
  });

  it('keeps its thread while reads follow each other', async () => {
    const scans = scanReader(path, 200);
    try {
      for (let i = 0; i < 5; i++) {
        await scans.run(CompiledQuery.raw('select 1 as one', []));
        await setTimeout(50);
        assert.equal(scans.running, true, `after read ${i + 1}`);
      }
    } finally {
      await scans.close();
    }
  });

  it('finishes the reads in flight when closed, and fails none', async () => {
    const scans = scanReader(path);
    const reads = [scans.run(busyFor(200_000)), scans.run(CompiledQuery.raw('select 2 as two', []))];
    await scans.close();
    assert.deepEqual(await Promise.all(reads), [[{ n: 200_000 }], [{ two: 2 }]]);
  });
});
