// Webhooks: three targets, each printed with its verdict, on SQLite and PostgreSQL.
//
//   npm run build && node --import tsx bench/webhooks.ts [--db sqlite|postgres|both] [--only drain,push,outage]
//       [--events 5000] [--seconds 10] [--rounds 1] [--outage-seconds 60] [--full]
//
// (a) drain: 1,000 events/s delivered to a local receiver. `--events` events (5,000; 20,000 with
//     --full) are committed while no server runs, to an organization with one endpoint (`["*"]`),
//     then `roster serve` starts and sequences, fans out, signs and sends them to a receiver in this
//     process; the rate is events over the time from the server's start to the last delivery.
// (b) push: SCIM push throughput with webhooks ≥ 90% of the same push without. The same push
//     (POST /Users, Okta's body, ten connections, rate limits off, `--seconds`) into a fresh server
//     twice, back to back, without then with an endpoint taking every event; the ratio is of the two.
// (c) outage: the receiver down for `--outage-seconds` (60 by default, 600 — ten minutes — with
//     --full) while people are created, changed and deactivated, then up: every event delivered,
//     none lost, in order per resource, a repeat only with the same webhook-id. Retries run on a
//     compressed schedule (1, 2, 4, 8, 16, then every 30 s) so that the recovery shows within the run.
//
// When (a) or (b) misses, the run is repeated on a server started with --cpu-prof, and where its time
// went is printed (top self time, by area, by Roster module). The machine is shared: each figure is
// printed with the load average at the time, and only ratios within one run are compared.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { initOrganization } from '../src/accounts/organizations.ts';
import { createToken } from '../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../src/audit/actor.ts';
import { recordEvent } from '../src/events/record-event.ts';
import { createEndpoint } from '../src/webhooks/manage-endpoints.ts';
import { freePort } from '../test/helpers/net.ts';
import { createTestDatabase, type StoreKind, type TestDatabase } from '../test/helpers/stores.ts';
import { ROOT, type RosterServer, startRoster } from './lib/processes.ts';
import {
  monotonicMicroseconds,
  type ProfileSummary,
  profileLines,
  summarizeProfileFile,
} from './lib/profile-summary.ts';
import { type Verdict, verdictLines } from './lib/report.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    only: { type: 'string', default: 'drain,push,outage' },
    events: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '1' },
    'outage-seconds': { type: 'string' },
    full: { type: 'boolean', default: false },
  },
});
const FULL = values.full === true;
const EVENTS = Number(values.events ?? (FULL ? 20_000 : 5_000));
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const OUTAGE_SECONDS = Number(values['outage-seconds'] ?? (FULL ? 600 : 60));
const KINDS: StoreKind[] = values.db === 'both' ? ['sqlite', 'postgres'] : [values.db as StoreKind];
const ONLY = new Set((values.only ?? '').split(','));
const DRAIN_TARGET = 1000;
const PUSH_TARGET = 0.9;

