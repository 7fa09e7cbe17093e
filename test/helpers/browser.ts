// A real Roster server on a free port, and Chromium driven by playwright-core, for the browser
// tests and the screenshot script. Debian's Chromium at /usr/bin/chromium is used; a browser is
// never downloaded.
import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium } from 'playwright-core';
import { type Config, loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/create-app.ts';
import type { Store } from '../../src/store/store.ts';
import { freePort } from './net.ts';
import { openTestStore } from './stores.ts';

export const CHROMIUM = '/usr/bin/chromium';

/** Why browser tests cannot run here, or false. In CI a missing browser is a failure, not a skip. */
export function browserSkipReason(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const reason = `${CHROMIUM} is missing (install it with: apt-get install -y chromium)`;
  if (process.env.CI) throw new Error(`${reason}; CI must run the browser tests`);
  return reason;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  baseUrl: string;
  config: Config;
  stop(): Promise<void>;
}

/** Roster on a fresh SQLite database, listening on 127.0.0.1; PUBLIC_URL is that address; `env`: more settings. */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const { store, database, cleanup } = await openTestStore('sqlite');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({ PUBLIC_URL: baseUrl, DATABASE_URL: database.url, PORT: String(port), ...env });
  const app = createApp(config, store, { logger: false });
  await app.listen({ port, host: '127.0.0.1' });
  return {
    app,
    store,
    baseUrl,
    config,
    async stop() {
      await app.close();
      await cleanup();
    },
  };
}
