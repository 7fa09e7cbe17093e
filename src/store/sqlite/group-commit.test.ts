import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { type Generated, Kysely, SqliteDialect, sql } from 'kysely';
import { openStore } from '../open-store.ts';
import type { Store } from '../store.ts';
import { GroupCommit } from './group-commit.ts';

interface Tables {
  parents: { id: Generated<number> };
  notes: { id: Generated<number>; body: string; parent_id: number | null };
}

let dir: string;
let path: string;
let writer: Kysely<Tables>;
/** A second connection, as another process would see the file. */
let observer: Database.Database;
let commits: GroupCommit<Tables>;

const count = () => (observer.prepare('select count(*) as n from notes').get() as { n: number }).n;
const bodies = () =>
  (observer.prepare('select body from notes order by id').all() as { body: string }[]).map((row) => row.body);
const insert = (body: string) => (db: Kysely<Tables>) =>
  db.insertInto('notes').values({ body, parent_id: null }).execute();

describe('group commit', () => {
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'roster-group-commit-'));
    path = join(dir, 'roster.db');
    const database = new Database(path);
    database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    database.exec(`create table parents (id integer primary key);
      create table notes (id integer primary key, body text not null unique, parent_id integer references parents (id))`);
    writer = new Kysely<Tables>({ dialect: new SqliteDialect({ database }) });
    observer = new Database(path, { readonly: true });
    // No time limit here: a cold first query may take longer than a group's 10 ms, and these tests
    // are about which transactions share a commit, not about the clock.
    commits = new GroupCommit(writer, { works: 100, openMs: 60_000 });
  });

  afterEach(async () => {
    await commits.idle();
    observer.close();
    await writer.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits transactions handed in together once, each in the order it came', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        commits.run(async (db) => {
          await insert(`note ${i}`)(db);
          return i;
        }),
      ),
    );
    assert.deepEqual(
      results,
      Array.from({ length: 20 }, (_, i) => i),
    );
    assert.equal(commits.commits, 1);
    assert.deepEqual(
      bodies(),
      Array.from({ length: 20 }, (_, i) => `note ${i}`),
    );
  });

  it('starts a new group once one holds its most transactions', async () => {
    const limited = new GroupCommit(writer, { works: 5, openMs: 60_000 });
    await Promise.all(Array.from({ length: 12 }, (_, i) => limited.run(insert(`note ${i}`))));
    assert.equal(limited.commits, 3);
    assert.equal(count(), 12);
  });

  it('takes in a transaction that arrives while the group waits a turn for more', async () => {
    const first = commits.run(insert('first'));
    let second: Promise<unknown> | undefined;
    setImmediate(() => {
      second = commits.run(insert('second'));
    });
    await first;
    await second;
    assert.equal(commits.commits, 1);
    assert.deepEqual(bodies(), ['first', 'second']);
  });

  it('lets a later transaction of the group see what an earlier one wrote', async () => {
    const [, seen] = await Promise.all([
      commits.run(insert('earlier')),
      commits.run(async (db) =>
        (await db.selectFrom('notes').select('body').execute()).map((row) => row.body),
      ),
    ]);
    assert.deepEqual(seen, ['earlier']);
  });

  it('answers nobody before the commit that holds their change: another connection already sees it', async () => {
    const seenWhenAnswered: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        commits.run(insert(`note ${i}`)).then(() => seenWhenAnswered.push(count())),
      ),
    );
    assert.deepEqual(seenWhenAnswered, [5, 5, 5, 5, 5]);
  });

  it('rolls back only the transaction that fails, rejects it with its own error, and commits the others', async () => {
    const failure = new Error('the work gave up');
    const outcomes = await Promise.allSettled([
      commits.run(insert('kept 1')),
      commits.run(async (db) => {
        await insert('undone')(db);
        throw failure;
      }),
      commits.run(insert('kept 1')), // a unique violation: rolled back alone too
      commits.run(insert('kept 2')),
    ]);
    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
    );
    assert.equal((outcomes[1] as PromiseRejectedResult).reason, failure);
    assert.match(String((outcomes[2] as PromiseRejectedResult).reason), /UNIQUE/);
    assert.equal(commits.commits, 1);
    assert.deepEqual(bodies(), ['kept 1', 'kept 2']);
  });

  it('rejects every transaction of a group whose commit fails, and stores none of them', async () => {
    const outcomes = await Promise.allSettled([
      commits.run(insert('innocent')),
      commits.run(async (db) => {
        // A deferred foreign key is only checked at the commit, which then fails.
        await sql`pragma defer_foreign_keys = on`.execute(db);
        await db.insertInto('notes').values({ body: 'orphan', parent_id: 42 }).execute();
      }),
    ]);
    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ['rejected', 'rejected'],
    );
    assert.match(String((outcomes[0] as PromiseRejectedResult).reason), /FOREIGN KEY/);
    assert.equal(count(), 0);
    // The writer is usable again afterwards.
    await commits.run(insert('after'));
    assert.deepEqual(bodies(), ['after']);
  });

  it('rejects the waiting transactions when the write lock cannot be had, and recovers once it is free', async () => {
    const other = new Database(path);
    other.pragma('busy_timeout = 0');
    await sql`pragma busy_timeout = 0`.execute(writer);
    other.exec('begin immediate');
    const outcomes = await Promise.allSettled([commits.run(insert('a')), commits.run(insert('b'))]);
    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ['rejected', 'rejected'],
    );
    assert.match(String((outcomes[0] as PromiseRejectedResult).reason), /locked|busy/i);
    other.exec('rollback');
    other.close();
    await commits.run(insert('c'));
    assert.deepEqual(bodies(), ['c']);
  });

  it('rejects what is handed in once the writer is closed, instead of waiting forever', async () => {
    await commits.run(insert('before'));
    await writer.destroy();
    await assert.rejects(commits.run(insert('too late')), /destroyed/);
    writer = new Kysely<Tables>({ dialect: new SqliteDialect({ database: new Database(path) }) });
  });
});

