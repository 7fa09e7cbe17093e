// `GET /api/v1/scim-requests`: the SCIM page's requests for Admins, with the person each was about,
// `?outcome=error`, and the last day's counts; and the log's retention (the newest 1,000 of the
// last 7 days per organization). On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ScimRequestRepo } from '../../src/store/repos/scim-requests.ts';
import { SCIM_REQUESTS_KEPT } from '../../src/web/scim-request-log.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { personalToken } from '../helpers/seed.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

interface Entry {
  method: string;
  path: string;
  userName: string | null;
  status: number;
  detail: string | null;
}

for (const kind of STORE_KINDS) {
  describe(`the SCIM requests API (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await setupApp(kind);
    });
    afterEach(() => t.cleanup());

    const list = (query = '', token = t.token) =>
      t.app.inject({ url: `/api/v1/scim-requests${query}`, headers: { authorization: `Bearer ${token}` } });

    it('lists the requests with their person, the errors alone on asking, and the last day at a glance', async () => {
      const lookup = encodeURIComponent('userName eq "ada@acme.test"');
      assert.equal((await t.scim('GET', `Users?filter=${lookup}`)).statusCode, 200);
      const created = await t.scim('POST', 'Users', { schemas: [USER], userName: 'ada@acme.test' });
      assert.equal(created.statusCode, 201);
      const id = created.json().id as string;
      assert.equal(
        (await t.scim('POST', 'Users', { schemas: [USER], userName: 'ada@acme.test' })).statusCode,
        409,
      );
      const patched = await t.scim('PATCH', `Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'displayName', value: 'Ada' }],
      });
      assert.equal(patched.statusCode, 200);
      assert.equal((await t.scim('GET', 'Users?filter=nonsense')).statusCode, 400);

      const all = await list();
      assert.equal(all.statusCode, 200, all.body);
      const body = all.json() as { data: Entry[]; lastDay: { requests: number; errors: number } };
      assert.deepEqual(
        body.data.map((entry) => [entry.method, entry.status, entry.userName]),
        [
          ['GET', 400, null],
          ['PATCH', 200, 'ada@acme.test'],
          ['POST', 409, 'ada@acme.test'],
          ['POST', 201, 'ada@acme.test'],
          ['GET', 200, 'ada@acme.test'],
        ],
      );
      assert.deepEqual(body.lastDay, { requests: 5, errors: 2 });

      const errors = (await list('?outcome=error')).json() as { data: Entry[] };
      assert.deepEqual(
        errors.data.map((entry) => entry.status),
        [400, 409],
      );
      assert.match(errors.data[1]?.detail ?? '', /already exists/);
      assert.equal((await list('?outcome=error&limit=1')).json().data.length, 1);
    });

    it('refuses a Member, and an outcome it does not know, naming it', async () => {
      const member = await personalToken(t.store, t.org.organization.id, t.org.membership.id, 'member');
      assert.equal((await list('', member.token)).statusCode, 403);
      const bad = await list('?outcome=failures');
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.code, 'invalid_value');
      assert.match(bad.json().error.message, /outcome must be "all" or "error"/);
    });

    it('keeps the newest 1,000 requests of the last 7 days per organization, and shows none older', async () => {
      const repo = new ScimRequestRepo({ db: t.store.db, dialect: t.store.dialect });
      const organizationId = t.org.organization.id;
      const row = (occurredAt: string, status: number) => ({
        organization_id: organizationId,
        occurred_at: occurredAt,
        method: 'GET',
        path: '/scim/v2/Users',
        status,
        duration_ms: 1,
        user_agent: null,
        detail: null,
        request_id: null,
      });
      const old = new Date(Date.now() - 8 * 24 * 60 * 60 * 1000).toISOString();
      await repo.insertMany([row(old, 500)]);
      const recent = new Date().toISOString();
      for (let at = 0; at < SCIM_REQUESTS_KEPT + 5; at += 200) {
        await repo.insertMany(
          Array.from({ length: Math.min(200, SCIM_REQUESTS_KEPT + 5 - at) }, () => row(recent, 200)),
        );
      }
      const shown = (await list('?outcome=error')).json() as { data: Entry[] };
      assert.equal(shown.data.length, 0, 'a request older than 7 days is not shown');
      const cutoff = new Date(Date.now() - 7 * 24 * 60 * 60 * 1000).toISOString();
      assert.equal(await repo.trim(organizationId, SCIM_REQUESTS_KEPT, cutoff), 6);
      const left = await repo.listRecent(organizationId, { limit: 5000 });
      assert.equal(left.length, SCIM_REQUESTS_KEPT);
      assert.ok(left.every((entry) => entry.status === 200));
      assert.equal((await list('?limit=12345')).statusCode, 400, 'limit is at most 4 digits');
      assert.equal((await list('?limit=1000')).json().data.length, SCIM_REQUESTS_KEPT);
    });
  });
}
