// Property, through the whole HTTP stack (app.inject): random JSON bodies sent to POST /Users,
// PUT /Users/{id} and PATCH /Users/{id} are answered 2xx or 4xx — never 5xx — and every 4xx is a
// SCIM Error (`application/scim+json`, `status` as a string). An IdP that gets a 500 retries forever
// (docs/idp-requests.md, failure mode 10). On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/create-app.ts';
import { PUBLIC_URL, setupApp, type TestApp } from '../helpers/app.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';
import { grammarFilter } from './filter-arbitraries.ts';
import {
  assertPrototypeClean,
  casings,
  checkAsync,
  FUZZ_SEED,
  HOSTILE_STRINGS,
  jsonish,
  PATCH_OP,
  pollutingObject,
  SIMPLE_PATHS,
} from './fuzz.ts';

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** A User-ish body: the attributes IdPs send, with values of any type, and noise. */
const userBody = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.dictionary(fc.constantFrom(...SIMPLE_PATHS).chain(casings), jsonish, { maxKeys: 6 }),
        fc.oneof(fc.emailAddress(), jsonish),
        fc.option(
          fc.array(
            fc.record(
              { value: fc.oneof(fc.emailAddress(), jsonish), primary: jsonish },
              { requiredKeys: [] },
            ),
            { maxLength: 3 },
          ),
          { nil: undefined },
        ),
      )
      .map(([rest, userName, emails]) => ({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName,
        ...(emails === undefined ? {} : { emails }),
        ...rest,
      })),
  },
  { weight: 1, arbitrary: pollutingObject },
  { weight: 1, arbitrary: jsonish },
);

const patchBody = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .array(
        fc.record(
          {
            op: fc.constantFrom('add', 'replace', 'remove', 'Replace', 'nope'),
            path: fc.oneof(
              fc.constantFrom(...SIMPLE_PATHS).chain(casings),
              fc.constantFrom(
                'emails[type eq "work"].value',
                'emails[primary eq true]',
                '__proto__.x',
                'active',
              ),
            ),
            value: fc.oneof(jsonish, pollutingObject, fc.constantFrom(false, true, 'False', 'True')),
          },
          { requiredKeys: ['op'] },
        ),
        { maxLength: 5 },
      )
      .map((Operations) => ({ schemas: [PATCH_OP], Operations })),
  },
  { weight: 1, arbitrary: jsonish },
);

type FuzzRequest = { method: 'POST' | 'PUT' | 'PATCH'; body: unknown } | { method: 'GET'; filter: string };

/** Writes, and listings whose filters read back what the writes stored (profile JSON included). */
const request: fc.Arbitrary<FuzzRequest> = fc.oneof(
  { weight: 3, arbitrary: userBody.map((body) => ({ method: 'POST' as const, body })) },
  { weight: 3, arbitrary: userBody.map((body) => ({ method: 'PUT' as const, body })) },
  { weight: 3, arbitrary: patchBody.map((body) => ({ method: 'PATCH' as const, body })) },
  {
    weight: 2,
    arbitrary: grammarFilter(fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ maxLength: 8 }))).map(
      (filter) => ({ method: 'GET' as const, filter }),
    ),
  },
);

const RUNS = { sqlite: 500, postgres: 250 };

for (const kind of STORE_KINDS) {
  describe(`SCIM writes under fuzzing over HTTP (${kind}, seed ${FUZZ_SEED})`, {
    skip: skipReason(kind),
  }, () => {
    let t: TestApp;
    let app: FastifyInstance;
    const ids: string[] = [];
    /** t.scim against an app without rate limits: FUZZ_RUNS may send more than a token's minute allows. */
    const scim = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, body?: string) =>
      app.inject({
        method,
        url: `/scim/v2/${path}`,
        headers: {
          authorization: `Bearer ${t.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/scim+json; charset=utf-8' }),
        },
        ...(body === undefined ? {} : { payload: body }),
      });
    before(async () => {
      t = await setupApp(kind, `fuzz-${kind}`);
      app = createApp(
        loadConfig({
          PUBLIC_URL,
          DATABASE_URL: t.database.url,
          RATE_LIMIT_PER_TOKEN: '0',
          RATE_LIMIT_PER_ORG: '0',
        }),
        t.store,
        { logger: false },
      );
      for (const name of ['ada', 'bob', 'cy']) {
        const res = await t.scim('POST', 'Users', {
          userName: `${name}@fuzz.test`,
          name: { givenName: name, familyName: 'Fuzz' },
          emails: [{ value: `${name}@fuzz.test`, type: 'work', primary: true }],
        });
        assert.equal(res.statusCode, 201, res.body);
        ids.push(res.json().id);
      }
    });
    after(async () => {
      await app.close();
      await t.cleanup();
    });

    it('answers a filter escaping U+0000 or an unpaired surrogate with a 4xx', async () => {
      for (const filter of ['userName eq "a\\u0000"', 'title sw "\\ud800"']) {
        const res = await scim('GET', `Users?filter=${encodeURIComponent(filter)}`);
        assert.ok(res.statusCode < 500, `${filter} → ${res.statusCode}`);
      }
    });

    it(`answers ${RUNS[kind]} random POST, PUT, PATCH bodies and filtered listings with 2xx or a 4xx SCIM error`, async () => {
      const statuses = new Map<number, number>();
      const target = fc.nat({ max: 2 });
      await checkAsync(fc.tuple(request, target), RUNS[kind], async ([r, index]) => {
        const { method } = r;
        const path =
          r.method === 'GET'
            ? `Users?filter=${encodeURIComponent(r.filter)}&count=5`
            : method === 'POST'
              ? 'Users'
              : `Users/${ids[index]}`;
        const body = r.method === 'GET' ? undefined : r.body;
        const res = await scim(method, path, body === undefined ? undefined : JSON.stringify(body));
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        assert.ok(
          res.statusCode < 500,
          `${method} ${path} ${JSON.stringify(body)} → ${res.statusCode} ${res.body}`,
        );
        assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
        const json = res.json();
        if (res.statusCode >= 400) {
          assert.deepEqual(json.schemas, [ERROR_SCHEMA]);
          assert.equal(json.status, String(res.statusCode));
          assert.equal(typeof json.detail, 'string');
        } else if (method === 'GET') {
          assert.equal(typeof json.totalResults, 'number');
        } else {
          assert.equal(typeof json.id, 'string');
          assert.equal(typeof json.userName, 'string');
        }
        assertPrototypeClean(`${method} /${path}`);
      });
      // The members are still readable and well-formed after all of it.
      for (const id of ids) assert.equal((await scim('GET', `Users/${id}`)).statusCode, 200);
      const list = await scim('GET', 'Users?count=200');
      assert.equal(list.statusCode, 200);
      assert.ok(
        [...statuses.keys()].some((s) => s < 300),
        `no request succeeded: ${[...statuses.keys()]}`,
      );
    });
  });
}
