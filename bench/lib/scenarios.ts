// The benchmark scenarios: what Okta (and an admin importing users) does to Roster, as autocannon
// request sequences. Each returns one row per measurement; the runner adds the ratios.
import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestSpec } from 'autocannon';
import { type LoadResult, runLoad } from './load.ts';
import {
  BENCH_DOMAIN,
  FAMILY_NAMES,
  familyNameOf,
  GIVEN_NAMES,
  oktaCreateBody,
  userNameOf,
} from './people.ts';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface Measurement extends LoadResult {
  scenario: string;
  database: DatabaseKind | 'node:http';
  members: number;
  /** Scenario-specific figure, e.g. people created per second for the initial push. */
  peoplePerSecond?: number;
  /** The push from empty: people created per second over each successive thousand. */
  perThousand?: number[];
  note?: string;
}

export interface ScenarioTarget {
  baseUrl: string;
  pid: number;
  token: string;
  members: number;
  /** Membership ids of random members 2..N (never the Admin, who cannot be deactivated last). */
  sampleIds: string[];
  database: DatabaseKind;
  connections: number;
  /** Seconds for the main scenarios (lookup, push, deactivation). */
  seconds: number;
  /** Seconds for each of the secondary ones (each page, each filter). */
  shortSeconds: number;
}

export const USERS = '/scim/v2/Users';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export function oktaHeaders(target: ScenarioTarget): Record<string, string> {
  return {
    authorization: `Bearer ${target.token}`,
    accept: 'application/scim+json',
    'user-agent': 'Okta SCIM Client 1.0.0',
  };
}

export const WRITE_HEADERS = { 'content-type': 'application/scim+json; charset=utf-8' };

function randomInt(lowest: number, highest: number): number {
  return lowest + Math.floor(Math.random() * (highest - lowest + 1));
}

function pick<T>(values: readonly T[]): T {
  return values[Math.floor(Math.random() * values.length)]!;
}

/** Unmeasured load before each measured run (see LoadOptions.warmupSeconds): 1 s, or less in a quick run. */
function warmupFor(seconds: number): number {
  return Math.min(1, seconds / 4);
}

/** The lookup scenario run against bench/floor-server.ts (Fastify and better-sqlite3, or pg, alone). */
export const FLOOR_SCENARIO = {
  sqlite: 'lookup floor (Fastify + SQLite alone)',
  postgres: 'lookup floor (Fastify + pg alone)',
} as const satisfies Record<DatabaseKind, string>;

/** Okta's lookup before create, exactly as it sends it. */
export function lookupPath(userName: string): string {
  return `${USERS}?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`;
}

function filterPath(filter: string): string {
  return `${USERS}?filter=${encodeURIComponent(filter)}&startIndex=1&count=100`;
}

/** The longest a drain waits for the server to catch up. */
const DRAIN_LIMIT_MS = 120_000;
/** A health check answered this fast means nothing is queued ahead of it any more. */
const IDLE_ANSWER_MS = 50;

/**
 * Waits until the server has answered everything it had already received: autocannon stops sending
 * when its time is up, but a slow scenario's last requests are still queued in the server, and would
 * otherwise be served during (and counted against) the next run. A request autocannon gave up on
 * (its 10-s timeout) is still answered by the server, and autocannon sends another in its place, so
 * a slow scenario can leave more than one request per connection behind: the health check is
 * repeated until one is answered at once. False when the server is still busy after DRAIN_LIMIT_MS.
 */
async function drain(target: ScenarioTarget): Promise<boolean> {
  const deadline = Date.now() + DRAIN_LIMIT_MS;
  while (Date.now() < deadline) {
    const started = performance.now();
    const answered = await fetch(`${target.baseUrl}/healthz`, {
      signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
    })
      .then((response) => response.arrayBuffer())
      .then(
        () => true,
        () => false,
      );
    if (answered && performance.now() - started < IDLE_ANSWER_MS) return true;
    // Refused or reset: the server is not listening (yet, or any more). Do not hammer it.
    if (!answered) await sleep(100);
  }
  return false;
}

