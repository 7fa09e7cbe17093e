// Reads that no index serves, on a thread of their own (scan-worker.js). SQLite runs a query on the
// thread that calls it, and better-sqlite3 calls it synchronously: a `displayName co "…"` at a
// million members held the server's event loop for 0.2–0.5 s, during which the instance answered
// nothing else, Okta's lookups included. The scan thread runs such reads one at a time on its own
// read-only connection; the server goes on meanwhile, on the other core. Started on first use,
// ended after IDLE_STOP_MS without reads and with the store; only `roster serve` uses it
// (open-store.ts, `scanThread`).
import { Worker } from 'node:worker_threads';
import type { CompiledQuery } from 'kysely';
import type { ScanReader } from '../dialect.ts';

/** How long a closing store waits for the reads in flight before it ends the thread anyway. */
const STOP_WITHIN_MS = 10_000;
/** A thread without reads for this long ends, and gives back its memory (20–40 MB). */
export const IDLE_STOP_MS = 5_000;

interface Reply {
  id: number;
  rows?: unknown[];
  error?: { message: string; code?: string; name?: string };
}

interface Pending {
  resolve(rows: unknown[]): void;
  reject(error: Error): void;
}

interface Thread {
  readonly worker: Worker;
  readonly waiting: Map<number, Pending>;
}

/** An error as the server's own connection would have thrown it (`code` decides 503 or 500). */
function rebuilt(error: NonNullable<Reply['error']>): Error {
  return Object.assign(new Error(error.message), error.code === undefined ? {} : { code: error.code });
}

/** Asks a thread to finish the reads it holds and end; resolves once it has, or has been ended. */
async function stop(thread: Thread): Promise<void> {
  const exited = new Promise<void>((resolve) => thread.worker.once('exit', () => resolve()));
  // Queued behind the reads in flight, which finish first. Referenced: the process waits for it.
  thread.worker.ref();
  thread.worker.postMessage('stop');
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, STOP_WITHIN_MS);
  });
  await Promise.race([exited, stuck]);
  clearTimeout(timer);
  await thread.worker.terminate();
}

export function scanReader(
  path: string,
  idleStopMs = IDLE_STOP_MS,
): ScanReader & { readonly running: boolean } {
  let current: Thread | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  let nextId = 0;

  function start(): Thread {
    const worker = new Worker(new URL('./scan-worker.js', import.meta.url), { workerData: { path } });
    const thread: Thread = { worker, waiting: new Map() };
    const failAll = (error: Error) => {
      for (const { reject } of thread.waiting.values()) reject(error);
      thread.waiting.clear();
    };
    worker.on('message', (reply: Reply | 'ready') => {
      if (reply === 'ready') return;
      const pending = thread.waiting.get(reply.id);
      if (!pending) return;
      thread.waiting.delete(reply.id);
      if (reply.error) pending.reject(rebuilt(reply.error));
      else pending.resolve(reply.rows ?? []);
      if (thread.waiting.size === 0) idle(thread);
    });
    // A thread that dies fails what it held; the next read starts a new one.
    worker.on('error', failAll);
    worker.on('exit', () => {
      if (current === thread) current = undefined;
      failAll(new Error('the scan thread ended'));
    });
    worker.unref();
    return thread;
  }

  /** Without reads in flight the thread never keeps a process up, and ends after `idleStopMs`. */
  function idle(thread: Thread): void {
    thread.worker.unref();
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (current !== thread || thread.waiting.size > 0) return;
      current = undefined;
      void stop(thread);
    }, idleStopMs);
    idleTimer.unref();
  }

  return {
    get running() {
      return current !== undefined;
    },
    run<Row>(query: CompiledQuery): Promise<Row[]> {
      clearTimeout(idleTimer);
      current ??= start();
      const thread = current;
      const id = nextId++;
      return new Promise<Row[]>((resolve, reject) => {
        thread.waiting.set(id, { resolve: resolve as (rows: unknown[]) => void, reject });
        thread.worker.ref();
        thread.worker.postMessage({ id, sql: query.sql, parameters: query.parameters });
      });
    },
    async close() {
      clearTimeout(idleTimer);
      const thread = current;
      current = undefined;
      if (thread) await stop(thread);
    },
  };
}