const work = mkdtempSync(join(tmpdir(), 'roster-bench-webhooks-'));
const verdicts: Verdict[] = [];
const profiles: ProfileSummary[] = [];
/** Per-phase counters of the runs that missed their target. */
const phaseLines: string[] = [];
const started = Date.now();

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
function say(message: string): void {
  const elapsed = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[webhooks ${elapsed}s] ${message}\n`);
}

interface Received {
  id: string;
  /** `object:id` of the event's resource. */
  resource: string;
  at: number;
}

/** A receiver in this process: answers 204 to a request carrying the three Standard Webhooks headers. */
async function startReceiver(port = 0) {
  const received: Received[] = [];
  const ids = new Set<string>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const id = request.headers['webhook-id'];
      const signed =
        typeof id === 'string' &&
        request.headers['webhook-timestamp'] &&
        request.headers['webhook-signature'];
      if (signed) {
        const payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          data: { object: string; id: string };
        };
        received.push({ id, resource: `${payload.data.object}:${payload.data.id}`, at: performance.now() });
        ids.add(id);
      }
      response.writeHead(signed ? 204 : 400).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    distinct: () => ids.size,
    last: () => received.at(-1)?.at ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Organization {
  organizationId: string;
  token: string;
}

/** A migrated database with an organization, an Admin service token, and an endpoint at `url` if given. */
async function prepare(database: TestDatabase, url: string | undefined): Promise<Organization> {
  const store = database.open();
  try {
    await store.migrate();
    const org = await initOrganization(store, {
      name: 'Bench',
      slug: 'bench',
      adminEmail: 'admin@bench.test',
      adminPassword: 'correct horse battery staple',
      actor: CLI_ACTOR,
    });
    const organizationId = org.organization.id;
    const { token } = await createToken(store, {
      kind: 'service',
      organizationId,
      name: 'okta',
      role: 'admin',
      actor: CLI_ACTOR,
    });
    if (url) {
      await createEndpoint(store, {
        organizationId,
        actor: CLI_ACTOR,
        allowPrivate: true,
        url,
        types: ['*'],
      });
    }
    return { organizationId, token };
  } finally {
    await store.close();
  }
}

const METRICS_TOKEN = 'bench-metrics-token-0123456789abcdef';
const BASE_ENV = {
  METRICS_TOKEN,
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  RATE_LIMIT_PER_TOKEN: '0',
  RATE_LIMIT_PER_ORG: '0',
};

let servers = 0;
async function withServer<T>(
  database: TestDatabase,
  env: Record<string, string>,
  profileDir: string | undefined,
  use: (server: RosterServer) => Promise<T>,
): Promise<T> {
  servers += 1;
  const server = await startRoster({
    databaseUrl: database.url,
    logFile: join(work, `roster-serve-${servers}.log`),
    env: { ...BASE_ENV, ...database.env, ...env },
    ...(profileDir ? { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
  });
  try {
    return await use(server);
  } finally {
    await server.stop();
  }
}

/** Runs `measure` on a server started with --cpu-prof, and keeps the summary of its window. */
async function profiled(
  title: string,
  run: (profileDir: string, window: (fromUs: number, toUs: number) => void) => Promise<void>,
): Promise<void> {
  const dir = join(work, `profile-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  say(`  profiling: ${title}`);
  let window: { fromUs: number; toUs: number } | undefined;
  await run(dir, (fromUs, toUs) => {
    window = { fromUs, toUs };
  });
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) {
    say('  (the profiled server wrote no profile)');
    return;
  }
  profiles.push(summarizeProfileFile(title, join(dir, file), join(ROOT, 'dist', 'roster.mjs'), window));
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/**
 * Where a run's time went, from the server's own counters (/metrics): the webhook attempts (each
 * from resolving the address to the receiver's answer) and the database queries, count and time.
 */
