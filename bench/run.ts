// `npm run bench` — Roster under Okta-shaped load at 10k and 100k members (1M with --full), on
// SQLite and PostgreSQL, each figure next to a bare node:http baseline measured in the same run.
//
//   npm run bench                 10k and 100k members, SQLite and PostgreSQL; writes docs/benchmarks.md
//   npm run bench -- --quick      10k members, short runs, PostgreSQL lookups only (about 2 minutes); prints only
//   npm run bench -- --full       adds 1M members
//
// Each run also pushes people into a NEW organization as Okta does, with each of Okta's credentials
// (bench/lib/from-empty-phase.ts): 3k people (2k on PostgreSQL) with --quick, 10k by default, 10k
// and 100k with --full.
//
// Options: --no-postgres, --no-sqlite, --sizes 10000,100000, --people 10000 (the push from empty),
// --only lookup,paging,filters,deactivate,push,logging,empty,webhooks, --connections N (10), --seconds S, --docs / --no-docs.
//
// Last, bench/webhooks.ts's three webhook targets (a backlog drained, the push with and without
// webhooks, a receiver down then up: 60 s, ten minutes with --full), printed with their verdicts
// (not with --quick, unless `--only webhooks`).
// The server is a child process (started as `npm start` does, LOG_LEVEL=warn) on a fresh database in
// a temporary directory (PostgreSQL: a fresh schema, dropped afterwards), on a free 127.0.0.1 port;
// load comes from this process through autocannon's API. Every load run is bounded in time.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { postgresProblem } from '../test/helpers/postgres-probe.ts';
import { type FromEmptyContext, runFromEmpty } from './lib/from-empty-phase.ts';
import { fromEmptyVerdicts } from './lib/from-empty-verdicts.ts';
import {
  type Child,
  ROOT,
  type RosterServer,
  runToCompletion,
  startBaseline,
  startFloor,
  startRoster,
} from './lib/processes.ts';
import { type ProfileSummary, profileLines } from './lib/profile-summary.ts';
import { type Row, textTable, verdictLines, verdicts } from './lib/report.ts';
import { machine, postgresVersion, writeResultsDoc } from './lib/results-doc.ts';
import {
  baselineScenario,
  checkLookups,
  type DatabaseKind,
  deactivationScenario,
  FILTER_CASES,
  FLOOR_SCENARIO,
  filterScenario,
  lookupScenario,
  type Measurement,
  pagingScenario,
  pushScenario,
  type ScenarioTarget,
  warmUpServer,
} from './lib/scenarios.ts';
import type { SeedResult } from './seed.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    'no-postgres': { type: 'boolean', default: false },
    'no-sqlite': { type: 'boolean', default: false },
    sizes: { type: 'string' },
    people: { type: 'string' },
    only: { type: 'string' },
    connections: { type: 'string', default: '10' },
    seconds: { type: 'string' },
    docs: { type: 'boolean' },
    'no-docs': { type: 'boolean', default: false },
  },
});

const mode = args.quick ? 'quick' : args.full ? 'full' : 'default';
const sizesOf = (list: string | undefined) =>
  list?.split(',').map((size) => Number(size.replace(/k$/i, '000').replace(/m$/i, '000000')));
const CHOSEN_SIZES = sizesOf(args.sizes);
const SIZES =
  CHOSEN_SIZES ??
  (mode === 'quick' ? [10_000] : mode === 'full' ? [10_000, 100_000, 1_000_000] : [10_000, 100_000]);
const PG_SIZES = CHOSEN_SIZES ?? (mode === 'quick' ? [10_000] : [10_000, 100_000]);
/** People Okta pushes into a new organization, on SQLite and on PostgreSQL. */
const EMPTY_PEOPLE =
  sizesOf(args.people) ?? (mode === 'quick' ? [3_000] : mode === 'full' ? [10_000, 100_000] : [10_000]);
