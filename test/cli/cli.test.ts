// The `roster` command through `runCli` (what bin/roster.js runs), in this process, on a SQLite file
// that an app also opens as a second instance would. Usage errors are in cli-errors.test.ts; the
// command as a child process (`node bin/roster.js`: serve, init, tokens create) in serve.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { CreatedToken } from '../../src/accounts/tokens.ts';
import { AUTH_FAILURE_DETAIL } from '../../src/auth/authenticate-token.ts';
import { verifyPassword } from '../../src/auth/password.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/create-app.ts';
import { createSqliteDialect } from '../../src/store/sqlite/sqlite-dialect.ts';
import { createStore, type Store } from '../../src/store/store.ts';
import { rosterEnv, runCli, runCliJson } from '../helpers/roster-cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/stores.ts';

interface InitOutput {
  organization: { id: string; slug: string; name: string };
  workspace: { id: string; name: string };
  admin: { userId: string; membershipId: string; email: string };
  password?: string;
}

describe('the roster command (sqlite)', () => {
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let init: InitOutput;
  let service: CreatedToken;
  let personal: CreatedToken;
  let store: Store;
  let app: FastifyInstance;

  before(async () => {
    database = await createTestDatabase('sqlite');
    env = rosterEnv(database);
    init = await runCliJson<InitOutput>(
      ['init', '--org-name', 'Acme Inc', '--admin-email', 'ada@acme.example'],
      env,
    );
    // One after the other: in one process, a second SQLite connection waiting for the file's lock
    // would block the thread that holds it.
    service = await runCliJson<CreatedToken>(
      ['tokens', 'create', '--org', 'acme-inc', '--name', 'okta', '--role', 'admin', '--service'],
      env,
    );
    personal = await runCliJson<CreatedToken>(
      [
        'tokens',
        'create',
        '--org',
        'acme-inc',
        '--name',
        'laptop',
        '--role',
        'member',
        '--user',
        'ADA@acme.example',
      ],
      env,
    );
    // The same database file, opened as a second Roster instance would, without group commit: that
    // holds a write transaction open across turns of the event loop, and the command's connection,
    // waiting for the lock in this same thread, would keep it from ever committing.
    store = createStore(createSqliteDialect(database.url.slice('sqlite:'.length)));
    app = createApp(loadConfig({ DATABASE_URL: database.url }), store, { logger: false });
  });

  after(async () => {
    await app?.close();
    await store?.close();
    await database?.drop();
  });

  function me(token: string) {
    return app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
  }

  it('init --json prints the organization, its workspace, its Admin and the generated password', async () => {
    assert.equal(init.organization.slug, 'acme-inc');
    assert.equal(init.organization.name, 'Acme Inc');
    assert.equal(init.workspace.name, 'Default');
    assert.equal(init.admin.email, 'ada@acme.example');
    assert.match(init.password ?? '', /^[A-Za-z0-9_-]{24}$/);

    const user = await store.users.getById(init.admin.userId);
    assert.ok(user?.password_hash);
    assert.equal(await verifyPassword(init.password ?? '', user.password_hash), true);
    const member = await store.members.getById(init.organization.id, init.admin.membershipId);
    assert.equal(member?.role, 'admin');
    assert.equal(member?.source, 'cli');
  });

  it('tokens create --json prints a service token starting rst_sat_ and a personal one starting rst_pat_', async () => {
    assert.match(service.token, /^rst_sat_[A-Za-z0-9_-]{43}$/);
    assert.equal(service.kind, 'service');
    assert.equal(service.role, 'admin');
    assert.match(personal.token, /^rst_pat_[A-Za-z0-9_-]{43}$/);
    assert.equal(personal.kind, 'personal');
    assert.equal(personal.membershipId, init.admin.membershipId);

    assert.equal((await me(service.token)).statusCode, 200);
  });

  it('tokens list shows the tokens but never their values, in human or JSON form', async () => {
    const human = await runCli(['tokens', 'list', '--org', 'acme-inc'], env);
    const json = await runCli(['tokens', 'list', '--org', 'acme-inc', '--json'], env);
    assert.equal(human.code, 0, human.stderr);
    assert.equal(json.code, 0, json.stderr);
    for (const output of [human.stdout, json.stdout]) {
      for (const token of [service, personal]) {
        assert.ok(output.includes(token.id), 'the token is listed');
        assert.ok(output.includes(token.lastFour), 'with its last four characters');
        assert.ok(!output.includes(token.token), 'but never with its value');
        assert.ok(!output.includes(token.token.slice(8)), 'nor the random part of its value');
      }
    }
    const listed = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(listed.map((t) => t.id).sort(), [service.id, personal.id].sort());
    for (const view of listed) {
      assert.equal('token' in view, false);
      assert.equal(
        Object.keys(view).some((key) => /hash/i.test(key)),
        false,
      );
    }
  });

  it('tokens revoke ID stops the token at once for every instance on the database', async () => {
    const before = await me(personal.token);
    assert.equal(before.statusCode, 200);
    assert.equal(before.json().role, 'member');

    const revoked = await runCli(['tokens', 'revoke', personal.id], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(revoked.stdout, `Revoked token "laptop" (${personal.id}).\n`);

    const response = await me(personal.token);
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error.message, AUTH_FAILURE_DETAIL.revoked);
    assert.match(String(response.headers['www-authenticate']), /invalid_token/);
    assert.ok((await store.tokens.getPersonal(personal.id))?.revoked_at);
    assert.equal((await me(service.token)).statusCode, 200);
  });
});