async function phases(server: RosterServer, seconds: number): Promise<string> {
  const text = await (
    await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  ).text();
  const value = (name: string) => {
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{outcome="ok"} `));
    return Number(line?.split(' ').pop() ?? Number.NaN);
  };
  const attempts = value('roster_webhook_attempt_duration_seconds_count');
  const attemptSeconds = value('roster_webhook_attempt_duration_seconds_sum');
  const queries = value('roster_db_query_duration_seconds_count');
  const querySeconds = value('roster_db_query_duration_seconds_sum');
  return [
    `${attempts} attempts, ${((attemptSeconds / attempts) * 1000).toFixed(1)} ms each on average (${attemptSeconds.toFixed(1)} s in all, over ${seconds.toFixed(1)} s)`,
    `${queries} database queries (${(queries / attempts).toFixed(1)} per attempt), ${((querySeconds / queries) * 1000).toFixed(2)} ms each on average (${querySeconds.toFixed(1)} s in all)`,
  ].join('; ');
}

// (a) ------------------------------------------------------------------------------------------

/** Commits `count` member.updated events (over 1,000 members) in transactions of 500. */
async function commitEvents(database: TestDatabase, organizationId: string, count: number): Promise<void> {
  const store = database.open();
  try {
    for (let from = 0; from < count; from += 500) {
      await store.transaction(async (tx) => {
        for (let i = from; i < Math.min(count, from + 500); i++) {
          await recordEvent(tx, {
            type: 'member.updated',
            organizationId,
            actor: CLI_ACTOR,
            data: { object: 'member', id: `m${i % 1000}`, userName: `m${i % 1000}@bench.test`, n: i },
          });
        }
      });
    }
  } finally {
    await store.close();
  }
}

interface DrainResult {
  delivered: number;
  seconds: number;
  perSecond: number;
  load: string;
  phases: string;
}

async function drain(kind: StoreKind, profileDir?: string, window?: (from: number, to: number) => void) {
  const database = await createTestDatabase(kind);
  const receiver = await startReceiver();
  try {
    const { organizationId } = await prepare(database, receiver.url);
    await commitEvents(database, organizationId, EVENTS);
    return await withServer(database, {}, profileDir, async (server): Promise<DrainResult> => {
      const fromUs = monotonicMicroseconds();
      const from = performance.now();
      await waitUntil(() => receiver.distinct() >= EVENTS, Math.max(120_000, EVENTS * 20));
      window?.(fromUs, fromUs + (receiver.last() - from) * 1000);
      const seconds = (receiver.last() - from) / 1000;
      return {
        delivered: receiver.distinct(),
        seconds,
        perSecond: receiver.distinct() / seconds,
        load: loadAverage(),
        phases: await phases(server, seconds),
      };
    });
  } finally {
    await receiver.close();
    await database.drop();
  }
}

async function drainTarget(kind: StoreKind): Promise<void> {
  say(`${kind}: (a) ${EVENTS} committed events drained to a local receiver`);
  const result = await drain(kind);
  const met = result.delivered === EVENTS && result.perSecond >= DRAIN_TARGET;
  const measured = `${result.perSecond.toFixed(0)} events/s (${result.delivered}/${EVENTS} in ${result.seconds.toFixed(1)} s; load ${result.load})`;
  say(`  ${measured}`);
  say(`  where the time went: ${result.phases}`);
  verdicts.push({ target: `${kind}: (a) ≥ ${DRAIN_TARGET} events/s delivered`, measured, met });
  if (!met) {
    phaseLines.push(`${kind}, draining ${EVENTS} events: ${result.phases}`);
    await profiled(`${kind}: draining ${EVENTS} events`, async (dir, window) => {
      await drain(kind, dir, window);
    });
  }
}

// (b) ------------------------------------------------------------------------------------------

interface PushResult {
  created: number;
  perSecond: number;
  delivered?: number;
  load: string;
}

async function push(
  kind: StoreKind,
  withWebhooks: boolean,
  round: number,
  profileDir?: string,
  window?: (from: number, to: number) => void,
): Promise<PushResult> {
  const database = await createTestDatabase(kind);
  const receiver = await startReceiver();
  try {
    const { token } = await prepare(database, withWebhooks ? receiver.url : undefined);
    return await withServer(database, {}, profileDir, async (server) => {
      let n = 0;
      const fromUs = monotonicMicroseconds();
      const from = performance.now();
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
      const seconds = (performance.now() - from) / 1000;
      window?.(fromUs, fromUs + seconds * 1e6);
      const created = result.statusCodeStats['201']?.count ?? 0;
      const outcome: PushResult = { created, perSecond: created / seconds, load: loadAverage() };
      if (withWebhooks) {
        await waitUntil(() => receiver.distinct() >= created, 300_000);
        outcome.delivered = receiver.distinct();
      }
      return outcome;
    });
  } finally {
    await receiver.close();
    await database.drop();
  }
}

async function pushTarget(kind: StoreKind): Promise<void> {
  for (let round = 1; round <= ROUNDS; round++) {
    say(`${kind}: (b) push round ${round}, without then with webhooks (${SECONDS} s each)`);
    const without = await push(kind, false, round);
    say(`  without: ${without.perSecond.toFixed(0)} created/s (load ${without.load})`);
    const withHooks = await push(kind, true, round);
    say(
      `  with: ${withHooks.perSecond.toFixed(0)} created/s, ${withHooks.delivered}/${withHooks.created} delivered (load ${withHooks.load})`,
    );
    const ratio = withHooks.perSecond / without.perSecond;
    // Every created member is one member.created event; a few more may come from requests autocannon
    // gave up on, committed all the same.
    const complete = (withHooks.delivered ?? 0) >= withHooks.created;
    const met = ratio >= PUSH_TARGET && complete;
    verdicts.push({
      target: `${kind}: (b) push with webhooks ≥ ${PUSH_TARGET * 100}% of without (round ${round})`,
      measured: `${(ratio * 100).toFixed(0)}% (${withHooks.perSecond.toFixed(0)} vs ${without.perSecond.toFixed(0)} created/s; ${withHooks.delivered}/${withHooks.created} events delivered; load ${without.load} / ${withHooks.load})`,
      met,
    });
    if (!met && round === ROUNDS) {
      await profiled(`${kind}: push with webhooks`, async (dir, window) => {
        await push(kind, true, round + 100, dir, window);
      });
    }
  }
}

// (c) ------------------------------------------------------------------------------------------

/** 1, 2, 4, 8, 16, then 30 s retries, enough of them to outlast the outage twice over. */
function compressedSchedule(outageSeconds: number): string {
  const schedule = [1, 2, 4, 8, 16];
  while (schedule.reduce((sum, s) => sum + s, 0) < outageSeconds * 2 + 60) schedule.push(30);
  return schedule.join(',');
}

async function scim(baseUrl: string, token: string, method: string, path: string, body: unknown) {
  const response = await fetch(`${baseUrl}/scim/v2/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => ({}))) as { id?: string } };
}

