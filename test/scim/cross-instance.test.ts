// Two Roster instances on one PostgreSQL database (two apps, each with its own connection pool, on
// the same schema): concurrent creates, PATCHes and status changes spread over both.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/create-app.ts';
import type { Store } from '../../src/store/store.ts';
import { PUBLIC_URL, setupApp, type TestApp } from '../helpers/app.ts';
import { skipReason } from '../helpers/stores.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('two instances on one PostgreSQL database', { skip: skipReason('postgres') }, () => {
  let t: TestApp;
  let secondStore: Store;
  let second: ReturnType<typeof createApp>;

  before(async () => {
    t = await setupApp('postgres');
    secondStore = t.database.open();
    second = createApp(loadConfig({ PUBLIC_URL, DATABASE_URL: t.database.url }), secondStore, {
      logger: false,
    });
  });
  after(async () => {
    await second.close();
    await secondStore.close();
    await t.cleanup();
  });

  /** Sends request `i` to one instance or the other. */
  function send(i: number, method: 'POST' | 'PATCH' | 'GET', url: string, body?: unknown) {
    const app = i % 2 === 0 ? t.app : second;
    return app.inject({
      method,
      url: `/scim/v2/${url}`,
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/scim+json' },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  }

  it('answers 50 concurrent identical creates over both instances with exactly one 201', async () => {
    const body = { userName: 'twin@acme.test', emails: [{ value: 'twin@acme.test', primary: true }] };
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => send(i, 'POST', 'Users', body)));
    const statuses = responses.map((r) => r.statusCode);
    assert.equal(statuses.filter((s) => s === 201).length, 1, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 409).length, 49, statuses.join(','));
    const found = await send(1, 'GET', `Users?filter=${encodeURIComponent('userName eq "twin@acme.test"')}`);
    assert.equal(found.json().totalResults, 1);
  });

  it('loses no update when 20 PATCHes of one member race over both instances', async () => {
    const created = await send(0, 'POST', 'Users', {
      userName: 'busy@acme.test',
      emails: [{ value: 'busy@acme.test' }],
    });
    const id = created.json().id;
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send(i, 'PATCH', `Users/${id}`, {
          schemas: [PATCH_OP],
          Operations: [
            {
              op: 'add',
              path: 'phoneNumbers',
              value: [{ value: `+1555000${String(i).padStart(4, '0')}`, type: 'work' }],
            },
          ],
        }),
      ),
    );
    assert.deepEqual(
      responses.map((r) => r.statusCode),
      Array(20).fill(200),
    );
    const user = (await send(1, 'GET', `Users/${id}`)).json();
    assert.equal(user.phoneNumbers.length, 20);
    assert.equal(user.meta.version, 'W/"21"');
  });

  it('ends a reactivation racing a deactivation in a consistent state with matching audit events', async () => {
    const created = await send(0, 'POST', 'Users', {
      userName: 'flip@acme.test',
      emails: [{ value: 'flip@acme.test' }],
    });
    const id = created.json().id;
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send(i, 'PATCH', `Users/${id}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', value: { active: i % 4 < 2 ? false : true } }],
        }),
      ),
    );
    assert.ok(responses.every((r) => r.statusCode === 200));
    const row = await t.store.members.getById(t.org.organization.id, id);
    assert.ok(row);
    if (row.status === 'active') {
      assert.equal(row.role, 'member');
      assert.equal(row.previous_role, null);
    } else {
      assert.equal(row.role, null);
      assert.equal(row.previous_role, 'member');
    }
    // Every stored transition has its event, and the events alternate as the state did.
    const events = (
      await t.store.audit.search({ organizationId: t.org.organization.id, target: id, limit: 100 })
    )
      .filter((e) => e.action === 'member.deactivated' || e.action === 'member.reactivated')
      .reverse();
    for (let i = 1; i < events.length; i++) assert.notEqual(events[i]!.action, events[i - 1]!.action);
    const last = events.at(-1);
    assert.equal(
      last?.action ?? 'member.reactivated',
      row.status === 'active' ? 'member.reactivated' : 'member.deactivated',
    );
    assert.equal(row.version, 1 + events.length);
  });
});
