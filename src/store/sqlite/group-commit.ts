// Group commit for SQLite: the write transactions that arrive together share one commit.
//
// A commit in WAL mode appends every page the transaction changed to the log, one write per page,
// and an Okta create changes about 35 pages: the membership row and its ten index entries, the user,
// the email, the audit event, the organization's member counter. Most of those pages (the tails of
// the tables and of the sequence, audit and counter indexes) are the same for every create, so ten
// creates committed together append about 15 pages each instead of 35, and each one's share of the
// commit is a third to a quarter of a lone commit (docs/benchmarks.md, "The third round").
//
// Each transaction runs on the writer connection in a savepoint of the open transaction: a work that
// fails is rolled back to its savepoint and rejected at once, leaving the others untouched. When no
// work is waiting, the group yields one turn of the event loop (`setImmediate`), so that requests
// already received can add theirs, and commits when none did (or at MAX_WORKS, or MAX_OPEN_MS after
// it began). Nobody is answered before the commit that holds their change has returned: a crash
// loses only unacknowledged work, as before. A commit that fails rejects every transaction in it.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type Kysely, sql } from 'kysely';

/** The most transactions one commit holds. */
export const MAX_WORKS = 100;
/** How long a group keeps taking transactions after its BEGIN, in milliseconds. */
export const MAX_OPEN_MS = 10;

export interface GroupLimits {
  /** The most transactions one commit holds. */
  works: number;
  /** How long a group keeps taking transactions after its BEGIN, in milliseconds. */
  openMs: number;
}

interface Entry<DB> {
  work: (db: Kysely<DB>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<DB> {
  readonly #writer: Kysely<DB>;
  readonly #queue: Entry<DB>[] = [];
  #running: Promise<void> | undefined;
  #open = false;
  #commits = 0;

  readonly #limits: GroupLimits;

  constructor(writer: Kysely<DB>, limits: GroupLimits = { works: MAX_WORKS, openMs: MAX_OPEN_MS }) {
    this.#writer = writer;
    this.#limits = limits;
  }

  /** Whether a group's transaction is open on the writer (from its BEGIN until it has ended). */
  get open(): boolean {
    return this.#open;
  }

  /** How many commits have run (tests). */
  get commits(): number {
    return this.#commits;
  }

  /** Runs `work` in a write transaction; resolves once the commit that holds it has returned. */
  run<T>(work: (db: Kysely<DB>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.#start();
    });
  }

  /** Resolves when every transaction handed in so far has been committed or rejected. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  #start(): void {
    if (this.#running) return;
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      if (this.#queue.length > 0) this.#start();
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) await this.#group();
  }

  async #group(): Promise<void> {
    // Transactions that ran and wait for the commit, with what their work returned.
    const done: { entry: Entry<DB>; value: unknown }[] = [];
    let began = false;
    try {
      await this.#writer.connection().execute(async (conn) => {
        this.#open = true;
        try {
          await sql`begin immediate`.execute(conn);
          began = true;
          await this.#gather(conn, done);
          await sql`commit`.execute(conn);
          this.#commits += 1;
        } catch (error) {
          if (began) await sql`rollback`.execute(conn).catch(() => undefined);
          throw error;
        } finally {
          this.#open = false;
        }
      });
    } catch (error) {
      for (const { entry } of done) entry.reject(error);
      // No transaction could be opened: the write lock is not to be had (another process held it
      // past the busy timeout) or the store is closed. Whoever waits now would fail the same way.
      if (!began) for (const entry of this.#queue.splice(0)) entry.reject(error);
      return;
    }
    for (const { entry, value } of done) entry.resolve(value);
  }

  /** Runs queued transactions in savepoints until the queue stays empty for a turn, or a limit. */
  async #gather(conn: Kysely<DB>, done: { entry: Entry<DB>; value: unknown }[]): Promise<void> {
    const began = performance.now();
    let taken = 0;
    while (taken < this.#limits.works && performance.now() - began < this.#limits.openMs) {
      const entry = this.#queue.shift();
      if (entry === undefined) {
        await nextTurn();
        if (this.#queue.length === 0) return;
        continue;
      }
      taken += 1;
      await sql`savepoint roster_work`.execute(conn);
      let value: unknown;
      try {
        value = await entry.work(conn);
      } catch (error) {
        // Undo this work only. If even that fails, the transaction itself is gone (SQLite rolls
        // back on some errors, such as a full disk): the whole group fails.
        try {
          await sql`rollback to roster_work`.execute(conn);
          await sql`release roster_work`.execute(conn);
        } catch (fatal) {
          entry.reject(error);
          throw fatal;
        }
        entry.reject(error);
        continue;
      }
      try {
        await sql`release roster_work`.execute(conn);
      } catch (fatal) {
        entry.reject(fatal);
        throw fatal;
      }
      done.push({ entry, value });
    }
  }
}
