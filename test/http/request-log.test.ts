// The server's log: one JSON line per request, with the route, status, time, organization, token
// and request id, and for a refusal its code, SCIM type and detail; never a credential. On SQLite
// and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

interface RequestLine {
  level: number;
  msg: string;
  reqId: string;
  method: string;
  route: string | null;
  path: string;
  status: number;
  ms: number;
  org: string | null;
  tokenId: string | null;
  error?: { code: string; type?: string; detail: string };
  err?: { message: string };
}

for (const kind of STORE_KINDS) {
  describe(`the request log (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let logs: ReturnType<typeof captureLogs>;
    const lines = () => logs.lines.map((line) => JSON.parse(line) as RequestLine);
    const linesOf = (requestId: string) => lines().filter((line) => line.reqId === requestId);

    before(async () => {
      logs = captureLogs('info');
      t = await setupApp(kind, 'acme', {}, { logger: logs.logger });
    });
    after(() => t.cleanup());

    it('writes one line for an answered request, with its route, organization and token', async () => {
      const created = await t.scim('POST', 'Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'ada@acme.test',
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as string;
      const response = await t.scim('GET', `Users/${id}?attributes=userName`, undefined, {
        headers: { 'x-request-id': 'lookup-1' },
      });
      assert.equal(response.statusCode, 200);
      const written = linesOf('lookup-1');
      assert.equal(written.length, 1, JSON.stringify(written));
      const [line] = written;
      assert.ok(line);
      assert.equal(line.msg, 'request');
      assert.equal(line.level, 30);
      assert.equal(line.method, 'GET');
      assert.equal(line.route, '/scim/v2/Users/:id');
      assert.equal(line.path, `/scim/v2/Users/${id}`, 'the query string is left out');
      assert.equal(line.status, 200);
      assert.equal(typeof line.ms, 'number');
      assert.equal(line.org, 'acme');
      const token = await t.store.tokens.listService(t.org.organization.id);
      assert.equal(line.tokenId, token[0]?.id);
      assert.equal(line.error, undefined);
    });

    it('names the code, the SCIM type and the detail of a refusal', async () => {
      const response = await t.scim('GET', 'Users?filter=userName%20zz%20%22x%22', undefined, {
        headers: { 'x-request-id': 'bad-filter' },
      });
      assert.equal(response.statusCode, 400);
      const [line, ...more] = linesOf('bad-filter');
      assert.equal(more.length, 0);
      assert.equal(line?.msg, 'request refused');
      assert.equal(line?.status, 400);
      assert.equal(line?.error?.code, 'invalid_filter');
      assert.equal(line?.error?.type, 'invalidFilter');
      assert.equal(line?.error?.detail, response.json().detail);
    });

    it('logs a refused credential and an unknown route without the credential', async () => {
      const secret = 'rst_sat_notARealTokenButSecretAnyway1234567890';
      const denied = await t.app.inject({
        url: '/api/v1/me?token=also-secret',
        headers: { authorization: `Bearer ${secret}`, 'x-request-id': 'denied' },
      });
      assert.equal(denied.statusCode, 401);
      const unknown = await t.app.inject({ url: '/api/v1/nowhere', headers: { 'x-request-id': 'nowhere' } });
      assert.equal(unknown.statusCode, 404);
      const [refused] = linesOf('denied');
      assert.equal(refused?.route, '/api/v1/me');
      assert.equal(refused?.path, '/api/v1/me');
      assert.equal(refused?.error?.code, 'unauthorized');
      assert.equal(refused?.org, null);
      const [missing] = linesOf('nowhere');
      assert.equal(missing?.route, null);
      assert.equal(missing?.path, '/api/v1/nowhere');
      assert.equal(missing?.error?.code, 'not_found');
      const text = logs.lines.join('');
      assert.ok(!text.includes(secret) && !text.includes('also-secret'), 'a credential was logged');
    });
  });
}
