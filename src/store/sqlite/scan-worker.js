// The thread behind scan-reader.ts: its own read-only connection to the database file, running the
// reads that no index serves (a `co` filter at a million members takes a few hundred milliseconds)
// one at a time, so that the server's event loop goes on answering meanwhile. Each read is its own
// transaction and sees what was committed before it started, as the server's own reads do. Plain
// JavaScript, so that the thread needs no TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const STATEMENTS_KEPT = 200;
const database = new Database(workerData.path, { readonly: true, fileMustExist: true });
database.pragma('busy_timeout = 5000');
const statements = new Map();

function statement(sql) {
  let prepared = statements.get(sql);
  if (prepared === undefined) {
    prepared = database.prepare(sql);
    if (statements.size >= STATEMENTS_KEPT) statements.delete(statements.keys().next().value);
    statements.set(sql, prepared);
  }
  return prepared;
}

parentPort.on('message', (message) => {
  if (message === 'stop') {
    database.close();
    parentPort.close();
    return;
  }
  const { id, sql, parameters } = message;
  try {
    const prepared = statement(sql);
    if (!prepared.reader) throw new Error('only reads run on the scan thread');
    parentPort.postMessage({ id, rows: prepared.all(parameters) });
  } catch (error) {
    parentPort.postMessage({
      id,
      error: { message: String(error?.message ?? error), code: error?.code, name: error?.name },
    });
  }
});
parentPort.postMessage('ready');
