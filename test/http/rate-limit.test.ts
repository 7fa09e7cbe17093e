// Rate limits per token and per organization (src/http/rate-limit.ts): a burst over the limit gets
// 429 with an integer Retry-After and the surface's error shape, other credentials and other
// organizations are unaffected, and the window resets. Plus the socket-level limits that only a
// listening server shows: oversized headers (431), slow clients (408), long path parameters.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { createToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/create-app.ts';
import { RateLimiter } from '../../src/http/rate-limit.ts';
import type { Store } from '../../src/store/store.ts';
import { personalToken } from '../helpers/seed.ts';
import { openTestStore } from '../helpers/stores.ts';

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

describe('RateLimiter', () => {
  const principal = (organizationId: string, tokenId: string | null, membershipId: string | null = null) => ({
    organizationId,
    tokenId,
    membershipId,
    kind: tokenId ? ('service' as const) : ('session' as const),
  });

  it('allows the limit per token in a window, then refuses with the seconds left in the window', () => {
    let now = 120_000 + 15_000; // 15 s into a 60 s window
    const limiter = new RateLimiter({ perToken: 3, perOrganization: 0, windowSeconds: 60 }, () => now);
    for (let i = 0; i < 3; i++) assert.deepEqual(limiter.take(principal('o1', 't1')), { allowed: true });
    assert.deepEqual(limiter.take(principal('o1', 't1')), {
      allowed: false,
      retryAfterSeconds: 45,
      scope: 'token',
    });
    now += 44_500;
    assert.equal((limiter.take(principal('o1', 't1')) as { retryAfterSeconds: number }).retryAfterSeconds, 1);
    now += 500; // the next window
    assert.deepEqual(limiter.take(principal('o1', 't1')), { allowed: true });
  });

  it('caps an organization across its tokens, and does not count refused requests', () => {
    const limiter = new RateLimiter({ perToken: 2, perOrganization: 3, windowSeconds: 60 }, () => 0);
    assert.ok(limiter.take(principal('o1', 't1')).allowed);
    assert.ok(limiter.take(principal('o1', 't1')).allowed);
    for (let i = 0; i < 50; i++) assert.equal(limiter.take(principal('o1', 't1')).allowed, false);
    assert.ok(
      limiter.take(principal('o1', 't2')).allowed,
      "t1's refusals did not eat the organization's budget",
    );
    const refused = limiter.take(principal('o1', 't3'));
    assert.deepEqual(refused, { allowed: false, retryAfterSeconds: 60, scope: 'organization' });
    assert.ok(limiter.take(principal('o2', 't9')).allowed, 'another organization is unaffected');
  });

  it('keys a session by its membership, and turns a limit off with 0', () => {
    const limiter = new RateLimiter({ perToken: 1, perOrganization: 0, windowSeconds: 60 }, () => 0);
    assert.ok(limiter.take(principal('o1', null, 'm1')).allowed);
    assert.equal(limiter.take(principal('o1', null, 'm1')).allowed, false);
    assert.ok(limiter.take(principal('o1', null, 'm2')).allowed);
    const off = new RateLimiter({ perToken: 0, perOrganization: 0, windowSeconds: 60 }, () => 0);
    for (let i = 0; i < 1000; i++) assert.ok(off.take(principal('o1', 't1')).allowed);
  });

  it('keeps only the current window in memory', () => {
    let now = 0;
    const limiter = new RateLimiter({ perToken: 10, perOrganization: 10, windowSeconds: 1 }, () => now);
    for (let i = 0; i < 5000; i++) limiter.take(principal(`o${i}`, `t${i}`));
    assert.equal(limiter.size, 10_000);
    now = 1000;
    limiter.take(principal('o1', 't1'));
    assert.equal(limiter.size, 2);
  });
});

