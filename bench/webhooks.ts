// Webhooks under an Okta push: the same SCIM push (POST /Users, ten connections) against `roster
// serve` twice on fresh databases, once without webhook endpoints and once with one endpoint taking
// every event at a receiver on this machine. It reports the push's rate in both runs, their ratio
// (the target: with webhooks ≥ 90% of without), and how fast the events reached the receiver.
//
//   npm run build && node --import tsx bench/webhooks.ts [--db sqlite|postgres|both] [--seconds 10] [--rounds 1]
//
// Each round runs "without" then "with" back to back, so the machine's drift (it is shared) falls
// on both alike; compare the ratio within a round, not figures across runs.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { initOrganization } from '../src/accounts/organizations.ts';
import { createToken } from '../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../src/audit/actor.ts';
import { createEndpoint } from '../src/webhooks/manage-endpoints.ts';
import { rosterEnv, startRoster } from '../test/helpers/roster-cli.ts';
import { createTestDatabase, type StoreKind } from '../test/helpers/stores.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '1' },
  },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const KINDS: StoreKind[] = values.db === 'both' ? ['sqlite', 'postgres'] : [values.db as StoreKind];

interface RunResult {
  created: number;
  pushPerSecond: number;
  delivered?: number;
  /** Events delivered per second, from the push's first request to the last delivery. */
  deliveredPerSecond?: number;
  /** Events delivered per second while the push ran. */
  deliveredDuringPush?: number;
}

/** Counts deliveries; answers 204 to any request that carries the three Standard Webhooks headers. */
async function startCounter() {
  let count = 0;
  let last = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const signed = ['webhook-id', 'webhook-timestamp', 'webhook-signature'].every(
        (h) => request.headers[h],
      );
      if (signed) {
        count++;
        last = performance.now();
      }
      response.writeHead(signed ? 204 : 400).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    count: () => count,
    last: () => last,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function run(kind: StoreKind, withWebhooks: boolean, round: number): Promise<RunResult> {
  const database = await createTestDatabase(kind);
  const receiver = await startCounter();
  try {
    const store = database.open();
    await store.migrate();
    const org = await initOrganization(store, {
      name: 'Bench',
      slug: 'bench',
      adminEmail: 'admin@bench.test',
      adminPassword: 'correct horse battery staple',
      actor: CLI_ACTOR,
    });
    const { token } = await createToken(store, {
      kind: 'service',
      organizationId: org.organization.id,
      name: 'okta',
      role: 'admin',
      actor: CLI_ACTOR,
    });
    if (withWebhooks) {
      await createEndpoint(store, {
        organizationId: org.organization.id,
        actor: CLI_ACTOR,
        allowPrivate: true,
        url: receiver.url,
        types: ['*'],
      });
    }
    await store.close();
    const server = await startRoster(
      rosterEnv(database, {
        LOG_LEVEL: 'warn',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        RATE_LIMIT_PER_TOKEN: '0',
        RATE_LIMIT_PER_ORG: '0',
      }),
    );
    try {
      let n = 0;
      const started = performance.now();
      const result = await autocannon({
        url: server.baseUrl,
        connections: 10,
        duration: SECONDS,
        requests: [
          {
            method: 'POST',
            path: '/scim/v2/Users',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
            setupRequest: (request) => {
              n++;
              const userName = `r${round}p${n}@bench.test`;
              return {
                ...request,
                body: JSON.stringify({
                  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
                  userName,
                  name: { givenName: 'Pat', familyName: `Person ${n}` },
                  emails: [{ primary: true, value: userName, type: 'work' }],
                  active: true,
                }),
              };
            },
          },
        ],
      });
      const pushSeconds = (performance.now() - started) / 1000;
      const created = result.statusCodeStats['201']?.count ?? 0;
      const outcome: RunResult = { created, pushPerSecond: created / pushSeconds };
      if (withWebhooks) {
        const duringPush = receiver.count();
        const deadline = performance.now() + 300_000;
        while (receiver.count() < created && performance.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        outcome.delivered = receiver.count();
        outcome.deliveredPerSecond = receiver.count() / ((receiver.last() - started) / 1000);
        outcome.deliveredDuringPush = duringPush / pushSeconds;
      }
      return outcome;
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  } finally {
    await receiver.close();
    await database.drop();
  }
}

const rows: string[] = [];
for (const kind of KINDS) {
  for (let round = 1; round <= ROUNDS; round++) {
    const without = await run(kind, false, round);
    const withHooks = await run(kind, true, round);
    const ratio = withHooks.pushPerSecond / without.pushPerSecond;
    rows.push(
      `| ${kind} | ${round} | ${without.pushPerSecond.toFixed(0)} | ${withHooks.pushPerSecond.toFixed(0)} | ${(ratio * 100).toFixed(0)}% ${ratio >= 0.9 ? '✓' : '✗'} | ${withHooks.delivered}/${withHooks.created} | ${withHooks.deliveredDuringPush?.toFixed(0)} | ${withHooks.deliveredPerSecond?.toFixed(0)} |`,
    );
    process.stdout.write(`${rows.at(-1)}\n`);
  }
}
process.stdout.write(
  [
    '',
    `| database | round | push/s without | push/s with | ratio (≥ 90%) | delivered | delivered/s during push | delivered/s to the last |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n'),
);
