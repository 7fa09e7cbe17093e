// `roster webhooks …` through `runCli` on a SQLite file: create (secret printed once), list, test,
// deliveries, rotate-secret, delete, and the refusals (a private URL without the setting, bad types).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rosterEnv, runCli, runCliJson } from '../helpers/roster-cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/stores.ts';

describe('roster webhooks', () => {
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    database = await createTestDatabase('sqlite');
    env = rosterEnv(database, { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    await runCliJson(['init', '--org-name', 'Acme Inc', '--admin-email', 'ada@acme.example'], env);
  });
  after(() => database.drop());

  it('creates an endpoint and prints its secret once, then lists, tests, rotates and deletes it', async () => {
    const created = await runCliJson<{ id: string; secret: string; types: string[] }>(
      [
        'webhooks',
        'create',
        '--org',
        'acme-inc',
        '--url',
        'http://127.0.0.1:9/hooks',
        '--types',
        'member.created,member.deactivated',
      ],
      env,
    );
    assert.match(created.secret, /^whsec_/);
    assert.deepEqual(created.types, ['member.created', 'member.deactivated']);
    const listed = await runCliJson<{ id: string; secret?: string }[]>(
      ['webhooks', 'list', '--org', 'acme-inc'],
      env,
    );
    assert.deepEqual(
      listed.map((e) => [e.id, e.secret]),
      [[created.id, undefined]],
    );
    await runCliJson(['webhooks', 'test', '--org', 'acme-inc', created.id], env);
    const deliveries = await runCliJson<{ eventType: string; state: string }[]>(
      ['webhooks', 'deliveries', '--org', 'acme-inc', created.id],
      env,
    );
    assert.deepEqual(
      deliveries.map((d) => [d.eventType, d.state]),
      [['webhook.test', 'pending']],
    );
    const rotated = await runCliJson<{ secret: string; previousSecretExpiresAt: string }>(
      ['webhooks', 'rotate-secret', '--org', 'acme-inc', created.id],
      env,
    );
    assert.notEqual(rotated.secret, created.secret);
    assert.ok(rotated.previousSecretExpiresAt);
    await runCliJson(['webhooks', 'delete', '--org', 'acme-inc', created.id], env);
    assert.deepEqual(await runCliJson(['webhooks', 'list', '--org', 'acme-inc'], env), []);
  });

  it('refuses a private address without WEBHOOK_ALLOW_PRIVATE_NETWORKS, and an unknown type, storing nothing', async () => {
    const strict = rosterEnv(database);
    const privateUrl = await runCli(
      ['webhooks', 'create', '--org', 'acme-inc', '--url', 'https://10.0.0.1/hooks'],
      strict,
    );
    assert.equal(privateUrl.code, 1);
    assert.match(privateUrl.stderr, /10\.0\.0\.1, a loopback, private, link-local or metadata address/);
    const badType = await runCli(
      [
        'webhooks',
        'create',
        '--org',
        'acme-inc',
        '--url',
        'https://example.com/h',
        '--types',
        'member.exploded',
      ],
      strict,
    );
    assert.equal(badType.code, 1);
    assert.match(badType.stderr, /unknown event type "member.exploded"/);
    const usage = await runCli(['webhooks', 'create', '--org', 'acme-inc'], strict);
    assert.equal(usage.code, 2);
    assert.deepEqual(await runCliJson(['webhooks', 'list', '--org', 'acme-inc'], strict), []);
  });

  it("manages installation-wide endpoints with --installation, apart from the organization's", async () => {
    const created = await runCliJson<{
      id: string;
      secret: string;
      organizationId: string | null;
      types: string[];
    }>(
      ['webhooks', 'create', '--installation', '--url', 'http://127.0.0.1:9/all', '--types', 'member.linked'],
      env,
    );
    assert.match(created.secret, /^whsec_/);
    assert.equal(created.organizationId, null);
    // member.linked is the installation's own type: an organization's endpoint may not ask for it.
    const refused = await runCli(
      [
        'webhooks',
        'create',
        '--org',
        'acme-inc',
        '--url',
        'http://127.0.0.1:9/h',
        '--types',
        'member.linked',
      ],
      env,
    );
    assert.equal(refused.code, 1);
    const listed = await runCliJson<{ id: string }[]>(['webhooks', 'list', '--installation'], env);
    assert.deepEqual(
      listed.map((e) => e.id),
      [created.id],
    );
    assert.deepEqual(await runCliJson(['webhooks', 'list', '--org', 'acme-inc'], env), []);
    const acrossFromOrg = await runCli(['webhooks', 'test', '--org', 'acme-inc', created.id], env);
    assert.equal(acrossFromOrg.code, 1);
    assert.match(acrossFromOrg.stderr, /no webhook endpoint with id .* in this organization/);
    await runCliJson(['webhooks', 'test', '--installation', created.id], env);
    const deliveries = await runCliJson<{ eventType: string }[]>(
      ['webhooks', 'deliveries', '--installation', created.id],
      env,
    );
    assert.deepEqual(
      deliveries.map((d) => d.eventType),
      ['webhook.test'],
    );
    const both = await runCli(['webhooks', 'list', '--installation', '--org', 'acme-inc'], env);
    assert.equal(both.code, 2);
    const neither = await runCli(['webhooks', 'list'], env);
    assert.equal(neither.code, 2);
    assert.match(neither.stderr, /--org SLUG or --installation is required/);
    await runCliJson(['webhooks', 'delete', '--installation', created.id], env);
    assert.deepEqual(await runCliJson(['webhooks', 'list', '--installation'], env), []);
  });
});
