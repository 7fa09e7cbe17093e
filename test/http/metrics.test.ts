// GET /metrics: refused without METRICS_TOKEN's bearer, absent without METRICS_TOKEN, and its
// series move with real traffic: HTTP requests by route pattern and status, SCIM operations by
// organization and outcome, SSO refusals by reason, rate-limit refusals, database query time, the
// event loop's lag, webhook attempts to a real receiver and the pending backlog. On SQLite and
// PostgreSQL (with its pool gauge).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeliveryWorker } from '../../src/webhooks/delivery-worker.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

const METRICS_TOKEN = 'metrics-token-for-the-test-0123';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** `name{labels} value` lines → value by series (the labels as written). */
function parse(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}

for (const kind of STORE_KINDS) {
  describe(`metrics (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let worker: DeliveryWorker;
    before(async () => {
      t = await setupApp(
        kind,
        'acme',
        {
          METRICS_TOKEN,
          SAML_RATE_LIMIT_PER_ADDRESS: '2',
          WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
          // One retry, an hour later: a failed attempt leaves its delivery pending.
          WEBHOOK_RETRY_SCHEDULE: '3600',
          WEBHOOK_TIMEOUT_SECONDS: '2',
        },
        (store, config) => {
          worker = new DeliveryWorker(store, { settings: config.webhooks, retentionDays: 30 });
          return { deliveryWorker: worker };
        },
      );
    });
    after(() => t.cleanup());

    const scrape = async () => {
      const response = await t.app.inject({
        url: '/metrics',
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      return parse(response.body);
    };
    const value = (series: Map<string, number>, name: string) => series.get(name) ?? 0;

    it('refuses a scrape without the token, or with another', async () => {
      for (const authorization of [undefined, 'Bearer nope', `Bearer ${METRICS_TOKEN}x`, METRICS_TOKEN]) {
        const response = await t.app.inject({
          url: '/metrics',
          headers: authorization ? { authorization } : {},
        });
        assert.equal(response.statusCode, 401, String(authorization));
        assert.equal(response.json().error.code, 'unauthorized');
        assert.doesNotMatch(response.body, /roster_http/);
      }
    });

    it('moves the request, SCIM, SSO, rate-limit and database series with real traffic', async () => {
      const before = await scrape();
      const created = await t.scim('POST', 'Users', { schemas: [USER], userName: 'ada@acme.test' });
      assert.equal(created.statusCode, 201);
      const id = created.json().id as string;
      assert.equal((await t.scim('GET', `Users/${id}`)).statusCode, 200);
      assert.equal((await t.scim('GET', `Users/${id}`)).statusCode, 200);
      const duplicate = await t.scim('POST', 'Users', { schemas: [USER], userName: 'ada@acme.test' });
      assert.equal(duplicate.statusCode, 409);
      assert.equal((await t.app.inject({ url: '/api/v1/me' })).statusCode, 401);
      // SSO: a response that is not SAML, then the per-address limit (2) reached.
      const acs = () =>
        t.app.inject({
          method: 'POST',
          url: '/saml/acme/acs',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: 'SAMLResponse=bm90IHNhbWw%3D&RelayState=',
        });
      const statuses = [(await acs()).statusCode, (await acs()).statusCode, (await acs()).statusCode];
      assert.equal(statuses[2], 429, statuses.join());
      const afterwards = await scrape();
      const moved = (name: string) => value(afterwards, name) - value(before, name);

      assert.equal(moved('roster_http_requests_total{method="POST",route="/scim/v2/Users",status="201"}'), 1);
      assert.equal(
        moved('roster_http_requests_total{method="GET",route="/scim/v2/Users/:id",status="200"}'),
        2,
      );
      assert.equal(moved('roster_http_requests_total{method="GET",route="/api/v1/me",status="401"}'), 1);
      assert.equal(
        moved('roster_http_request_duration_seconds_count{method="GET",route="/scim/v2/Users/:id"}'),
        2,
      );
      assert.ok(
        ![...afterwards.keys()].some((series) => series.includes(id)),
        'a member id became a label: the URL was used instead of the route',
      );
      assert.equal(
        moved(
          'roster_scim_operations_total{organization="acme",resource="Users",operation="create",outcome="success"}',
        ),
        1,
      );
      assert.equal(
        moved(
          'roster_scim_operations_total{organization="acme",resource="Users",operation="create",outcome="refused"}',
        ),
        1,
      );
      assert.equal(
        moved(
          'roster_scim_operations_total{organization="acme",resource="Users",operation="get",outcome="success"}',
        ),
        2,
      );
      assert.equal(moved('roster_sso_refusals_total{reason="rate_limited"}'), 1);
      const otherRefusals = [...afterwards.keys()].filter(
        (series) => series.startsWith('roster_sso_refusals_total{') && !series.includes('rate_limited'),
      );
      assert.equal(
        otherRefusals.reduce((sum, series) => sum + moved(series), 0),
        2,
        otherRefusals.join(),
      );
      assert.equal(moved('roster_sso_sign_ins_total'), 0);
      assert.equal(moved('roster_rate_limit_refusals_total{surface="saml"}'), 1);
      assert.ok(moved('roster_db_query_duration_seconds_count{outcome="ok"}') >= 5);
      assert.ok(afterwards.has('nodejs_eventloop_lag_seconds'));
      if (kind === 'postgres') {
        const open = value(afterwards, 'roster_db_pool_connections{state="open"}');
        assert.ok(
          open >= 1 && open <= value(afterwards, 'roster_db_pool_connections{state="max"}'),
          String(open),
        );
      } else {
        assert.ok(![...afterwards.keys()].some((series) => series.startsWith('roster_db_pool')));
      }
    });

    it('counts webhook attempts by outcome and shows the pending backlog', async () => {
      // Earlier tests' events are fanned out now, to no endpoint.
      await worker.drain();
      const up = await startReceiver(() => ({ status: 204 }));
      const down = await startReceiver(() => ({ status: 503 }));
      try {
        const endpoint = async (url: string) => {
          const response = await t.app.inject({
            method: 'POST',
            url: '/api/v1/webhooks',
            headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
            payload: JSON.stringify({ url, types: ['member.created'] }),
          });
          assert.equal(response.statusCode, 201, response.body);
          return response.json().id as string;
        };
        await endpoint(up.url);
        const failing = await endpoint(down.url);
        const before = await scrape();
        assert.equal(value(before, 'roster_webhook_deliveries_pending'), 0);
        for (const name of ['grace', 'alan']) {
          const created = await t.scim('POST', 'Users', { schemas: [USER], userName: `${name}@acme.test` });
          assert.equal(created.statusCode, 201);
        }
        await worker.drain();
        assert.equal(up.received.length, 2);
        assert.equal(down.received.length, 2);
        const afterwards = await scrape();
        const moved = (name: string) => value(afterwards, name) - value(before, name);
        assert.equal(moved('roster_webhook_attempts_total{outcome="delivered"}'), 2);
        assert.equal(moved('roster_webhook_attempts_total{outcome="retry"}'), 2);
        assert.equal(moved('roster_webhook_attempts_total{outcome="failed"}'), 0);
        assert.equal(moved('roster_webhook_attempt_duration_seconds_count'), 4);
        // The two deliveries to the failing receiver wait for their retry.
        assert.equal(value(afterwards, 'roster_webhook_deliveries_pending'), 2);
        const removed = await t.app.inject({
          method: 'DELETE',
          url: `/api/v1/webhooks/${failing}`,
          headers: { authorization: `Bearer ${t.token}` },
        });
        assert.ok(removed.statusCode < 300, removed.body);
        assert.equal(value(await scrape(), 'roster_webhook_deliveries_pending'), 0);
      } finally {
        await up.close();
        await down.close();
      }
    });
  });
}

describe('metrics without METRICS_TOKEN', () => {
  it('serves no /metrics at all', async () => {
    const t = await setupApp('sqlite');
    try {
      const response = await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer x' } });
      assert.equal(response.statusCode, 404);
    } finally {
      await t.cleanup();
    }
  });
});
