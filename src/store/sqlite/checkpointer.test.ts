import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { openStore } from '../open-store.ts';
import { CHECKPOINT_EVERY_MS, startCheckpointer } from './checkpointer.ts';

/** Opens a store on a fresh file, writes about 2 MB in small transactions, and gives the file's growth. */
async function growthOfDatabaseFile(backgroundCheckpoints: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'roster-checkpoint-'));
  const path = join(dir, 'roster.db');
  const store = await openStore(`sqlite:${path}`, { backgroundCheckpoints });
  try {
    await sql`create table filler (id integer primary key, body text)`.execute(store.db);
    await sleep(CHECKPOINT_EVERY_MS * 3);
    const before = statSync(path).size;
    // ~500 pages of 4 KiB: under SQLite's own threshold of 1,000, so only the worker copies them.
    for (let batch = 0; batch < 50; batch++) {
      await store.withTransaction(async (db) => {
        for (let row = 0; row < 10; row++) {
          await sql`insert into filler (body) values (${'x'.repeat(4000)})`.execute(db);
        }
      });
    }
    await sleep(CHECKPOINT_EVERY_MS * 5);
    return statSync(path).size - before;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('WAL checkpoints on a worker thread', () => {
  it('copy committed pages into the database file without the server connection doing it', async () => {
    const growth = await growthOfDatabaseFile(true);
    assert.ok(growth >= 1_500_000, `the database file grew by ${growth} bytes`);
  });

  it('are what moves those pages: without the worker they stay in the log', async () => {
    assert.equal(await growthOfDatabaseFile(false), 0);
  });

  it('leave every committed row readable after the store closes and opens again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-checkpoint-'));
    const url = `sqlite:${join(dir, 'roster.db')}`;
    try {
      const store = await openStore(url, { backgroundCheckpoints: true });
      await sql`create table filler (id integer primary key, body text)`.execute(store.db);
      for (let i = 0; i < 300; i++)
        await sql`insert into filler (body) values (${`row ${i}`})`.execute(store.db);
      await store.close();
      const reopened = await openStore(url);
      const { rows } = await sql<{ n: number }>`select count(*) as n from filler`.execute(reopened.db);
      assert.equal(rows[0]?.n, 300);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leave the checkpoints to SQLite, with a warning, when the worker cannot start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-checkpoint-'));
    const database = new Database(join(dir, 'open.db'));
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      // The worker opens its own connection to a file that must exist: this one does not.
      const checkpointer = await startCheckpointer(database, join(dir, 'missing.db'));
      await checkpointer.stop();
      await sleep(10);
      assert.equal(database.pragma('wal_autocheckpoint', { simple: true }), 1000);
      assert.ok(
        warnings.some((message) => message.includes("stay on the server's connection")),
        String(warnings),
      );
    } finally {
      process.off('warning', onWarning);
      database.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
