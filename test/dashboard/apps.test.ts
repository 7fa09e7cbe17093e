// Settings → Apps: the first organization's Admins register an app (its secret shown once, on the
// answer to the form), see it listed without the secret, and revoke it; a refused form registers
// nothing; Admins of other organizations are told who manages apps and change nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { hashToken } from '../../src/auth/token-format.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { adminEmail, get, openSession, post } from '../helpers/dashboard.ts';

const PATH = '/settings/installation/apps';

describe('Settings → Apps', () => {
  let t: TestApp;
  before(async () => {
    t = await setupApp('sqlite');
  });
  after(() => t?.cleanup());

  it('registers an app, shows its secret once, lists it and revokes it', async () => {
    const session = await openSession(t, adminEmail(t));
    const page = await get(t.app, PATH, session);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /No app signs in with Roster yet/);
    assert.match(page.body, /https:\/\/roster\.test\/oidc/);

    const refused = await post(t.app, PATH, session, { name: 'Product', redirect_uris: 'not a url' });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /must be an absolute URL/);
    assert.equal((await t.store.oidc.listClients()).length, 0);

    const created = await post(t.app, PATH, session, {
      name: 'Product',
      redirect_uris: 'https://product.example/callback\nhttps://product.example/other',
      backchannel_logout_uri: 'https://product.example/logout',
    });
    assert.equal(created.statusCode, 200);
    assert.equal(created.headers['cache-control'], 'no-store');
    const secret = /id="client-secret">([^<]+)</.exec(created.body)?.[1] ?? '';
    const clientId = /id="client-id">([^<]+)</.exec(created.body)?.[1] ?? '';
    const [stored] = await t.store.oidc.listClients();
    assert.equal(stored?.id, clientId);
    assert.equal(stored?.secret_hash, hashToken(secret));
    assert.deepEqual(JSON.parse(stored?.redirect_uris ?? '[]'), [
      'https://product.example/callback',
      'https://product.example/other',
    ]);

    const listed = await get(t.app, PATH, session);
    assert.ok(listed.body.includes(clientId));
    assert.ok(!listed.body.includes(secret), 'the secret is never shown again');

    const noCsrf = await post(t.app, `${PATH}/${clientId}/revoke`, session, {}, { csrf: null });
    assert.equal(noCsrf.statusCode, 403);
    assert.equal((await t.store.oidc.getClient(clientId))?.revoked_at, null);
    const revoked = await post(t.app, `${PATH}/${clientId}/revoke`, session);
    assert.equal(revoked.statusCode, 303);
    assert.ok((await t.store.oidc.getClient(clientId))?.revoked_at);
  });

  it("tells another organization's Admins who manages apps, and changes nothing for them", async () => {
    const other = await initOrganization(t.store, {
      name: 'Other',
      slug: 'other',
      adminEmail: 'admin@other.test',
      adminPassword: 'another long admin password',
      actor: CLI_ACTOR,
    });
    const session = await openSession(t, 'admin@other.test', other.organization.id);
    const before = (await t.store.oidc.listClients()).length;
    const page = await get(t.app, PATH, session);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Admins of its first\s+organization register them/);
    assert.ok(!page.body.includes('Register an app'));
    await post(t.app, PATH, session, { name: 'Sneaky', redirect_uris: 'https://evil.example/cb' });
    assert.equal((await t.store.oidc.listClients()).length, before);
  });
});
