// PostgreSQL going away mid-run: requests are answered 503 with Retry-After (SCIM error on /scim,
// JSON error on /api), /healthz says 503, the process survives (no unhandled 'error' from pg), and
// once the database is reachable again requests succeed without a restart. Between Roster and the
// shared test cluster sits a TCP proxy the test cuts and restores.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { createToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/create-app.ts';
import { StoreUnavailableError } from '../../src/store/errors.ts';
import { now } from '../../src/store/ids.ts';
import { migrationProvider } from '../../src/store/migrations/index.ts';
import { createPostgresDialect } from '../../src/store/postgres/postgres-dialect.ts';
import { createStore, type Store } from '../../src/store/store.ts';
import { createTestDatabase, skipReason, TEST_DATABASE_URL, type TestDatabase } from '../helpers/stores.ts';
import { type CutStyle, startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

const PASSWORD = 'correct horse battery staple';
const MIGRATIONS = Object.keys(await migrationProvider('postgres').getMigrations()).sort();

async function countAuditEvents(store: Store): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from audit_events`.execute(
    store.db,
  );
  return Number(rows[0]?.n);
}

describe('a PostgreSQL outage', { skip: skipReason('postgres') }, () => {
  let database: TestDatabase;
  let direct: Store;
  let proxy: TcpProxy;
  let store: Store;
  let app: FastifyInstance;
  let token: string;

  before(async () => {
    database = await createTestDatabase('postgres');
    direct = database.open();
    await direct.migrate();
    const { organization } = await initOrganization(direct, {
      name: 'Outage Inc',
      adminEmail: 'admin@outage.example',
      adminPassword: PASSWORD,
      actor: CLI_ACTOR,
    });
    ({ token } = await createToken(direct, {
      kind: 'service',
      organizationId: organization.id,
      name: 'okta',
      role: 'admin',
      actor: CLI_ACTOR,
    }));

    const upstream = new URL(TEST_DATABASE_URL);
    proxy = await startTcpProxy({ host: upstream.hostname, port: Number(upstream.port || 5432) });
    const viaProxy = new URL(TEST_DATABASE_URL);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    store = createStore(
      createPostgresDialect(viaProxy.toString(), { options: database.env.PGOPTIONS, poolSize: 4 }),
    );
    app = createApp(loadConfig({}), store, { logger: false });
    await app.ready();
  });

  after(async () => {
    await app.close();
    await store.close();
    await proxy.close();
    await direct.close();
    await database.drop();
  });

  const me = () =>
    app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
  const scimUsers = () =>
    app.inject({ method: 'GET', url: '/scim/v2/Users', headers: { authorization: `Bearer ${token}` } });
  const health = () => app.inject({ method: 'GET', url: '/healthz' });

  async function expectAvailable(): Promise<void> {
    const res = await me();
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().organization.slug, 'outage-inc');
    assert.equal((await scimUsers()).statusCode, 200);
    const ok = await health();
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { status: 'ok', database: 'postgres' });
  }

  async function expectUnavailable(): Promise<void> {
    // Several times: the first requests meet the pool's broken clients, later ones new connections.
    for (let attempt = 0; attempt < 3; attempt++) {
      const api = await me();
      assert.equal(api.statusCode, 503, api.body);
      assert.equal(api.headers['retry-after'], '5');
      assert.match(String(api.headers['content-type']), /^application\/json/);
      assert.deepEqual(api.json(), {
        error: { status: 503, code: 'unavailable', message: 'the database is unavailable; retry later' },
      });

      const scim = await scimUsers();
      assert.equal(scim.statusCode, 503, scim.body);
      assert.equal(scim.headers['retry-after'], '5');
      assert.match(String(scim.headers['content-type']), /^application\/scim\+json/);
      assert.deepEqual(scim.json(), {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '503',
        detail: 'the database is unavailable; retry later',
      });

      const probe = await health();
      assert.equal(probe.statusCode, 503);
      assert.equal(probe.headers['retry-after'], '5');
      assert.deepEqual(probe.json(), { status: 'unavailable', database: 'postgres' });
    }
  }

  const styles: { style: CutStyle; what: string }[] = [
    { style: 'close', what: 'the server closes every connection and refuses new ones' },
    { style: 'reset', what: 'every connection is reset and new ones are refused' },
  ];
  for (const { style, what } of styles) {
    it(`answers 503 with Retry-After while ${what}, then 200 again without a restart`, async () => {
      await expectAvailable();
      await proxy.cut(style);
      try {
        await expectUnavailable();
      } finally {
        await proxy.restore();
      }
      await expectAvailable();
    });
  }

  it('answers 503 within the connect timeout when the network silently drops packets', async () => {
    await expectAvailable();
    await proxy.cut('blackhole');
    // Let the pool notice its dropped connections, so that the request has to open a new one.
    await new Promise((resolve) => setTimeout(resolve, 100));
    try {
      const started = Date.now();
      const res = await me();
      const elapsed = Date.now() - started;
      assert.equal(res.statusCode, 503, res.body);
      assert.equal(res.headers['retry-after'], '5');
      // Answered by the connect timeout (3 s), not by a broken socket, and not left hanging.
      assert.ok(elapsed >= 2500 && elapsed < 4500, `took ${elapsed} ms`);
    } finally {
      await proxy.restore();
    }
    await expectAvailable();
  });

  it('fails a transaction whose connection drops between statements as unavailable, and keeps nothing of it', async () => {
    const before = await countAuditEvents(direct);
    let cut: () => void = () => undefined;
    const cutDone = new Promise<void>((resolve) => {
      cut = resolve;
    });
    const work = store.transaction(async (tx) => {
      await tx.audit.insert({
        organization_id: null,
        occurred_at: now(),
        actor_type: 'system',
        actor_id: null,
        actor_label: null,
        action: 'outage.half-written',
        target_type: 'system',
        target_id: null,
        target_label: null,
        before: null,
        after: null,
        request_id: null,
      });
      // The connection is checked out and idle here when it drops: pg emits 'error' on the client,
      // which must not become an uncaught exception.
      await cutDone;
      await tx.organizations.count();
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await proxy.cut('close');
    cut();
    try {
      await assert.rejects(work, StoreUnavailableError);
    } finally {
      await proxy.restore();
    }
    assert.equal(await countAuditEvents(direct), before);
    await expectAvailable();
  });

  it('fails a query in flight when its connection drops as unavailable', async () => {
    const slow = sql`select pg_sleep(5)`.execute(store.db);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await proxy.cut('reset');
    try {
      await assert.rejects(slow, StoreUnavailableError);
      assert.ok(Date.now() - started < 1000);
      await assert.rejects(store.ping(), StoreUnavailableError);
      await assert.rejects(store.migrate(), StoreUnavailableError);
    } finally {
      await proxy.restore();
    }
    await store.ping();
    await expectAvailable();
  });
});

describe('migrations on PostgreSQL', { skip: skipReason('postgres') }, () => {
  it('run concurrently from two stores on one fresh schema, both succeed and apply each migration once', async () => {
    const database = await createTestDatabase('postgres');
    const stores = [database.open(), database.open()];
    try {
      const applied = await Promise.all(stores.map((s) => s.migrate()));
      // Each migration applied by exactly one of the two; the other found nothing left to do.
      assert.deepEqual(applied.flat().sort(), MIGRATIONS);
      const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
        stores[0]?.db ?? assert.fail('no store'),
      );
      assert.deepEqual(
        rows.map((r) => r.name),
        MIGRATIONS,
      );
      for (const s of stores) assert.deepEqual(await s.migrate(), []);
    } finally {
      for (const s of stores) await s.close();
      await database.drop();
    }
  });

  // Regression: Kysely's Migrator looked for kysely_migration in every schema it could see, so a
  // fresh schema beside an already migrated one was never migrated ("relation does not exist").
  it('migrates a fresh schema while another schema of the same database is already migrated', async () => {
    const first = await createTestDatabase('postgres');
    const second = await createTestDatabase('postgres');
    const a = first.open();
    const b = second.open();
    try {
      assert.deepEqual(await a.migrate(), MIGRATIONS);
      assert.deepEqual(await b.migrate(), MIGRATIONS);
      assert.equal(await b.organizations.count(), 0);
    } finally {
      await a.close();
      await b.close();
      await first.drop();
      await second.drop();
    }
  });

  // Regression: the same introspection read every schema's tables, so a schema dropped meanwhile
  // (a parallel test's cleanup, another installation) failed the migration: schema "…" does not exist.
  it('migrates while other schemas of the same database are being created and dropped', async () => {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    let churning = true;
    const churn = (async () => {
      for (let n = 0; churning; n++) {
        const schema = `t_churn_${process.pid}_${n}`;
        await admin.query(`create schema ${schema}`);
        await admin.query(`create table ${schema}.t (id bigserial primary key, v text)`);
        await admin.query(`drop schema ${schema} cascade`);
      }
    })();
    try {
      for (let round = 0; round < 3; round++) {
        const database = await createTestDatabase('postgres');
        const store = database.open();
        try {
          assert.deepEqual(await store.migrate(), MIGRATIONS);
        } finally {
          await store.close();
          await database.drop();
        }
      }
    } finally {
      churning = false;
      await churn;
      await admin.end();
    }
  });
});
