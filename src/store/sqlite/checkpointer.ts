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
  const next = (expected: string) =>
    new Promise<void>((resolve, reject) => {
      const onMessage = (message: unknown) => {
        if (message !== expected) return;
        worker.off('error', onError);
        worker.off('message', onMessage);
        resolve();
      };
      const onError = (error: Error) => {
        worker.off('message', onMessage);
        reject(error);
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
    });
  await next('ready');
  database.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  // A worker that dies leaves the server to checkpoint by itself, as SQLite does by default.
  worker.once('error', () => {
    try {
      database.pragma('wal_autocheckpoint = 1000');
    } catch {
      // already closed
    }
  });
  return {
    async stop() {
      const stopped = next('stopped').catch(() => undefined);
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
    },
  };
}
