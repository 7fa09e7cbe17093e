// What the provider refuses, over HTTP with openid-client as the app: a redirect URI the app did not
// register, an authorization request without PKCE, a code used twice or by another app, expired
// codes and tokens, a deactivated person (tokens revoked at once, a back-channel logout to the app,
// no new sign-in), an organization the person is not in, and a revoked app.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { revokeApp } from '../../src/accounts/apps.ts';
import { createToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { MEMBER_PASSWORD, setPassword } from '../helpers/dashboard.ts';
import {
  authorizationRequest,
  discover,
  exchange,
  newApp,
  type OidcServer,
  oauthError,
  signInToApp,
  startOidcServer,
  TestBrowser,
} from '../helpers/oidc.ts';
import { addMember, changeMemberRole, insertOrganization } from '../helpers/seed.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const REDIRECT = 'http://product.test/callback';

/** An app's back-channel logout endpoint: keeps every logout token posted to it. */
async function logoutReceiver(): Promise<{ server: Server; url: string; tokens: string[] }> {
  const tokens: string[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    tokens.push(new URLSearchParams(body).get('logout_token') ?? '');
    res.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/logout`, tokens };
}

for (const kind of STORE_KINDS) {
  describe(`OpenID Connect refusals (${kind})`, { skip: skipReason(kind), timeout: 120_000 }, () => {
    let server: OidcServer;
    let receiver: Awaited<ReturnType<typeof logoutReceiver>>;
    let scimToken = '';
    const pat = { email: 'pat@acme.test', password: MEMBER_PASSWORD };
    let patMember = '';

    before(async () => {
      server = await startOidcServer(kind);
      receiver = await logoutReceiver();
      const { user, member } = await addMember(server.store, server.organizationId, { email: pat.email });
      await setPassword(server.store, user.id);
      patMember = member.id;
      ({ token: scimToken } = await createToken(server.store, {
        kind: 'service',
        organizationId: server.organizationId,
        name: 'okta',
        role: 'admin',
        actor: CLI_ACTOR,
      }));
    });
    after(async () => {
      await server?.stop();
      receiver?.server.close();
    });

    const setActive = async (active: boolean) => {
      const res = await fetch(`${server.baseUrl}/scim/v2/Users/${patMember}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', value: { active } }],
        }),
      });
      assert.equal(res.status, 200, await res.text());
    };

    it('refuses a redirect URI the app did not register, without redirecting there', async () => {
      const config = await discover(server, await newApp(server.store, REDIRECT));
      const request = await authorizationRequest(config, 'http://evil.test/callback');
      const response = await new TestBrowser().request(request.url.href);
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('location'), null);
      assert.match(await response.text(), /redirect_uri/);
    });

    it('refuses an authorization request without PKCE', async () => {
      const config = await discover(server, await newApp(server.store, REDIRECT));
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid',
        state: 's',
      });
      const response = await new TestBrowser().request(url.href);
      const location = new URL(response.headers.get('location') ?? '');
      assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
      assert.equal(location.searchParams.get('error'), 'invalid_request');
      assert.match(location.searchParams.get('error_description') ?? '', /PKCE/);
      assert.equal(location.searchParams.get('code'), null);
    });

    it("refuses a code used twice, and revokes what its first use gave; and another app's code", async () => {
      const created = await newApp(server.store, REDIRECT);
      const config = await discover(server, created);
      const browser = new TestBrowser();
      const outcome = await signInToApp(server, config, browser, pat, REDIRECT);
      const tokens = await exchange(config, outcome);
      assert.equal(await oauthError(exchange(config, outcome)), 'invalid_grant');
      assert.equal(
        await oauthError(client.refreshTokenGrant(config, tokens.refresh_token ?? '')),
        'invalid_grant',
      );

      const other = await discover(server, await newApp(server.store, REDIRECT));
      const second = await signInToApp(server, config, browser, pat, REDIRECT);
      assert.equal(await oauthError(exchange(other, second)), 'invalid_grant');
      assert.ok((await exchange(config, second)).access_token, 'the code still works for its own app');
    });

    it('refuses expired codes, access tokens and refresh tokens', async () => {
      const config = await discover(server, await newApp(server.store, REDIRECT));
      const browser = new TestBrowser();
      const expire = (kind: string) =>
        server.store.db
          .updateTable('oidc_models')
          .set({ expires_at: '2000-01-01T00:00:00.000Z' })
          .where('kind', '=', kind)
          .execute();
      const late = await signInToApp(server, config, browser, pat, REDIRECT);
      await expire('AuthorizationCode');
      assert.equal(await oauthError(exchange(config, late)), 'invalid_grant');

      const tokens = await exchange(config, await signInToApp(server, config, browser, pat, REDIRECT));
      const sub = tokens.claims()?.sub ?? '';
      await expire('AccessToken');
      assert.equal(await oauthError(client.fetchUserInfo(config, tokens.access_token, sub)), 'invalid_token');
      await expire('RefreshToken');
      assert.equal(
        await oauthError(client.refreshTokenGrant(config, tokens.refresh_token ?? '')),
        'invalid_grant',
      );
    });

    it('shows a role change at the next refresh', async () => {
      const config = await discover(server, await newApp(server.store, REDIRECT));
      const tokens = await exchange(
        config,
        await signInToApp(server, config, new TestBrowser(), pat, REDIRECT),
      );
      assert.equal(tokens.claims()?.role, 'member');
      const workspaces = await server.store.workspaces.list(server.organizationId);
      assert.deepEqual(tokens.claims()?.workspaces, [], 'a Member reaches the workspaces granted');
      await changeMemberRole(server.store, server.organizationId, patMember, 'admin');
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token ?? '');
      assert.equal(refreshed.claims()?.role, 'admin');
      assert.deepEqual(
        refreshed.claims()?.workspaces,
        workspaces.map((w) => ({ id: w.id, name: w.name })),
      );
      await changeMemberRole(server.store, server.organizationId, patMember, 'member');
    });

    it('refuses an organization the person is not in, back at the app with access_denied', async () => {
      const other = await insertOrganization(server.store);
      const config = await discover(server, await newApp(server.store, REDIRECT));
      const outcome = await signInToApp(server, config, new TestBrowser(), pat, REDIRECT, {
        organization: other.slug,
      });
      assert.equal(outcome.callback.searchParams.get('error'), 'access_denied');
      assert.match(outcome.callback.searchParams.get('error_description') ?? '', /not an active member/);
      assert.equal(outcome.callback.searchParams.get('code'), null);
      const named = await signInToApp(server, config, new TestBrowser(), pat, REDIRECT, {
        organization: 'acme',
      });
      assert.deepEqual((await exchange(config, named)).claims()?.organization, {
        id: server.organizationId,
        slug: 'acme',
        name: 'Acme Inc',
      });
    });

    it('refuses a revoked app at once: its refresh token, its sign-ins', async () => {
      const created = await newApp(server.store, REDIRECT);
      const config = await discover(server, created);
      const browser = new TestBrowser();
      const tokens = await exchange(config, await signInToApp(server, config, browser, pat, REDIRECT));
      await revokeApp(server.store, created.clientId);
      assert.equal(
        await oauthError(client.refreshTokenGrant(config, tokens.refresh_token ?? '')),
        'invalid_client',
      );
      const request = await authorizationRequest(config, REDIRECT);
      const response = await browser.request(request.url.href);
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('location'), null);
    });

    it('ends a deactivated person at once: tokens revoked, the app told, no new sign-in; back after reactivation', async () => {
      const created = await newApp(server.store, REDIRECT, receiver.url);
      const config = await discover(server, created);
      const browser = new TestBrowser();
      const tokens = await exchange(config, await signInToApp(server, config, browser, pat, REDIRECT));
      const idClaims = tokens.claims();
      assert.ok(idClaims?.sid, 'the ID token carries a sid for back-channel logout');
      const before = receiver.tokens.length;

      await setActive(false);
      assert.equal(
        await oauthError(client.refreshTokenGrant(config, tokens.refresh_token ?? '')),
        'invalid_grant',
      );
      assert.equal(
        await oauthError(client.fetchUserInfo(config, tokens.access_token, idClaims.sub)),
        'invalid_token',
      );
      await server.app.oidc.deliverNow();
      assert.equal(receiver.tokens.length, before + 1, 'one logout token');
      const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri ?? ''));
      const { payload } = await jwtVerify(receiver.tokens.at(-1) ?? '', jwks, {
        issuer: server.issuer,
        audience: created.clientId,
      });
      assert.equal(payload.sub, idClaims.sub);
      assert.equal(payload.sid, idClaims.sid);
      assert.deepEqual(payload.events, { 'http://schemas.openid.net/event/backchannel-logout': {} });
      assert.equal(await server.store.oidc.countLogoutNotices(), 0);

      // The Roster session ended with the deactivation; the sign-in form refuses the person.
      const request = await authorizationRequest(config, REDIRECT);
      const step = await browser.follow(request.url.href, REDIRECT);
      assert.match(step.url, /\/signin\?/);
      await assert.rejects(signInToApp(server, config, new TestBrowser(), pat, REDIRECT));

      await setActive(true);
      const again = await exchange(
        config,
        await signInToApp(server, config, new TestBrowser(), pat, REDIRECT),
      );
      assert.equal(again.claims()?.sub, idClaims.sub, 'the same person, the same sub');
    });
  });
}
