import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bundleModules,
  type CpuProfile,
  profileLines,
  SQLITE_AREA,
  summarizeProfile,
} from '../../bench/lib/profile-summary.ts';

const BUNDLE = [
  'import x from "kysely";',
  '// src/store/sqlite/read-write-dialect.ts',
  'a',
  'b',
  '// src/auth/principal.ts',
  'c',
].join('\n');

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

/** Ten samples 1 ms apart from t = 1,000 µs: node 2 at 1–4 ms, node 3 at 5–8 ms, idle at 9–10 ms. */
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)') },
    { id: 2, callFrame: frame('executeQuery', 'file:///work/roster/dist/roster.mjs', 2) },
    { id: 3, callFrame: frame('authenticate', 'file:///work/roster/dist/roster.mjs', 5) },
    { id: 4, callFrame: frame('(idle)') },
    { id: 5, callFrame: frame('compile', 'file:///work/roster/node_modules/kysely/dist/esm/index.js', 9) },
  ],
  startTime: 1000,
  endTime: 11_000,
  samples: [2, 2, 2, 2, 3, 3, 3, 3, 4, 4],
  timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
};

describe('the summary of a CPU profile', () => {
  it('names the source module a line of the bundle came from', () => {
    const moduleOf = bundleModules(BUNDLE);
    assert.equal(moduleOf(0), undefined);
    assert.equal(moduleOf(3), 'src/store/sqlite/read-write-dialect.ts');
    assert.equal(moduleOf(5), 'src/auth/principal.ts');
  });

  it('ranks functions by self time and sums them by area and by Roster module', () => {
    const summary = summarizeProfile('lookups', PROFILE, bundleModules(BUNDLE));
    assert.equal(summary.wholeProcess, true);
    assert.deepEqual(
      summary.functions.map((f) => [f.name, f.where, f.share]),
      [
        ['executeQuery', 'src/store/sqlite/read-write-dialect.ts', 0.4],
        ['authenticate', 'src/auth/principal.ts', 0.4],
        ['(idle)', '', 0.2],
      ],
    );
    // The read-write dialect's executeQuery is where better-sqlite3's native run/all are counted.
    assert.deepEqual(
      summary.areas.map((a) => [a.area, a.share]),
      [
        [SQLITE_AREA, 0.4],
        ['Roster (src/)', 0.4],
        ['(idle)', 0.2],
      ],
    );
    assert.deepEqual(
      summary.modules.map((m) => m.module),
      ['src/auth/principal.ts'],
    );
    assert.equal(summary.functions[0]?.ms, 4);
  });

  it('counts only the samples taken within the load’s window', () => {
    // Samples at 2..11 ms: the window 6.5–9.5 ms holds those at 7, 8 and 9 ms, all of node 3.
    const summary = summarizeProfile('push', PROFILE, bundleModules(BUNDLE), { fromUs: 6500, toUs: 9500 });
    assert.equal(summary.wholeProcess, false);
    assert.deepEqual(
      summary.functions.map((f) => [f.name, f.share]),
      [['authenticate', 1]],
    );
    assert.equal(summary.totalMs, 3);
  });

  it('falls back to the whole process when no sample fell in the window (clocks that differ)', () => {
    const summary = summarizeProfile('push', PROFILE, undefined, { fromUs: 1e12, toUs: 1e12 + 5 });
    assert.equal(summary.wholeProcess, true);
    assert.equal(summary.functions.length, 3);
  });

  it('counts Kysely’s SQLite executeQuery as SQLite’s work, and the rest of Kysely as Kysely’s', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)') },
        {
          id: 2,
          callFrame: frame(
            'executeQuery',
            'file:///work/roster/node_modules/kysely/dist/esm/dialect/sqlite/sqlite-driver.js',
            59,
          ),
        },
        { id: 3, callFrame: frame('visitNode', 'file:///work/roster/node_modules/kysely/dist/esm/x.js', 1) },
      ],
      startTime: 0,
      endTime: 4000,
      samples: [2, 2, 2, 3],
      timeDeltas: [1000, 1000, 1000, 1000],
    };
    const summary = summarizeProfile('push', profile);
    assert.deepEqual(
      summary.areas.map((a) => [a.area, a.share]),
      [
        [SQLITE_AREA, 0.75],
        ['kysely', 0.25],
      ],
    );
  });

  it('names npm packages by package and prints a bounded summary', () => {
    const profile: CpuProfile = { ...PROFILE, samples: [5, 5, 2] };
    const summary = summarizeProfile('push', profile, bundleModules(BUNDLE));
    assert.deepEqual(summary.functions[0], {
      name: 'compile',
      where: 'kysely/dist/esm/index.js:10',
      ms: (10 / 3) * 2,
      share: 2 / 3,
    });
    const lines = profileLines(summary);
    assert.match(
      lines[0] ?? '',
      /^where the time went — push \(CPU profile of the server over 0\.0 s, its start-up included/,
    );
    assert.match(lines[1] ?? '', /by area: kysely 67%, SQLite \(statements run by better-sqlite3\) 33%/);
    assert.ok(lines.length <= 4 + 12);
  });
});
