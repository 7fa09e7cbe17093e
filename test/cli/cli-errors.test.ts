// How the `roster` command fails: exit code 2 and a message (plus the usage) for a usage mistake,
// exit code 1 and a one-line message for a refused operation; with --json, errors are JSON too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CliResult, rosterEnv, runCli } from '../helpers/roster-cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/stores.ts';

describe('roster command failures', () => {
  let database: TestDatabase;
  const results = new Map<string, CliResult>();
  const runs: Record<string, string[]> = {
    'no command': [],
    'unknown command': ['frobnicate', '--json'],
    'unknown option': ['tokens', 'list', '--org', 'acme-inc', '--frobnicate'],
    'missing option': ['init', '--org-name', 'Acme Inc'],
    'unknown organization': ['tokens', 'list', '--org', 'no-such-org'],
    'unknown token': ['tokens', 'revoke', 'no-such-token', '--json'],
  };

  before(async () => {
    // Independent runs on one empty database, one after the other (in one process, a second SQLite
    // connection waiting for the file's lock would block the thread that holds it).
    database = await createTestDatabase('sqlite');
    const env = rosterEnv(database);
    for (const [name, args] of Object.entries(runs)) results.set(name, await runCli(args, env));
  });
  after(async () => {
    await database?.drop();
  });

  function result(name: string): CliResult {
    const found = results.get(name);
    assert.ok(found, name);
    return found;
  }

  it('prints the usage and exits 2 when no command is given', () => {
    const { code, stdout } = result('no command');
    assert.equal(code, 2);
    assert.match(stdout, /^Usage: roster <command> \[options\]/);
  });

  it('exits 2 on an unknown command, saying so as JSON with --json', () => {
    const { code, stdout, stderr } = result('unknown command');
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.deepEqual(JSON.parse(stderr), { error: 'unknown command "frobnicate"' });
  });

  it('exits 2 on an unknown option, naming it', () => {
    const { code, stderr } = result('unknown option');
    assert.equal(code, 2);
    assert.match(stderr, /^roster: .*--frobnicate/);
  });

  it('exits 2 on a missing option, with the message and then the usage', () => {
    const { code, stdout, stderr } = result('missing option');
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /^roster: init needs --org-name and --admin-email\n\nUsage: roster <command>/);
  });

  it('exits 1 with a one-line message when the organization does not exist', () => {
    const { code, stdout, stderr } = result('unknown organization');
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, 'roster: no organization with the slug "no-such-org"\n');
  });

  it('exits 1 when the token to revoke does not exist, as JSON with --json', () => {
    const { code, stderr } = result('unknown token');
    assert.equal(code, 1);
    assert.deepEqual(JSON.parse(stderr), { error: 'no token with id no-such-token' });
  });
});
