// A bounded soak run: `roster serve` (exactly what `npm start` runs) on a fresh database, under
// steady mixed Okta traffic from several organizations at once — the connection test, lookups by
// userName, creates, reads, PUT profile updates, PATCH deactivations and reactivations, list pages —
// each organization with its own service token, paced under the default rate limits. Every 30 s it
// prints the server's resident memory, the request rate, latencies and errors; at the end a summary
// (the RSS highs of the first and second halves, peak, errors by status) and exit code 1 when any
// request failed or memory kept growing.
//
//   npm run soak                       # 10 minutes, SQLite in a temporary directory
//   npm run soak -- --minutes 5 --orgs 6 --rate 8
//   DATABASE_URL=postgres://… PGOPTIONS='-c search_path=soak' npm run soak -- --minutes 3
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initOrganization } from '../src/accounts/organizations.ts';
import { createToken } from '../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../src/audit/actor.ts';
import { openStore } from '../src/store/open-store.ts';
import { rssMiB, startRoster } from './lib/processes.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    orgs: { type: 'string', default: '6' },
    /** Requests per second per organization: 8/s = 480/min, under the default 600/min per token. */
    rate: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '10' },
    'report-every': { type: 'string', default: '30' },
  },
});

const MINUTES = Math.min(120, Math.max(0.1, Number(args.minutes)));
const ORGS = Math.max(1, Number(args.orgs));
const RATE = Math.max(0.1, Number(args.rate));
const CONCURRENCY = Math.max(1, Number(args.concurrency));
const REPORT_EVERY_MS = Math.max(1, Number(args['report-every'])) * 1000;
const SCIM = 'application/scim+json; charset=utf-8';

interface Tenant {
  slug: string;
  token: string;
  /** Members this run created (id, userName, active), to read, update and deactivate. */
  members: Array<{ id: string; userName: string; active: boolean }>;
  created: number;
}

interface Stats {
  requests: number;
  errors: Map<string, number>;
  latencies: number[];
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function seedTenants(databaseUrl: string): Promise<Tenant[]> {
  const store = await openStore(databaseUrl);
  try {
    const tenants: Tenant[] = [];
    for (let i = 1; i <= ORGS; i++) {
      const slug = `soak-${i}`;
      const init = await initOrganization(store, {
        name: `Soak ${i}`,
        slug,
        adminEmail: `admin@${slug}.example`,
        adminPassword: 'soak password that is long',
        actor: CLI_ACTOR,
      });
      const { token } = await createToken(store, {
        kind: 'service',
        organizationId: init.organization.id,
        name: 'okta',
        role: 'admin',
        actor: CLI_ACTOR,
      });
      tenants.push({ slug, token, members: [], created: 0 });
    }
    return tenants;
  } finally {
    await store.close();
  }
}

const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(Math.random() * list.length)];

