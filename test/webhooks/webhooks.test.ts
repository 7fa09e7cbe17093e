// Webhook endpoints through /api/v1/webhooks and their deliveries to a real receiver that checks
// the Standard Webhooks signature: what is sent, retries, the log, resend, the test event, secret
// rotation with both signatures during the overlap, auto-disable after the last attempt, and the
// refusals (bad input, private addresses, redirects, oversized answers, timeouts).
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { DeliveryWorker } from '../../src/webhooks/delivery-worker.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';
import { setupWebhookApp, startReceiver, type TestReceiver } from '../helpers/webhook-receiver.ts';

const user = (name: string) => ({
  userName: `${name}@acme.test`,
  emails: [{ value: `${name}@acme.test`, primary: true }],
  name: { givenName: name, familyName: 'Doe' },
});

for (const kind of STORE_KINDS) {
  describe(`webhooks (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let worker: DeliveryWorker;
    let receiver: TestReceiver;
    before(async () => {
      ({ t, worker } = await setupWebhookApp(kind));
    });
    afterEach(async () => {
      await receiver?.close();
      for (const endpoint of await t.store.webhooks.listEndpoints(t.org.organization.id)) {
        await api('DELETE', `/api/v1/webhooks/${endpoint.id}`);
      }
    });
    after(() => t.cleanup());

    function api(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) {
      return t.app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${t.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
    }

    async function endpointFor(r: TestReceiver, types: string[] = ['*']): Promise<string> {
      const created = await api('POST', '/api/v1/webhooks', { url: r.url, types });
      assert.equal(created.statusCode, 201, created.body);
      const body = created.json();
      assert.match(body.secret, /^whsec_[A-Za-z0-9+/]{32}$/);
      r.secrets.push(body.secret);
      // Shown once: reading the endpoint never gives the secret again.
      assert.equal((await api('GET', `/api/v1/webhooks/${body.id}`)).json().secret, undefined);
      return body.id as string;
    }

    async function deliveries(endpointId: string) {
      const response = await api('GET', `/api/v1/webhooks/${endpointId}/deliveries`);
      assert.equal(response.statusCode, 200, response.body);
      return response.json().data as {
        id: string;
        eventId: string;
        eventType: string;
        state: string;
        attempts: number;
        lastStatus: number | null;
        lastError: string | null;
        lastResponse: string | null;
        nextAttemptAt: string | null;
      }[];
    }

    it('delivers a SCIM change signed per Standard Webhooks, the webhook-id being the event id', async () => {
      receiver = await startReceiver();
      const endpointId = await endpointFor(receiver, ['member.created', 'member.deactivated']);
      const created = await t.scim('POST', 'Users', user('ada'));
      const id = created.json().id as string;
      await t.scim('PATCH', `Users/${id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'displayName', value: 'Ada L.' }],
      });
      await t.scim('PATCH', `Users/${id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', value: { active: false } }],
      });
      await worker.drain();
      // member.updated is not subscribed to.
      assert.deepEqual(
        receiver.received.map((r) => r.payload.type),
        ['member.created', 'member.deactivated'],
      );
      for (const r of receiver.received) {
        assert.deepEqual(r.verified, [true]);
        assert.equal(r.id, r.payload.id);
        assert.equal(r.payload.data.id, id);
        assert.ok(Math.abs(Number(r.timestamp) - Date.now() / 1000) < 60);
      }
      const log = await deliveries(endpointId);
      assert.deepEqual(
        log.map((d) => [d.eventType, d.state, d.attempts, d.lastStatus]),
        [
          ['member.deactivated', 'delivered', 1, 204],
          ['member.created', 'delivered', 1, 204],
        ],
      );
    });

    it('retries a failed delivery, logs each answer, then disables the endpoint after the last attempt', async () => {
      receiver = await startReceiver((_r, count) =>
        count === 1 ? { status: 503, body: 'busy' } : { status: 200 },
      );
      const endpointId = await endpointFor(receiver);
      await t.scim('POST', 'Users', user('bob'));
      await worker.drain();
      assert.equal(receiver.received.length, 2, 'one failure, one retry');
      assert.equal(receiver.received[0]?.id, receiver.received[1]?.id, 'a retry keeps the webhook-id');
      const [delivered] = await deliveries(endpointId);
      assert.equal(delivered?.state, 'delivered');
      assert.equal(delivered?.attempts, 2);

      receiver.answer = () => ({ status: 500, body: 'down' });
      await t.scim('POST', 'Users', user('cyd'));
      await worker.drain();
      // Three attempts in all (the first and two retries), then the endpoint is turned off.
      assert.equal(receiver.received.length, 5);
      const [failed] = await deliveries(endpointId);
      assert.equal(failed?.state, 'failed');
      assert.equal(failed?.attempts, 3);
      assert.equal(failed?.lastStatus, 500);
      assert.equal(failed?.lastResponse, 'down');
      assert.equal(failed?.nextAttemptAt, null);
      const endpoint = (await api('GET', `/api/v1/webhooks/${endpointId}`)).json();
      assert.equal(endpoint.enabled, false);
      assert.match(endpoint.disabledReason, /every attempt to deliver evt_.* failed \(last: HTTP 500\)/);
      const audit = await t.store.audit.search({
        organizationId: t.org.organization.id,
        action: 'webhook.disabled',
        limit: 10,
      });
      assert.equal(audit.length, 1);
      // Disabled: new events are not queued for it; re-enabling it resumes delivery.
      await t.scim('POST', 'Users', user('dee'));
      await worker.drain();
      assert.equal(receiver.received.length, 5);
      receiver.answer = () => ({ status: 204 });
      assert.equal((await api('PATCH', `/api/v1/webhooks/${endpointId}`, { enabled: true })).statusCode, 200);
      // Resend the failed one: the same webhook-id again, delivered.
      const resent = await api('POST', `/api/v1/webhooks/${endpointId}/deliveries/${failed?.id}/resend`);
      assert.equal(resent.statusCode, 202, resent.body);
      await worker.drain();
      assert.equal(receiver.received.length, 6);
      assert.equal(receiver.received[5]?.id, failed?.eventId);
      assert.equal((await deliveries(endpointId))[0]?.state, 'delivered');
    });

    it('sends a test event on request, and signs with both secrets while a rotation overlaps', async () => {
      receiver = await startReceiver();
      const endpointId = await endpointFor(receiver);
      const test = await api('POST', `/api/v1/webhooks/${endpointId}/test`);
      assert.equal(test.statusCode, 202, test.body);
      await worker.drain();
      assert.equal(receiver.received[0]?.payload.type, 'webhook.test');

      const rotated = await api('POST', `/api/v1/webhooks/${endpointId}/rotate-secret`, {
        overlapSeconds: 3600,
      });
      assert.equal(rotated.statusCode, 200, rotated.body);
      const secret = rotated.json().secret as string;
      assert.notEqual(secret, receiver.secrets[0]);
      receiver.secrets.push(secret);
      await api('POST', `/api/v1/webhooks/${endpointId}/test`);
      await worker.drain();
      const during = receiver.received[1];
      assert.equal(during?.signature.split(' ').length, 2);
      assert.deepEqual(during?.verified, [true, true], 'either secret verifies');

      await api('POST', `/api/v1/webhooks/${endpointId}/rotate-secret`, { overlapSeconds: 0 });
      await api('POST', `/api/v1/webhooks/${endpointId}/test`);
      await worker.drain();
      assert.deepEqual(receiver.received[2]?.verified, [false, false], 'only the newest secret signs');
    });

    it('keeps connections to a busy endpoint open between deliveries, a few at most', async () => {
      receiver = await startReceiver();
      const endpointId = await endpointFor(receiver);
      for (let i = 0; i < 24; i++) await api('POST', `/api/v1/webhooks/${endpointId}/test`);
      await worker.drain();
      assert.equal(receiver.received.length, 24);
      // At most 8 requests at a time to one endpoint, each connection used again.
      assert.ok(receiver.connections <= 8, `${receiver.connections} connections for 24 deliveries`);
    });

    it('fails, without following, a redirect; keeps 4 KiB of a large answer; gives up on a silent receiver', async () => {
      receiver = await startReceiver((_r, count) =>
        count === 1
          ? { status: 302, headers: { location: 'http://169.254.169.254/' } }
          : count === 2
            ? { status: 200, body: 'x'.repeat(1024 * 1024) }
            : { hang: true },
      );
      const endpointId = await endpointFor(receiver);
      await api('POST', `/api/v1/webhooks/${endpointId}/test`);
      await worker.drain();
      const [first] = await deliveries(endpointId);
      assert.equal(first?.state, 'delivered');
      assert.equal(first?.lastResponse?.length, 4096);
      assert.equal(receiver.received.length, 2);

      await api('POST', `/api/v1/webhooks/${endpointId}/test`);
      await worker.drain();
      const [silent] = await deliveries(endpointId);
      assert.equal(silent?.state, 'failed');
      assert.equal(silent?.lastError, 'no answer within 1000 ms');
    });

    it('refuses bad endpoints with a 400 and stores nothing', async () => {
      const cases: unknown[] = [
        { url: 'ftp://example.com/hook', types: ['*'] },
        { url: 'not a url', types: ['*'] },
        { url: 'https://user:pw@example.com/hook', types: ['*'] },
        { url: 'https://example.com/hook', types: [] },
        { url: 'https://example.com/hook', types: ['member.exploded'] },
        { url: 'https://example.com/hook', types: ['member.linked'] },
        { url: 'https://example.com/hook' },
        { url: 42, types: ['*'] },
        ['not', 'an', 'object'],
      ];
      for (const body of cases) {
        const response = await api('POST', '/api/v1/webhooks', body);
        assert.equal(response.statusCode, 400, JSON.stringify(body));
      }
      assert.deepEqual(await t.store.webhooks.listEndpoints(t.org.organization.id), []);
      assert.equal(
        (await api('GET', '/api/v1/webhooks/00000000-0000-0000-0000-000000000000')).statusCode,
        404,
      );
    });
  });
}

describe('webhooks without WEBHOOK_ALLOW_PRIVATE_NETWORKS', () => {
  let t: TestApp;
  before(async () => {
    t = await setupApp('sqlite', 'acme', { WEBHOOK_RETRY_SCHEDULE: '', WEBHOOK_TIMEOUT_SECONDS: '1' });
  });
  after(() => t.cleanup());

  it('refuses loopback, private, link-local and metadata URLs, and plain http', async () => {
    for (const url of [
      'https://127.0.0.1/hook',
      'https://localhost/hook',
      'https://10.0.0.5/hook',
      'https://192.168.1.10/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hook',
      'https://[fd00:ec2::254]/hook',
      'http://example.com/hook',
    ]) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/webhooks',
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ url, types: ['*'] }),
      });
      assert.equal(response.statusCode, 400, url);
    }
    assert.deepEqual(await t.store.webhooks.listEndpoints(t.org.organization.id), []);
  });

  it('refuses at delivery a name that resolves to a private address (checked again at every attempt)', async () => {
    const receiver = await startReceiver();
    try {
      // Stored as a public name, then made to point home, as DNS rebinding would.
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/webhooks',
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ url: 'https://example.com/hook', types: ['*'] }),
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as string;
      await t.store.db
        .updateTable('webhook_endpoints')
        .set({ url: receiver.url.replace('127.0.0.1', 'localhost') })
        .where('id', '=', id)
        .execute();
      const worker = new DeliveryWorker(t.store, {
        settings: { ...t.config.webhooks, retrySchedule: [] },
        retentionDays: 30,
      });
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/webhooks/${id}/test`,
        headers: { authorization: `Bearer ${t.token}` },
      });
      await worker.drain();
      assert.equal(receiver.received.length, 0, 'nothing reached the loopback receiver');
      const [delivery] = await t.store.webhooks.log(id, 1);
      assert.equal(delivery?.state, 'failed');
      assert.match(delivery?.last_error ?? '', /localhost resolves to .*WEBHOOK_ALLOW_PRIVATE_NETWORKS/);
    } finally {
      await receiver.close();
    }
  });
});