/** People created, renamed and deactivated, one after the other, until `until`. */
async function writePeople(baseUrl: string, token: string, writer: number, until: number): Promise<number> {
  let people = 0;
  for (let n = 0; performance.now() < until; n++) {
    const userName = `w${writer}n${n}@bench.test`;
    const created = await scim(baseUrl, token, 'POST', 'Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName,
      name: { givenName: 'Pat', familyName: `Person ${n}` },
      emails: [{ primary: true, value: userName, type: 'work' }],
      active: true,
    });
    if (created.status !== 201 || !created.body.id) continue;
    people++;
    for (const value of [{ displayName: `Pat ${n}` }, { active: false }]) {
      await scim(baseUrl, token, 'PATCH', `Users/${created.body.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', value }],
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return people;
}

interface EventSummary {
  id: string;
  data: { object: string; id: string };
}

async function allEvents(baseUrl: string, token: string): Promise<EventSummary[]> {
  const events: EventSummary[] = [];
  for (let after = '0'; ; ) {
    const response = await fetch(`${baseUrl}/api/v1/events?after=${after}&limit=1000`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const page = (await response.json()) as { data: EventSummary[]; nextCursor: string; hasMore: boolean };
    events.push(...page.data);
    if (!page.hasMore) return events;
    after = page.nextCursor;
  }
}

async function outageTarget(kind: StoreKind): Promise<void> {
  say(`${kind}: (c) receiver down for ${OUTAGE_SECONDS} s while people are pushed, then up`);
  const database = await createTestDatabase(kind);
  const port = await freePort();
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  try {
    const { token } = await prepare(database, `http://127.0.0.1:${port}/hooks`);
    const schedule = compressedSchedule(OUTAGE_SECONDS);
    await withServer(database, { WEBHOOK_RETRY_SCHEDULE: schedule }, undefined, async (server) => {
      // The organization's events from before the endpoint existed (its first Admin, the token) are
      // not the endpoint's to hear.
      const before = new Set((await allEvents(server.baseUrl, token)).map((event) => event.id));
      const until = performance.now() + OUTAGE_SECONDS * 1000;
      const people = (
        await Promise.all([1, 2].map((writer) => writePeople(server.baseUrl, token, writer, until)))
      ).reduce((a, b) => a + b, 0);
      const downLoad = loadAverage();
      receiver = await startReceiver(port);
      const upAt = performance.now();
      const events = await allEvents(server.baseUrl, token);
      const expected = events.filter((event) => !before.has(event.id));
      // A set of what arrived, made once per look: searching the received list for each expected
      // event was quadratic, and with 26,000 events it held this process (and so the receiver in it)
      // for seconds at every look.
      const arrived = await waitUntil(
        () => {
          const got = new Set(receiver?.received.map((r) => r.id));
          return expected.every((event) => got.has(event.id));
        },
        Math.max(180_000, expected.length * 50),
      );
      const seconds = ((receiver.last() - upAt) / 1000).toFixed(1);
      const seen = new Set(receiver.received.map((r) => r.id));
      const missing = expected.filter((event) => !seen.has(event.id)).length;
      const known = new Set(events.map((event) => event.id));
      const unknown = receiver.received.filter((r) => !known.has(r.id)).length;
      // In order per resource: first receipts follow the events API's order (positions).
      const rank = new Map(events.map((event, i) => [event.id, i]));
      const lastOf = new Map<string, number>();
      const first = new Set<string>();
      let outOfOrder = 0;
      for (const r of receiver.received) {
        if (first.has(r.id)) continue;
        first.add(r.id);
        const position = rank.get(r.id) ?? -1;
        if ((lastOf.get(r.resource) ?? -1) > position) outOfOrder++;
        lastOf.set(r.resource, position);
      }
      const repeats = receiver.received.length - first.size;
      const endpoint = (await (
        await fetch(`${server.baseUrl}/api/v1/webhooks`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as { data: { enabled: boolean }[] };
      const met =
        arrived && missing === 0 && unknown === 0 && outOfOrder === 0 && endpoint.data[0]?.enabled === true;
      verdicts.push({
        target: `${kind}: (c) receiver down ${OUTAGE_SECONDS} s, then up: every event, in order per resource`,
        measured: `${people} people, ${expected.length} events: ${expected.length - missing} delivered, ${missing} lost, ${outOfOrder} out of order, ${repeats} repeats (same webhook-id), ${unknown} not committed; all in within ${seconds} s of the receiver's return; endpoint ${endpoint.data[0]?.enabled ? 'still enabled' : 'DISABLED'} (load ${downLoad} / ${loadAverage()})`,
        met,
      });
      say(`  ${verdicts.at(-1)?.measured}`);
    });
  } finally {
    await receiver?.close();
    await database.drop();
  }
}

try {
  say(`load average at the start: ${loadAverage()}`);
  for (const kind of KINDS) {
    if (ONLY.has('drain')) await drainTarget(kind);
    if (ONLY.has('push')) await pushTarget(kind);
    if (ONLY.has('outage')) await outageTarget(kind);
  }
  process.stdout.write(`\nwebhook targets (load average at the end: ${loadAverage()}):\n`);
  process.stdout.write(`${verdictLines(verdicts).join('\n')}\n`);
  if (phaseLines.length > 0) process.stdout.write(`\nthe server's counters:\n  ${phaseLines.join('\n  ')}\n`);
  for (const profile of profiles) process.stdout.write(`\n${profileLines(profile).join('\n')}\n`);
  if (verdicts.some((verdict) => verdict.met === false)) process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
