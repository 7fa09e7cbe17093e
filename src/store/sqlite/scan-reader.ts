// Reads that no index serves, on a thread of their own (scan-worker.js). SQLite runs a query on the
// thread that calls it, and better-sqlite3 calls it synchronously: a `displayName co "…"` at a
// million members held the server's event loop for 0.2–0.5 s, during which the instance answered
// nothing else, Okta's lookups included. The scan thread runs such reads one at a time on its own
// read-only connection; the server goes on meanwhile, on the other core. Started on first use and
// stopped with the store; only `roster serve` uses it (open-store.ts, `scanThread`).
import { Worker } from 'node:worker_threads';
import type { CompiledQuery } from 'kysely';
import type { ScanReader } from '../dialect.ts';

/** How long a closing store waits for the reads in flight before it ends the thread anyway. */
const STOP_WITHIN_MS = 10_000;

interface Reply {
  id: number;
  rows?: unknown[];
  error?: { message: string; code?: string; name?: string };
}

/** An error as the server's own connection would have thrown it (`code` decides 503 or 500). */
function rebuilt(error: NonNullable<Reply['error']>): Error {
  return Object.assign(new Error(error.message), error.code === undefined ? {} : { code: error.code });
}

export function scanReader(path: string): ScanReader {
  let worker: Worker | undefined;
  let nextId = 0;
  const waiting = new Map<number, { resolve(rows: unknown[]): void; reject(error: Error): void }>();

  function failAll(error: Error): void {
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  }

  function started(): Worker {
    if (worker) return worker;
    const thread = new Worker(new URL('./scan-worker.js', import.meta.url), { workerData: { path } });
    thread.on('message', (reply: Reply | 'ready') => {
      if (reply === 'ready') return;
      const pending = waiting.get(reply.id);
      if (!pending) return;
      waiting.delete(reply.id);
      if (reply.error) pending.reject(rebuilt(reply.error));
      else pending.resolve(reply.rows ?? []);
    });
    // A thread that dies fails what it held; the next read starts a new one.
    thread.on('error', (error) => failAll(error));
    thread.on('exit', () => {
      if (worker === thread) worker = undefined;
      failAll(new Error('the scan thread ended'));
    });
    thread.unref();
    worker = thread;
    return thread;
  }

  return {
    run<Row>(query: CompiledQuery): Promise<Row[]> {
      const id = nextId++;
      const thread = started();
      return new Promise<Row[]>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (rows: unknown[]) => void, reject });
        // Without a read in flight the thread may be left unreferenced: it never keeps a process up.
        thread.ref();
        thread.postMessage({ id, sql: query.sql, parameters: query.parameters });
      }).finally(() => {
        if (waiting.size === 0) worker?.unref();
      });
    },
    async close() {
      const thread = worker;
      worker = undefined;
      if (!thread) return;
      const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
      // Queued behind the reads in flight, which finish first. Referenced: the process waits for it.
      thread.ref();
      thread.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      const stuck = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_WITHIN_MS);
      });
      await Promise.race([exited, stuck]);
      clearTimeout(timer);
      await thread.terminate();
      failAll(new Error('the store is closed'));
    },
  };
}
