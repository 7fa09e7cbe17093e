// The push from empty: what Okta's first push does to a NEW organization. The organization is made
// by the real CLI as a new user makes it (`roster init`, then `roster tokens create` for Okta's
// credential), and every person arrives over HTTP exactly as Okta sends them: a lookup of the
// userName (a miss) and then the POST, ten people in flight. Nothing is seeded.
import { join } from 'node:path';
import { type LoadResult, runLoad } from './load.ts';
import { BENCH_DOMAIN, oktaCreateBody, userNameOf } from './people.ts';
import { ROOT, runToCompletion } from './processes.ts';
import {
  type DatabaseKind,
  lookupPath,
  type Measurement,
  oktaHeaders,
  type ScenarioTarget,
  USERS,
  WRITE_HEADERS,
} from './scenarios.ts';

/** The two credentials the Okta guide (docs/okta.md) offers. */
export type OktaCredential = 'personal' | 'service';
export const CREDENTIALS: readonly OktaCredential[] = ['personal', 'service'];

const CREDENTIAL_NAMES = {
  personal: "an Admin's personal token",
  service: 'a service token',
} as const satisfies Record<OktaCredential, string>;

export function credentialName(credential: OktaCredential): string {
  return CREDENTIAL_NAMES[credential];
}

/**
 * The rows' scenario names: a push, the lookups after it, the floor measured beside them, then an
 * import of the whole organization and Okta's deactivations, with the same credential.
 */
export const FROM_EMPTY = {
  push: (credential: OktaCredential) => `push from empty, ${credential} token (lookup + POST)`,
  lookup: (credential: OktaCredential) => `lookup after that push, ${credential} token`,
  import: (credential: OktaCredential) => `import after that push, ${credential} token (pages of 100)`,
  deactivate: (credential: OktaCredential) =>
    `deactivate after that push, ${credential} token (PATCH active)`,
  /**
   * The lookups of the personal-token push's server, with the personal token and with a service
   * token of the same organization in alternate short runs: the token cost's fair comparison.
   */
  interleaved: (credential: OktaCredential) =>
    `lookup, ${credential} token, in runs alternating with the other token`,
  floor: (credential: OktaCredential, database: DatabaseKind) =>
    `floor after the ${credential}-token push (Fastify + ${database === 'sqlite' ? 'SQLite' : 'pg'} alone)`,
};

/** The Admin `roster init` makes; the people pushed are members 2..N+1 (bench/lib/people.ts). */
export const ADMIN_EMAIL = `admin@${BENCH_DOMAIN}`;

export interface NewOrganization {
  slug: string;
  /** The generated password `roster init` printed (shown once). */
  adminPassword: string;
  /** Okta's credential, as `roster tokens create` printed it. */
  token: string;
  /** A service token for the floor server, which reads service tokens only. */
  floorToken: string;
  /** Seconds the three CLI commands took together. */
  seconds: number;
}

/** Runs `roster …args --json` (bin/roster.js, as a user runs it) and parses what it printed. */
async function roster(args: string[], env: Record<string, string>): Promise<Record<string, unknown>> {
  const stdout = await runToCompletion([join(ROOT, 'bin', 'roster.js'), ...args, '--json'], env, 120_000);
  return JSON.parse(stdout) as Record<string, unknown>;
}

/**
 * A new organization on an empty database, as the README's first steps make it: `roster init`,
 * then Okta's credential — for a personal token, the Admin's own (the CLI form of the dashboard's
 * Settings → Account → Personal access tokens → Generate, role Admin: the same `rst_pat_` token);
 * for a service token, the README's `roster tokens create … --service` line.
 */
export async function newOrganization(
  databaseUrl: string,
  env: Record<string, string>,
  credential: OktaCredential,
): Promise<NewOrganization> {
  const started = performance.now();
  const cliEnv = { ...env, DATABASE_URL: databaseUrl };
  const init = (await roster(['init', '--org-name', 'Acme Inc', '--admin-email', ADMIN_EMAIL], cliEnv)) as {
    organization: { slug: string };
    password: string;
  };
  const slug = init.organization.slug;
  const owner = credential === 'personal' ? ['--user', ADMIN_EMAIL] : ['--service'];
  const okta = await roster(
    ['tokens', 'create', '--org', slug, '--name', 'okta', '--role', 'admin', ...owner],
    cliEnv,
  );
  const floor =
    credential === 'service'
      ? okta
      : await roster(
          ['tokens', 'create', '--org', slug, '--name', 'bench-floor', '--role', 'admin', '--service'],
          cliEnv,
        );
  return {
    slug,
    adminPassword: init.password,
    token: String(okta.token),
    floorToken: String(floor.token),
    seconds: (performance.now() - started) / 1000,
  };
}

/** People per second over each successive thousand, from the times (ms) each thousandth was created. */
export function thousandsRates(startedAt: number, marks: readonly number[]): number[] {
  return marks.map((at, i) => 1000 / ((at - (i === 0 ? startedAt : marks[i - 1]!)) / 1000));
}

/**
 * Okta's push of `people` new people (members `firstSeq`…): per person a lookup by userName (a
 * miss) and the POST, each of `connections` connections sending one person after another. Stops
 * after `limitSeconds` at the latest. The measurement counts both requests; peoplePerSecond and
 * perThousand count people created (201).
 */
export async function pushFromEmpty(
  target: ScenarioTarget,
  people: number,
  label: string,
  limitSeconds: number,
  firstSeq = 2,
): Promise<Measurement> {
  let next = firstSeq;
  let created = 0;
  let startedAt: number | undefined;
  let lastAt = 0;
  const marks: number[] = [];
  // Each connection sends `amount / connections` requests: an even number, so whole people.
  const perConnection = Math.ceil(people / target.connections);
  const result: LoadResult = await runLoad({
    baseUrl: target.baseUrl,
    connections: target.connections,
    durationSeconds: limitSeconds,
    amount: perConnection * target.connections * 2,
    headers: oktaHeaders(target),
    serverPid: target.pid,
    requests: [
      {
        method: 'GET',
        setupRequest(request, context) {
          startedAt ??= performance.now();
          context.seq = next;
          next += 1;
          context.userName = userNameOf(context.seq as number);
          return { ...request, path: lookupPath(context.userName as string) };
        },
      },
      {
        method: 'POST',
        path: USERS,
        headers: WRITE_HEADERS,
        setupRequest(request, context) {
          return { ...request, body: oktaCreateBody(context.userName as string, context.seq as number) };
        },
        onResponse(status) {
          lastAt = performance.now();
          if (status !== 201) return;
          created += 1;
          if (created % 1000 === 0) marks.push(performance.now());
        },
      },
    ],
  });
  const perThousand = thousandsRates(startedAt ?? 0, marks);
  const complete = created >= perConnection * target.connections;
  // autocannon ends a run of a fixed number of requests on its next whole-second tick, and its
  // duration counts that wait: the push's time is from its first request to its last answer.
  const seconds =
    startedAt !== undefined && lastAt > startedAt ? (lastAt - startedAt) / 1000 : result.seconds;
  return {
    ...result,
    seconds,
    rps: result.responses / seconds,
    scenario: label,
    database: target.database,
    members: people,
    peoplePerSecond: created / seconds,
    perThousand,
    note: [
      complete
        ? `${created} people created`
        : `STOPPED after ${limitSeconds} s: ${created} of ${people} created`,
      perThousand.length >= 2
        ? `first 1000 at ${perThousand[0]!.toFixed(0)}/s, last 1000 at ${perThousand.at(-1)!.toFixed(0)}/s`
        : '',
    ]
      .filter(Boolean)
      .join('; '),
  };
}
