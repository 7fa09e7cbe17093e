// `roster serve` (what `npm start` runs) as a real process on a free port: it answers /healthz, the
// CLI initializes and issues a token on the same database while it runs, the server accepts that
// token, and SIGTERM stops it promptly with exit code 0. On SQLite and on PostgreSQL.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CreatedToken } from '../../src/accounts/tokens.ts';
import { rosterEnv, runRoster, runRosterJson, startRoster } from '../helpers/roster-cli.ts';
import { createTestDatabase, STORE_KINDS, skipReason } from '../helpers/stores.ts';

// Both stores side by side: each run starts three processes, and most of their time is start-up.
describe('roster serve', { concurrency: true }, () => {
  for (const kind of STORE_KINDS) {
    describe(`on ${kind}`, { skip: skipReason(kind) }, () => {
      it('serves, accepts a token the CLI issued meanwhile, and exits 0 promptly on SIGTERM', async () => {
        const database = await createTestDatabase(kind);
        const env = rosterEnv(database);
        const server = await startRoster(env);
        try {
          const health = await fetch(`${server.baseUrl}/healthz`);
          assert.equal(health.status, 200);
          assert.deepEqual(await health.json(), { status: 'ok', database: kind });
          assert.match(server.output(), /There is no organization yet/);
          assert.match(server.output(), /npx roster init --org-name/);

          const init = await runRoster(
            ['init', '--org-name', 'Acme Inc', '--org-slug', 'acme', '--admin-email', 'ada@acme.example'],
            env,
          );
          assert.equal(init.code, 0, init.stderr);
          assert.match(init.stdout, /Created organization "Acme Inc" \(slug acme\) with workspace "Default"/);
          assert.match(init.stdout, /Generated password \(shown once\): [A-Za-z0-9_-]{24}\n/);

          const token = await runRosterJson<CreatedToken>(
            ['tokens', 'create', '--org', 'acme', '--name', 'okta', '--role', 'admin', '--service'],
            env,
          );
          assert.match(token.token, /^rst_sat_/);

          const me = await fetch(`${server.baseUrl}/api/v1/me`, {
            headers: { authorization: `Bearer ${token.token}` },
          });
          assert.equal(me.status, 200);
          const body = (await me.json()) as { organization: { slug: string }; role: string };
          assert.equal(body.organization.slug, 'acme');
          assert.equal(body.role, 'admin');

          const anonymous = await fetch(`${server.baseUrl}/api/v1/me`);
          assert.equal(anonymous.status, 401);
          assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer realm="Roster"');

          // The keep-alive connections fetch left open must not hold the shutdown up.
          const stopping = Date.now();
          server.child.kill('SIGTERM');
          const exit = await server.exited;
          assert.deepEqual(exit, { code: 0, signal: null });
          assert.ok(Date.now() - stopping < 5000, `took ${Date.now() - stopping} ms to stop`);
          assert.match(server.output(), /"signal":"SIGTERM".*shutting down/);
          assert.ok(!server.output().includes(token.token), 'the server logged a token value');
          // The banner is on stderr: stdout is the log alone, a JSON object a line.
          const logLines = server
            .stdout()
            .split('\n')
            .filter((line) => line !== '');
          assert.ok(logLines.length >= 4, server.stdout());
          for (const line of logLines) assert.doesNotThrow(() => JSON.parse(line), line);
          assert.ok(logLines.some((line) => /"route":"\/api\/v1\/me".*"status":401/.test(line)));
        } finally {
          if (server.child.exitCode === null && server.child.signalCode === null)
            server.child.kill('SIGKILL');
          await server.exited;
          await database.drop();
        }
      });
    });
  }
});
