// The OpenAPI document of /api/v1: a valid OpenAPI 3.1 document; every /api/v1 route Fastify has
// is in it, described (a summary, tags, a success response), and everything it lists exists; the
// answers of its GET routes match their documented schemas; and its request schemas refuse bad
// bodies with a 400 that names the field and changes nothing. Generic on purpose: a route added to
// /api/v1 without a schema fails here. On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validate } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import { createInstallationToken } from '../../src/accounts/installation-tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

interface Operation {
  summary?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Every route Fastify has, as "METHOD /path/{param}", read from `printRoutes`: each line of its
 * tree is a node whose text continues its parent's path.
 */
export function routesOf(app: FastifyInstance): string[] {
  const routes: string[] = [];
  const pathAt: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ] {3})*)(?:[├└]── )?(.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match || line.trim() === '') continue;
    const depth = (match[1] ?? '').length / 4 + (line.includes('── ') ? 1 : 0);
    const path = (depth > 0 ? (pathAt[depth - 1] ?? '') : '') + (match[2] ?? '');
    pathAt[depth] = path;
    pathAt.length = depth + 1;
    for (const method of (match[3] ?? '').split(', ')) {
      if (METHODS.includes(method)) routes.push(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
    }
  }
  return routes;
}

for (const kind of STORE_KINDS) {
  describe(`the OpenAPI document (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let document: Document;
    let installationToken: string;
    before(async () => {
      t = await setupApp(kind);
      installationToken = (await createInstallationToken(t.store, { name: 'saas', actor: CLI_ACTOR })).token;
      const response = await t.app.inject({ url: '/api/v1/openapi.json' });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      document = response.json();
    });
    after(() => t.cleanup());

    const api = (method: string, url: string, body?: unknown, token = t.token) =>
      t.app.inject({
        method: method as 'GET',
        url,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });

    it('is a valid OpenAPI 3.1 document', async () => {
      assert.equal(document.openapi, '3.1.0');
      const result = await validate(structuredClone(document) as never);
      assert.ok(result.valid, JSON.stringify(result, null, 2));
      assert.deepEqual(result.warnings, []);
    });

    it('lists every /api/v1 route Fastify has, and no route Fastify does not have', () => {
      const routes = routesOf(t.app);
      assert.ok(routes.includes('GET /healthz') && routes.includes('GET /scim/v2/Users/{id}'), routes.join());
      const served = routes.filter((route) => route.split(' ')[1]?.startsWith('/api/v1/')).sort();
      const documented = Object.entries(document.paths)
        .flatMap(([path, operations]) =>
          Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
        )
        .sort();
      assert.ok(served.length >= 15, served.join());
      assert.deepEqual(documented, served);
    });

    it('describes every operation: tags, a summary, a success response and its errors', () => {
      for (const [path, operations] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          const name = `${method.toUpperCase()} ${path}`;
          assert.ok(operation.summary, `${name} has no summary: give the route a schema (api-schemas.ts)`);
          assert.ok(operation.tags?.length, `${name} has no tags`);
          const statuses = Object.keys(operation.responses);
          assert.ok(
            statuses.some((status) => /^2\d\d$/.test(status)),
            `${name} documents no success response`,
          );
          assert.notEqual(operation.responses['200']?.description, 'Default Response', `${name}: its 200`);
          if (path !== '/api/v1/openapi.json') assert.ok(statuses.includes('401'), `${name}: its errors`);
        }
      }
    });

    it("answers its GET routes with bodies that match the document's schemas", async () => {
      const ajv = new Ajv2020({ strict: false, allErrors: true });
      ajv.addSchema(document, 'openapi');
      const hook = await api('POST', '/api/v1/webhooks', {
        url: 'https://hooks.example.com/roster',
        types: ['*'],
      });
      assert.equal(hook.statusCode, 201, hook.body);
      // The installation's own endpoint, which its token reads (an organization's is a 404 to it).
      const installationHook = await api(
        'POST',
        '/api/v1/webhooks',
        { url: 'https://hooks.example.com/all', types: ['*'] },
        installationToken,
      );
      assert.equal(installationHook.statusCode, 201, installationHook.body);
      // `{id}` is the id of the resource its path names (for an installation token, its own).
      const ids: Array<[prefix: string, id: string, installationId?: string]> = [
        ['/api/v1/organizations/', t.org.organization.id],
        ['/api/v1/webhooks/', hook.json().id, installationHook.json().id],
        ['/api/v1/members/', t.org.membership.id],
      ];
      let checked = 0;
      for (const [path, operations] of Object.entries(document.paths)) {
        if (!operations.get || path === '/api/v1/openapi.json') continue;
        const named = ids.find(([prefix]) => path.startsWith(prefix));
        const urlFor = (id: string | undefined) =>
          path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'id' && id) || `{${name}}`);
        const url = urlFor(named?.[1]);
        if (url.includes('{')) continue;
        const pointer = `openapi#/paths/${path.replaceAll('/', '~1')}/get/responses/200/content/application~1json/schema`;
        const check = ajv.getSchema(pointer);
        assert.ok(check, pointer);
        // Each security scheme the route documents is one it answers; an installation token where
        // none is documented is refused.
        const schemes = new Set(operations.get.security?.flatMap((scheme) => Object.keys(scheme)));
        const tokens = [
          ...(schemes.has('bearer') ? [t.token] : []),
          ...(schemes.has('installation') ? [installationToken] : []),
        ];
        assert.ok(tokens.length > 0, `${url}: no security scheme`);
        for (const token of tokens) {
          const own = token === installationToken ? urlFor(named?.[2] ?? named?.[1]) : url;
          const response = await api('GET', own, undefined, token);
          assert.equal(response.statusCode, 200, `${own}: ${response.body}`);
          assert.ok(check(response.json()), `${own}: ${JSON.stringify(check.errors)}`);
        }
        if (!schemes.has('installation')) {
          const refused = await api('GET', url, undefined, installationToken);
          assert.equal(refused.statusCode, 403, `${url} with an installation token: ${refused.body}`);
        }
        checked++;
      }
      assert.ok(checked >= 15, `only ${checked} GET routes checked`);
    });

    it('refuses a body of the wrong shape with a 400 naming the field, and changes nothing', async () => {
      const organization = `/api/v1/organizations/${t.org.organization.id}`;
      const hook = 'https://hooks.example.com/roster';
      const cases: Array<[method: string, url: string, body: unknown, message: RegExp, token?: string]> = [
        ['POST', '/api/v1/workspaces', { name: 5 }, /^name must be a string$/],
        [
          'POST',
          '/api/v1/workspaces',
          { name: 'X', color: 'red' },
          /^color is not a field this request takes$/,
        ],
        ['POST', '/api/v1/workspaces', [], /^the request body must be a JSON object$/],
        ['POST', '/api/v1/tokens', { name: 'ci' }, /^role is required$/],
        ['POST', '/api/v1/tokens', { name: 'ci', role: 'owner' }, /^role must be "admin" or "member"$/],
        [
          'PATCH',
          `/api/v1/members/${t.org.membership.id}`,
          { role: 'member', displayName: 'X' },
          /displayName/,
        ],
        ['PUT', '/api/v1/sso', { domains: ['acme.test', 7] }, /^domains\[1\] must be a string$/],
        ['PUT', '/api/v1/sso', { ssoRequired: 'yes' }, /^ssoRequired must be true or false or null$/],
        [
          'GET',
          '/api/v1/members?status=gone',
          undefined,
          /^query parameter status must be "active" or "deactivated"$/,
        ],
        ['POST', '/api/v1/webhooks', { url: hook, types: '*' }, /^types must be an array$/],
        ['POST', '/api/v1/webhooks', { url: hook, types: ['*'], secret: 'x' }, /^secret is not a field/],
        ['PATCH', '/api/v1/webhooks/x', { enabled: 'no' }, /^enabled must be true or false$/],
        [
          'POST',
          '/api/v1/webhooks/x/rotate-secret',
          { overlapSeconds: '1d' },
          /^overlapSeconds must be a whole/,
        ],
        ['GET', '/api/v1/webhooks/x/deliveries?cursor=last', undefined, /^query parameter cursor must match/],
        ['GET', '/api/v1/events?after=abc', undefined, /^query parameter after must match/],
        [
          'PATCH',
          organization,
          { slug: 'other' },
          /^slug is not a field this request takes$/,
          installationToken,
        ],
        ['PATCH', organization, { disabled: 'yes' }, /^disabled must be true or false$/, installationToken],
        ['POST', '/api/v1/organizations', { slug: 'new' }, /^name is required$/, installationToken],
        [
          'POST',
          `${organization}/invitations`,
          { email: 'new@acme.test', role: 'owner' },
          /^role must be "admin" or "member"$/,
          installationToken,
        ],
      ];
      const before = await t.store.audit.search({ organizationId: t.org.organization.id, limit: 1000 });
      const endpoints = (await t.store.webhooks.listEndpoints(t.org.organization.id)).length;
      for (const [method, url, body, message, token] of cases) {
        const response = await api(method, url, body, token);
        assert.equal(response.statusCode, 400, `${method} ${url}: ${response.body}`);
        const error = response.json().error;
        assert.equal(error.code, 'invalid_value');
        assert.equal(error.status, 400);
        assert.match(error.message, message);
      }
      const afterwards = await t.store.audit.search({ organizationId: t.org.organization.id, limit: 1000 });
      assert.equal(afterwards.length, before.length, 'a refused request wrote an audit event');
      assert.equal((await t.store.workspaces.list(t.org.organization.id)).length, 1);
      assert.equal((await t.store.webhooks.listEndpoints(t.org.organization.id)).length, endpoints);
      assert.equal((await t.store.organizations.list()).length, 1);
      assert.equal((await t.store.organizations.getById(t.org.organization.id))?.slug, 'acme');
    });
  });
}
