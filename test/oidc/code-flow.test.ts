// The authorization code flow end to end over HTTP, with openid-client as the app: Roster's own
// password sign-in, the claims of the chosen organization, userinfo, a rotating refresh token, and
// the endpoints discovery names.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import {
  ADMIN_EMAIL,
  authorizationRequest,
  discover,
  newApp,
  type OidcServer,
  oauthError,
  signInWithPassword,
  startOidcServer,
  TestBrowser,
} from '../helpers/oidc.ts';
import { ADMIN_PASSWORD } from '../helpers/seed.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const REDIRECT = 'http://product.test/callback';

for (const kind of STORE_KINDS) {
  describe(`OpenID Connect code flow (${kind})`, { skip: skipReason(kind), timeout: 60_000 }, () => {
    let server: OidcServer;
    before(async () => {
      server = await startOidcServer(kind);
    });
    after(() => server?.stop());

    it('signs a person in through Roster and gives the app their organization, role and workspaces', async () => {
      const created = await newApp(server.store, REDIRECT);
      const config = await discover(server, created);
      const request = await authorizationRequest(config, REDIRECT);
      const browser = new TestBrowser();
      const toSignIn = await browser.follow(request.url.href, REDIRECT);
      assert.match(toSignIn.url, /\/signin\?next=%2Foidc%2Finteraction%2F/);
      const form = await signInWithPassword(browser, toSignIn.url, ADMIN_EMAIL, ADMIN_PASSWORD);
      const back = await browser.follow(`${server.baseUrl}/signin`, REDIRECT, {
        form: { _csrf: form.csrf, next: form.next, email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
      });
      assert.ok(back.url.startsWith(REDIRECT), `${back.url} ${back.body.slice(0, 500)}`);
      const tokens = await client.authorizationCodeGrant(config, new URL(back.url), {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      const claims = tokens.claims();
      assert.ok(claims);
      const user = await server.store.users.findByEmail(ADMIN_EMAIL);
      assert.equal(claims.sub, user?.id);
      assert.equal(claims.email, ADMIN_EMAIL);
      assert.deepEqual(claims.organization, { id: server.organizationId, slug: 'acme', name: 'Acme Inc' });
      assert.equal(claims.role, 'admin');
      const workspaces = await server.store.workspaces.list(server.organizationId);
      assert.deepEqual(
        claims.workspaces,
        workspaces.map((w) => ({ id: w.id, name: w.name })),
      );
      assert.ok(tokens.refresh_token, 'a refresh token');

      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      assert.deepEqual(info.organization, claims.organization);
      assert.equal(info.role, 'admin');

      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
      assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'the refresh token rotates');
      assert.equal(refreshed.claims()?.role, 'admin');

      // RP-initiated logout, answering "Yes, sign out of Roster": Roster's own session ends too.
      const end = client.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token ?? '',
        post_logout_redirect_uri: 'http://product.test/',
      });
      const question = await browser.follow(end.href, 'http://product.test/');
      assert.match(question.body, /Sign out of Roster\?/);
      const action = /action="([^"]+)"/.exec(question.body)?.[1] ?? '';
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(question.body)?.[1] ?? '';
      const out = await browser.follow(new URL(action, server.baseUrl).href, 'http://product.test/', {
        form: { xsrf, logout: 'yes' },
      });
      assert.ok(
        out.url.startsWith('http://product.test/'),
        `${out.url} ${out.response.status} ${out.body.slice(0, 600)}`,
      );
      assert.equal(
        await server.store.db
          .selectFrom('sessions')
          .select('id_hash')
          .execute()
          .then((r) => r.length),
        0,
      );
      assert.equal(
        await oauthError(client.refreshTokenGrant(config, refreshed.refresh_token ?? '')),
        'invalid_grant',
      );
      const again = await browser.follow((await authorizationRequest(config, REDIRECT)).url.href, REDIRECT);
      assert.match(again.url, /\/signin\?next=/, 'signed out of Roster: the next sign-in asks again');
    });
  });
}
