// A product that signs its users in with Roster (OpenID Connect, openid-client) and shows each
// person's organization, role and workspaces. Run it with:
//   ROSTER_ISSUER=http://localhost:8080/oidc CLIENT_ID=app_… CLIENT_SECRET=… node examples/oidc-product/product.mjs
// after `roster apps create --name Example --redirect-uri http://localhost:3000/callback
//   --post-logout-redirect-uri http://localhost:3000/ --backchannel-logout-uri http://localhost:3000/backchannel-logout`.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';

export async function startProduct({ issuer, clientId, clientSecret, port = 3000, insecure = false }) {
  const base = `http://localhost:${port}`;
  const options = insecure ? { execute: [oidc.allowInsecureRequests] } : {};
  const config = await oidc.discovery(
    new URL(issuer),
    clientId,
    clientSecret,
    oidc.ClientSecretBasic(clientSecret),
    options,
  );
  const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));
  const sessions = new Map(); // cookie → { claims, idToken, refreshToken }; pending sign-ins too
  const cookieOf = (req) => /(?:^|; )sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  const send = (res, status, body, headers = {}) =>
    res.writeHead(status, { 'content-type': 'text/html', ...headers }).end(body);
  const escapeHtml = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, base);
    const session = sessions.get(cookieOf(req));
    if (url.pathname === '/login') {
      const pending = {
        verifier: oidc.randomPKCECodeVerifier(),
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
      };
      const id = randomBytes(16).toString('hex');
      sessions.set(id, { pending });
      const to = oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${base}/callback`,
        scope: 'openid email profile organization',
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
        ...(url.searchParams.get('organization')
          ? { organization: url.searchParams.get('organization') }
          : {}),
      });
      return send(res, 302, '', {
        location: to.href,
        'set-cookie': `sid=${id}; HttpOnly; Path=/; SameSite=Lax`,
      });
    }
    if (url.pathname === '/callback' && session?.pending) {
      const { verifier, state, nonce } = session.pending;
      const tokens = await oidc.authorizationCodeGrant(config, url, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      sessions.set(cookieOf(req), {
        claims: tokens.claims(),
        idToken: tokens.id_token,
        refreshToken: tokens.refresh_token,
      });
      return send(res, 302, '', { location: '/' });
    }
    if (url.pathname === '/refresh' && session?.refreshToken) {
      const tokens = await oidc.refreshTokenGrant(config, session.refreshToken); // current role and workspaces
      Object.assign(session, {
        claims: tokens.claims(),
        idToken: tokens.id_token,
        refreshToken: tokens.refresh_token,
      });
      return send(res, 302, '', { location: '/' });
    }
    if (url.pathname === '/backchannel-logout' && req.method === 'POST') {
      // OpenID Connect Back-Channel Logout 1.0: Roster says this person's session has ended.
      let body = '';
      for await (const chunk of req) body += chunk;
      const token = new URLSearchParams(body).get('logout_token') ?? '';
      const { payload } = await jwtVerify(token, jwks, {
        issuer: config.serverMetadata().issuer,
        audience: clientId,
      });
      if (!payload.events?.['http://schemas.openid.net/event/backchannel-logout'])
        return send(res, 400, 'not a logout token');
      for (const [id, s] of sessions)
        if (s.claims?.sub === payload.sub && (!payload.sid || s.claims.sid === payload.sid))
          sessions.delete(id);
      return send(res, 200, '');
    }
    if (url.pathname === '/logout' && session?.idToken) {
      sessions.delete(cookieOf(req));
      const to = oidc.buildEndSessionUrl(config, {
        id_token_hint: session.idToken,
        post_logout_redirect_uri: `${base}/`,
      });
      return send(res, 302, '', { location: to.href });
    }
    if (!session?.claims)
      return send(
        res,
        200,
        '<h1>Example product</h1><p id="status">Signed out.</p><a id="login" href="/login">Sign in with Roster</a>',
      );
    const c = session.claims;
    send(
      res,
      200,
      `<h1>Example product</h1><p id="status">Signed in as <b id="email">${escapeHtml(c.email)}</b></p>
      <p>Organization: <b id="organization">${escapeHtml(c.organization.name)}</b> (${escapeHtml(c.organization.slug)}) · Role: <b id="role">${escapeHtml(c.role)}</b></p>
      <ul id="workspaces">${c.workspaces.map((w) => `<li>${escapeHtml(w.name)}</li>`).join('')}</ul>
      <a href="/refresh">Refresh access</a> · <a href="/logout">Sign out</a>`,
    );
  });
  server.on('request', (_req, res) => res.on('error', () => {}));
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, sessions, close: () => new Promise((resolve) => server.close(resolve)) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { ROSTER_ISSUER, CLIENT_ID, CLIENT_SECRET, PORT = '3000' } = process.env;
  await startProduct({
    issuer: ROSTER_ISSUER,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    port: Number(PORT),
    insecure: ROSTER_ISSUER.startsWith('http:'),
  });
  console.log(`Example product at http://localhost:${PORT}`);
}
