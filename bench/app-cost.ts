// What making an app costs: CPU per `createApp` + ready + one request + close, over one SQLite
// store, in rounds of 10 (the first round pays for loading the modules). A server makes one app;
// the tests make one or more per test, so this is most of what an HTTP test costs before its
// first request.
//
//   node --import tsx bench/app-cost.ts [--rounds 3]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { createApp } from '../src/http/create-app.ts';
import { openStore } from '../src/store/open-store.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const dir = mkdtempSync(join(tmpdir(), 'roster-app-cost-'));
const databaseUrl = `sqlite:${join(dir, 'roster.db')}`;
const store = await openStore(databaseUrl);
const config = loadConfig({ PUBLIC_URL: 'https://roster.test', DATABASE_URL: databaseUrl });
try {
  for (let round = 1; round <= Number(values.rounds); round++) {
    const cpu = process.cpuUsage();
    for (let i = 0; i < 10; i++) {
      const app = createApp(config, store, { logger: false });
      await app.ready();
      await app.inject({ method: 'GET', url: '/healthz' });
      await app.close();
    }
    const used = process.cpuUsage(cpu);
    console.log(`round ${round}: ${((used.user + used.system) / 10_000).toFixed(1)} ms of CPU per app`);
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
