// Regression (security round two, High): one unauthenticated POST to /saml/{slug}/acs froze every
// tenant. 20,000 empty elements and an empty <ds:Signature/> (120 KB) blocked the event loop for
// 7 s in node-saml's XPath; 40,000 for up to a minute. Each hostile shape is posted to a real
// listening server while a worker thread (its own event loop, so it keeps time while the server's
// is blocked) asks /healthz again and again: every answer must come within 100 ms, and the shape
// must be refused with its typed reason, audited, with no session. Node-saml's own defences
// against signature wrapping, behind the shape check, still hold; a genuine response with many
// attributes still signs in.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { SamlRequestCache } from '../../src/auth/saml/request-cache.ts';
import { samlClient } from '../../src/auth/saml/service-provider.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { formBody, scimMember, setCookie } from '../helpers/dashboard.ts';
import {
  auditEvents,
  configureSso,
  countedFailures,
  idpResponse,
  postAcs,
  sessionCount,
  spOf,
  testIdps,
} from '../helpers/sso.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const HEALTHZ_BUDGET_MS = 100;

/**
 * Runs in a worker: posts `body` to `acsUrl`, and from the moment the body is on the wire asks
 * `healthUrl` one request after another until the post is answered (at least three times). A
 * health check that waits more than two seconds ends the probe: the server is frozen.
 */