describe('rate limits over HTTP', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let now = 1_000_000_000_000;
  let app: ReturnType<typeof createApp>;
  const tokens: Record<'a1' | 'a2' | 'b' | 'aPat', string> = { a1: '', a2: '', b: '', aPat: '' };

  before(async () => {
    ({ store, cleanup } = await openTestStore('sqlite'));
    const config = loadConfig({
      PUBLIC_URL: 'https://roster.test',
      RATE_LIMIT_PER_TOKEN: '5',
      RATE_LIMIT_PER_ORG: '8',
      RATE_LIMIT_WINDOW_SECONDS: '60',
    });
    app = createApp(config, store, { logger: false, now: () => now });
    const orgs = [];
    for (const slug of ['rl-a', 'rl-b']) {
      orgs.push(
        await initOrganization(store, {
          name: slug,
          slug,
          adminEmail: `admin@${slug}.test`,
          adminPassword: 'correct horse battery staple',
          actor: CLI_ACTOR,
        }),
      );
    }
    const [a, b] = orgs as [(typeof orgs)[0], (typeof orgs)[0]];
    const service = async (organizationId: string, name: string) =>
      (await createToken(store, { kind: 'service', organizationId, name, role: 'admin', actor: CLI_ACTOR }))
        .token;
    tokens.a1 = await service(a.organization.id, 'okta');
    tokens.a2 = await service(a.organization.id, 'entra');
    tokens.b = await service(b.organization.id, 'okta');
    tokens.aPat = (await personalToken(store, a.organization.id, a.membership.id, 'admin')).token;
  });
  after(async () => {
    await app.close();
    await cleanup();
  });

  const scim = (token: string) =>
    app.inject({
      method: 'GET',
      url: '/scim/v2/Users?count=1',
      headers: { authorization: `Bearer ${token}` },
    });

  it('answers a burst over the per-token limit with 429, Retry-After and a SCIM error; other organizations go on', async () => {
    now = Math.floor(now / 60_000) * 60_000 + 20_000; // 20 s into a window: 40 s left
    const [burst, beside] = await Promise.all([
      Promise.all(Array.from({ length: 12 }, () => scim(tokens.a1))),
      Promise.all(Array.from({ length: 5 }, () => scim(tokens.b))),
    ]);
    const statuses = burst.map((res) => res.statusCode).sort();
    assert.deepEqual(statuses, [...Array(5).fill(200), ...Array(7).fill(429)]);
    for (const res of burst.filter((r) => r.statusCode === 429)) {
      assert.equal(res.headers['retry-after'], '40');
      assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
      const body = res.json();
      assert.deepEqual(body.schemas, [ERROR_SCHEMA]);
      assert.equal(body.status, '429');
      assert.match(body.detail, /too many requests for this token: retry after 40 seconds/);
    }
    assert.deepEqual(
      beside.map((res) => res.statusCode),
      [200, 200, 200, 200, 200],
      "organization B's token is not slowed down by A's burst",
    );
  });

  it("caps the organization: A's second token gets the rest of A's budget, then 429 on the API too", async () => {
    const second = await Promise.all(Array.from({ length: 3 }, () => scim(tokens.a2)));
    assert.deepEqual(
      second.map((r) => r.statusCode),
      [200, 200, 200],
    );
    const api = await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${tokens.aPat}` } });
    assert.equal(api.statusCode, 429);
    assert.match(String(api.headers['retry-after']), /^\d+$/);
    assert.match(String(api.headers['content-type']), /^application\/json/);
    assert.equal(api.json().error.status, 429);
    assert.equal(api.json().error.code, 'rate_limited');
    assert.match(api.json().error.message, /this organization/);
  });

  it('does not limit requests without a valid credential, nor the health check', async () => {
    for (let i = 0; i < 20; i++) {
      const anonymous = await app.inject({
        url: '/scim/v2/Users',
        headers: { authorization: 'Bearer nope' },
      });
      assert.equal(anonymous.statusCode, 401);
      assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
    }
  });

  it('resets when the window turns', async () => {
    assert.equal((await scim(tokens.a1)).statusCode, 429);
    now += 40_000;
    const again = await Promise.all(Array.from({ length: 5 }, () => scim(tokens.a1)));
    assert.deepEqual(
      again.map((r) => r.statusCode),
      [200, 200, 200, 200, 200],
    );
    assert.equal((await scim(tokens.a1)).statusCode, 429);
  });
});

/** Sends raw bytes on a new connection and resolves with what the server answered before closing. */
function rawExchange(port: number, chunks: string[], waitMs = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => {
      answer += data;
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve(answer);
      else reject(error);
    });
    socket.on('close', () => resolve(answer));
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        socket.write(chunk);
        if (waitMs) await new Promise((r) => setTimeout(r, waitMs));
      }
    });
    setTimeout(() => {
      socket.destroy();
      resolve(answer);
    }, 10_000).unref();
  });
}

describe('socket-level limits of a listening server', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let app: ReturnType<typeof createApp>;
  let port: number;

  before(async () => {
    ({ store, cleanup } = await openTestStore('sqlite'));
    const config = loadConfig({ PUBLIC_URL: 'https://roster.test', REQUEST_TIMEOUT_SECONDS: '1' });
    app = createApp(config, store, { logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  after(async () => {
    await app.close();
    await cleanup();
  });

  const healthy = async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status;

  it('answers a 100 KB header with 431 and keeps serving', async () => {
    const answer = await rawExchange(port, [
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`,
    ]);
    assert.match(answer, /^HTTP\/1\.1 431 /);
    assert.equal(await healthy(), 200);
  });

  it('answers a client that sends its headers too slowly with 408 within the request timeout', async () => {
    const started = Date.now();
    const answer = await rawExchange(
      port,
      ['GET /healthz HTTP/1.1\r\n', 'Host: x\r\n', 'X-Slow: 1\r\n'],
      800,
    );
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    assert.equal(await healthy(), 200);
  });

  it('answers a path parameter longer than 100 characters, or a malformed URL, in the surface’s error shape', async () => {
    const headers = { authorization: 'Bearer rst_sat_x' };
    const long = await fetch(`http://127.0.0.1:${port}/scim/v2/Users/${'a'.repeat(500)}`, { headers });
    assert.equal(long.status, 414);
    assert.match(String(long.headers.get('content-type')), /^application\/scim\+json/);
    assert.deepEqual(((await long.json()) as { schemas: string[] }).schemas, [ERROR_SCHEMA]);
    const bad = await fetch(`http://127.0.0.1:${port}/api/v1/members/%E0%A4%A`, { headers });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { status: number } }).error.status, 400);
  });

  it('refuses duplicate Content-Length and header injection at the parser, with 400', async () => {
    const duplicate = await rawExchange(port, [
      'POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}',
    ]);
    assert.match(duplicate, /^HTTP\/1\.1 400 /);
    const crlf = await rawExchange(port, ['GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n']);
    assert.match(crlf, /^HTTP\/1\.1 400 /);
    assert.equal(await healthy(), 200);
  });
});