const PG_EMPTY_PEOPLE = sizesOf(args.people) ?? (mode === 'quick' ? [2_000] : EMPTY_PEOPLE);
const ONLY = args.only ? new Set(args.only.split(',')) : undefined;
/** Whether a scenario group runs (`--only`); the baseline always does. */
const wanted = (
  group: 'lookup' | 'paging' | 'filters' | 'deactivate' | 'push' | 'logging' | 'empty' | 'webhooks',
) => ONLY === undefined || ONLY.has(group);
/** Whether the seeded databases are needed: `--only empty` runs the push from empty alone. */
const SEEDED = ONLY === undefined || [...ONLY].some((group) => group !== 'empty' && group !== 'webhooks');
const WITH_SQLITE = !args['no-sqlite'];
const SECONDS = Number(args.seconds) || (mode === 'quick' ? 2 : 8);
const SHORT_SECONDS = Math.max(1, Math.round(SECONDS / 2));
/** Unmeasured lookups a freshly started server answers before its first measured run. */
const SERVER_WARMUP_SECONDS = mode === 'quick' ? 1 : 2;
const CONNECTIONS = Number(args.connections) || 10;
const WITH_POSTGRES = !args['no-postgres'];
const WRITE_DOCS = args['no-docs'] ? false : (args.docs ?? mode !== 'quick');
const MAIN_SIZE = SIZES.includes(100_000) ? 100_000 : SIZES[0]!;
const PG_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const COMMAND = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;

const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'roster-bench-'));
const rows: Row[] = [];
const seeds: { database: DatabaseKind; members: number; seconds: number }[] = [];
const running = new Set<Child>();
const schemas: string[] = [];
const profiles: ProfileSummary[] = [];

function say(message: string): void {
  const elapsed = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[bench ${elapsed}s] ${message}\n`);
}

function record(measurement: Measurement, baselineRps: number | undefined, databaseMiB: number | undefined) {
  const row: Row = {
    ...measurement,
    ratio: baselineRps ? measurement.rps / baselineRps : undefined,
    databaseMiB,
  };
  rows.push(row);
  const errors = row.non2xx + row.errors + row.timeouts;
  say(
    `  ${row.scenario}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms` +
      `${row.peoplePerSecond !== undefined ? `, ${row.peoplePerSecond.toFixed(0)} people/s` : ''}` +
      `${row.ratio !== undefined ? `, ${(row.ratio * 100).toFixed(0)}% of baseline` : ''}` +
      `, RSS ${row.rssPeakMiB.toFixed(0)} MiB${errors ? `, ${errors} ERRORS ${JSON.stringify(row.statusCodes)}` : ''}`,
  );
  return row;
}

async function seedDatabase(databaseUrl: string, members: number, env: Record<string, string>) {
  const stdout = await runToCompletion(
    [
      '--import',
      'tsx',
      join(ROOT, 'bench', 'seed.ts'),
      '--members',
      String(members),
      '--database',
      databaseUrl,
      '--sample',
      '20000',
    ],
    env,
    40 * 60_000,
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as SeedResult;
}

/**
 * The per-instance rate limits would turn a measurement
 * of capacity into a measurement of the limit: they are off for the benchmarks.
 */
const NO_RATE_LIMITS = { RATE_LIMIT_PER_TOKEN: '0', RATE_LIMIT_PER_ORG: '0' };

/** Runs `use` on a started child process, which is stopped afterwards (or by the exit handler). */
async function withChild<C extends Child, T>(started: Promise<C>, use: (child: C) => Promise<T>): Promise<T> {
  const child = await started;
  running.add(child);
  try {
    return await use(child);
  } finally {
    await child.stop();
    running.delete(child);
  }
}

let servers = 0;

function withServer<T>(
  options: Omit<Parameters<typeof startRoster>[0], 'logFile'>,
  use: (server: RosterServer) => Promise<T>,
): Promise<T> {
  servers += 1;
  const started = startRoster({
    ...options,
    logFile: join(work, `roster-serve-${servers}.log`),
    env: { ...NO_RATE_LIMITS, ...options.env },
  });
  return withChild(started, use);
}

function measureBaseline(body: string, members: number, label?: string): Promise<Measurement> {
  const bodyFile = join(work, 'baseline-body.json');
  writeFileSync(bodyFile, body);
  return withChild(startBaseline(bodyFile), async (baseline) => {
    const m = await baselineScenario(baseline.baseUrl, baseline.pid, members, CONNECTIONS, SECONDS);
    return label ? { ...m, scenario: label } : m;
  });
}

/** The same lookups against bench/floor-server.ts on the same database: what the stack alone costs. */
function measureFloor(
  roster: ScenarioTarget,
  database: string,
  env: Record<string, string> = {},
): Promise<Measurement> {
  return withChild(startFloor(database, env), (floor) =>
    lookupScenario({ ...roster, baseUrl: floor.baseUrl, pid: floor.pid }, FLOOR_SCENARIO[roster.database]),
  );
}

function sqliteSize(path: string): number {
  let bytes = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      bytes += statSync(path + suffix).size;
    } catch {
      // absent
    }
  }
  return bytes / 2 ** 20;
}

async function postgresSize(schema: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const result = await client.query<{ bytes: string | null }>(
      `select sum(pg_total_relation_size(c.oid))::text as bytes from pg_class c
         join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relkind = 'r'`,
      [schema],
    );
    return Number(result.rows[0]?.bytes ?? 0) / 2 ** 20;
  } finally {
    await client.end();
  }
}

function target(server: RosterServer, seed: SeedResult, database: DatabaseKind): ScenarioTarget {
  return {
    baseUrl: server.baseUrl,
    pid: server.pid,
    token: seed.token,
    members: seed.members,
    sampleIds: seed.sampleIds,
    database,
    connections: CONNECTIONS,
    seconds: SECONDS,
    shortSeconds: SHORT_SECONDS,
  };
}

async function runSqlite(members: number): Promise<void> {
  const dir = join(work, `sqlite-${members}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'roster.db');
  const url = `sqlite:${path}`;
  say(`SQLite, ${members} members: seeding`);
  const seed = await seedDatabase(url, members, {});
  seeds.push({ database: 'sqlite', members, seconds: seed.seconds });
  const size = sqliteSize(path);
  say(`  seeded in ${seed.seconds.toFixed(1)} s, ${size.toFixed(0)} MiB`);
  let baselineRps: number | undefined;
  await withServer({ databaseUrl: url }, async (server) => {
    const t = target(server, seed, 'sqlite');
    const hitBody = await checkLookups(t);
    await warmUpServer(t, SERVER_WARMUP_SECONDS);
    baselineRps = record(await measureBaseline(hitBody, members), undefined, undefined).rps;
    if (wanted('lookup')) {
      record(await measureFloor(t, path), baselineRps, size);
      record(await lookupScenario(t), baselineRps, size);
    }
    if (wanted('paging')) for (const page of await pagingScenario(t)) record(page, baselineRps, size);
    if (wanted('filters')) {
      for (const filterCase of FILTER_CASES) record(await filterScenario(t, filterCase), baselineRps, size);
    }
    if (wanted('deactivate')) record(await deactivationScenario(t), baselineRps, size);
    if (wanted('push')) record(await pushScenario(t, randomBytes(3).toString('hex')), baselineRps, size);
  });
  if (members === MAIN_SIZE && mode !== 'quick' && (ONLY === undefined || ONLY.has('logging'))) {
    say('  the lookup again with LOG_LEVEL=info (a log line per request)');
    await withServer({ databaseUrl: url, logLevel: 'info' }, async (server) => {
      const t = target(server, seed, 'sqlite');
      await warmUpServer(t, SERVER_WARMUP_SECONDS);
      record(await lookupScenario(t, 'lookup userName eq (LOG_LEVEL=info)'), baselineRps, size);
    });
  }
  rmSync(dir, { recursive: true, force: true });
}

