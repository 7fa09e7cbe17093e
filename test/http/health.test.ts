// GET /healthz: what a load balancer probes. 200 while the database answers, 503 otherwise.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/create-app.ts';
import { StoreUnavailableError } from '../../src/store/errors.ts';
import type { Store } from '../../src/store/store.ts';
import { openTestStore, STORE_KINDS, skipReason } from '../helpers/stores.ts';

const config = loadConfig({});

for (const kind of STORE_KINDS) {
  describe(`GET /healthz (${kind})`, { skip: skipReason(kind) }, () => {
    it('answers 200 with the database kind, without any token', async () => {
      const { store, cleanup } = await openTestStore(kind);
      const app = createApp(config, store, { logger: false });
      try {
        const response = await app.inject({ method: 'GET', url: '/healthz' });
        assert.equal(response.statusCode, 200);
        assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
        assert.deepEqual(response.json(), { status: 'ok', database: kind });
      } finally {
        await app.close();
        await cleanup();
      }
    });

    it('answers 503 with Retry-After when the database does not answer', async () => {
      const { store, cleanup } = await openTestStore(kind);
      let pings = 0;
      const unreachable: Store = {
        ...store,
        ping: async () => {
          pings++;
          throw new StoreUnavailableError({ cause: new Error('ECONNREFUSED') });
        },
      };
      const app = createApp(config, unreachable, { logger: false });
      try {
        const response = await app.inject({ method: 'GET', url: '/healthz' });
        assert.equal(response.statusCode, 503);
        assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
        assert.equal(response.headers['retry-after'], '5');
        assert.deepEqual(response.json(), { status: 'unavailable', database: kind });
        assert.equal(pings, 1);
      } finally {
        await app.close();
        await cleanup();
      }
    });

    it('answers 503 once the store is closed', async () => {
      const { store, database } = await openTestStore(kind);
      const app = createApp(config, store, { logger: false });
      try {
        assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
        await store.close();
        const response = await app.inject({ url: '/healthz' });
        assert.equal(response.statusCode, 503);
        assert.deepEqual(response.json(), { status: 'unavailable', database: kind });
      } finally {
        await app.close();
        await database.drop();
      }
    });
  });
}
