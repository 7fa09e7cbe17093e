import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FROM_EMPTY, type OktaCredential, thousandsRates } from '../../bench/lib/from-empty.ts';
import {
  credentialVerdicts,
  fromEmptyVerdicts,
  tokenCostVerdict,
} from '../../bench/lib/from-empty-verdicts.ts';
import type { Row } from '../../bench/lib/report.ts';
import type { DatabaseKind } from '../../bench/lib/scenarios.ts';
import { benchRow } from '../helpers/bench-row.ts';

const PEOPLE = 10_000;

function row(scenario: string, fields: Partial<Row> = {}, database: DatabaseKind = 'sqlite'): Row {
  return benchRow({ scenario, database, members: PEOPLE, ...fields });
}

function push(credential: OktaCredential, peoplePerSecond: number, perThousand: number[], errors = 0) {
  return row(FROM_EMPTY.push(credential), { peoplePerSecond, perThousand, non2xx: errors });
}

function lookupPair(
  credential: OktaCredential,
  lookup: Partial<Row>,
  floorRps: number,
  database: DatabaseKind = 'sqlite',
) {
  return [
    row(FROM_EMPTY.lookup(credential), lookup, database),
    row(FROM_EMPTY.floor(credential, database), { rps: floorRps }, database),
  ];
}

const verdictsOf = (
  rows: Row[],
  credential: OktaCredential = 'personal',
  database: DatabaseKind = 'sqlite',
) => credentialVerdicts(rows, database, PEOPLE, credential);

describe('the push-from-empty verdicts', () => {
  const cases: [string, Row, [boolean | undefined, boolean | undefined]][] = [
    [
      'are met at 1,500 people/s with the last thousand as fast',
      push('personal', 1500, [1600, 1600]),
      [true, true],
    ],
    ['miss the rate at 1,499 people/s', push('personal', 1499, [1600, 1600]), [false, true]],
    [
      'miss the rate when a request failed, however fast',
      push('personal', 2000, [2000, 2000], 1),
      [false, true],
    ],
    [
      'accept a last thousand at 1.19× the first thousand’s time per person',
      push('personal', 2000, [1190, 1100, 1000]),
      [true, true],
    ],
    [
      'refuse a last thousand at 1.25× the time per person',
      push('personal', 2000, [1250, 1000]),
      [true, false],
    ],
    ['do not judge the slowdown with a single thousand', push('personal', 2000, [2000]), [true, undefined]],
  ];
  for (const [name, pushed, [rate, slowdown]] of cases) {
    it(name, () => {
      const [rateVerdict, slowdownVerdict] = verdictsOf([pushed]).push;
      assert.equal(rateVerdict?.met, rate);
      assert.equal(slowdownVerdict?.met, slowdown);
    });
  }

  it('shows the first and last thousand and the ratio of their times per person', () => {
    const [, slowdown] = verdictsOf([push('service', 700, [1000, 800])], 'service').push;
    assert.equal(
      slowdown?.measured,
      'first 1000 at 1000 people/s, last 1000 at 800 people/s (1.25× the time per person)',
    );
    assert.match(slowdown?.target ?? '', /SQLite, 10k, service token/);
  });

  it('says "not run" without a push row', () => {
    const [rate, slowdown] = verdictsOf([]).push;
    assert.equal(rate?.measured, 'not run');
    assert.equal(rate?.met, undefined);
    assert.equal(slowdown?.measured, 'not run');
  });
});

