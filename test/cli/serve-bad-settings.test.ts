// `roster serve` with a bad setting stops at once with one line naming the variable and its value
// (never a DATABASE_URL password), exit code 1 and no stack trace. Regressions: HOST=999.1.1.1
// crashed with getaddrinfo ENOTFOUND and a stack, a PostgreSQL database that does not exist or
// does not answer printed the driver's stack without naming DATABASE_URL or the host, and
// TRUST_PROXY=yes started silently with the setting off.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../helpers/net.ts';
import { rosterEnv, runRoster } from '../helpers/roster-cli.ts';
import { createTestDatabase, skipReason, TEST_DATABASE_URL, type TestDatabase } from '../helpers/stores.ts';

/** TEST_DATABASE_URL with a password added (trust authentication ignores it) and another path or port. */
function postgresUrl(change: (url: URL) => void): string {
  const url = new URL(TEST_DATABASE_URL);
  url.password = 'hunter2secret';
  change(url);
  return url.toString();
}

async function serveFails(env: NodeJS.ProcessEnv, expected: RegExp): Promise<void> {
  const result = await runRoster(['serve'], env, 30_000);
  assert.equal(result.code, 1, `exit code ${result.code}\n${result.stdout}\n${result.stderr}`);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${result.stderr}`);
  assert.match(lines[0]!, /^roster: /);
  assert.match(lines[0]!, expected);
  assert.doesNotMatch(result.stderr, /\n\s+at |unexpected error/);
  assert.ok(!`${result.stdout}${result.stderr}`.includes('hunter2secret'), 'the password was printed');
  assert.doesNotMatch(result.stdout, /Roster is running/);
}

describe('roster serve with a bad setting', { concurrency: true }, () => {
  let sqlite: TestDatabase;
  before(async () => {
    sqlite = await createTestDatabase('sqlite');
  });
  after(async () => sqlite.drop());

  const settings: Array<[string, Record<string, string>, RegExp]> = [
    [
      'a dotted number that is no IPv4 address as HOST',
      { HOST: '999.1.1.1' },
      /^roster: HOST .*"999\.1\.1\.1"/,
    ],
    [
      'a host name that does not resolve as HOST',
      { HOST: 'no-such-host.invalid' },
      /^roster: HOST=no-such-host\.invalid: cannot listen there \((ENOTFOUND|EAI_AGAIN)\)/,
    ],
    ['TRUST_PROXY=yes', { TRUST_PROXY: 'yes' }, /^roster: TRUST_PROXY must be .*\(got "yes"/],
    ['TRUST_PROXY=true', { TRUST_PROXY: 'true' }, /^roster: TRUST_PROXY cannot be "true".*TRUST_PROXY=1/],
    ['DATABASE_POOL_SIZE=0', { DATABASE_POOL_SIZE: '0' }, /^roster: DATABASE_POOL_SIZE .*\(got "0"\)/],
  ];
  for (const [name, extra, expected] of settings) {
    it(`names ${name}`, async () => {
      await serveFails(rosterEnv(sqlite, { PORT: '0', ...extra }), expected);
    });
  }

  it('names a SQLite DATABASE_URL that is not a database', {
    skip: process.platform === 'win32',
  }, async () => {
    await serveFails(
      rosterEnv(sqlite, { PORT: '0', DATABASE_URL: 'sqlite:/etc/passwd/roster.db' }),
      /^roster: cannot open DATABASE_URL=sqlite:\/etc\/passwd\/roster\.db: /,
    );
  });

  describe('on PostgreSQL', { skip: skipReason('postgres') }, () => {
    it('names a database that does not exist, without the password', async () => {
      const url = postgresUrl((u) => {
        u.pathname = '/roster_no_such_database';
      });
      await serveFails(
        rosterEnv(sqlite, { PORT: '0', DATABASE_URL: url }),
        /^roster: cannot open DATABASE_URL=postgres:\/\/[^ ]*:\*\*\*@[^ ]*\/roster_no_such_database: .*database "roster_no_such_database" does not exist/,
      );
    });

    it('names the host and port of a PostgreSQL that does not answer', async () => {
      const port = await freePort();
      const url = postgresUrl((u) => {
        u.hostname = '127.0.0.1';
        u.port = String(port);
      });
      await serveFails(
        rosterEnv(sqlite, { PORT: '0', DATABASE_URL: url }),
        new RegExp(
          `^roster: cannot open DATABASE_URL=\\S+: cannot reach PostgreSQL at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`,
        ),
      );
    });
  });
});