function postgresReachable(): Promise<string | undefined> {
  return postgresProblem(PG_URL);
}

async function postgresQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function runPostgres(members: number): Promise<void> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  await postgresQuery(`create schema ${schema}`);
  schemas.push(schema);
  const env = { PGOPTIONS: `-c search_path=${schema}` };
  try {
    say(`PostgreSQL, ${members} members: seeding (schema ${schema})`);
    const seed = await seedDatabase(PG_URL, members, env);
    seeds.push({ database: 'postgres', members, seconds: seed.seconds });
    const size = await postgresSize(schema);
    say(`  seeded in ${seed.seconds.toFixed(1)} s, ${size?.toFixed(0)} MiB`);
    await withServer({ databaseUrl: PG_URL, env }, async (server) => {
      const t = target(server, seed, 'postgres');
      const hitBody = await checkLookups(t);
      await warmUpServer(t, SERVER_WARMUP_SECONDS);
      const baseline = await measureBaseline(hitBody, members, 'baseline (bare node:http), PostgreSQL phase');
      const baselineRps = record(baseline, undefined, undefined).rps;
      if (wanted('lookup')) {
        record(await measureFloor(t, PG_URL, env), baselineRps, size);
        record(await lookupScenario(t), baselineRps, size);
      }
      // A quick run keeps PostgreSQL to its target, the lookup, to stay under a minute.
      if (wanted('paging') && mode !== 'quick') {
        for (const page of await pagingScenario(t)) record(page, baselineRps, size);
      }
    });
  } finally {
    await postgresQuery(`drop schema if exists ${schema} cascade`).catch(() => undefined);
    schemas.splice(schemas.indexOf(schema), 1);
  }
}