describe('a SQLite store with group commit', () => {
  let store: Store;
  let storeDir: string;

  beforeEach(async () => {
    storeDir = mkdtempSync(join(tmpdir(), 'roster-group-commit-store-'));
    store = await openStore(`sqlite:${join(storeDir, 'roster.db')}`, { groupCommit: true });
    await store.withTransaction((db) => sql`create table notes (body text not null)`.execute(db));
  });

  afterEach(async () => {
    await store.close();
    rmSync(storeDir, { recursive: true, force: true });
  });

  const storedBodies = async () =>
    (await sql<{ body: string }>`select body from notes order by rowid`.execute(store.db)).rows.map(
      (row) => row.body,
    );

  it('reads without waiting for an open transaction, and without seeing its uncommitted rows', async () => {
    let finish!: () => void;
    const held = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const transaction = store.withTransaction(async (db) => {
      await sql`insert into notes (body) values ('pending')`.execute(db);
      await held;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(await storedBodies(), []);
    finish();
    await transaction;
    assert.deepEqual(await storedBodies(), ['pending']);
  });

  it('commits a write sent outside a transaction before answering it', async () => {
    await sql`insert into notes (body) values ('on its own')`.execute(store.db);
    assert.deepEqual(await storedBodies(), ['on its own']);
  });

  it('refuses to open a transaction on its reading connection', async () => {
    await assert.rejects(sql`begin immediate`.execute(store.db), /runs through Store.transaction/);
    await assert.rejects(sql`commit`.execute(store.db), /runs through Store.transaction/);
  });

  it('leaves the store consistent when a transaction fails beside others', async () => {
    const outcomes = await Promise.allSettled([
      store.withTransaction((db) => sql`insert into notes (body) values ('one')`.execute(db)),
      store.withTransaction(async (db) => {
        await sql`insert into notes (body) values ('never')`.execute(db);
        throw new Error('no');
      }),
      store.withTransaction((db) => sql`insert into notes (body) values ('two')`.execute(db)),
    ]);
    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.deepEqual(await storedBodies(), ['one', 'two']);
  });
});
