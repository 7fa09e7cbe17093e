// SQLite's WAL checkpoints on a worker thread. In WAL mode every commit appends pages to the log,
// and by default the committing connection copies the log back into the database file (with an
// fsync) whenever it passes 1,000 pages: one write in ~80 paid for the others, on the event loop.
// In an Okta push that was 60% of the time spent committing (median commit 160 µs, one in thirty
// over 3 ms). The worker checkpoints every EVERY_MS on a connection of its own, on the other core;
// the server's connection keeps a far larger automatic threshold, only as a fallback should the
// worker fall behind or die. Durability is unchanged: a commit is in the log before it returns.
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

export const CHECKPOINT_EVERY_MS = 100;
/** The server connection's own threshold (pages) while the worker runs: a fallback. */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

export interface Checkpointer {
  stop(): Promise<void>;
}

export async function startCheckpointer(
  database: Database.Database,
  path: string,
  everyMs = CHECKPOINT_EVERY_MS,
): Promise<Checkpointer> {
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), {
    workerData: { path, everyMs },
  });
  worker.unref();
  let alive = true;
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      alive = false;
      resolve();
    }),
  );
  // A worker that fails leaves the server to checkpoint by itself, as SQLite does by default.
  worker.on('error', () => {
    try {
      database.pragma('wal_autocheckpoint = 1000');
    } catch {
      // already closed
    }
  });
  /** Resolves on the worker's `expected` message; rejects if it fails or ends first. */
  const next = (expected: string) =>
    Promise.race([
      new Promise<void>((resolve, reject) => {
        const onMessage = (message: unknown) => {
          if (message !== expected) return;
          worker.off('message', onMessage);
          resolve();
        };
        worker.on('message', onMessage);
        worker.once('error', reject);
      }),
      exited.then(() => Promise.reject(new Error('the checkpoint worker ended'))),
    ]);
  try {
    await next('ready');
  } catch (error) {
    await worker.terminate();
    process.emitWarning(`WAL checkpoints stay on the server's connection: ${String(error)}`);
    return { stop: async () => undefined };
  }
  database.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  return {
    async stop() {
      if (!alive) return;
      const stopped = next('stopped').catch(() => undefined);
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
    },
  };
}