const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { acsUrl, healthUrl, body } = workerData;
function request(url, options, payload) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent: false, ...options }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(payload, () => options.onSent && options.onSent());
  });
}
(async () => {
  let sent;
  const onSent = new Promise((resolve) => { sent = resolve; });
  let answer;
  const hostile = request(acsUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
    onSent: () => sent(),
  }, body).then((res) => { answer = res; }, (error) => { answer = { status: 0, body: String(error) }; });
  await onSent;
  const waits = [];
  while (answer === undefined || waits.length < 3) {
    const started = performance.now();
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 2000));
    const health = await Promise.race([request(healthUrl, { method: 'GET' }), timeout]);
    waits.push(performance.now() - started);
    if (health === 'timeout') break;
    if (health.status !== 200) throw new Error('healthz answered ' + health.status);
  }
  parentPort.postMessage({ answer: answer ?? null, waits });
})().catch((error) => parentPort.postMessage({ error: String(error) }));
`;

interface ProbeResult {
  answer: { status: number; headers: Record<string, string>; body: string } | null;
  waits: number[];
}

function probe(base: string, slug: string, samlResponse: string): Promise<ProbeResult> {
  const worker = new Worker(PROBE, {
    eval: true,
    workerData: {
      acsUrl: `${base}/saml/${slug}/acs`,
      healthUrl: `${base}/healthz`,
      body: formBody({ SAMLResponse: samlResponse }),
    },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (message: ProbeResult & { error?: string }) => {
      void worker.terminate();
      if (message.error) reject(new Error(message.error));
      else resolve(message);
    });
    worker.once('error', reject);
  });
}

const base64 = (xml: string) => Buffer.from(xml).toString('base64');
const RESPONSE = (inner: string) =>
  `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ID="_r" Version="2.0" IssueInstant="2026-01-01T00:00:00Z">${inner}</samlp:Response>`;

/** The hostile shapes: each took node-saml (or xmldom) seconds on the event loop before. */
const HOSTILE: { name: string; xml: string; status: number; reason: string }[] = [
  {
    name: 'wide: 20,000 empty siblings and an empty Signature (the reported 120 KB response)',
    xml: RESPONSE(`${'<a/>'.repeat(20_000)}<ds:Signature/>`),
    status: 400,
    reason: 'too_complex',
  },
  {
    name: 'wide inside the Assertion: 20,000 empty children',
    xml: RESPONSE(`<saml:Assertion ID="_a">${'<a/>'.repeat(20_000)}<ds:Signature/></saml:Assertion>`),
    status: 400,
    reason: 'too_complex',
  },
  {
    name: 'deep: 5,000 nested elements, each declaring a namespace',
    xml: RESPONSE(`<ds:Signature/>${'<a xmlns:b="urn:b">'.repeat(5_000)}${'</a>'.repeat(5_000)}`),
    status: 400,
    reason: 'too_complex',
  },
  {
    name: 'many signatures: 5,000 Signature elements on the Response',
    xml: RESPONSE('<ds:Signature/>'.repeat(5_000)),
    status: 400,
    reason: 'too_many_signatures',
  },
  {
    name: 'many assertions: 2,000 Assertions, each signed',
    xml: RESPONSE('<saml:Assertion ID="_a"><ds:Signature/></saml:Assertion>'.repeat(2_000)),
    status: 400,
    reason: 'too_many_assertions',
  },
  {
    name: 'a signature in the wrong place (inside Extensions), before 20,000 siblings',
    xml: RESPONSE(`<samlp:Extensions><ds:Signature/></samlp:Extensions>${'<a/>'.repeat(20_000)}`),
    status: 400,
    reason: 'misplaced_signature',
  },
  {
    name: 'many attributes: one element with 8,000',
    xml: RESPONSE(`<ds:Signature/><a ${Array.from({ length: 8_000 }, (_, i) => `a${i}=""`).join(' ')}/>`),
    status: 400,
    reason: 'too_complex',
  },
  {
    name: 'processing instructions: 20,000 in the Response',
    xml: RESPONSE(`<ds:Signature/>${'<?a?>'.repeat(20_000)}`),
    status: 400,
    reason: 'too_complex',
  },
  {
    name: 'oversized XML within the body limit: 137 KiB, 20,000 elements',
    xml: RESPONSE(`<ds:Signature/>${'<a></a>'.repeat(20_000)}`),
    status: 413,
    reason: 'too_large',
  },
];

for (const kind of STORE_KINDS) {
  describe(`hostile SAML responses over a listening server (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let base: string;
    let slug: string;
    before(async () => {
      t = await setupApp(kind);
      slug = t.org.organization.slug;
      await configureSso(t);
      base = await t.app.listen({ port: 0, host: '127.0.0.1' });
      // Warm up what the first request pays once (the database pool's connection, compiling the
      // shape check), so that the measurements below are of the event loop, not of a cold start.
      for (let i = 0; i < 3; i++) await (await fetch(`${base}/healthz`)).text();
      await postAcs(t.app, slug, base64(RESPONSE('<a/>'.repeat(100))));
    });
    after(() => t?.cleanup());

    for (const c of HOSTILE) {
      it(`refuses ${c.name} as ${c.reason}, while /healthz answers within ${HEALTHZ_BUDGET_MS} ms`, async () => {
        // A frozen event loop makes every attempt wait seconds (the original code: 1 to 79 s). On a
        // shared, loaded test machine one health check in a hundred waits a little over 100 ms for
        // the scheduler alone, so a case may take up to three attempts to show one under budget.
        const worsts: number[] = [];
        for (let attempt = 0; attempt < 3; attempt++) {
          const sessionsBefore = await sessionCount(t);
          const failuresBefore = await countedFailures(t, c.reason);
          const result = await probe(base, slug, base64(c.xml));

          assert.ok(result.answer, 'the hostile request was answered');
          assert.equal(result.answer.status, c.status, result.answer.body.slice(0, 300));
          assert.match(String(result.answer.headers['content-type']), /^text\/html/);
          assert.match(result.answer.body, new RegExp(`<span class="mono">${c.reason}</span>`));
          assert.doesNotMatch(result.answer.body, /at \w+ \(|node_modules/);
          // Counted, not written one by one: the response proved nothing (see recordUnauthenticatedFailure).
          assert.equal(await countedFailures(t, c.reason), failuresBefore + 1, 'one more failure counted');
          assert.equal(await sessionCount(t), sessionsBefore, 'no session');

          worsts.push(Math.max(...result.waits));
          if (Math.max(...result.waits) < HEALTHZ_BUDGET_MS) break;
        }
        assert.ok(
          Math.min(...worsts) < HEALTHZ_BUDGET_MS,
          `/healthz waited ${worsts.map(Math.round).join(', ')} ms at worst in each attempt`,
        );
      });
    }

    // Regression: comments passed the shape check uncounted; exclusive canonicalization drops them,
    // so 18,000 empty comments in a properly signed assertion (signed by a key this organization
    // does not even trust) kept the event loop busy for 6-7 s per post.
    it(`refuses a signed assertion stuffed with 18,000 comments as too_complex, while /healthz answers within ${HEALTHZ_BUDGET_MS} ms`, async () => {
      const { other } = await testIdps();
      const sp = spOf(t);
      const signed = Buffer.from(
        other.createResponse({
          acsUrl: sp.acsUrl,
          audience: sp.entityId,
          nameId: 'someone@acme.test',
          attributes: { email: 'someone@acme.test' },
        }),
        'base64',
      ).toString('utf8');
      const opened = signed.indexOf('>', signed.indexOf('<saml:Assertion')) + 1;
      const room = Math.floor((128 * 1024 - Buffer.byteLength(signed) - 16) / 7);
      assert.ok(room > 15_000, `room for ${room} comments`);
      const stuffed = signed.slice(0, opened) + '<!---->'.repeat(room) + signed.slice(opened);
      const worsts: number[] = [];
      let result = await probe(base, slug, base64(stuffed));
      worsts.push(Math.max(...result.waits));
      while (Math.min(...worsts) >= HEALTHZ_BUDGET_MS && worsts.length < 3) {
        result = await probe(base, slug, base64(stuffed));
        worsts.push(Math.max(...result.waits));
      }
      assert.equal(result.answer?.status, 400, result.answer?.body.slice(0, 300));
      assert.match(result.answer?.body ?? '', /<span class="mono">too_complex<\/span>/);
      assert.ok(
        Math.min(...worsts) < HEALTHZ_BUDGET_MS,
        `/healthz waited ${worsts.map(Math.round).join(', ')} ms at worst in each attempt`,
      );
    });

    it('refuses a form body over SAML_BODY_LIMIT with 413 and the refusal page, before reading it', async () => {
      const failuresBefore = (await auditEvents(t, 'sso.login_failed')).length;
      const worsts: number[] = [];
      let result = await probe(base, slug, base64(RESPONSE('x'.repeat(260 * 1024))));
      worsts.push(Math.max(...result.waits));
      // As above: up to three attempts for one under budget on a loaded machine.
      while (Math.min(...worsts) >= HEALTHZ_BUDGET_MS && worsts.length < 3) {
        result = await probe(base, slug, base64(RESPONSE('x'.repeat(260 * 1024))));
        worsts.push(Math.max(...result.waits));
      }
      assert.ok(
        Math.min(...worsts) < HEALTHZ_BUDGET_MS,
        `worst waits ${worsts.map(Math.round).join(', ')} ms`,
      );
      assert.equal(result.answer?.status, 413);
      assert.match(String(result.answer?.headers['content-type']), /^text\/html/);
      assert.match(result.answer?.body ?? '', /<span class="mono">too_large<\/span>/);
      assert.match(result.answer?.body ?? '', /too large/);
      // Refused before the organization is even looked up: nothing to audit, nothing stored.
      assert.equal((await auditEvents(t, 'sso.login_failed')).length, failuresBefore);
    });

    it('still refuses signature wrapping in node-saml itself, behind the shape check', async () => {
      // The shape check refuses these first (too_many_assertions); the defence it sits in front of
      // must not have been the one holding, so node-saml is asked directly with Roster's client.
      const settings = await t.store.sso.getSettings(t.org.organization.id);
      assert.ok(settings);
      const client = samlClient(settings, spOf(t), new SamlRequestCache(t.store, t.org.organization.id));
      for (const wrap of ['sibling', 'nested', 'signature-moved'] as const) {
        const response = await idpResponse(t, {
          nameId: 'victim@acme.test',
          wrap,
          wrapNameId: 'admin@acme.test',
        });
        await assert.rejects(
          client.validatePostResponseAsync({ SAMLResponse: response }),
          /signature/i,
          wrap,
        );
      }
    });

    it('signs in a genuine signed response carrying 600 group values', async () => {
      const person = await scimMember(t, 'many.groups@acme.test', { password: false });
      const groups = Array.from({ length: 600 }, (_, i) => `roster-group-${i}`);
      const res = await postAcs(
        t.app,
        slug,
        await idpResponse(t, {
          nameId: person.email,
          sign: 'both',
          attributes: { email: person.email, firstName: 'Many', lastName: 'Groups', groups },
        }),
      );
      assert.equal(res.statusCode, 303, res.body.slice(0, 400));
      assert.ok(setCookie(res, 'roster_session'), 'a session cookie');
      const login = (await auditEvents(t, 'sso.login'))[0];
      assert.equal(login?.target_id, person.id);
    });
  });
}
