// REQUEST_TIMEOUT_SECONDS bounds the whole request, body included, on a real socket. Regression: a
// body dripped a byte a second was cut only after 60 s with the setting at 5, because Node checks
// the body against requestTimeout only while headersTimeout (60 s by default) is not above it.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/create-app.ts';
import { PUBLIC_URL, setupApp, type TestApp } from '../helpers/app.ts';

const TIMEOUT_SECONDS = 2;
/** How long the test waits before calling the connection hung: far beyond the timeout, far below 60 s. */
const GIVE_UP_MS = 15_000;

interface Outcome {
  /** What the server sent before the connection closed (or the test gave up). */
  answer: string;
  /** Milliseconds from the first byte sent to the close, or undefined when it never closed. */
  closedAfterMs: number | undefined;
  bytesSent: number;
}

/** Sends `head` at once, then the body one byte a second, until the server closes the connection. */
function dripBody(port: number, head: string, body: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const started = Date.now();
    const finish = (closedAfterMs: number | undefined) => {
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ answer, closedAfterMs, bytesSent: sent });
    };
    const giveUp = setTimeout(() => finish(undefined), GIVE_UP_MS);
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => {
      answer += data;
    });
    socket.on('error', () => undefined); // a reset is a close too
    socket.on('close', () => finish(Date.now() - started));
    socket.on('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (sent < body.length && socket.writable) socket.write(body[sent++]!);
      }, 1000);
    });
  });
}

describe(`a body dripped a byte a second with REQUEST_TIMEOUT_SECONDS=${TIMEOUT_SECONDS}`, () => {
  let t: TestApp;
  let app: ReturnType<typeof createApp>;
  let port: number;

  before(async () => {
    t = await setupApp('sqlite');
    const config = loadConfig({
      PUBLIC_URL,
      DATABASE_URL: t.database.url,
      REQUEST_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS),
    });
    app = createApp(config, t.store, { logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  after(async () => {
    await app.close();
    await t.cleanup();
  });

  const cases: Array<[string, () => { head: string; body: string }]> = [
    [
      'a SCIM create with a valid token',
      () => {
        const body = JSON.stringify({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: 'slow.loris@acme.test',
        });
        return {
          body,
          head:
            'POST /scim/v2/Users HTTP/1.1\r\nHost: roster.test\r\n' +
            `Authorization: Bearer ${t.token}\r\nContent-Type: application/scim+json\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
        };
      },
    ],
    [
      'the sign-in form',
      () => {
        const body = 'email=someone%40acme.test&password=not-the-password-at-all';
        return {
          body,
          head:
            'POST /signin HTTP/1.1\r\nHost: roster.test\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
            `Content-Length: ${body.length}\r\n\r\n`,
        };
      },
    ],
  ];

  for (const [name, request] of cases) {
    it(`cuts ${name} at about the timeout with 408, storing nothing, and keeps serving`, async () => {
      const membersBefore = await t.store.db.selectFrom('memberships').select('id').execute();
      const { head, body } = request();
      const outcome = await dripBody(port, head, body);
      assert.notEqual(outcome.closedAfterMs, undefined, `still open after ${GIVE_UP_MS} ms`);
      const closedAfter = outcome.closedAfterMs ?? 0;
      // Node checks every quarter of the timeout; the margin is for a loaded machine.
      assert.ok(closedAfter >= TIMEOUT_SECONDS * 1000 - 100, `closed too early: ${closedAfter} ms`);
      assert.ok(closedAfter < TIMEOUT_SECONDS * 1000 + 4000, `closed after ${closedAfter} ms`);
      assert.ok(outcome.bytesSent < body.length, 'the whole body was sent before the cut');
      assert.match(outcome.answer, /^HTTP\/1\.1 408 /);
      assert.deepEqual(await t.store.db.selectFrom('memberships').select('id').execute(), membersBefore);
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    });
  }
});