describe('the lookup verdicts after the push', () => {
  it('are met on SQLite at 70% of the floor with p99 under 10 ms', () => {
    const [share, p99] = verdictsOf(lookupPair('personal', { rps: 7000, p99: 9.99 }, 10_000)).lookup;
    assert.equal(share?.met, true);
    assert.equal(share?.measured, '7000 vs 10000 req/s (70%)');
    assert.equal(p99?.met, true);
  });

  it('ask 80% of the floor on PostgreSQL', () => {
    const rows = lookupPair('service', { rps: 7500 }, 10_000, 'postgres');
    const [share] = verdictsOf(rows, 'service', 'postgres').lookup;
    assert.match(share?.target ?? '', /≥ 80% of the floor/);
    assert.equal(share?.met, false);
  });

  it('miss at a p99 of 10 ms, and with errors whatever the rate', () => {
    const [share, p99] = verdictsOf(lookupPair('personal', { rps: 9000, p99: 10, non2xx: 3 }, 10_000)).lookup;
    assert.equal(share?.met, false);
    assert.equal(p99?.met, false);
  });

  it('compare each credential with the floor measured after its own push', () => {
    const rows = [
      ...lookupPair('personal', { rps: 2000 }, 10_000),
      ...lookupPair('service', { rps: 7000 }, 10_000),
    ];
    assert.equal(verdictsOf(rows, 'personal').lookup[0]?.met, false);
    assert.equal(verdictsOf(rows, 'service').lookup[0]?.met, true);
  });
});

describe('the import and deactivation verdicts after the push', () => {
  const imported = (rps: number, fields: Partial<Row> = {}) =>
    row(FROM_EMPTY.import('personal'), { rps, ...fields });
  const deactivated = (rps: number, fields: Partial<Row> = {}) =>
    row(FROM_EMPTY.deactivate('personal'), { rps, ...fields });

  it('are met at 400 pages and 2,000 deactivations a second', () => {
    const verdicts = verdictsOf([imported(400), deactivated(2000)]);
    assert.equal(verdicts.import[0]?.met, true);
    assert.equal(verdicts.import[0]?.measured, '400 pages/s, 0 errors');
    assert.equal(verdicts.deactivate[0]?.met, true);
    assert.equal(verdicts.deactivate[0]?.measured, '2000 PATCH/s, 0 errors');
  });

  it('miss just below, and with errors however fast', () => {
    const slow = verdictsOf([imported(399), deactivated(1999)]);
    assert.equal(slow.import[0]?.met, false);
    assert.equal(slow.deactivate[0]?.met, false);
    const failing = verdictsOf([imported(900, { non2xx: 1 }), deactivated(5000, { timeouts: 1 })]);
    assert.equal(failing.import[0]?.met, false);
    assert.equal(failing.deactivate[0]?.met, false);
  });

  it('are not judged when they did not run', () => {
    const verdicts = verdictsOf([]);
    assert.equal(verdicts.import[0]?.met, undefined);
    assert.equal(verdicts.deactivate[0]?.measured, 'not run');
  });
});

