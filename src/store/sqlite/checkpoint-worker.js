// The thread behind checkpointer.ts: its own connection to the database file, copying committed
// WAL frames back into the database (PRAGMA wal_checkpoint(PASSIVE)) every few milliseconds. A
// passive checkpoint never blocks the server's readers or writer; a busy round simply waits for
// the next. Plain JavaScript, so that the thread needs no TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, everyMs } = workerData;
const database = new Database(path, { fileMustExist: true });
database.pragma('busy_timeout = 100');

function checkpoint() {
  try {
    database.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // SQLITE_BUSY or a transient I/O error: the next round tries again.
  }
}

const timer = setInterval(checkpoint, everyMs);
parentPort.postMessage('ready');
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  database.close();
  parentPort.postMessage('stopped');
  parentPort.close();
});
