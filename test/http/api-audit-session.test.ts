// `GET /api/v1/audit`, and the API authenticated by a dashboard session (X-CSRF-Token on writes).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { openSession } from '../helpers/dashboard.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

for (const kind of STORE_KINDS) {
  describe(`the audit API and session-authenticated API calls (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await setupApp(kind);
    });
    afterEach(() => t.cleanup());

    const audit = (query = '') =>
      t.app.inject({
        method: 'GET',
        url: `/api/v1/audit${query}`,
        headers: { authorization: `Bearer ${t.token}` },
      });

    it('pages the audit log newest first with ?cursor=&limit= and { data, nextCursor }', async () => {
      for (let i = 0; i < 5; i++) {
        await t.scim('POST', 'Users', {
          userName: `u${i}@acme.test`,
          emails: [{ value: `u${i}@acme.test`, primary: true }],
        });
      }
      const first = await audit('?limit=3&action=member.created');
      assert.equal(first.statusCode, 200);
      const body = first.json();
      assert.equal(body.data.length, 3);
      assert.equal(body.data[0].target.label, 'u4@acme.test');
      assert.equal(body.data[0].actor.type, 'service_token');
      assert.equal(typeof body.data[0].after, 'object');
      const second = (await audit(`?limit=3&action=member.created&cursor=${body.nextCursor}`)).json();
      assert.deepEqual(
        second.data.map((e: { target: { label: string } }) => e.target.label),
        ['u1@acme.test', 'u0@acme.test'],
      );
      assert.equal(second.nextCursor, null);
      assert.equal((await audit('?cursor=abc')).statusCode, 400);
      assert.equal((await audit('?since=not-a-date')).statusCode, 400);
    });

    it('accepts a session cookie for reads, and for writes only with the X-CSRF-Token header', async () => {
      const session = await openSession(t, t.org.user.email);
      const cookie = `roster_session=${session.cookie}`;
      const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().token.kind, 'session');
      assert.equal(me.json().user.email, t.org.user.email);

      const write = (headers: Record<string, string>) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/workspaces',
          headers: { cookie, 'content-type': 'application/json', ...headers },
          payload: JSON.stringify({ name: 'From the browser' }),
        });
      const missing = await write({});
      assert.equal(missing.statusCode, 403);
      assert.match(missing.json().error.message, /X-CSRF-Token/);
      assert.equal((await write({ 'x-csrf-token': 'wrong' })).statusCode, 403);
      assert.equal((await t.store.workspaces.list(t.org.organization.id)).length, 1);
      const ok = await write({ 'x-csrf-token': session.csrf });
      assert.equal(ok.statusCode, 201);
      const [event] = await t.store.audit.search({
        organizationId: t.org.organization.id,
        action: 'workspace.created',
        limit: 1,
      });
      assert.equal(event?.actor_type, 'session');
      assert.equal(event?.actor_label, t.org.user.email);
    });

    it('answers 401 with WWW-Authenticate when there is neither a token nor a session', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/members' });
      assert.equal(res.statusCode, 401);
      assert.match(String(res.headers['www-authenticate']), /^Bearer/);
      const stale = await t.app.inject({
        method: 'GET',
        url: '/api/v1/members',
        headers: { cookie: 'roster_session=stale' },
      });
      assert.equal(stale.statusCode, 401);
    });

    it('never lets a session cookie authenticate SCIM', async () => {
      const session = await openSession(t, t.org.user.email);
      const res = await t.app.inject({
        method: 'GET',
        url: '/scim/v2/Users',
        headers: { cookie: `roster_session=${session.cookie}` },
      });
      assert.equal(res.statusCode, 401);
    });
  });
}
