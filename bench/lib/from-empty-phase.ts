// The from-empty phase of `npm run bench`, on one database: for each of Okta's two credentials, a
// fresh database, a new organization made by the CLI, a server started on it, Okta's push of N
// people, the lookups after it and the floor beside them. Where a target is not met, the same load
// is sent once more to a server started with --cpu-prof, and the profile's summary says where the
// time went.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  CREDENTIALS,
  FROM_EMPTY,
  newOrganization,
  type OktaCredential,
  pushFromEmpty,
} from './from-empty.ts';
import { credentialVerdicts, type FromEmptyPart } from './from-empty-verdicts.ts';
import { importScenario, sampleMemberIds } from './import-pages.ts';
import { ROOT, type RosterServer } from './processes.ts';
import { monotonicMicroseconds, type ProfileSummary, summarizeProfileFile } from './profile-summary.ts';
import type { Row } from './report.ts';
import {
  checkLookups,
  type DatabaseKind,
  deactivationScenario,
  lookupScenario,
  type Measurement,
  type ScenarioTarget,
  warmUpServer,
} from './scenarios.ts';

/** What the runner (bench/run.ts) lends this phase. */
export interface FromEmptyContext {
  work: string;
  connections: number;
  seconds: number;
  shortSeconds: number;
  /** Unmeasured lookups (all misses) a freshly started server answers before the push. */
  warmupSeconds: number;
  /** A quick run profiles a shorter push. */
  quick: boolean;
  postgresUrl: string;
  /** PostgreSQL schemas in use, dropped by the runner should the run be interrupted. */
  schemas: string[];
  /** Profile summaries of the scenarios that missed a target, printed after the verdicts. */
  profiles: ProfileSummary[];
  say(message: string): void;
  record(measurement: Measurement, baselineRps: number | undefined, databaseMiB: number | undefined): Row;
  withServer<T>(
    options: { databaseUrl: string; env?: Record<string, string>; nodeFlags?: string[] },
    use: (server: RosterServer) => Promise<T>,
  ): Promise<T>;
  measureFloor(roster: ScenarioTarget, database: string, env: Record<string, string>): Promise<Measurement>;
  postgresQuery(text: string): Promise<void>;
  sqliteSize(path: string): number;
  postgresSize(schema: string): Promise<number | undefined>;
}

const LABEL = { sqlite: 'SQLite', postgres: 'PostgreSQL' } as const;
/** People pushed (after the measured ones) to a profiled server, when a push missed a target. */
const PROFILED_PEOPLE = { quick: 500, default: 1000 };
/** People pushed to the profiled server before its profiled push (outside the profile's window). */
const WARM_PEOPLE = 100;
/** Members Okta deactivates (then reactivates, in turn): each PATCH is a real change. */
const DEACTIVATED_SAMPLE = 2000;

interface FreshDatabase {
  url: string;
  env: Record<string, string>;
  /** What bench/floor-server.ts opens: the SQLite file, or the PostgreSQL URL. */
  floor: string;
  sizeMiB(): Promise<number | undefined>;
  dispose(): Promise<void>;
}

