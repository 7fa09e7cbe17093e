// The SCIM page's "Email changes from the identity provider" setting (refuse | follow): an Admin
// sets it with the page's form (CSRF-checked like every form), the change is audited, and the
// request log marks a deactivation whose email change was refused.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { type BrowserSession, get, hiddenCsrf, openSession, post, scimMember } from '../helpers/dashboard.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const PAGE = '/settings/organization/scim';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

for (const kind of STORE_KINDS) {
  describe(`the email changes setting on the SCIM page (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let admin: BrowserSession;
    beforeEach(async () => {
      t = await setupApp(kind);
      admin = await openSession(t, t.org.user.email);
    });
    afterEach(() => t.cleanup());

    const policy = async () => (await t.store.organizations.getById(t.org.organization.id))?.email_changes;
    const settingEvents = () =>
      t.store.audit.search({
        organizationId: t.org.organization.id,
        limit: 10,
        action: 'organization.email_changes_updated',
      });

    it('shows "refuse" chosen by default, in a form with the CSRF field', async () => {
      const page = await get(t.app, PAGE, admin);
      assert.equal(page.statusCode, 200);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.match(page.body, /Email changes from the identity provider/);
      assert.match(page.body, /name="emailChanges" value="refuse" checked/);
      assert.doesNotMatch(page.body, /name="emailChanges" value="follow" checked/);
      assert.equal(hiddenCsrf(page.body), admin.csrf);
    });

    it('lets an Admin switch to "follow" and back, each change audited once', async () => {
      const saved = await post(t.app, PAGE, admin, { emailChanges: 'follow' });
      assert.equal(saved.statusCode, 303);
      assert.match(String(saved.headers.location), /^\/settings\/organization\/scim\?saved=1/);
      assert.equal(await policy(), 'follow');
      const page = await get(t.app, `${PAGE}?saved=1`, admin);
      assert.match(page.body, /name="emailChanges" value="follow" checked/);
      assert.match(page.body, /The setting was saved/);

      assert.equal((await post(t.app, PAGE, admin, { emailChanges: 'follow' })).statusCode, 303);
      assert.equal((await post(t.app, PAGE, admin, { emailChanges: 'refuse' })).statusCode, 303);
      assert.equal(await policy(), 'refuse');
      const events = await settingEvents();
      assert.equal(events.length, 2, 'saving the same value again is not a change');
      const [back, first] = events;
      assert.equal(first?.actor_type, 'session');
      assert.deepEqual(JSON.parse(first?.before ?? '{}'), { emailChanges: 'refuse' });
      assert.deepEqual(JSON.parse(first?.after ?? '{}'), { emailChanges: 'follow' });
      assert.deepEqual(JSON.parse(back?.after ?? '{}'), { emailChanges: 'refuse' });
    });

    it('refuses a post without the CSRF token, changing nothing', async () => {
      const res = await post(t.app, PAGE, admin, { emailChanges: 'follow' }, { csrf: null });
      assert.equal(res.statusCode, 403);
      assert.equal(await policy(), 'refuse');
      assert.deepEqual(await settingEvents(), []);
    });

    it('refuses a cross-site post, changing nothing', async () => {
      const res = await post(
        t.app,
        PAGE,
        admin,
        { emailChanges: 'follow' },
        { headers: { origin: 'https://evil.test' } },
      );
      assert.equal(res.statusCode, 403);
      assert.equal(await policy(), 'refuse');
    });

    it('refuses a value other than refuse or follow with 400, changing nothing', async () => {
      const res = await post(t.app, PAGE, admin, { emailChanges: 'whatever' });
      assert.equal(res.statusCode, 400);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.match(res.body, /refuse, follow/);
      assert.equal(await policy(), 'refuse');
      assert.deepEqual(await settingEvents(), []);
    });

    it('refuses a Member, changing nothing', async () => {
      const dana = await scimMember(t, 'dana@acme.test');
      const member = await openSession(t, dana.email);
      const res = await post(t.app, PAGE, member, { emailChanges: 'follow' });
      assert.equal(res.statusCode, 403);
      assert.equal(await policy(), 'refuse');
    });

    it("marks a deactivation whose email change was refused in the page's request log", async () => {
      const dana = await scimMember(t, 'dana@acme.test');
      const res = await t.scim('PATCH', `Users/${dana.id}`, {
        schemas: [PATCH_OP],
        Operations: [
          {
            op: 'replace',
            value: { active: false, emails: [{ value: 'dana.lee@acme.test', type: 'work' }] },
          },
        ],
      });
      assert.equal(res.statusCode, 200, res.body);
      const page = await get(t.app, PAGE, admin);
      assert.match(page.body, /badge-idp">email change refused</);
      assert.match(page.body, /Email change refused, not stored: email &quot;dana@acme\.test&quot;/);
    });
  });
}
