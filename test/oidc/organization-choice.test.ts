// Which organization a token speaks for: a person in two organizations picks one on Roster (the
// chooser posts with the session's CSRF token), or the app names it; a session opened by an
// organization's SSO reaches that organization only, as Roster's own organization switcher.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { startSession } from '../../src/sign-in/sessions.ts';
import {
  ADMIN_EMAIL,
  authorizationRequest,
  discover,
  exchange,
  newApp,
  type OidcServer,
  signInToApp,
  startOidcServer,
  TestBrowser,
} from '../helpers/oidc.ts';
import { ADMIN_PASSWORD } from '../helpers/seed.ts';

const REDIRECT = 'http://product.test/callback';

describe('the organization of a sign-in', { timeout: 60_000 }, () => {
  let server: OidcServer;
  let otherId = '';
  before(async () => {
    server = await startOidcServer('sqlite');
    // The same person (the Admin's email) is also the first Admin of another organization.
    const other = await initOrganization(server.store, {
      name: 'Globex',
      slug: 'globex',
      adminEmail: ADMIN_EMAIL,
      adminPassword: ADMIN_PASSWORD,
      actor: CLI_ACTOR,
    });
    otherId = other.organization.id;
  });
  after(() => server?.stop());

  const admin = { email: ADMIN_EMAIL, password: ADMIN_PASSWORD };

  it('lets a person in two organizations pick one, with the CSRF token of their session', async () => {
    const config = await discover(server, await newApp(server.store, REDIRECT));
    const browser = new TestBrowser();
    // Signed in to Roster first (the app names nothing yet): the chooser appears.
    await signInToApp(server, config, browser, admin, REDIRECT, { organization: 'acme' });
    const request = await authorizationRequest(config, REDIRECT);
    const chooser = await browser.follow(request.url.href, REDIRECT);
    assert.equal(chooser.response.status, 200);
    assert.match(chooser.body, /Choose an organization/);
    assert.match(chooser.body, /Globex/);
    const membership = /name="membership" value="([^"]+)">Globex/.exec(chooser.body)?.[1] ?? '';
    const csrf = /name="_csrf" value="([^"]+)"/.exec(chooser.body)?.[1] ?? '';

    const forged = await browser.request(chooser.url, { form: { membership, _csrf: 'forged' } });
    assert.equal(forged.status, 403);
    const back = await browser.follow(chooser.url, REDIRECT, { form: { membership, _csrf: csrf } });
    assert.ok(back.url.startsWith(REDIRECT), back.body.slice(0, 300));
    const tokens = await exchange(config, { callback: new URL(back.url), request });
    assert.deepEqual(tokens.claims()?.organization, { id: otherId, slug: 'globex', name: 'Globex' });
  });

  it('gives the organization the app names, by slug or id', async () => {
    const config = await discover(server, await newApp(server.store, REDIRECT));
    const browser = new TestBrowser();
    for (const organization of ['globex', otherId]) {
      const claims = (
        await exchange(config, await signInToApp(server, config, browser, admin, REDIRECT, { organization }))
      ).claims();
      assert.equal((claims?.organization as { id: string } | undefined)?.id, otherId);
    }
  });

  it('keeps a session opened by SSO to its organization', async () => {
    const config = await discover(server, await newApp(server.store, REDIRECT));
    const member = await server.store.members.getById(server.organizationId, server.adminMembershipId);
    assert.ok(member);
    const { cookie } = await server.store.transaction((tx) => startSession(tx, member, new Date(), 'sso'));
    const browser = new TestBrowser();
    browser.setCookie(server.baseUrl, 'roster_session', cookie);
    const own = await signInToApp(server, config, browser, admin, REDIRECT);
    const claims = (await exchange(config, own)).claims();
    assert.equal(
      (claims?.organization as { slug: string } | undefined)?.slug,
      'acme',
      'no chooser: the SSO organization only',
    );
    const refused = await signInToApp(server, config, browser, admin, REDIRECT, { organization: 'globex' });
    assert.equal(refused.callback.searchParams.get('error'), 'access_denied');
    assert.match(refused.callback.searchParams.get('error_description') ?? '', /single sign-on/);
  });
});