/** The seeded scenarios' targets, then the push from empty's. */
function allVerdicts() {
  return [...verdicts(rows, SIZES), ...fromEmptyVerdicts(rows)];
}

const fromEmpty: FromEmptyContext = {
  work,
  connections: CONNECTIONS,
  seconds: SECONDS,
  shortSeconds: SHORT_SECONDS,
  warmupSeconds: SERVER_WARMUP_SECONDS,
  quick: mode === 'quick',
  postgresUrl: PG_URL,
  schemas,
  profiles,
  say,
  record,
  withServer,
  measureFloor,
  postgresQuery,
  sqliteSize,
  postgresSize,
};

/**
 * bench/webhooks.ts in a process of its own, on the databases of this run; resolves with what it
 * printed (its verdicts, and where the time went for a missed one), whatever its exit code.
 */
function webhookTargets(databases: string): Promise<string> {
  const options =
    mode === 'quick'
      ? ['--events', '2000', '--seconds', '3', '--outage-seconds', '20']
      : mode === 'full'
        ? ['--full']
        : [];
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'bench', 'webhooks.ts'), '--db', databases, ...options],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.once('exit', () => resolve(out));
  });
}

async function main(): Promise<void> {
  const info = machine();
  say(`${mode} run: ${SIZES.join(', ')} members; ${CONNECTIONS} connections; work dir ${work}`);
  if (WITH_SQLITE && SEEDED) for (const members of SIZES) await runSqlite(members);
  if (WITH_SQLITE && wanted('empty')) await runFromEmpty(fromEmpty, 'sqlite', EMPTY_PEOPLE);
  let postgres: string | undefined;
  if (WITH_POSTGRES) {
    const problem = await postgresReachable();
    if (problem) say(`PostgreSQL skipped: not reachable at ${PG_URL}: ${problem}`);
    else {
      postgres = await postgresVersion(PG_URL);
      if (SEEDED) for (const members of PG_SIZES) await runPostgres(members);
      if (wanted('empty')) await runFromEmpty(fromEmpty, 'postgres', PG_EMPTY_PEOPLE);
    }
  }
  let webhooks = '';
  // Not in a quick run unless asked for (`--quick --only webhooks`): it would triple its time.
  const webhooksWanted = mode === 'quick' ? ONLY?.has('webhooks') === true : wanted('webhooks');
  if (webhooksWanted && (WITH_SQLITE || postgres)) {
    say('webhooks: bench/webhooks.ts');
    webhooks = await webhookTargets(WITH_SQLITE && postgres ? 'both' : postgres ? 'postgres' : 'sqlite');
  }
  const minutes = (Date.now() - started) / 60_000;
  const loadAfter = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  process.stdout.write(`\n${textTable(rows)}\n\n${verdictLines(allVerdicts()).join('\n')}\n`);
  for (const profile of profiles) process.stdout.write(`\n${profileLines(profile).join('\n')}\n`);
  if (webhooks) process.stdout.write(webhooks);
  const resultsFile = join(tmpdir(), 'roster-bench-last.json');
  writeFileSync(resultsFile, JSON.stringify({ command: COMMAND, machine: info, rows, seeds }, null, 2));
  process.stdout.write(`\nraw results: ${resultsFile}\n`);
  if (WRITE_DOCS) {
    writeResultsDoc({
      command: COMMAND,
      machine: info,
      loadAfter,
      postgres,
      minutes,
      load: {
        connections: CONNECTIONS,
        seconds: SECONDS,
        shortSeconds: SHORT_SECONDS,
        serverWarmupSeconds: SERVER_WARMUP_SECONDS,
      },
      seeds,
      rows,
      verdicts: allVerdicts(),
      profiles,
    });
    process.stdout.write('wrote docs/benchmarks.md and docs/benchmarks-chart.svg\n');
  }
  process.stdout.write(`done in ${minutes.toFixed(1)} minutes\n`);
}

async function cleanup(): Promise<void> {
  for (const child of running) await child.stop().catch(() => undefined);
  for (const schema of schemas) {
    await postgresQuery(`drop schema if exists ${schema} cascade`).catch(() => undefined);
  }
  rmSync(work, { recursive: true, force: true });
}

process.once('SIGINT', () => {
  void cleanup().finally(() => process.exit(130));
});

try {
  await main();
} catch (error) {
  process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
