// A delivery worker stops within its deadline whatever the receiver does. A graceful stop (SIGTERM)
// waits for the deliveries in flight; each attempt must end by WEBHOOK_TIMEOUT_SECONDS, the name's
// resolution included: a resolver that never answers once held an attempt, and the stop with it,
// for as long as the system's resolver took (a minute and more with many endpoints), beyond the
// deadline the request itself had. Here the resolver never answers at all.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { sendTestEvent } from '../../src/webhooks/deliveries.ts';
import { DeliveryWorker } from '../../src/webhooks/delivery-worker.ts';
import { createEndpoint } from '../../src/webhooks/manage-endpoints.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';

describe('stopping a delivery worker while a name does not resolve', () => {
  let t: TestApp;
  before(async () => {
    t = await setupApp('sqlite', 'acme', {
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_TIMEOUT_SECONDS: '1',
      WEBHOOK_RETRY_SCHEDULE: '3600',
    });
  });
  after(() => t.cleanup());

  it('gives up on the resolution at the deadline, files the attempt, and stops without waiting for the resolver', async () => {
    const change = { organizationId: t.org.organization.id, actor: CLI_ACTOR, allowPrivate: true };
    const { endpoint } = await createEndpoint(t.store, {
      ...change,
      url: 'http://hooks.unanswered.test/roster',
      types: ['*'],
    });
    for (let i = 0; i < 3; i++) await sendTestEvent(t.store, { ...change, id: endpoint.id });

    const asked: string[] = [];
    let answered = false;
    let called: () => void = () => undefined;
    const allAsked = new Promise<void>((resolve) => {
      called = resolve;
    });
    const worker = new DeliveryWorker(t.store, {
      settings: t.config.webhooks,
      retentionDays: 30,
      // A resolver that never answers (as a DNS server that drops every query).
      lookup: (host) => {
        asked.push(host);
        if (asked.length === 3) called();
        return new Promise(() => undefined).then(() => {
          answered = true;
          return [];
        });
      },
    });
    worker.start();
    await allAsked;
    await worker.stop();

    assert.deepEqual(asked, ['hooks.unanswered.test', 'hooks.unanswered.test', 'hooks.unanswered.test']);
    assert.equal(answered, false, 'the resolver never answered: the stop did not wait for it');
    const log = await t.store.webhooks.log(endpoint.id, 10);
    assert.equal(log.length, 3);
    for (const delivery of log) {
      // Each attempt failed at its deadline and was filed before the stop ended: due again later.
      assert.equal(delivery.state, 'pending');
      assert.equal(delivery.attempts, 1);
      assert.equal(delivery.last_error, 'no answer within 1000 ms (resolving hooks.unanswered.test)');
      assert.equal(delivery.locked_until, null);
    }
  });
});
