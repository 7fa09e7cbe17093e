// Several Roster processes may start on one fresh database at once (`npm start` while an operator
// runs `roster init`, or instances behind a load balancer): every migration must be applied once,
// and none of them may fail because another got there first.
//
// Regression: on SQLite, Kysely's migration lock is a no-op (it assumes one process), so two
// processes migrating a fresh file raced: 'table "organizations" already exists'.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, skipReason } from '../helpers/stores.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// A child that opens the store, says "ready", waits for "go" on stdin, then migrates and prints
// the names it applied (or the error).
const CHILD = `
import { createInterface } from 'node:readline';
import { createStore } from './src/store/store.ts';
import { createSqliteDialect } from './src/store/sqlite/sqlite-dialect.ts';
const store = createStore(createSqliteDialect(process.env.DB_PATH));
process.stdout.write('ready\\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line !== 'go') continue;
  try {
    process.stdout.write(JSON.stringify({ applied: await store.migrate() }) + '\\n');
  } catch (error) {
    process.stdout.write(JSON.stringify({ error: String(error) }) + '\\n');
  }
  break;
}
await store.close();
`;

interface Outcome {
  applied?: string[];
  error?: string;
}

function startChild(path: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: ROOT,
    env: { ...process.env, DB_PATH: path },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.startsWith('ready\n')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`child exited ${code} before it was ready: ${output}`)));
  });
  const outcome = new Promise<Outcome>((resolve, reject) => {
    child.on('exit', (code) => {
      const line = output.split('\n')[1];
      if (code === 0 && line) resolve(JSON.parse(line) as Outcome);
      else reject(new Error(`child exited ${code}: ${output}`));
    });
  });
  return { ready, outcome, go: () => child.stdin.end('go\n') };
}

describe('migrating one fresh database from several places at once', () => {
  it('applies every migration once on SQLite, from three processes', async () => {
    const database = await createTestDatabase('sqlite');
    try {
      const children = [0, 1, 2].map(() => startChild(database.url.slice('sqlite:'.length)));
      await Promise.all(children.map((c) => c.ready));
      for (const child of children) child.go();
      const outcomes = await Promise.all(children.map((c) => c.outcome));

      assert.deepEqual(
        outcomes.filter((o) => o.error),
        [],
      );
      // Between them the processes applied each migration exactly once.
      const applied = outcomes.flatMap((o) => o.applied ?? []);
      assert.ok(applied.includes('001-initial'));
      assert.equal(applied.length, new Set(applied).size);
      const store = database.open();
      try {
        assert.deepEqual(await store.migrate(), []);
        const recorded = await store.db
          .selectFrom('kysely_migration' as never)
          .select('name' as never)
          .execute();
        assert.deepEqual(recorded.map((r) => (r as { name: string }).name).sort(), [...applied].sort());
      } finally {
        await store.close();
      }
    } finally {
      await database.drop();
    }
  });

  it('applies every migration once on PostgreSQL, from three stores', {
    skip: skipReason('postgres'),
  }, async () => {
    const database = await createTestDatabase('postgres');
    const stores = [database.open(), database.open(), database.open()];
    try {
      const outcomes = await Promise.all(stores.map((store) => store.migrate()));
      const applied = outcomes.flat();
      assert.ok(applied.includes('001-initial'));
      assert.equal(applied.length, new Set(applied).size);
      assert.deepEqual(await stores[0]!.migrate(), []);
    } finally {
      for (const store of stores) await store.close();
      await database.drop();
    }
  });
});