async function freshDatabase(ctx: FromEmptyContext, database: DatabaseKind): Promise<FreshDatabase> {
  const name = randomBytes(5).toString('hex');
  if (database === 'sqlite') {
    const dir = join(ctx.work, `empty-${name}`);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'roster.db');
    return {
      url: `sqlite:${path}`,
      env: {},
      floor: path,
      sizeMiB: async () => ctx.sqliteSize(path),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = `bench_${name}`;
  await ctx.postgresQuery(`create schema ${schema}`);
  ctx.schemas.push(schema);
  return {
    url: ctx.postgresUrl,
    env: { PGOPTIONS: `-c search_path=${schema}` },
    floor: ctx.postgresUrl,
    sizeMiB: () => ctx.postgresSize(schema),
    async dispose() {
      await ctx.postgresQuery(`drop schema if exists ${schema} cascade`).catch(() => undefined);
      ctx.schemas.splice(ctx.schemas.indexOf(schema), 1);
    },
  };
}

/** The longest a push may take: a server slower than 50 people/s is stopped (and says so). */
function pushLimitSeconds(people: number): number {
  return Math.max(120, people / 50);
}

function targetOf(
  ctx: FromEmptyContext,
  server: RosterServer,
  token: string,
  database: DatabaseKind,
  members: number,
): ScenarioTarget {
  return {
    baseUrl: server.baseUrl,
    pid: server.pid,
    token,
    members,
    sampleIds: [],
    database,
    connections: ctx.connections,
    seconds: ctx.seconds,
    shortSeconds: ctx.shortSeconds,
  };
}

interface ProfiledLoad {
  title: string;
  token: string;
  /** Members already there: the Admin and the people pushed. */
  members: number;
  /** Unprofiled load first, so that the profile shows the server's hot paths, not their compilation. */
  warm(target: ScenarioTarget): Promise<unknown>;
  /**
   * The profiled load; resolves with how long it kept the server busy when that is shorter than it
   * took to resolve (autocannon ends a run of a fixed number of requests on its next whole second).
   */
  load(target: ScenarioTarget): Promise<number | undefined>;
}

/**
 * Sends a load to a server started with --cpu-prof on the same database and summarises the profile
 * it writes when it stops: the samples taken under the load, not the start-up, warm-up or shutdown.
 */
async function profiled(
  ctx: FromEmptyContext,
  db: FreshDatabase,
  database: DatabaseKind,
  what: ProfiledLoad,
): Promise<void> {
  const title = what.title;
  const dir = join(ctx.work, `profile-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  ctx.say(`  profiling: ${title}`);
  let window: { fromUs: number; toUs: number } | undefined;
  await ctx.withServer(
    { databaseUrl: db.url, env: db.env, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] },
    async (server) => {
      const target = targetOf(ctx, server, what.token, database, what.members);
      await what.warm(target);
      const fromUs = monotonicMicroseconds();
      const busySeconds = await what.load(target);
      window = {
        fromUs,
        toUs: busySeconds === undefined ? monotonicMicroseconds() : fromUs + busySeconds * 1e6,
      };
    },
  );
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) {
    ctx.say('  (the profiled server wrote no profile)');
    return;
  }
  ctx.profiles.push(summarizeProfileFile(title, join(dir, file), join(ROOT, 'dist', 'roster.mjs'), window));
  rmSync(dir, { recursive: true, force: true });
}

/** Pairs of runs in `alternatingLookups`: each token's figure is the median of its runs. */
const ALTERNATING_PAIRS = { quick: 4, default: 6 };
/** Seconds of each of those runs: a quick run's 1 s runs were mostly their own warm-up. */
const RUN_SECONDS = (ctx: FromEmptyContext) => Math.max(2, ctx.shortSeconds);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The responses of several runs by status code, added up. */
function statusCodesOf(runs: readonly Measurement[]): Record<string, number> {
  const codes: Record<string, number> = {};
  for (const run of runs) {
    for (const [code, n] of Object.entries(run.statusCodes)) codes[code] = (codes[code] ?? 0) + n;
  }
  return codes;
}

/**
 * The personal token's cost per lookup, measured fairly: on the server the personal token pushed
 * to, short lookup runs alternate between that token and a service token of the same organization
 * (which goes first alternates too), so that both meet the same server, data and machine load. The
 * two servers' lookups, measured a minute apart on a shared machine, differed by more than the 10%
 * judged (+22% and +55% CPU per lookup in two runs of the same code). Each row holds the medians
 * of its token's runs.
 */
async function alternatingLookups(
  ctx: FromEmptyContext,
  target: ScenarioTarget,
  serviceToken: string,
  people: number,
): Promise<Measurement[]> {
  const runs: Record<OktaCredential, Measurement[]> = { personal: [], service: [] };
  const tokens: Record<OktaCredential, string> = { personal: target.token, service: serviceToken };
  const pairs = ctx.quick ? ALTERNATING_PAIRS.quick : ALTERNATING_PAIRS.default;
  for (let pair = 0; pair < pairs; pair += 1) {
    const order: OktaCredential[] = pair % 2 === 0 ? ['personal', 'service'] : ['service', 'personal'];
    for (const credential of order) {
      const run = { ...target, token: tokens[credential], seconds: RUN_SECONDS(ctx) };
      runs[credential].push(await lookupScenario(run, FROM_EMPTY.interleaved(credential)));
    }
  }
  return (['personal', 'service'] as const).map((credential) => {
    const own = runs[credential];
    const cpu = own.map((run) => run.cpuMsPerResponse).filter((ms): ms is number => ms !== undefined);
    const sum = (pick: (run: Measurement) => number) => own.reduce((total, run) => total + pick(run), 0);
    return {
      ...own[0]!,
      responses: sum((run) => run.responses),
      seconds: sum((run) => run.seconds),
      non2xx: sum((run) => run.non2xx),
      errors: sum((run) => run.errors),
      timeouts: sum((run) => run.timeouts),
      statusCodes: statusCodesOf(own),
      rps: median(own.map((run) => run.rps)),
      p50: median(own.map((run) => run.p50)),
      p99: median(own.map((run) => run.p99)),
      max: Math.max(...own.map((run) => run.max)),
      rssPeakMiB: Math.max(...own.map((run) => run.rssPeakMiB)),
      cpuMsPerResponse: cpu.length === own.length ? median(cpu) : undefined,
      members: people,
      note: `medians of ${own.length} runs of ${RUN_SECONDS(ctx)} s`,
    };
  });
}

async function runCredential(
  ctx: FromEmptyContext,
  database: DatabaseKind,
  people: number,
  credential: OktaCredential,
  alreadyProfiled: Set<string>,
): Promise<void> {
  const db = await freshDatabase(ctx, database);
  try {
    ctx.say(`${LABEL[database]}, from empty with a ${credential} token: roster init, roster tokens create`);
    const org = await newOrganization(db.url, db.env, credential);
    ctx.say(`  organization ${org.slug} made in ${org.seconds.toFixed(1)} s; Okta pushes ${people} people`);
    const rows: Row[] = [];
    await ctx.withServer({ databaseUrl: db.url, env: db.env }, async (server) => {
      const empty = targetOf(ctx, server, org.token, database, 1);
      await warmUpServer(empty, ctx.warmupSeconds);
      const push = await pushFromEmpty(empty, people, FROM_EMPTY.push(credential), pushLimitSeconds(people));
      const size = await db.sizeMiB();
      rows.push(ctx.record(push, undefined, size));
      // The Admin and the people pushed: lookups pick members 2..N+1, or names nobody has.
      const full = targetOf(ctx, server, org.token, database, people + 1);
      await checkLookups(full);
      const lookup = await lookupScenario(full, FROM_EMPTY.lookup(credential));
      rows.push(ctx.record({ ...lookup, members: people }, undefined, size));
      const floor = await ctx.measureFloor({ ...full, token: org.floorToken }, db.floor, db.env);
      const floorRow = { ...floor, scenario: FROM_EMPTY.floor(credential, database), members: people };
      rows.push(ctx.record(floorRow, undefined, size));
      if (credential === 'personal') {
        for (const row of await alternatingLookups(ctx, full, org.floorToken, people)) {
          rows.push(ctx.record(row, undefined, size));
        }
      }
      const imported = await importScenario(full, FROM_EMPTY.import(credential));
      rows.push(ctx.record({ ...imported, members: people }, undefined, size));
      // Last: it changes the members the scenarios above read.
      full.sampleIds.push(...(await sampleMemberIds(full, DEACTIVATED_SAMPLE)));
      const deactivated = await deactivationScenario(full, FROM_EMPTY.deactivate(credential));
      rows.push(ctx.record({ ...deactivated, members: people }, undefined, size));
    });
    const verdicts = credentialVerdicts(rows, database, people, credential);
    const missed = (part: FromEmptyPart) =>
      verdicts[part].some((v) => v.met === false) && !alreadyProfiled.has(`${database} ${part}`);
    // One profile of each kind per database: the other credential's would mostly repeat it.
    const at = `${people.toLocaleString('en-US')} (${LABEL[database]}, ${credential} token)`;
    if (missed('push')) {
      alreadyProfiled.add(`${database} push`);
      const profiledPeople = ctx.quick ? PROFILED_PEOPLE.quick : PROFILED_PEOPLE.default;
      const limit = pushLimitSeconds(profiledPeople);
      await profiled(ctx, db, database, {
        title: `${profiledPeople} more people pushed after the ${at}`,
        token: org.token,
        members: people + 1,
        warm: (t) => pushFromEmpty(t, WARM_PEOPLE, 'warm-up', limit, people + 2),
        load: async (t) =>
          (await pushFromEmpty(t, profiledPeople, 'profiled push', limit, people + 2 + WARM_PEOPLE)).seconds,
      });
    }
    if (missed('lookup')) {
      alreadyProfiled.add(`${database} lookup`);
      await profiled(ctx, db, database, {
        title: `lookups after the push of ${at}`,
        token: org.token,
        members: people + 1,
        warm: (t) => warmUpServer(t, ctx.warmupSeconds),
        load: async (t) => {
          await lookupScenario({ ...t, seconds: ctx.shortSeconds });
          return undefined;
        },
      });
    }
    if (missed('import')) {
      alreadyProfiled.add(`${database} import`);
      await profiled(ctx, db, database, {
        title: `an import after the push of ${at}`,
        token: org.token,
        members: people + 1,
        warm: (t) => warmUpServer(t, ctx.warmupSeconds),
        load: async (t) => {
          await importScenario({ ...t, seconds: ctx.shortSeconds }, 'profiled import');
          return undefined;
        },
      });
    }
    if (missed('deactivate')) {
      alreadyProfiled.add(`${database} deactivate`);
      await profiled(ctx, db, database, {
        title: `deactivations after the push of ${at}`,
        token: org.token,
        members: people + 1,
        warm: async (t) => {
          t.sampleIds.push(...(await sampleMemberIds(t, DEACTIVATED_SAMPLE)));
          await warmUpServer(t, ctx.warmupSeconds);
        },
        load: async (t) => {
          await deactivationScenario({ ...t, seconds: ctx.shortSeconds }, 'profiled deactivations');
          return undefined;
        },
      });
    }
  } finally {
    await db.dispose();
  }
}

/** Okta's first push into a new organization, with each credential in turn, at each size. */
export async function runFromEmpty(
  ctx: FromEmptyContext,
  database: DatabaseKind,
  sizes: readonly number[],
): Promise<void> {
  const alreadyProfiled = new Set<string>();
  for (const people of sizes) {
    for (const credential of CREDENTIALS)
      await runCredential(ctx, database, people, credential, alreadyProfiled);
  }
}
