// The test IdP over HTTP, on 127.0.0.1: metadata, the SSO endpoint that receives Roster's
// AuthnRequest (HTTP-Redirect or HTTP-POST binding) and answers with a page that posts a signed
// response to the ACS by itself, and an IdP-initiated start (what an Okta tile does). Who signs in
// is decided by `signInAs` (tests) or typed into a form (local trials with `roster test-idp`).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AuthnRequestInfo,
  type ResponseOptions,
  type TestIdp,
  verifyRedirectSignature,
} from './test-idp.ts';

export interface ServiceProviderTarget {
  entityId: string;
  acsUrl: string;
  /** When set, AuthnRequests must be signed with this certificate's key (HTTP-Redirect binding). */
  signingCertificate?: string;
}

export interface TestIdpServerOptions {
  idp: TestIdp;
  sp: ServiceProviderTarget;
  /** The email to sign in without asking; undefined shows a form. */
  signInAs?: () => string | undefined;
  /** Extra knobs for the responses (tests of refusals through the browser). */
  responseOptions?: () => Partial<ResponseOptions>;
  port?: number;
  host?: string;
  /** The host name in its URLs, when not `host` (e.g. idp.localhost, another site than 127.0.0.1). */
  publicHost?: string;
}

export interface TestIdpServer {
  url: string;
  ssoUrl: string;
  metadataUrl: string;
  /** The AuthnRequests received, oldest first. */
  requests: AuthnRequestInfo[];
  close(): Promise<void>;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function hiddenInputs(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
}

function autoPostPage(action: string, fields: Record<string, string>): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test IdP</title></head><body>
<p>Test IdP: signing you in…</p>
<form method="post" action="${escapeHtml(action)}">${hiddenInputs(fields)}<noscript><button type="submit">Continue</button></noscript></form>
<script>document.forms[0].submit();</script></body></html>`;
}

function askPage(fields: Record<string, string>): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test IdP</title></head><body>
<h1>Roster test IdP</h1><p>Not for production: it signs in whoever you type.</p>
<form method="post" action="/sso/continue">${hiddenInputs(fields)}
<label for="email">Sign in as (email)</label> <input id="email" name="email" type="email" required autofocus>
<button type="submit">Sign in</button></form></body></html>`;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1024 * 1024) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function profileOf(email: string): Record<string, string> {
  const local = email.split('@')[0] ?? email;
  const first = local.split(/[._-]/)[0] ?? local;
  return { email, firstName: first.charAt(0).toUpperCase() + first.slice(1), lastName: 'Tester' };
}

export async function startTestIdpServer(options: TestIdpServerOptions): Promise<TestIdpServer> {
  const { idp, sp } = options;
  const requests: AuthnRequestInfo[] = [];
  let base = '';

  const respond = (
    res: ServerResponse,
    email: string,
    inResponseTo: string | undefined,
    relayState: string,
  ) => {
    const samlResponse = idp.createResponse({
      acsUrl: sp.acsUrl,
      audience: sp.entityId,
      nameId: email,
      attributes: profileOf(email),
      ...(inResponseTo ? { inResponseTo } : {}),
      ...options.responseOptions?.(),
    });
    send(
      res,
      200,
      'text/html; charset=utf-8',
      autoPostPage(sp.acsUrl, {
        SAMLResponse: samlResponse,
        ...(relayState ? { RelayState: relayState } : {}),
      }),
    );
  };

  const handleRequest = (res: ServerResponse, request: AuthnRequestInfo, relayState: string) => {
    requests.push(request);
    // A real IdP posts only to the ACS URLs configured for the app.
    if (request.acsUrl && request.acsUrl !== sp.acsUrl) {
      return send(
        res,
        400,
        'text/plain; charset=utf-8',
        `unknown AssertionConsumerServiceURL ${request.acsUrl}`,
      );
    }
    const email = options.signInAs?.();
    if (email) return respond(res, email, request.id, relayState);
    return send(
      res,
      200,
      'text/html; charset=utf-8',
      askPage({ requestId: request.id, RelayState: relayState }),
    );
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', base);
      if (req.method === 'GET' && url.pathname === '/metadata') {
        return send(res, 200, 'application/samlmetadata+xml', idp.metadataXml(`${base}/sso`));
      }
      if (req.method === 'GET' && url.pathname === '/sso') {
        const samlRequest = url.searchParams.get('SAMLRequest');
        if (!samlRequest) return send(res, 400, 'text/plain', 'missing SAMLRequest');
        if (sp.signingCertificate && !verifyRedirectSignature(url.search, sp.signingCertificate)) {
          return send(res, 400, 'text/plain', 'the AuthnRequest signature is missing or invalid');
        }
        return handleRequest(
          res,
          idp.readAuthnRequest(samlRequest, 'redirect'),
          url.searchParams.get('RelayState') ?? '',
        );
      }
      if (req.method === 'POST' && url.pathname === '/sso') {
        const form = await readForm(req);
        const samlRequest = form.get('SAMLRequest');
        if (!samlRequest) return send(res, 400, 'text/plain', 'missing SAMLRequest');
        return handleRequest(res, idp.readAuthnRequest(samlRequest, 'post'), form.get('RelayState') ?? '');
      }
      if (req.method === 'POST' && url.pathname === '/sso/continue') {
        const form = await readForm(req);
        return respond(
          res,
          form.get('email') ?? '',
          form.get('requestId') || undefined,
          form.get('RelayState') ?? '',
        );
      }
      if (req.method === 'GET' && url.pathname === '/idp-initiated') {
        // An Okta tile: an unsolicited response, no InResponseTo.
        const email = url.searchParams.get('email') ?? options.signInAs?.();
        if (!email) return send(res, 400, 'text/plain', 'missing email');
        return respond(res, email, undefined, url.searchParams.get('RelayState') ?? '');
      }
      return send(res, 404, 'text/plain', 'not found');
    })().catch((error: unknown) => send(res, 400, 'text/plain', `test IdP: ${(error as Error).message}`));
  });

  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const address = server.address() as AddressInfo;
  base = `http://${options.publicHost ?? options.host ?? '127.0.0.1'}:${address.port}`;
  return {
    url: base,
    ssoUrl: `${base}/sso`,
    metadataUrl: `${base}/metadata`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
