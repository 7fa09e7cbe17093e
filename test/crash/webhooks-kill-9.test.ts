// Webhook delivery through kill -9: two `roster serve` processes on one database (SQLite file or
// PostgreSQL schema) take SCIM writes and deliver their events to a receiver in this process; each
// round one of them, in turn, is killed with SIGKILL mid-stream (at a random point of the deliveries)
// while the other keeps writing, and started again. At the end the two finish the work, and:
// - every committed event of the organization reached the receiver at least once, signed;
// - a duplicate is the same message again: same `webhook-id`, same body (the id is the event's);
// - nothing arrived that was not committed;
// - each member's events were first received in the order they happened.
// Rounds: CRASH_ROUNDS (default 3 per store, as the CI's cost allows; the reliability runs use 20).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { createToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { createEndpoint } from '../../src/webhooks/manage-endpoints.ts';
import { type RunningRoster, rosterEnv, startRoster } from '../helpers/roster-cli.ts';
import {
  createTestDatabase,
  STORE_KINDS,
  type StoreKind,
  skipReason,
  type TestDatabase,
} from '../helpers/stores.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 3);

async function scim(server: RunningRoster, token: string, method: string, path: string, body: unknown) {
  const response = await fetch(`${server.baseUrl}/scim/v2/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => ({}))) as { id?: string } };
}

/**
 * SCIM writes against `server` until it dies or `until.stop` is set: creates, then profile changes
 * and deactivations.
 */
async function writeUntilKilled(
  server: RunningRoster,
  token: string,
  ids: string[],
  round: number,
  until: { stop: boolean },
) {
  for (let n = 0; !until.stop; n++) {
    try {
      if (n % 3 === 0 || ids.length < 3) {
        const created = await scim(server, token, 'POST', 'Users', {
          userName: `r${round}n${n}@crash.test`,
          emails: [{ value: `r${round}n${n}@crash.test`, primary: true }],
        });
        if (created.status === 201 && created.body.id) ids.push(created.body.id);
      } else {
        const id = ids[(n * 7) % ids.length] as string;
        await scim(server, token, 'PATCH', `Users/${id}`, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [
            {
              op: 'replace',
              value: n % 2 === 0 ? { displayName: `v${round}.${n}` } : { active: n % 4 !== 1 },
            },
          ],
        });
      }
    } catch {
      return; // the connection died with the server
    }
  }
}

async function crashRounds(kind: StoreKind, database: TestDatabase, log: (line: string) => void) {
  const receiver = await startReceiver(() => ({ status: 204, delayMs: 5 }));
  const setup = database.open();
  await setup.migrate();
  const init = await initOrganization(setup, {
    name: 'Crash Inc',
    slug: 'crash',
    adminEmail: 'admin@crash.test',
    adminPassword: 'correct horse battery staple',
    actor: CLI_ACTOR,
  });
  const organizationId = init.organization.id;
  const { token } = await createToken(setup, {
    kind: 'service',
    organizationId,
    name: 'okta',
    role: 'admin',
    actor: CLI_ACTOR,
  });
  const { endpoint, secret } = await createEndpoint(setup, {
    organizationId,
    actor: CLI_ACTOR,
    allowPrivate: true,
    url: receiver.url,
    types: ['*'],
  });
  receiver.secrets.push(secret);
  await setup.close();

  const env = rosterEnv(database, {
    LOG_LEVEL: 'warn',
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_TIMEOUT_SECONDS: '1',
    WEBHOOK_RETRY_SCHEDULE: '1,1,1,1,1,1,1,1,1,1',
  });
  const ids: string[] = [];
  const servers: RunningRoster[] = await Promise.all([startRoster(env), startRoster(env)]);
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const victim = round % 2;
      const server = servers[victim] as RunningRoster;
      const other = servers[1 - victim] as RunningRoster;
      const until = { stop: false };
      const writes = [
        writeUntilKilled(server, token, ids, round, until),
        writeUntilKilled(other, token, ids, round + 1000, until),
      ];
      // Kill while deliveries are in flight: wait for some to arrive first.
      const before = receiver.received.length;
      await receiver.waitFor(before + 5 + Math.floor(Math.random() * 20), 30_000);
      server.child.kill('SIGKILL');
      await server.exited;
      await writes[0];
      // The survivor took writes while the other died, and keeps running into the next round.
      until.stop = true;
      await writes[1];
      servers[victim] = await startRoster(env);
    }
    // No more writes: the instances finish the deliveries (a killed one's lease runs out first).
    const store = database.open();
    try {
      const committed = await store.db
        .selectFrom('events')
        .select(['id', 'type', 'resource_key', 'seq'])
        .where('organization_id', '=', organizationId)
        .where('occurred_at', '>=', endpoint.createdAt)
        .execute();
      const deadline = Date.now() + 90_000;
      const unseen = () => {
        const seen = new Set(receiver.received.map((r) => r.id));
        return committed.filter((event) => !seen.has(event.id));
      };
      while (unseen().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(unseen(), [], 'every committed event delivered at least once');

      const committedIds = new Set(committed.map((e) => e.id));
      const bodies = new Map<string, string>();
      for (const r of receiver.received) {
        assert.ok(committedIds.has(r.id), `${r.id} was committed`);
        assert.equal(r.payload.id, r.id, 'the webhook-id is the event id');
        assert.deepEqual(r.verified, [true]);
        const body = bodies.get(r.id);
        if (body !== undefined) assert.equal(r.body, body, 'a duplicate is the same message');
        bodies.set(r.id, r.body);
      }
      // In order per resource: the first receipts of a member's events follow their positions.
      const positions = await store.db
        .selectFrom('events')
        .select(['id', 'position', 'resource_key'])
        .where('organization_id', '=', organizationId)
        .execute();
      const positionOf = new Map(positions.map((p) => [p.id, Number(p.position)]));
      const resourceOf = new Map(positions.map((p) => [p.id, p.resource_key]));
      const last = new Map<string, number>();
      const first = new Set<string>();
      for (const r of receiver.received) {
        if (first.has(r.id)) continue;
        first.add(r.id);
        const resource = resourceOf.get(r.id) as string;
        const position = positionOf.get(r.id) as number;
        assert.ok((last.get(resource) ?? 0) < position, `${resource}: ${r.payload.type} came out of order`);
        last.set(resource, position);
      }
      const duplicates = receiver.received.length - first.size;
      log(
        `${kind}: ${ROUNDS} kills, ${committed.length} events committed, all delivered; ${duplicates} sent again after a kill (same webhook-id)`,
      );
    } finally {
      await store.close();
    }
  } finally {
    for (const server of servers) {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
      await server.exited;
    }
    await receiver.close();
  }
}

describe('kill -9 in the middle of webhook deliveries, two instances', () => {
  for (const kind of STORE_KINDS) {
    it(`delivers every committed event at least once, duplicates with the same webhook-id (${kind})`, {
      skip: skipReason(kind),
      // 20 s a round (a round took 10–13 s with a load average of 10), and a minute to finish.
      timeout: Math.max(300_000, 60_000 + ROUNDS * 20_000),
    }, async (t) => {
      const database = await createTestDatabase(kind);
      try {
        await crashRounds(kind, database, (line) => t.diagnostic(line));
      } finally {
        await database.drop();
      }
    });
  }
});