/** One request of the Okta mix for `tenant`: what Okta's provisioning does, in its proportions. */
async function oktaRequest(baseUrl: string, tenant: Tenant, stats: Stats): Promise<void> {
  const roll = Math.random();
  const member = pick(tenant.members);
  const userName = `person-${tenant.created + 1}@${tenant.slug}.example`;
  let method = 'GET';
  let path: string;
  let body: unknown;
  let onSuccess: ((json: Record<string, unknown>) => void) | undefined;
  if (roll < 0.1 || !member) {
    path = 'Users?startIndex=1&count=2'; // "Test API credentials"
    if (member === undefined && roll >= 0.1) {
      method = 'POST';
      path = 'Users';
    }
  } else if (roll < 0.3) {
    path = `Users?filter=${encodeURIComponent(`userName eq "${member.userName.toUpperCase()}"`)}&startIndex=1&count=100`;
  } else if (roll < 0.45) {
    method = 'POST';
    path = 'Users';
  } else if (roll < 0.6) {
    path = `Users/${member.id}`;
  } else if (roll < 0.78) {
    method = 'PUT';
    path = `Users/${member.id}`;
    body = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: member.userName,
      name: { givenName: `Given${Math.floor(Math.random() * 1e6)}`, familyName: 'Soak' },
      emails: [{ value: member.userName, type: 'work', primary: true }],
      active: member.active,
    };
  } else if (roll < 0.92) {
    method = 'PATCH';
    path = `Users/${member.id}`;
    const active = !member.active;
    body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active } }],
    };
    onSuccess = () => {
      member.active = active;
    };
  } else {
    path = `Users?startIndex=${1 + Math.floor(Math.random() * Math.max(1, tenant.members.length))}&count=100`;
  }
  if (method === 'POST') {
    tenant.created += 1;
    body = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName,
      name: { givenName: 'New', familyName: 'Person' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      displayName: 'New Person',
      externalId: `00u${tenant.slug}${tenant.created}`,
      password: 'ignored-by-roster',
      active: true,
    };
    onSuccess = (json) => {
      tenant.members.push({ id: String(json.id), userName, active: true });
    };
  }
  const started = performance.now();
  try {
    const response = await fetch(`${baseUrl}/scim/v2/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tenant.token}`,
        accept: 'application/scim+json',
        'user-agent': 'Okta SCIM Client 1.0.0',
        ...(body === undefined ? {} : { 'content-type': SCIM }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(60_000), // Okta gives up after 60 s
    });
    const text = await response.text();
    stats.latencies.push(performance.now() - started);
    stats.requests += 1;
    if (response.ok) onSuccess?.(text ? (JSON.parse(text) as Record<string, unknown>) : {});
    else {
      const key = `${method} ${response.status}`;
      stats.errors.set(key, (stats.errors.get(key) ?? 0) + 1);
    }
  } catch (error) {
    stats.requests += 1;
    const key = `${method} ${(error as Error).name}`;
    stats.errors.set(key, (stats.errors.get(key) ?? 0) + 1);
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  // The server's log, and the SQLite database unless DATABASE_URL names another, live here until the end.
  const workDir = mkdtempSync(join(tmpdir(), 'roster-soak-'));
  const databaseUrl = process.env.DATABASE_URL ?? `sqlite:${join(workDir, 'roster.db')}`;
  const tenants = await seedTenants(databaseUrl);
  const logFile = join(workDir, 'roster-serve.log');
  const server = await startRoster({ databaseUrl, logFile, logLevel: 'warn' });
  log(
    `soak: ${MINUTES} min against ${server.baseUrl} (${databaseUrl.split(':')[0]}), ${ORGS} organizations × ${RATE} req/s, ${CONCURRENCY} in flight per organization at most`,
  );

  const stats: Stats = { requests: 0, errors: new Map(), latencies: [] };
  const samples: Array<{ at: number; rss: number }> = [];
  const start = Date.now();
  const end = start + MINUTES * 60_000;
  let window: Stats = { requests: 0, errors: new Map(), latencies: [] };

  const report = () => {
    const rss = rssMiB(server.pid) ?? Number.NaN;
    const at = Math.round((Date.now() - start) / 1000);
    samples.push({ at, rss });
    const sorted = [...window.latencies].sort((a, b) => a - b);
    const errors = [...window.errors.values()].reduce((a, b) => a + b, 0);
    log(
      `t=${String(at).padStart(4)}s  rss=${rss.toFixed(1)} MiB  requests=${window.requests}  rps=${(window.requests / (REPORT_EVERY_MS / 1000)).toFixed(1)}  p50=${percentile(sorted, 50).toFixed(1)}ms  p99=${percentile(sorted, 99).toFixed(1)}ms  errors=${errors}${errors ? ` ${JSON.stringify(Object.fromEntries(window.errors))}` : ''}`,
    );
    window = { requests: 0, errors: new Map(), latencies: [] };
  };
  report();
  const timer = setInterval(report, REPORT_EVERY_MS);

  // Each organization is paced on its own: a request every 1/RATE s, at most CONCURRENCY in flight.
  await Promise.all(
    tenants.map(async (tenant) => {
      const inFlight = new Set<Promise<void>>();
      let next = Date.now();
      while (Date.now() < end && server.process.exitCode === null && server.process.signalCode === null) {
        next += 1000 / RATE;
        const wait = next - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (inFlight.size >= CONCURRENCY) await Promise.race(inFlight);
        const local: Stats = { requests: 0, errors: new Map(), latencies: [] };
        const request = oktaRequest(server.baseUrl, tenant, local).then(() => {
          for (const target of [stats, window]) {
            target.requests += local.requests;
            target.latencies.push(...local.latencies);
            for (const [key, n] of local.errors) target.errors.set(key, (target.errors.get(key) ?? 0) + n);
          }
          inFlight.delete(request);
        });
        inFlight.add(request);
      }
      await Promise.all(inFlight);
    }),
  );
  clearInterval(timer);
  report();
  const died = server.process.exitCode !== null || server.process.signalCode !== null;
  if (died) {
    log(`the server exited (${server.process.exitCode ?? server.process.signalCode}); its last output:`);
    log(server.output());
  }
  await server.stop();
  rmSync(workDir, { recursive: true, force: true });

  // RSS saws up and down with garbage collection: compare the highs of the two halves, after a
  // warm-up (30 s, or a quarter of a shorter run), rather than two arbitrary samples.
  const middle = (MINUTES * 60) / 2;
  const warmUp = Math.min(30, (MINUTES * 60) / 4);
  const highOf = (list: typeof samples) => Math.max(...list.map((s) => s.rss));
  const firstHalf = samples.filter((s) => s.at >= warmUp && s.at < middle);
  const secondHalf = samples.filter((s) => s.at >= middle);
  const comparable = firstHalf.length > 0 && secondHalf.length > 0;
  const firstHigh = highOf(firstHalf);
  const secondHigh = highOf(secondHalf);
  const last = samples[samples.length - 1]?.rss ?? Number.NaN;
  const peak = highOf(samples);
  const growth = secondHigh - firstHigh;
  const errors = [...stats.errors.values()].reduce((a, b) => a + b, 0);
  const sorted = [...stats.latencies].sort((a, b) => a - b);
  const members = tenants.reduce((n, t) => n + t.members.length, 0);
  log('');
  log(
    `summary: ${stats.requests} requests in ${MINUTES} min (${(stats.requests / (MINUTES * 60)).toFixed(1)}/s), ${members} members created, errors ${errors}${errors ? ` ${JSON.stringify(Object.fromEntries(stats.errors))}` : ''}`,
  );
  log(
    `latency p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${(sorted[sorted.length - 1] ?? 0).toFixed(1)} ms`,
  );
  log(
    comparable
      ? `rss: start ${samples[0]?.rss.toFixed(1)} MiB, end ${last.toFixed(1)} MiB, high of the first half ${firstHigh.toFixed(1)} MiB, of the second ${secondHigh.toFixed(1)} MiB (${growth >= 0 ? '+' : ''}${growth.toFixed(1)}), peak ${peak.toFixed(1)} MiB`
      : `rss: start ${samples[0]?.rss.toFixed(1)} MiB, end ${last.toFixed(1)} MiB, peak ${peak.toFixed(1)} MiB; too few samples to compare the two halves (lower --report-every or run longer)`,
  );
  // Flat: the second half's high is within 10% of the first half's (a leak keeps raising it).
  const flat = !comparable || !(growth > firstHigh * 0.1);
  const ok = errors === 0 && !died && flat;
  log(
    ok
      ? `result: ok — no errors, ${comparable ? 'memory flat' : 'memory not judged'}`
      : `result: FAILED${died ? ' (the server died)' : ''}${flat ? '' : ' (memory kept growing)'}${errors ? ` (${errors} errors)` : ''}`,
  );
  process.exitCode = ok ? 0 : 1;
}

await main();