const STILL_BUSY = 'measured while the server was still answering an earlier run';

/** A scenario's own note after what `measure` noted, if anything. */
function withNote(measurement: Measurement, note: string): string {
  return measurement.note ? `${measurement.note}; ${note}` : note;
}

/** One measured run of `requests`: the server drained (see `drain`) before its warm-up and after it. */
export async function measure(
  target: ScenarioTarget,
  scenario: string,
  seconds: number,
  requests: RequestSpec[],
): Promise<Measurement> {
  let settled = await drain(target);
  const result = await runLoad({
    baseUrl: target.baseUrl,
    connections: target.connections,
    durationSeconds: seconds,
    headers: oktaHeaders(target),
    requests,
    serverPid: target.pid,
    warmupSeconds: warmupFor(seconds),
    settle: async () => {
      settled = (await drain(target)) && settled;
    },
  });
  return {
    ...result,
    scenario,
    database: target.database,
    members: target.members,
    ...(settled ? {} : { note: STILL_BUSY }),
  };
}

/** Okta's lookup of a random member (any of 2..N) or of a name nobody has, half and half. */
function lookupRequest(target: ScenarioTarget): RequestSpec {
  return {
    method: 'GET',
    setupRequest(request) {
      const userName =
        Math.random() < 0.5
          ? userNameOf(randomInt(2, target.members))
          : `nobody.${Math.random().toString(36).slice(2, 10)}@${BENCH_DOMAIN}`;
      return { ...request, path: lookupPath(userName) };
    },
  };
}

export function lookupScenario(target: ScenarioTarget, label = 'lookup userName eq'): Promise<Measurement> {
  return measure(target, label, target.seconds, [lookupRequest(target)]);
}

/**
 * Lookups, not measured, for a freshly started server: V8 compiles its hot paths during its first
 * seconds of load, and the first scenario measured (with only its own short warm-up) read lower
 * than the same scenario later in the run, most of all in a quick run.
 */
export async function warmUpServer(target: ScenarioTarget, seconds: number): Promise<void> {
  await measure(target, 'warm-up', seconds, [lookupRequest(target)]);
}

/** Okta assigning the app to new people: for each, a lookup (a miss) and then the POST. */
export async function pushScenario(target: ScenarioTarget, runTag: string): Promise<Measurement> {
  let next = 0;
  let created = 0;
  const measurement = await measure(target, 'initial push (lookup + POST)', target.seconds, [
    {
      method: 'GET',
      setupRequest(request, context) {
        next += 1;
        context.n = next;
        context.userName = `new.${runTag}.${next}@${BENCH_DOMAIN}`;
        return { ...request, path: lookupPath(context.userName as string) };
      },
    },
    {
      method: 'POST',
      path: USERS,
      headers: WRITE_HEADERS,
      setupRequest(request, context) {
        return { ...request, body: oktaCreateBody(context.userName as string, context.n as number) };
      },
      onResponse(status) {
        if (status === 201) created += 1;
      },
    },
  ]);
  return {
    ...measurement,
    peoplePerSecond: created / measurement.seconds,
    note: withNote(measurement, `${created} people created`),
  };
}

/** Okta unassigning people: path-less replace of `active`. Each request really changes someone. */
export function deactivationScenario(
  target: ScenarioTarget,
  label = 'deactivate (PATCH active)',
): Promise<Measurement> {
  const ids = target.sampleIds;
  let next = 0;
  return measure(target, label, target.seconds, [
    {
      method: 'PATCH',
      headers: WRITE_HEADERS,
      setupRequest(request) {
        const i = next++;
        // First pass over the sample deactivates, the next one reactivates, and so on.
        const active = Math.floor(i / ids.length) % 2 === 1;
        const body = JSON.stringify({
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', value: { active } }],
        });
        return { ...request, path: `${USERS}/${ids[i % ids.length]}`, body };
      },
    },
  ]);
}

export type PagePosition = 'first' | 'middle' | 'last';

export function startIndexOf(position: PagePosition, members: number): number {
  if (position === 'first') return 1;
  if (position === 'middle') return Math.max(1, Math.floor(members / 2));
  return Math.max(1, members - 99);
}

