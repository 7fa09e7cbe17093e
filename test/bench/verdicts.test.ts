import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Row, verdicts } from '../../bench/lib/report.ts';
import { benchRow } from '../helpers/bench-row.ts';

function lookup(members: number, ratio: number, cpuMsPerResponse: number): Row {
  return benchRow({
    scenario: 'lookup userName eq',
    members,
    ratio,
    cpuMsPerResponse,
    seconds: 8,
    rps: ratio * 20_000,
  });
}

function millionVerdict(rows: Row[]) {
  const verdict = verdicts(rows, [10_000, 100_000, 1_000_000]).find((v) => v.target.includes('at 1M'));
  assert.ok(verdict, 'the 1M-against-10k verdict is reported');
  return verdict;
}

describe('the verdict on lookups at 1M against 10k', () => {
  const cases: [string, { ratio: [number, number]; cpu: [number, number] }, boolean][] = [
    [
      'is met when both the baseline ratio and the CPU per lookup stay within 20%',
      { ratio: [0.2, 0.18], cpu: [0.2, 0.22] },
      true,
    ],
    ['is met at exactly 80% of each', { ratio: [0.25, 0.2], cpu: [0.2, 0.25] }, true],
    ['is not met when the baseline ratio falls further', { ratio: [0.3, 0.2], cpu: [0.2, 0.22] }, false],
    [
      'is not met when only a drifting baseline makes 1M look as fast (the CPU per lookup grew by a third)',
      { ratio: [0.149, 0.183], cpu: [0.18, 0.24] },
      false,
    ],
  ];
  for (const [name, { ratio, cpu }, met] of cases) {
    it(name, () => {
      const verdict = millionVerdict([lookup(10_000, ratio[0], cpu[0]), lookup(1_000_000, ratio[1], cpu[1])]);
      assert.equal(verdict.met, met);
    });
  }

  it('shows both figures and the raw throughput', () => {
    const verdict = millionVerdict([lookup(10_000, 0.149, 0.18), lookup(1_000_000, 0.183, 0.24)]);
    assert.match(verdict.measured, /of the baseline \(123%\)/);
    assert.match(verdict.measured, /CPU 0\.24 vs 0\.18 ms\/req \(75%\)/);
    assert.match(verdict.measured, /raw 3660 vs 2980 req\/s/);
  });

  it('is not judged without a 1M run', () => {
    const verdict = millionVerdict([lookup(10_000, 0.2, 0.2)]);
    assert.equal(verdict.met, undefined);
    assert.equal(verdict.measured, 'not run (needs --full)');
  });
});

describe('the verdict on PostgreSQL lookups', () => {
  const row = (scenario: string, ratio: number): Row => ({
    ...lookup(100_000, ratio, 0.4),
    scenario,
    database: 'postgres',
  });
  const postgresVerdict = (rows: Row[]) => {
    const verdict = verdicts(rows, [10_000, 100_000]).find((v) => v.target.startsWith('PostgreSQL'));
    assert.ok(verdict, 'the PostgreSQL verdict is reported');
    return verdict;
  };

  it('shows the floor measured on PostgreSQL beside the lookup, and judges the lookup alone', () => {
    const verdict = postgresVerdict([
      row('lookup floor (Fastify + pg alone)', 0.45),
      row('lookup userName eq', 0.12),
    ]);
    assert.equal(verdict.measured, '12% (Fastify + pg alone: 45%)');
    assert.equal(verdict.met, false);
  });

  it('is met at 40% without a floor measured', () => {
    const verdict = postgresVerdict([row('lookup userName eq', 0.4)]);
    assert.equal(verdict.measured, '40%');
    assert.equal(verdict.met, true);
  });
});
