// The targets for the push from empty and the lookups after it (issue 17), judged on one
// run's rows: each credential's push and lookups, the floor measured beside them, and the personal
// token's cost per lookup over the service token's.
import { CREDENTIALS, FROM_EMPTY, type OktaCredential } from './from-empty.ts';
import type { Row, Verdict } from './report.ts';
import type { DatabaseKind } from './scenarios.ts';

export const PUSH_TARGET_PEOPLE_PER_SECOND = 1500;
/** The last thousand people may take at most this many times the first thousand's time per person. */
export const LAST_THOUSAND_SLOWDOWN = 1.2;
/** Lookups' requests/s as a share of the floor's (Fastify and the driver alone) on the same data. */
export const FLOOR_SHARE = { sqlite: 0.7, postgres: 0.8 } as const satisfies Record<DatabaseKind, number>;
export const P99_LIMIT_MS = 10;
/** A personal token may cost at most this much more than a service token per lookup. */
export const PERSONAL_TOKEN_OVERHEAD = 1.1;
/** Okta's deactivations (`PATCH active`), answered per second. */
export const DEACTIVATE_TARGET_PER_SECOND = 2000;
/** An import's pages of 100, answered per second. */
export const IMPORT_TARGET_PAGES_PER_SECOND = 400;

/** The parts of one credential's run, each with its verdicts (and, when one is missed, its profile). */
export type FromEmptyPart = 'push' | 'lookup' | 'import' | 'deactivate';

const DATABASES: readonly DatabaseKind[] = ['sqlite', 'postgres'];
const LABEL = { sqlite: 'SQLite', postgres: 'PostgreSQL' } as const;

function size(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n);
}

function rowOf(rows: readonly Row[], database: DatabaseKind, scenario: string, people: number) {
  return rows.find((r) => r.database === database && r.scenario === scenario && r.members === people);
}

function errorsOf(row: Row): number {
  return row.non2xx + row.errors + row.timeouts;
}

const percent = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(0)}%`;

/** A rate target on one row: at least `least` per second, and no request refused or lost. */
function rateVerdict(row: Row | undefined, target: string, least: number, unit: string): Verdict {
  return {
    target,
    measured: row ? `${row.rps.toFixed(0)} ${unit}/s, ${errorsOf(row)} errors` : 'not run',
    met: row ? row.rps >= least && errorsOf(row) === 0 : undefined,
  };
}

/** One credential's verdicts at one size, on one database. */
export function credentialVerdicts(
  rows: readonly Row[],
  database: DatabaseKind,
  people: number,
  credential: OktaCredential,
): Record<FromEmptyPart, Verdict[]> {
  const at = `${LABEL[database]}, ${size(people)}, ${credential} token`;
  const push = rowOf(rows, database, FROM_EMPTY.push(credential), people);
  const lookup = rowOf(rows, database, FROM_EMPTY.lookup(credential), people);
  const floor = rowOf(rows, database, FROM_EMPTY.floor(credential, database), people);
  const rates = push?.perThousand ?? [];
  const first = rates[0];
  const last = rates.length >= 2 ? rates.at(-1) : undefined;
  // Time per person is the inverse of people/s: the last thousand's over the first's.
  const slowdown = first !== undefined && last !== undefined ? first / last : undefined;
  const share = FLOOR_SHARE[database];
  return {
    push: [
      {
        target: `push from empty ≥ ${PUSH_TARGET_PEOPLE_PER_SECOND.toLocaleString('en-US')} people/s, no errors (${at})`,
        measured: push
          ? `${(push.peoplePerSecond ?? 0).toFixed(0)} people/s, ${errorsOf(push)} errors`
          : 'not run',
        met: push
          ? (push.peoplePerSecond ?? 0) >= PUSH_TARGET_PEOPLE_PER_SECOND && errorsOf(push) === 0
          : undefined,
      },
      {
        target: `push from empty: the last thousand no slower than ${LAST_THOUSAND_SLOWDOWN}× the first (${at})`,
        measured:
          slowdown === undefined || first === undefined || last === undefined
            ? push
              ? 'fewer than two thousand people created'
              : 'not run'
            : `first 1000 at ${first.toFixed(0)} people/s, last 1000 at ${last.toFixed(0)} people/s (${slowdown.toFixed(2)}× the time per person)`,
        met: slowdown === undefined ? undefined : slowdown <= LAST_THOUSAND_SLOWDOWN,
      },
    ],
    lookup: [
      {
        target: `lookup ≥ ${share * 100}% of the floor's req/s (${at})`,
        measured:
          lookup && floor
            ? `${lookup.rps.toFixed(0)} vs ${floor.rps.toFixed(0)} req/s (${((lookup.rps / floor.rps) * 100).toFixed(0)}%)`
            : 'not run',
        met: lookup && floor ? lookup.rps >= share * floor.rps && errorsOf(lookup) === 0 : undefined,
      },
      {
        target: `lookup p99 < ${P99_LIMIT_MS} ms at 10 connections (${at})`,
        measured: lookup ? `${lookup.p99.toFixed(2)} ms` : 'not run',
        met: lookup ? lookup.p99 < P99_LIMIT_MS : undefined,
      },
    ],
    import: [
      rateVerdict(
        rowOf(rows, database, FROM_EMPTY.import(credential), people),
        `import ≥ ${IMPORT_TARGET_PAGES_PER_SECOND} pages of 100 a second, no errors (${at})`,
        IMPORT_TARGET_PAGES_PER_SECOND,
        'pages',
      ),
    ],
    deactivate: [
      rateVerdict(
        rowOf(rows, database, FROM_EMPTY.deactivate(credential), people),
        `deactivate (PATCH active) ≥ ${DEACTIVATE_TARGET_PER_SECOND.toLocaleString('en-US')}/s, no errors (${at})`,
        DEACTIVATE_TARGET_PER_SECOND,
        'PATCH',
      ),
    ],
  };
}

