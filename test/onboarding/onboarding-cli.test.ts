// `roster installation-tokens` as an operator runs it, then the token used by a product against an
// app over the same database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { verifyPassword } from '../../src/auth/password.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/create-app.ts';
import type { Store } from '../../src/store/store.ts';
import { rosterEnv, runCli, runCliJson } from '../helpers/roster-cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/stores.ts';

describe('roster installation-tokens (sqlite)', () => {
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let store: Store;
  let app: FastifyInstance;

  before(async () => {
    database = await createTestDatabase('sqlite');
    env = rosterEnv(database);
    await runCliJson(['migrate'], env);
  });
  after(async () => {
    await app?.close();
    await store?.close();
    await database.drop();
  });

  it('creates a token printed once as {"token": …}, lists it without the value, and revokes it', async () => {
    const created = await runCliJson<{ token: string; id: string; name: string }>(
      ['installation-tokens', 'create', '--name', 'saas'],
      env,
    );
    assert.match(created.token, /^rst_iat_[A-Za-z0-9_-]{43}$/);
    assert.equal(created.name, 'saas');

    store = database.open();
    app = createApp(loadConfig({ DATABASE_URL: database.url, PUBLIC_URL: 'https://roster.test' }), store, {
      logger: false,
    });
    const made = await app.inject({
      method: 'POST',
      url: '/api/v1/organizations',
      headers: { authorization: `Bearer ${created.token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'Initech' }),
    });
    assert.equal(made.statusCode, 201, made.body);

    const listed = await runCli(['installation-tokens', 'list'], env);
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, /saas/);
    assert.doesNotMatch(listed.stdout, new RegExp(created.token));

    const revoked = await runCliJson<{ revokedAt: string | null }>(
      ['installation-tokens', 'revoke', created.id],
      env,
    );
    assert.ok(revoked.revokedAt);
    const refused = await app.inject({
      method: 'GET',
      url: '/api/v1/organizations',
      headers: { authorization: `Bearer ${created.token}` },
    });
    assert.equal(refused.statusCode, 401);
    assert.equal((await runCli(['installation-tokens', 'create'], env)).code, 2);
  });
});

describe('roster users reset-password (sqlite)', () => {
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    database = await createTestDatabase('sqlite');
    env = rosterEnv(database, { PUBLIC_URL: 'https://roster.test' });
    await runCliJson(['init', '--org-name', 'Acme', '--admin-email', 'ops@acme.test'], env);
  });
  after(() => database.drop());

  it('prints a one-time link, or sets a password that passes the policy', async () => {
    const link = await runCliJson<{ url: string }>(['users', 'reset-password', 'ops@acme.test'], env);
    assert.match(link.url, /^https:\/\/roster\.test\/reset-password\/[A-Za-z0-9_-]{43}$/);
    const weak = await runCli(
      ['users', 'reset-password', 'ops@acme.test', '--password', 'qwerty123456'],
      env,
    );
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /common passwords/);
    const set = await runCliJson<{ sessionsEnded: number }>(
      ['users', 'reset-password', 'ops@acme.test', '--password', 'a sturdy operator passphrase'],
      env,
    );
    assert.equal(set.sessionsEnded, 0);
    const store = database.open();
    try {
      const user = await store.users.findByEmail('ops@acme.test');
      assert.ok(
        user?.password_hash && (await verifyPassword('a sturdy operator passphrase', user.password_hash)),
      );
      // Setting the password ended the link printed before.
      const [reset] = await store.db.selectFrom('password_resets').selectAll().execute();
      assert.ok(reset?.used_at);
    } finally {
      await store.close();
    }
    assert.equal((await runCli(['users', 'reset-password', 'nobody@acme.test'], env)).code, 1);
  });
});
