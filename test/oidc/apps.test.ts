// Registering apps and rotating keys, as the operator does: the CLI (`roster apps create|list|revoke`,
// `roster keys rotate`) and the API (`/api/v1/apps`, Admins of the installation's first
// organization only). The secret is shown once and stored hashed; a bad request changes nothing;
// every instance publishes the same keys, and a rotation keeps the old key published.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { createToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { hashToken } from '../../src/auth/token-format.ts';
import { createApp } from '../../src/http/create-app.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { rosterEnv, runCli, runRoster } from '../helpers/roster-cli.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

interface Jwks {
  keys: { kid: string; d?: string }[];
}

for (const kind of STORE_KINDS) {
  describe(`apps and keys (${kind})`, { skip: skipReason(kind), timeout: 60_000 }, () => {
    let t: TestApp;
    before(async () => {
      t = await setupApp(kind);
    });
    after(() => t?.cleanup());

    // In this process on SQLite; a child process on PostgreSQL (its schema comes through PGOPTIONS,
    // which the driver reads from the process environment).
    const cli = (args: string[]) => (kind === 'sqlite' ? runCli : runRoster)(args, rosterEnv(t.database));
    async function cliJson<T>(args: string[]): Promise<T> {
      const result = await cli([...args, '--json']);
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout) as T;
    }

    const api = (method: 'GET' | 'POST' | 'DELETE', url: string, token: string, payload?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
        ...(payload ? { payload: JSON.stringify(payload) } : {}),
      });

    it('creates an app from the CLI, prints the secret once, lists it without, and revokes it', async () => {
      const created = await cliJson<{ clientId: string; clientSecret: string }>([
        'apps',
        'create',
        '--name',
        'Product',
        '--redirect-uri',
        'https://product.example/callback',
      ]);
      assert.match(created.clientId, /^app_/);
      assert.ok(created.clientSecret.length >= 43);
      const row = await t.store.oidc.getClient(created.clientId);
      assert.equal(row?.secret_hash, hashToken(created.clientSecret));
      const listed = await cliJson<unknown[]>(['apps', 'list']);
      assert.ok(!JSON.stringify(listed).includes(created.clientSecret));
      assert.ok(JSON.stringify(listed).includes(created.clientId));
      const revoked = await cliJson<{ revokedAt: string | null }>(['apps', 'revoke', created.clientId]);
      assert.ok(revoked.revokedAt);
      const again = await cli(['apps', 'revoke', created.clientId]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already revoked/);
      const bad = await cli(['apps', 'create', '--name', 'X', '--redirect-uri', 'javascript:alert(1)']);
      assert.equal(bad.code, 1);
      assert.equal(await cli(['apps', 'create', '--name', 'X']).then((r) => r.code), 2);
      assert.equal((await t.store.oidc.listClients()).length, 1, 'refusals created nothing');
      await t.store.db.deleteFrom('oidc_clients').execute();
    });

    it("lets the first organization's Admins manage apps over the API, and nobody else", async () => {
      const created = await api('POST', '/api/v1/apps', t.token, {
        name: 'Product',
        redirectUris: ['https://product.example/callback'],
        backchannelLogoutUri: 'https://product.example/logout',
      });
      assert.equal(created.statusCode, 201, created.body);
      const app = created.json() as { clientId: string; clientSecret: string };
      const list = await api('GET', '/api/v1/apps', t.token);
      assert.equal(list.statusCode, 200);
      assert.equal((list.json() as { data: unknown[] }).data.length, 1);
      assert.ok(!list.body.includes(app.clientSecret));

      const invalid = await api('POST', '/api/v1/apps', t.token, { name: 'X', redirectUris: ['not a url'] });
      assert.equal(invalid.statusCode, 400);
      assert.equal((invalid.json() as { error: { code: string } }).error.code, 'invalid_value');

      const other = await initOrganization(t.store, {
        name: 'Other',
        slug: 'other',
        adminEmail: 'admin@other.test',
        adminPassword: 'another long admin password',
        actor: CLI_ACTOR,
      });
      const { token } = await createToken(t.store, {
        kind: 'service',
        organizationId: other.organization.id,
        name: 'okta',
        role: 'admin',
        actor: CLI_ACTOR,
      });
      assert.equal((await api('GET', '/api/v1/apps', token)).statusCode, 403);
      assert.equal((await api('DELETE', `/api/v1/apps/${app.clientId}`, token)).statusCode, 403);
      assert.equal((await api('DELETE', `/api/v1/apps/${app.clientId}`, t.token)).statusCode, 204);
      assert.equal((await api('DELETE', `/api/v1/apps/${app.clientId}`, t.token)).statusCode, 409);
      assert.equal((await api('DELETE', '/api/v1/apps/app_unknown', t.token)).statusCode, 404);
      assert.equal((await t.store.oidc.listClients()).length, 1);
    });

    it('serves the same keys from every instance, and a rotation keeps the old key published', async () => {
      const second = createApp(t.config, t.store, { logger: false });
      const jwks = async (app: typeof second) => {
        const res = await app.inject({ method: 'GET', url: '/oidc/jwks' });
        assert.equal(res.statusCode, 200, res.body);
        return res.json() as Jwks;
      };
      const one = await jwks(t.app);
      assert.deepEqual(await jwks(second), one);
      assert.equal(one.keys.length, 1);
      assert.equal(one.keys[0]?.d, undefined, 'only public keys are published');
      const discovery = await t.app.inject({ method: 'GET', url: '/oidc/.well-known/openid-configuration' });
      const metadata = discovery.json() as Record<string, unknown>;
      assert.equal(metadata.issuer, 'https://roster.test/oidc');
      assert.equal(metadata.jwks_uri, 'https://roster.test/oidc/jwks');
      assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
      assert.equal(metadata.backchannel_logout_supported, true);

      const rotated = await cliJson<{ kid: string }>(['keys', 'rotate']);
      const third = createApp(t.config, t.store, { logger: false });
      const after = await jwks(third);
      assert.deepEqual(
        after.keys.map((key) => key.kid),
        [rotated.kid, one.keys[0]?.kid],
      );
      await second.close();
      await third.close();
    });
  });
}