/**
 * The same judgement from the runs that alternated the two tokens on one server (the personal
 * token's push's, bench/lib/from-empty-phase.ts): CPU per lookup and time per lookup (1 / req/s),
 * each the median of its token's runs; undefined when those runs were not made.
 */
function alternatingTokenCost(rows: readonly Row[], database: DatabaseKind, people: number) {
  const personal = rowOf(rows, database, FROM_EMPTY.interleaved('personal'), people);
  const service = rowOf(rows, database, FROM_EMPTY.interleaved('service'), people);
  if (!personal || !service) return undefined;
  const target = `a personal token costs ≤ ${percent(PERSONAL_TOKEN_OVERHEAD - 1)} over a service token per lookup (${LABEL[database]}, ${size(people)}; runs alternating on one server)`;
  const cpu =
    personal.cpuMsPerResponse !== undefined && service.cpuMsPerResponse !== undefined
      ? personal.cpuMsPerResponse / service.cpuMsPerResponse
      : undefined;
  const time = service.rps / personal.rps;
  const measured = [
    cpu === undefined
      ? 'CPU per lookup unknown'
      : `CPU ${personal.cpuMsPerResponse!.toFixed(3)} vs ${service.cpuMsPerResponse!.toFixed(3)} ms/lookup (${percent(cpu - 1)})`,
    `time per lookup ${percent(time - 1)} (${personal.rps.toFixed(0)} vs ${service.rps.toFixed(0)} req/s)`,
  ].join('; ');
  const errors = errorsOf(personal) + errorsOf(service);
  return {
    target,
    measured: errors > 0 ? `${measured}; ${errors} errors` : measured,
    met:
      cpu !== undefined && cpu <= PERSONAL_TOKEN_OVERHEAD && time <= PERSONAL_TOKEN_OVERHEAD && errors === 0,
  };
}

/**
 * The personal token's cost per lookup over the service token's: in the server's CPU per lookup,
 * and in time per lookup over the floor measured beside each (the two lookups ran on two servers
 * a minute apart; each against its own floor cancels the machine's drift between them).
 */
export function tokenCostVerdict(rows: readonly Row[], database: DatabaseKind, people: number): Verdict {
  const alternating = alternatingTokenCost(rows, database, people);
  if (alternating) return alternating;
  const personal = rowOf(rows, database, FROM_EMPTY.lookup('personal'), people);
  const service = rowOf(rows, database, FROM_EMPTY.lookup('service'), people);
  const personalFloor = rowOf(rows, database, FROM_EMPTY.floor('personal', database), people);
  const serviceFloor = rowOf(rows, database, FROM_EMPTY.floor('service', database), people);
  const target = `a personal token costs ≤ ${percent(PERSONAL_TOKEN_OVERHEAD - 1)} over a service token per lookup (${LABEL[database]}, ${size(people)})`;
  if (!personal || !service) return { target, measured: 'not run', met: undefined };
  const cpu =
    personal.cpuMsPerResponse !== undefined && service.cpuMsPerResponse !== undefined
      ? personal.cpuMsPerResponse / service.cpuMsPerResponse
      : undefined;
  // Time per lookup is 1 / (req/s): relative to the floor's, (floor / lookup).
  const time =
    personalFloor && serviceFloor
      ? personalFloor.rps / personal.rps / (serviceFloor.rps / service.rps)
      : service.rps / personal.rps;
  const measured = [
    cpu === undefined
      ? 'CPU per lookup unknown'
      : `CPU ${personal.cpuMsPerResponse!.toFixed(3)} vs ${service.cpuMsPerResponse!.toFixed(3)} ms/lookup (${percent(cpu - 1)})`,
    `time per lookup${personalFloor && serviceFloor ? ' over the floor' : ''} ${percent(time - 1)}`,
    `raw ${personal.rps.toFixed(0)} vs ${service.rps.toFixed(0)} req/s`,
  ].join('; ');
  return {
    target,
    measured,
    met: cpu !== undefined && cpu <= PERSONAL_TOKEN_OVERHEAD && time <= PERSONAL_TOKEN_OVERHEAD,
  };
}

/** Every from-empty verdict the rows allow, database by database and size by size. */
export function fromEmptyVerdicts(rows: readonly Row[]): Verdict[] {
  const out: Verdict[] = [];
  for (const database of DATABASES) {
    const sizes = [
      ...new Set(
        rows
          .filter(
            (r) => r.database === database && CREDENTIALS.some((c) => r.scenario === FROM_EMPTY.push(c)),
          )
          .map((r) => r.members),
      ),
    ].sort((a, b) => a - b);
    for (const people of sizes) {
      const byCredential = CREDENTIALS.map((c) => credentialVerdicts(rows, database, people, c));
      for (const part of ['push', 'lookup'] as const) {
        for (const verdicts of byCredential) out.push(...verdicts[part]);
      }
      out.push(tokenCostVerdict(rows, database, people));
      for (const part of ['import', 'deactivate'] as const) {
        for (const verdicts of byCredential) out.push(...verdicts[part]);
      }
    }
  }
  return out;
}
