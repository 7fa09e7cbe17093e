// Delivery workers on two instances of one database (two stores, as two processes would have; on
// SQLite two workers share one store, since a second connection in the same process would wait for
// the file's write lock by blocking the very event loop that must release it — separate processes
// on one SQLite file are in test/crash/webhooks-kill-9.test.ts):
// every event delivered exactly once while nothing fails, none sent by both, each member's events
// in order; and a receiver that never answers holds up neither another endpoint nor SCIM.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import type { Store } from '../../src/store/store.ts';
import { DeliveryWorker } from '../../src/webhooks/delivery-worker.ts';
import { createEndpoint } from '../../src/webhooks/manage-endpoints.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

const MEMBERS = 15;
const patchOp = (value: Record<string, unknown>) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'replace', value }],
});

for (const kind of STORE_KINDS) {
  describe(`delivery workers on two instances (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let second: Store;
    before(async () => {
      t = await setupApp(kind, 'acme', {
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        WEBHOOK_TIMEOUT_SECONDS: '2',
      });
      second = kind === 'postgres' ? t.database.open() : t.store;
    });
    after(async () => {
      if (second !== t.store) await second.close();
      await t.cleanup();
    });

    function workerOn(store: Store, timeoutSeconds = t.config.webhooks.timeoutSeconds) {
      return new DeliveryWorker(store, {
        settings: { ...t.config.webhooks, timeoutSeconds },
        retentionDays: 30,
        pollMs: 20,
      });
    }

    it('delivers every event once, by one instance, in order per member, while changes keep coming', async () => {
      const receiver = await startReceiver(() => ({ status: 204, delayMs: Math.floor(Math.random() * 15) }));
      const workers = [workerOn(t.store), workerOn(second)];
      try {
        const { endpoint } = await createEndpoint(t.store, {
          organizationId: t.org.organization.id,
          actor: CLI_ACTOR,
          allowPrivate: true,
          url: receiver.url,
          types: ['*'],
        });
        for (const worker of workers) worker.start();
        const ids: string[] = [];
        for (let n = 0; n < MEMBERS; n++) {
          const created = await t.scim('POST', 'Users', {
            userName: `p${n}@acme.test`,
            emails: [{ value: `p${n}@acme.test`, primary: true }],
          });
          assert.equal(created.statusCode, 201);
          ids.push(created.json().id as string);
        }
        for (const id of ids)
          assert.equal(
            (await t.scim('PATCH', `Users/${id}`, patchOp({ displayName: 'one' }))).statusCode,
            200,
          );
        for (const id of ids)
          assert.equal(
            (await t.scim('PATCH', `Users/${id}`, patchOp({ displayName: 'two' }))).statusCode,
            200,
          );
        for (const id of ids)
          assert.equal((await t.scim('PATCH', `Users/${id}`, patchOp({ active: false }))).statusCode, 200);
        await receiver.waitFor(MEMBERS * 4, 60_000);
        await Promise.all(workers.map((worker) => worker.stop()));

        const webhookIds = receiver.received.map((r) => r.id);
        assert.equal(new Set(webhookIds).size, webhookIds.length, 'no event delivered twice');
        const events = await t.store.db
          .selectFrom('events')
          .select('id')
          .where('organization_id', '=', t.org.organization.id)
          .where('occurred_at', '>=', endpoint.createdAt)
          .execute();
        assert.deepEqual([...webhookIds].sort(), events.map((e) => e.id).sort(), 'every event, none other');
        for (const id of ids) {
          const mine = receiver.received.filter((r) => r.payload.data.id === id);
          assert.deepEqual(
            mine.map((r) => [r.payload.type, r.payload.data.displayName ?? null]),
            [
              ['member.created', null],
              ['member.updated', 'one'],
              ['member.updated', 'two'],
              ['member.deactivated', 'two'],
            ],
          );
        }
        const pending = await t.store.db
          .selectFrom('webhook_deliveries')
          .select('id')
          .where('state', '!=', 'delivered')
          .execute();
        assert.equal(pending.length, 0);
      } finally {
        await Promise.all(workers.map((worker) => worker.stop()));
        await receiver.close();
        await t.store.db.deleteFrom('webhook_deliveries').execute();
        await t.store.db.deleteFrom('webhook_endpoints').execute();
      }
    });

    it('delivers everything, in order per member, once a receiver that was down comes back', async () => {
      const probe = await startReceiver();
      const port = Number(new URL(probe.url).port);
      await probe.close(); // down: connections are refused
      const worker = new DeliveryWorker(t.store, {
        settings: { ...t.config.webhooks, retrySchedule: Array.from({ length: 40 }, () => 0) },
        retentionDays: 30,
      });
      const { endpoint } = await createEndpoint(t.store, {
        organizationId: t.org.organization.id,
        actor: CLI_ACTOR,
        allowPrivate: true,
        url: probe.url,
        types: ['*'],
      });
      const ids: string[] = [];
      for (let n = 0; n < 5; n++) {
        const created = await t.scim('POST', 'Users', {
          userName: `down${n}@acme.test`,
          emails: [{ value: `down${n}@acme.test`, primary: true }],
        });
        ids.push(created.json().id as string);
      }
      for (const id of ids) await t.scim('PATCH', `Users/${id}`, patchOp({ displayName: 'later' }));
      for (const id of ids) await t.scim('PATCH', `Users/${id}`, patchOp({ active: false }));
      for (let n = 0; n < 5; n++) await worker.tick();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const failedAttempts = await t.store.db
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('endpoint_id', '=', endpoint.id)
        .where('attempts', '>', 0)
        .where('state', '=', 'pending')
        .execute();
      assert.ok(failedAttempts.length > 0, 'attempts were made and failed while it was down');
      const receiver = await startReceiver(undefined, port);
      try {
        await worker.drain();
        assert.equal(receiver.received.length, 15);
        for (const id of ids) {
          assert.deepEqual(
            receiver.received.filter((r) => r.payload.data.id === id).map((r) => r.payload.type),
            ['member.created', 'member.updated', 'member.deactivated'],
          );
        }
      } finally {
        await receiver.close();
        await t.store.db.deleteFrom('webhook_deliveries').execute();
        await t.store.db.deleteFrom('webhook_endpoints').execute();
      }
    });

    it('keeps delivering to a live endpoint, and answering SCIM, while another endpoint never answers', async () => {
      const dead = await startReceiver(() => ({ hang: true }));
      const live = await startReceiver();
      // A deadline far beyond the test: the dead endpoint's requests stay in flight throughout.
      const worker = workerOn(t.store, 120);
      try {
        const endpoints = [];
        for (const receiver of [dead, live]) {
          endpoints.push(
            await createEndpoint(t.store, {
              organizationId: t.org.organization.id,
              actor: CLI_ACTOR,
              allowPrivate: true,
              url: receiver.url,
              types: ['*'],
            }),
          );
        }
        worker.start();
        for (let n = 0; n < 10; n++) {
          const created = await t.scim('POST', 'Users', {
            userName: `q${n}@acme.test`,
            emails: [{ value: `q${n}@acme.test`, primary: true }],
          });
          assert.equal(created.statusCode, 201);
        }
        await live.waitFor(10, 30_000);
        // By now the dead endpoint's first requests are still waiting for their deadline: none of its
        // deliveries has an outcome, yet the live one has all of them.
        const deadId = endpoints[0]?.endpoint.id as string;
        const settled = await t.store.db
          .selectFrom('webhook_deliveries')
          .select('id')
          .where('endpoint_id', '=', deadId)
          .where('last_attempt_at', 'is not', null)
          .execute();
        assert.equal(settled.length, 0);
        assert.ok(
          dead.received.length >= 1 && dead.received.length <= 8,
          `in flight to the dead endpoint: ${dead.received.length}`,
        );
        assert.equal(live.received.length, 10);
      } finally {
        await dead.close();
        await worker.stop();
        await live.close();
      }
    });
  });
}