/**
 * An import (or Okta's "import users"): pages of 100 at the first, middle and last positions. Each
 * connection asks for them in turn within ONE run, so the three are compared under the same load;
 * each gets a third of the responses (its req/s is a third of the run's, its CPU the run's average).
 */
export async function pagingScenario(target: ScenarioTarget): Promise<Measurement[]> {
  const positions: PagePosition[] = ['first', 'middle', 'last'];
  const requests = positions.map((position) => ({
    method: 'GET',
    path: `${USERS}?startIndex=${startIndexOf(position, target.members)}&count=100`,
  }));
  const run = await measure(target, 'pages', target.shortSeconds * 3, requests);
  return positions.map((position, i) => {
    const own = run.byRequest[i]!;
    return {
      ...run,
      scenario: `page ${position} (count=100)`,
      responses: own.responses,
      rps: own.responses / run.seconds,
      p50: own.p50,
      p99: own.p99,
      note: withNote(run, 'the three pages interleaved in one run'),
    };
  });
}

export interface FilterCase {
  label: string;
  filter(members: number): string;
}

/** Searches an admin or a script would make; values match a handful of members each. */
export const FILTER_CASES: readonly FilterCase[] = [
  {
    label: 'filter emails.value sw',
    filter: () => `emails.value sw "${pick(GIVEN_NAMES).toLowerCase()}.${pick(FAMILY_NAMES).toLowerCase()}."`,
  },
  {
    label: 'filter emails.value co',
    filter: (members) => {
      const seq = randomInt(2, members);
      return `emails.value co "${familyNameOf(seq).toLowerCase()}.${seq}@"`;
    },
  },
  {
    label: 'filter displayName sw',
    filter: () => `displayName sw "${pick(GIVEN_NAMES)} ${pick(FAMILY_NAMES).slice(0, 3)}"`,
  },
  {
    label: 'filter displayName co',
    filter: () => `displayName co "${pick(GIVEN_NAMES).slice(1)} ${pick(FAMILY_NAMES)}"`,
  },
  {
    // What Entra ID sends to find a person by email.
    label: 'filter emails[type eq "work"].value eq',
    filter: (members) => `emails[type eq "work"].value eq "${userNameOf(randomInt(2, members))}"`,
  },
];

export function filterScenario(target: ScenarioTarget, filterCase: FilterCase): Promise<Measurement> {
  return measure(target, filterCase.label, target.shortSeconds, [
    {
      method: 'GET',
      setupRequest: (request) => ({ ...request, path: filterPath(filterCase.filter(target.members)) }),
    },
  ]);
}

/** The bare-node yardstick, under the same connections and duration as the lookup. */
export async function baselineScenario(
  baseUrl: string,
  pid: number,
  members: number,
  connections: number,
  seconds: number,
): Promise<Measurement> {
  const result = await runLoad({
    baseUrl,
    connections,
    durationSeconds: seconds,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, path: lookupPath(userNameOf(randomInt(2, members))) }),
      },
    ],
    serverPid: pid,
    warmupSeconds: warmupFor(seconds),
  });
  return { ...result, scenario: 'baseline (bare node:http)', database: 'node:http', members };
}

/** Checks the server answers the lookup as Okta expects before it is measured; returns a hit's body. */
export async function checkLookups(target: ScenarioTarget): Promise<string> {
  const get = async (userName: string) => {
    const response = await fetch(`${target.baseUrl}${lookupPath(userName)}`, {
      headers: oktaHeaders(target),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`lookup answered ${response.status}: ${text}`);
    return { text, total: (JSON.parse(text) as { totalResults: number }).totalResults };
  };
  const seq = Math.max(1, Math.min(target.members, 2));
  const hit = await get(userNameOf(seq).toUpperCase());
  if (seq >= 2 && hit.total !== 1) throw new Error(`lookup of member ${seq} found ${hit.total}`);
  const miss = await get(`nobody@${BENCH_DOMAIN}`);
  if (miss.total !== 0) throw new Error(`lookup of nobody found ${miss.total}`);
  return hit.text;
}