describe('the personal token’s cost per lookup over the service token’s', () => {
  const rows = (
    personal: Partial<Row>,
    personalFloor: number,
    service: Partial<Row>,
    serviceFloor: number,
  ) => [...lookupPair('personal', personal, personalFloor), ...lookupPair('service', service, serviceFloor)];

  it('is met within 10% in CPU per lookup and in time per lookup', () => {
    const verdict = tokenCostVerdict(
      rows({ rps: 4600, cpuMsPerResponse: 0.21 }, 10_000, { rps: 5000, cpuMsPerResponse: 0.2 }, 10_000),
      'sqlite',
      PEOPLE,
    );
    assert.equal(verdict.met, true);
    assert.equal(
      verdict.measured,
      'CPU 0.210 vs 0.200 ms/lookup (+5%); time per lookup over the floor +9%; raw 4600 vs 5000 req/s',
    );
  });

  it('is not met when the personal token costs 20% more CPU per lookup', () => {
    const verdict = tokenCostVerdict(
      rows({ rps: 5000, cpuMsPerResponse: 0.24 }, 10_000, { rps: 5000, cpuMsPerResponse: 0.2 }, 10_000),
      'sqlite',
      PEOPLE,
    );
    assert.equal(verdict.met, false);
  });

  it('judges time against each run’s floor, so that a machine twice as busy for one of them does not count', () => {
    const verdict = tokenCostVerdict(
      rows({ rps: 2500, cpuMsPerResponse: 0.2 }, 5000, { rps: 5000, cpuMsPerResponse: 0.2 }, 10_000),
      'sqlite',
      PEOPLE,
    );
    assert.match(verdict.measured, /time per lookup over the floor \+0%/);
    assert.equal(verdict.met, true);
  });

  it('is judged from the runs alternating both tokens on one server when they were made', () => {
    const alternating = [
      row(FROM_EMPTY.interleaved('personal'), { rps: 4100, cpuMsPerResponse: 0.22 }),
      row(FROM_EMPTY.interleaved('service'), { rps: 4000, cpuMsPerResponse: 0.21 }),
    ];
    // The two servers' runs alone would miss (+55% CPU): the alternating runs say +5%.
    const apart = rows(
      { rps: 2500, cpuMsPerResponse: 0.9 },
      5000,
      { rps: 5000, cpuMsPerResponse: 0.58 },
      10_000,
    );
    const verdict = tokenCostVerdict([...apart, ...alternating], 'sqlite', PEOPLE);
    assert.equal(verdict.met, true);
    assert.equal(
      verdict.measured,
      'CPU 0.220 vs 0.210 ms/lookup (+5%); time per lookup -2% (4100 vs 4000 req/s)',
    );
    assert.match(verdict.target, /runs alternating on one server/);
  });

  it('is not met from alternating runs whose personal token cost 15% more, or that lost a request', () => {
    const costly = tokenCostVerdict(
      [
        row(FROM_EMPTY.interleaved('personal'), { rps: 4000, cpuMsPerResponse: 0.23 }),
        row(FROM_EMPTY.interleaved('service'), { rps: 4000, cpuMsPerResponse: 0.2 }),
      ],
      'sqlite',
      PEOPLE,
    );
    assert.equal(costly.met, false);
    const failing = tokenCostVerdict(
      [
        row(FROM_EMPTY.interleaved('personal'), { rps: 4000, cpuMsPerResponse: 0.2, non2xx: 3 }),
        row(FROM_EMPTY.interleaved('service'), { rps: 4000, cpuMsPerResponse: 0.2 }),
      ],
      'sqlite',
      PEOPLE,
    );
    assert.equal(failing.met, false);
    assert.match(failing.measured, /3 errors$/);
  });

  it('is not judged without both lookups', () => {
    const verdict = tokenCostVerdict(lookupPair('personal', {}, 10_000), 'sqlite', PEOPLE);
    assert.equal(verdict.met, undefined);
    assert.equal(verdict.measured, 'not run');
  });
});

describe('every from-empty verdict of a run', () => {
  it('judges each database and size pushed: both pushes, both lookups, then the token cost', () => {
    const rows = [
      push('personal', 600, [900, 500]),
      ...lookupPair('personal', { rps: 2000 }, 10_000),
      push('service', 1600, [1700, 1600]),
      ...lookupPair('service', { rps: 8000 }, 10_000),
    ];
    const list = fromEmptyVerdicts(rows);
    assert.deepEqual(
      list.map((v) => v.met),
      // The import and the deactivations did not run: judged "not run".
      [false, false, true, true, false, true, true, true, false, undefined, undefined, undefined, undefined],
    );
    assert.match(
      list[0]?.target ?? '',
      /^push from empty ≥ 1,500 people\/s, no errors \(SQLite, 10k, personal token\)$/,
    );
    assert.match(list[8]?.target ?? '', /personal token costs ≤ \+10% over a service token/);
    assert.match(
      list[9]?.target ?? '',
      /^import ≥ 400 pages of 100 a second, no errors \(SQLite, 10k, personal/,
    );
    assert.match(
      list.at(-1)?.target ?? '',
      /^deactivate \(PATCH active\) ≥ 2,000\/s, no errors \(SQLite, 10k, service/,
    );
  });

  it('judges nothing when no push from empty ran', () => {
    assert.deepEqual(fromEmptyVerdicts([row('lookup userName eq')]), []);
  });
});

describe('the people per second of each thousand', () => {
  it('is a thousand over each thousand’s own seconds', () => {
    assert.deepEqual(thousandsRates(0, [500, 1500, 3500]), [2000, 1000, 500]);
  });
});
