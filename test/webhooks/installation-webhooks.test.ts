// Installation-wide webhook endpoints, managed with an installation token (rst_iat_…) through the
// same /api/v1/webhooks routes: they hear every organization's events (member.linked included, as
// the events API shows the installation), each payload naming its organization; retries,
// auto-disable (audited for the installation), rotation, the delivery log, resend and the test
// event work as for an organization's endpoint; neither scope sees or changes the other's endpoints.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createInstallationToken } from '../../src/accounts/installation-tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import type { DeliveryWorker } from '../../src/webhooks/delivery-worker.ts';
import type { TestApp } from '../helpers/app.ts';
import { initTestOrganization, serviceToken } from '../helpers/seed.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';
import { setupWebhookApp, startReceiver, type TestReceiver } from '../helpers/webhook-receiver.ts';

// An Okta-style create (docs/idp-requests.md: userName, emails, name, active).
const user = (email: string) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: email,
  name: { givenName: email.split('@')[0], familyName: 'Doe' },
  emails: [{ value: email, type: 'work', primary: true }],
  active: true,
});

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

for (const kind of STORE_KINDS) {
  describe(`installation-wide webhooks (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let worker: DeliveryWorker;
    let receiver: TestReceiver | undefined;
    let product: string;
    let acme: string;
    let beta: string;
    let betaToken: string;

    before(async () => {
      ({ t, worker } = await setupWebhookApp(kind));
      acme = t.org.organization.id;
      product = (await createInstallationToken(t.store, { name: 'saas', actor: CLI_ACTOR })).token;
      beta = (await initTestOrganization(t.store, { name: 'Beta', slug: 'beta' })).organization.id;
      betaToken = (await serviceToken(t.store, beta)).token;
    });
    afterEach(async () => {
      await receiver?.close();
      receiver = undefined;
      for (const endpoint of await t.store.webhooks.listEndpoints(null)) {
        await api('DELETE', `/api/v1/webhooks/${endpoint.id}`, product);
      }
      for (const endpoint of await t.store.webhooks.listEndpoints(acme)) {
        await api('DELETE', `/api/v1/webhooks/${endpoint.id}`, t.token);
      }
    });
    after(() => t.cleanup());

    function api(method: Method, url: string, token: string, body?: unknown) {
      return t.app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
    }

    async function installationEndpoint(r: TestReceiver, types: string[] = ['*']): Promise<string> {
      const created = await api('POST', '/api/v1/webhooks', product, { url: r.url, types });
      assert.equal(created.statusCode, 201, created.body);
      const body = created.json();
      assert.equal(body.organizationId, null);
      assert.match(body.secret, /^whsec_/);
      r.secrets.push(body.secret);
      return body.id as string;
    }

    /** The installation's audit (organization null) of one endpoint: its actions. */
    async function installationAudit(endpointId: string, action?: string): Promise<string[]> {
      let query = t.store.db
        .selectFrom('audit_events')
        .select('action')
        .where('organization_id', 'is', null)
        .where('target_id', '=', endpointId);
      if (action) query = query.where('action', '=', action);
      return (await query.execute()).map((row) => row.action);
    }

    async function deliveries(endpointId: string) {
      const response = await api('GET', `/api/v1/webhooks/${endpointId}/deliveries`, product);
      assert.equal(response.statusCode, 200, response.body);
      return response.json().data as {
        id: string;
        eventId: string;
        eventType: string;
        state: string;
        attempts: number;
        lastStatus: number | null;
        request: { body: { organization: { id: string } | null } };
      }[];
    }

    it("delivers every organization's events, naming the organization, member.linked included", async () => {
      receiver = await startReceiver();
      const endpointId = await installationEndpoint(receiver);
      // An organization's endpoint beside it hears its own organization only, and never member.linked.
      const own = await startReceiver();
      try {
        const created = await api('POST', '/api/v1/webhooks', t.token, { url: own.url, types: ['*'] });
        assert.equal(created.statusCode, 201, created.body);
        assert.equal(created.json().organizationId, acme);

        assert.equal((await t.scim('POST', 'Users', user('ada@acme.test'))).statusCode, 201);
        const bo = await t.scim('POST', 'Users', user('bo@beta.test'), { token: betaToken });
        assert.equal(bo.statusCode, 201);
        // Ada's account exists: Beta's IdP creating her links it (an installation-only type).
        assert.equal(
          (await t.scim('POST', 'Users', user('ada@acme.test'), { token: betaToken })).statusCode,
          201,
        );
        await t.scim(
          'PATCH',
          `Users/${bo.json().id}`,
          {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
            Operations: [{ op: 'replace', value: { active: false } }],
          },
          { token: betaToken },
        );
        await worker.drain();

        const heard = receiver.received.map(
          (r) => `${r.payload.organization?.id} ${r.payload.type} ${r.payload.data.userName}`,
        );
        assert.deepEqual(heard, [
          `${acme} member.created ada@acme.test`,
          `${beta} member.created bo@beta.test`,
          `${beta} member.created ada@acme.test`,
          `${beta} member.linked ada@acme.test`,
          `${beta} member.deactivated bo@beta.test`,
        ]);
        for (const r of receiver.received) assert.deepEqual(r.verified, [true]);
        assert.deepEqual(
          own.received.map((r) => `${r.payload.type} ${r.payload.data.userName}`),
          ['member.created ada@acme.test'],
        );
        const log = await deliveries(endpointId);
        assert.equal(log.length, 5);
        assert.deepEqual(
          log.map((d) => d.request.body.organization?.id),
          [beta, beta, beta, beta, acme],
          'the log is newest first',
        );
      } finally {
        await own.close();
      }
    });

    it('subscribes to the types asked for, member.linked among them', async () => {
      receiver = await startReceiver();
      await installationEndpoint(receiver, ['member.linked']);
      // An organization may not ask for the installation's own type.
      const refused = await api('POST', '/api/v1/webhooks', t.token, {
        url: receiver.url,
        types: ['member.linked'],
      });
      assert.equal(refused.statusCode, 400, refused.body);
      assert.equal((await t.scim('POST', 'Users', user('cy@acme.test'))).statusCode, 201);
      assert.equal(
        (await t.scim('POST', 'Users', user('cy@acme.test'), { token: betaToken })).statusCode,
        201,
      );
      await worker.drain();
      assert.deepEqual(
        receiver.received.map((r) => `${r.payload.type} ${r.payload.data.userName}`),
        ['member.linked cy@acme.test'],
      );
    });

    it('keeps each scope to its own endpoints: 404 across, 401 without a token', async () => {
      receiver = await startReceiver();
      const installationId = await installationEndpoint(receiver);
      const created = await api('POST', '/api/v1/webhooks', t.token, { url: receiver.url, types: ['*'] });
      const organizationId = created.json().id as string;

      const listed = (await api('GET', '/api/v1/webhooks', product)).json().data as { id: string }[];
      assert.deepEqual(
        listed.map((e) => e.id),
        [installationId],
      );
      const acmeList = (await api('GET', '/api/v1/webhooks', t.token)).json().data as { id: string }[];
      assert.deepEqual(
        acmeList.map((e) => e.id),
        [organizationId],
      );
      for (const [method, path] of [
        ['GET', ''],
        ['PATCH', ''],
        ['DELETE', ''],
        ['POST', '/rotate-secret'],
        ['POST', '/test'],
        ['GET', '/deliveries'],
      ] as const) {
        const body = method === 'PATCH' ? { enabled: false } : undefined;
        const acrossFromAcme = await api(method, `/api/v1/webhooks/${installationId}${path}`, t.token, body);
        assert.equal(acrossFromAcme.statusCode, 404, `${method} ${path} ${acrossFromAcme.body}`);
        const acrossFromBeta = await api(
          method,
          `/api/v1/webhooks/${installationId}${path}`,
          betaToken,
          body,
        );
        assert.equal(acrossFromBeta.statusCode, 404, `${method} ${path}`);
        const acrossFromProduct = await api(
          method,
          `/api/v1/webhooks/${organizationId}${path}`,
          product,
          body,
        );
        assert.equal(acrossFromProduct.statusCode, 404, `${method} ${path} ${acrossFromProduct.body}`);
      }
      assert.equal((await api('GET', `/api/v1/webhooks/${installationId}`, product)).json().enabled, true);
      const unknown = await api('GET', '/api/v1/webhooks', 'rst_iat_notatoken');
      assert.equal(unknown.statusCode, 401);
    });

    it('retries, disables after the last attempt (audited for the installation), resends, tests and rotates', async () => {
      receiver = await startReceiver((_r, count) =>
        count <= 3 ? { status: 500, body: 'down' } : { status: 204 },
      );
      const endpointId = await installationEndpoint(receiver, ['member.created']);
      assert.equal(
        (await t.scim('POST', 'Users', user('dee@beta.test'), { token: betaToken })).statusCode,
        201,
      );
      await worker.drain();
      // The first attempt and two retries, then the endpoint is turned off.
      assert.equal(receiver.received.length, 3);
      assert.equal(new Set(receiver.received.map((r) => r.id)).size, 1, 'one webhook-id for every attempt');
      const [failed] = await deliveries(endpointId);
      assert.equal(failed?.state, 'failed');
      assert.equal(failed?.attempts, 3);
      assert.equal(failed?.request.body.organization?.id, beta);
      const endpoint = (await api('GET', `/api/v1/webhooks/${endpointId}`, product)).json();
      assert.equal(endpoint.enabled, false);
      assert.match(endpoint.disabledReason, /every attempt to deliver evt_.* failed \(last: HTTP 500\)/);
      assert.deepEqual(await installationAudit(endpointId, 'webhook.disabled'), ['webhook.disabled']);
      for (const organizationId of [acme, beta]) {
        const theirs = await t.store.audit.search({ organizationId, action: 'webhook.disabled', limit: 10 });
        assert.deepEqual(theirs, [], 'no organization is told of the installation endpoint');
      }

      const enabled = await api('PATCH', `/api/v1/webhooks/${endpointId}`, product, { enabled: true });
      assert.equal(enabled.statusCode, 200, enabled.body);
      const resent = await api(
        'POST',
        `/api/v1/webhooks/${endpointId}/deliveries/${failed?.id}/resend`,
        product,
      );
      assert.equal(resent.statusCode, 202, resent.body);
      await worker.drain();
      assert.equal(receiver.received.length, 4);
      assert.equal(receiver.received[3]?.id, failed?.eventId, 'resent with the same webhook-id');
      assert.equal((await deliveries(endpointId))[0]?.state, 'delivered');

      const rotated = await api('POST', `/api/v1/webhooks/${endpointId}/rotate-secret`, product, {
        overlapSeconds: 60,
      });
      assert.equal(rotated.statusCode, 200, rotated.body);
      receiver.secrets.push(rotated.json().secret);
      const test = await api('POST', `/api/v1/webhooks/${endpointId}/test`, product);
      assert.equal(test.statusCode, 202, test.body);
      await worker.drain();
      const sent = receiver.received[4];
      assert.equal(sent?.payload.type, 'webhook.test');
      assert.deepEqual(sent?.verified, [true, true], 'both secrets sign during the overlap');

      assert.deepEqual((await installationAudit(endpointId)).sort(), [
        'webhook.created',
        'webhook.disabled',
        'webhook.secret_rotated',
        'webhook.updated',
      ]);
    });
  });
}
