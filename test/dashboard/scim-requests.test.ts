// The SCIM page's "recent requests from your identity provider" panel and the log behind it.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { now } from '../../src/store/ids.ts';
import { ScimRequestRepo } from '../../src/store/repos/scim-requests.ts';
import { SCIM_REQUESTS_KEPT } from '../../src/web/scim-request-log.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { type BrowserSession, get, openSession, scimMember } from '../helpers/dashboard.ts';
import { personalToken } from '../helpers/seed.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

for (const kind of STORE_KINDS) {
  describe(`recent SCIM requests (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let admin: BrowserSession;
    beforeEach(async () => {
      t = await setupApp(kind);
      admin = await openSession(t, t.org.user.email);
    });
    afterEach(() => t.cleanup());

    const logged = async () => {
      await t.app.scimRequestLog.idle();
      return t.app.scimRequestLog.recent(t.org.organization.id);
    };

    it('records authenticated requests with method, path, status, User-Agent and the error detail', async () => {
      await t.scim('GET', 'Users?filter=userName%20eq%20%22x%22', undefined, {
        headers: { 'user-agent': 'Okta SCIM Client 1.0.0' },
      });
      await t.scim('GET', 'Users/does-not-exist', undefined, {
        headers: { 'user-agent': 'Okta SCIM Client 1.0.0' },
      });
      const [missing, list] = await logged();
      assert.equal(list?.method, 'GET');
      assert.equal(list?.path, '/scim/v2/Users?filter=userName%20eq%20%22x%22');
      assert.equal(list?.status, 200);
      assert.equal(list?.user_agent, 'Okta SCIM Client 1.0.0');
      assert.equal(list?.detail, null);
      assert.equal(missing?.status, 404);
      assert.match(String(missing?.detail), /does-not-exist/);
    });

    it('files a 403 (a token without the Admin role) under the organization, and skips 401s', async () => {
      const dana = await scimMember(t, 'dana@acme.test');
      const memberToken = await personalToken(t.store, t.org.organization.id, dana.id, 'member');
      await logged();
      const before = (await logged()).length;
      const refused = await t.scim('GET', 'Users', undefined, { token: memberToken.token });
      assert.equal(refused.statusCode, 403);
      await t.scim('GET', 'Users', undefined, { token: null });
      await t.scim('GET', 'Users', undefined, { token: 'rst_sat_wrong' });
      const rows = await logged();
      assert.equal(rows.length, before + 1);
      assert.equal(rows[0]?.status, 403);
      assert.match(String(rows[0]?.detail), /Admin role/);
    });

    it('shows the latest requests on the SCIM page, with the base URL and the Okta steps', async () => {
      await t.scim(
        'POST',
        'Users',
        { userName: 'new@acme.test', emails: [{ value: 'new@acme.test', primary: true }] },
        {
          headers: { 'user-agent': 'Okta <b>SCIM</b>' },
        },
      );
      await logged();
      const res = await get(t.app, '/settings/organization/scim', admin);
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /value="https:\/\/roster\.test\/scim\/v2"/);
      for (const text of [
        'Create users',
        'Update user attributes',
        'Deactivate users',
        'Import users',
        'Import groups',
        'Push groups',
        'Entitlements',
        'Governance Engine',
        'Remove users',
        'Password sync',
        'App Integration Wizard',
        'Test Connector Configuration',
        'SCIM connector base URL',
        'To App',
      ]) {
        assert.match(res.body, new RegExp(text), text);
      }
      assert.match(res.body, /<strong>POST<\/strong>/);
      assert.match(res.body, /badge-active">201</);
      assert.match(res.body, /Okta &lt;b&gt;SCIM&lt;\/b&gt;/);
    });

    it('shows a request on the instance that served it at once, before its batch is due', async () => {
      await t.scim('GET', 'Users/not-yet-written');
      const rows = await t.app.scimRequestLog.recent(t.org.organization.id);
      assert.equal(rows[0]?.path, '/scim/v2/Users/not-yet-written');
    });

    it(`keeps the newest ${SCIM_REQUESTS_KEPT} requests of a burst more than twice that size`, async () => {
      const burst = 2 * SCIM_REQUESTS_KEPT + 50;
      for (let i = 0; i < burst; i++) {
        await t.scim('GET', `Users?filter=userName%20eq%20%22n${i}%22`);
        // A batch may fall due anywhere in the burst: here, ten requests before its end (a trim
        // every 25 rows left 210 rows after a loaded machine's timer fired there).
        if (i === burst - 11) await t.app.scimRequestLog.idle();
      }
      await t.app.scimRequestLog.idle();
      const repo = new ScimRequestRepo({ db: t.store.db, dialect: t.store.dialect });
      const kept = await repo.listRecent(t.org.organization.id, 1000);
      assert.equal(kept.length, SCIM_REQUESTS_KEPT);
      assert.deepEqual(
        kept.map((row) => row.path),
        Array.from(
          { length: SCIM_REQUESTS_KEPT },
          (_, i) => `/scim/v2/Users?filter=userName%20eq%20%22n${burst - 1 - i}%22`,
        ),
      );
    });

    it("never shows another organization's requests", async () => {
      await t.scim('GET', 'Users');
      await logged();
      const repo = new ScimRequestRepo({ db: t.store.db, dialect: t.store.dialect });
      const { initTestOrganization } = await import('../helpers/seed.ts');
      const other = await initTestOrganization(t.store);
      assert.deepEqual(await repo.listRecent(other.organization.id, 50), []);
    });

    it(`trims each organization's log to the newest ${SCIM_REQUESTS_KEPT}`, async () => {
      const repo = new ScimRequestRepo({ db: t.store.db, dialect: t.store.dialect });
      for (let i = 0; i < 30; i++) {
        await repo.insert({
          organization_id: t.org.organization.id,
          occurred_at: now(),
          method: 'GET',
          path: `/scim/v2/Users/${i}`,
          status: 200,
          duration_ms: 1,
          user_agent: null,
          detail: null,
          request_id: null,
        });
      }
      assert.equal(await repo.trim(t.org.organization.id, 10), 20);
      const kept = await repo.listRecent(t.org.organization.id, 50);
      assert.equal(kept.length, 10);
      assert.equal(kept[0]?.path, '/scim/v2/Users/29');
      assert.equal(kept[9]?.path, '/scim/v2/Users/20');
    });
  });
}
