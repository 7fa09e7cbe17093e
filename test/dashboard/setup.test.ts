// First run: /setup on an empty installation creates the organization and its Admin and signs the
// Admin in; once an organization exists, /setup is gone.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/create-app.ts';
import type { Store } from '../../src/store/store.ts';
import { formBody, hiddenCsrf, setCookie } from '../helpers/dashboard.ts';
import { openTestStore, STORE_KINDS, skipReason } from '../helpers/stores.ts';

const VALID = {
  name: 'Globex Corporation',
  slug: '',
  givenName: 'Hank',
  familyName: 'Scorpio',
  email: 'hank@globex.test',
  password: 'a long enough password',
  password2: 'a long enough password',
};

for (const kind of STORE_KINDS) {
  describe(`first-run setup (${kind})`, { skip: skipReason(kind) }, () => {
    let app: FastifyInstance;
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      const opened = await openTestStore(kind);
      store = opened.store;
      app = createApp(
        loadConfig({ PUBLIC_URL: 'https://roster.test', DATABASE_URL: opened.database.url }),
        store,
        {
          logger: false,
        },
      );
      cleanup = async () => {
        await app.close();
        await opened.cleanup();
      };
    });
    afterEach(() => cleanup());

    async function openForm() {
      const form = await app.inject({ method: 'GET', url: '/setup' });
      return { token: hiddenCsrf(form.body), cookie: setCookie(form, 'roster_form') ?? '' };
    }

    async function submit(
      fields: Record<string, string>,
      withCsrf = true,
      form?: { token: string; cookie: string },
    ) {
      const { token, cookie } = form ?? (await openForm());
      return app.inject({
        method: 'POST',
        url: '/setup',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `roster_form=${cookie}` },
        payload: formBody({ ...(withCsrf ? { _csrf: token } : {}), ...fields }),
      });
    }

    it('sends the root of an empty installation to /setup, which shows a labelled form', async () => {
      const root = await app.inject({ method: 'GET', url: '/' });
      assert.equal(root.statusCode, 303);
      assert.equal(root.headers.location, '/setup');
      const res = await app.inject({ method: 'GET', url: '/setup' });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
      for (const id of ['name', 'slug', 'given-name', 'family-name', 'email', 'password', 'password2']) {
        assert.match(res.body, new RegExp(`<label for="${id}"`), `a label for #${id}`);
      }
      assert.match(res.body, /npx roster init/);
    });

    it('creates the organization, its Admin and the default workspace, and signs the Admin in', async () => {
      const res = await submit(VALID);
      assert.equal(res.statusCode, 303, res.body);
      assert.equal(res.headers.location, '/settings/organization/scim?welcome=1');
      const session = res.cookies.find((c) => c.name === 'roster_session');
      assert.ok(session);
      assert.equal(session.httpOnly, true);
      assert.equal(session.sameSite, 'Lax');
      assert.equal(session.path, '/');
      assert.equal(session.secure, true, 'Secure over an https PUBLIC_URL');

      const organization = await store.organizations.getBySlug('globex-corporation');
      assert.equal(organization?.name, 'Globex Corporation');
      const admin = await store.users.findByEmail('hank@globex.test');
      assert.ok(admin?.password_hash);
      const [membership] = await store.members.listForUser(admin.id);
      assert.equal(membership?.role, 'admin');
      assert.equal((await store.workspaces.list(organization.id)).length, 1);
      // The Admin is the organization's first SCIM User: Okta's SPEC test reads their name.
      assert.equal(membership?.given_name, 'Hank');
      assert.equal(membership?.family_name, 'Scorpio');
      assert.equal(membership?.display_name, 'Hank Scorpio');
      assert.equal(admin.display_name, 'Hank Scorpio');

      const page = await app.inject({
        method: 'GET',
        url: '/settings/organization/scim?welcome=1',
        headers: { cookie: `roster_session=${session.value}` },
      });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Globex Corporation is ready/);
      assert.match(page.body, /hank@globex\.test/);
    });

    it('is gone (404) once an organization exists, for GET and POST', async () => {
      const early = await openForm();
      assert.equal((await submit(VALID)).statusCode, 303);
      assert.equal((await app.inject({ method: 'GET', url: '/setup' })).statusCode, 404);
      const again = await submit({ ...VALID, name: 'Second', email: 'x@second.test' }, true, early);
      assert.equal(again.statusCode, 404);
      assert.equal(await store.organizations.count(), 1);
    });

    it('lets only one of two concurrent setups through', async () => {
      const [first, second] = [await openForm(), await openForm()];
      const [a, b] = await Promise.all([
        submit(VALID, true, first),
        submit({ ...VALID, name: 'Initech', email: 'bill@initech.test' }, true, second),
      ]);
      assert.deepEqual([a.statusCode, b.statusCode].sort(), [303, 404]);
      assert.equal(await store.organizations.count(), 1);
    });

    it('refuses a short password, a mismatch or a bad slug, and stores nothing', async () => {
      const cases = [
        { fields: { ...VALID, password: 'short', password2: 'short' }, message: /at least 12 characters/ },
        { fields: { ...VALID, password2: 'something else entirely' }, message: /not the same/ },
        { fields: { ...VALID, slug: 'Not A Slug!' }, message: /not a valid slug/ },
        { fields: { ...VALID, email: 'not-an-email' }, message: /not an email address/ },
        { fields: { ...VALID, givenName: '  ' }, message: /needs at least a given name/ },
        { fields: { ...VALID, familyName: 'x'.repeat(201) }, message: /at most 200 printable characters/ },
      ];
      for (const { fields, message } of cases) {
        const res = await submit(fields);
        assert.equal(res.statusCode, 400);
        assert.match(res.body, message);
        assert.match(res.body, /value="Globex Corporation"/, 'the form keeps what was typed');
      }
      assert.equal(await store.organizations.count(), 0);
    });

    it('refuses a POST without the form token (403) and stores nothing', async () => {
      const res = await submit(VALID, false);
      assert.equal(res.statusCode, 403);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.equal(await store.organizations.count(), 0);
    });
  });
}
