// The example receiver (examples/webhook-receiver/) end to end: a person signed in to the product,
// Okta deactivates them (the PATCH Okta sends, docs/okta.md), Roster delivers member.deactivated,
// and the product's session is gone; a forged delivery changes nothing.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DeliveryWorker } from '../../src/webhooks/delivery-worker.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

interface ExampleReceiver {
  server: Server;
  sessions: Map<string, string>;
}

const { createReceiver } = (await import(
  new URL('../../examples/webhook-receiver/receiver.mjs', import.meta.url).href
)) as { createReceiver(options: { secret: string }): ExampleReceiver };

for (const kind of STORE_KINDS) {
  describe(`the example webhook receiver (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    before(async () => {
      t = await setupApp(kind, 'acme', { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    });
    after(() => t.cleanup());

    it("ends the product's session of a person Okta deactivates, and ignores a forged delivery", async () => {
      // The endpoint first (its secret configures the receiver), then the receiver at that URL.
      const placeholder = await t.app.inject({
        method: 'POST',
        url: '/api/v1/webhooks',
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ url: 'http://127.0.0.1:9/roster-webhooks', types: ['member.deactivated'] }),
      });
      assert.equal(placeholder.statusCode, 201, placeholder.body);
      const { id: endpointId, secret } = placeholder.json() as { id: string; secret: string };
      const receiver = createReceiver({ secret });
      await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
      try {
        const patched = await t.app.inject({
          method: 'PATCH',
          url: `/api/v1/webhooks/${endpointId}`,
          headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
          payload: JSON.stringify({ url: `${base}/roster-webhooks` }),
        });
        assert.equal(patched.statusCode, 200, patched.body);

        const created = await t.scim('POST', 'Users', {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: 'leaver@acme.test',
          name: { givenName: 'Lee', familyName: 'Ver' },
          emails: [{ primary: true, value: 'leaver@acme.test', type: 'work' }],
          active: true,
        });
        const memberId = created.json().id as string;
        const stayer = await t.scim('POST', 'Users', {
          userName: 'stayer@acme.test',
          emails: [{ primary: true, value: 'stayer@acme.test', type: 'work' }],
        });
        const openSession = async (id: string) =>
          (
            (await (
              await fetch(`${base}/sessions`, { method: 'POST', body: JSON.stringify({ memberId: id }) })
            ).json()) as {
              session: string;
            }
          ).session;
        const leaverSession = await openSession(memberId);
        const stayerSession = await openSession(stayer.json().id as string);
        const alive = async (session: string) => (await fetch(`${base}/sessions/${session}`)).status === 200;
        assert.equal(await alive(leaverSession), true);

        // A forged deactivation (wrong key) is refused and ends nothing.
        const forged = await fetch(`${base}/roster-webhooks`, {
          method: 'POST',
          headers: {
            'webhook-id': 'evt_forged',
            'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
            'webhook-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
          },
          body: JSON.stringify({ id: 'evt_forged', type: 'member.deactivated', data: { id: memberId } }),
        });
        assert.equal(forged.status, 400);
        assert.equal(await alive(leaverSession), true);

        // What Okta sends when the app is unassigned.
        const deactivated = await t.scim('PATCH', `Users/${memberId}`, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', value: { active: false } }],
        });
        assert.equal(deactivated.statusCode, 200);
        await new DeliveryWorker(t.store, { settings: t.config.webhooks, retentionDays: 30 }).drain();

        assert.equal(await alive(leaverSession), false, "the leaver's session is gone");
        assert.equal(await alive(stayerSession), true, 'nobody else was signed out');
        assert.equal(receiver.sessions.size, 1);
        const [delivery] = await t.store.webhooks.log(endpointId, 1);
        assert.equal(delivery?.state, 'delivered');
        assert.equal(delivery?.event_type, 'member.deactivated');
      } finally {
        await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
      }
    });
  });
}
