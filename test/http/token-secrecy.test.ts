// A token's value is shown once, at creation, and then exists nowhere on our side: not in the
// database (the SQLite file and its WAL, or any PostgreSQL table), not in the server logs.
// (`roster tokens list` output is checked in test/cli/cli.test.ts.)
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { revokeToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { hashToken } from '../../src/auth/token-format.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/create-app.ts';
import type { Store } from '../../src/store/store.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { initTestOrganization, personalToken, serviceToken } from '../helpers/seed.ts';
import { openTestStore, STORE_KINDS, skipReason, type TestDatabase } from '../helpers/stores.ts';

/** Everything the database holds, as bytes (SQLite: the file, its WAL and shared memory) or text. */
async function databaseContents(store: Store, database: TestDatabase): Promise<string> {
  if (database.kind === 'sqlite') {
    const path = database.url.slice('sqlite:'.length);
    return [path, `${path}-wal`, `${path}-shm`]
      .filter((file) => existsSync(file))
      .map((file) => readFileSync(file).toString('latin1'))
      .join('\n');
  }
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables where table_schema = current_schema()
  `.execute(store.db);
  const dumps: string[] = [];
  for (const { name } of tables.rows) {
    const rows = await sql<{ row: string }>`select t::text as row from ${sql.table(name)} t`.execute(
      store.db,
    );
    dumps.push(...rows.rows.map((r) => r.row));
  }
  return dumps.join('\n');
}

/** The value and its random part: finding either would be a leak. */
function secretsOf(token: string): string[] {
  return [token, token.slice('rst_pat_'.length)];
}

async function waitForLastUse(store: Store, id: string) {
  for (let i = 0; i < 250; i++) {
    if ((await store.tokens.getPersonal(id))?.last_used_at) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail('last_used_at was never written');
}

for (const kind of STORE_KINDS) {
  describe(`token secrecy (${kind})`, { skip: skipReason(kind) }, () => {
    it('keeps the raw token out of the database, which holds only its hash', async () => {
      const { store, database, cleanup } = await openTestStore(kind);
      const app = createApp(loadConfig({}), store, { logger: false });
      try {
        const init = await initTestOrganization(store);
        const pat = await personalToken(store, init.organization.id, init.membership.id, 'admin');
        const sat = await serviceToken(store, init.organization.id);
        const revoked = await personalToken(store, init.organization.id, init.membership.id, 'member');
        for (const token of [pat, sat, revoked]) {
          const response = await app.inject({
            url: '/api/v1/me',
            headers: { authorization: `Bearer ${token.token}` },
          });
          assert.equal(response.statusCode, 200);
        }
        await waitForLastUse(store, pat.id);
        await revokeToken(store, { id: revoked.id, actor: CLI_ACTOR });

        const checks = async (when: string, contents: string) => {
          for (const token of [pat, sat, revoked]) {
            for (const secret of secretsOf(token.token)) {
              assert.ok(!contents.includes(secret), `${when}: the database holds a token value`);
            }
          }
          // The search looks where the tokens are: their hashes are there.
          assert.ok(contents.includes(hashToken(pat.token)), `${when}: the hash was not found`);
        };
        await checks('while open', await databaseContents(store, database));
        if (kind === 'sqlite') {
          await app.close();
          await store.close();
          // Closing checkpoints the WAL into the main file.
          const reopened = database.open();
          await checks('after a checkpoint', await databaseContents(reopened, database));
          await reopened.close();
        }
      } finally {
        await app.close();
        if (kind === 'sqlite') await database.drop();
        else await cleanup();
      }
    });

    it('keeps the raw token out of the server logs, even at trace level', async () => {
      const { store, cleanup } = await openTestStore(kind);
      // The production logger options (with their redactions), writing to memory.
      const { logger, lines } = captureLogs('trace');
      const app = createApp(loadConfig({}), store, { logger });
      try {
        const init = await initTestOrganization(store);
        const pat = await personalToken(store, init.organization.id, init.membership.id, 'admin');
        const sat = await serviceToken(store, init.organization.id);
        const revoked = await personalToken(store, init.organization.id, init.membership.id, 'member');
        await store.tokens.revoke('personal', revoked.id, new Date().toISOString());

        const requests: Array<[headers: Record<string, string>, status: number]> = [
          [{ authorization: `Bearer ${pat.token}` }, 200],
          [{ authorization: `Bearer ${sat.token}` }, 200],
          [{ authorization: `Bearer ${revoked.token}` }, 401],
          [{ authorization: `Basic ${pat.token}` }, 401],
          [{ authorization: `Bearer ${pat.token}x` }, 401],
          [{ authorization: `Bearer ${pat.token} ${sat.token}` }, 401],
        ];
        for (const [headers, status] of requests) {
          const response = await app.inject({ url: '/api/v1/me', headers });
          assert.equal(response.statusCode, status);
        }
        const notFound = await app.inject({
          url: '/api/v1/nowhere',
          headers: { authorization: `Bearer ${pat.token}` },
        });
        assert.equal(notFound.statusCode, 404);
        await waitForLastUse(store, pat.id);
        await app.close();

        const log = lines.join('');
        assert.match(
          log,
          /"route":"\/api\/v1\/me","path":"\/api\/v1\/me","status":200/,
          'the logger captured the requests',
        );
        assert.match(log, /request refused/);
        for (const token of [pat, sat, revoked]) {
          for (const secret of secretsOf(token.token)) {
            assert.ok(!log.includes(secret), 'the logs hold a token value');
          }
        }
      } finally {
        await app.close();
        await cleanup();
      }
    });
  });
}
