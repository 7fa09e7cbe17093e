// Turning measurements into the table printed on stdout, the target verdicts, docs/benchmarks.md's
// generated section, and the SVG chart (drawn by hand: two panels, log-scaled member counts).
import { FLOOR_SCENARIO, type Measurement } from './scenarios.ts';

export interface Row extends Measurement {
  /** Requests per second over the bare-node baseline's at the same size, in the same run. */
  ratio: number | undefined;
  databaseMiB: number | undefined;
}

export interface Verdict {
  target: string;
  measured: string;
  met: boolean | undefined;
}

const fmt = (value: number | undefined, digits = 0) =>
  value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);

function members(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n);
}

const COLUMNS = [
  'members',
  'database',
  'scenario',
  'req/s',
  'p50 ms',
  'p99 ms',
  'CPU ms/req',
  '× baseline',
  'errors',
  'RSS MiB',
  'DB MiB',
  'notes',
] as const;

function cells(row: Row): string[] {
  const errors = row.non2xx + row.errors + row.timeouts;
  const notes = [
    row.responses === 0 ? 'NO RESPONSE within the run' : '',
    row.peoplePerSecond !== undefined ? `${fmt(row.peoplePerSecond)} people/s` : '',
    row.note ?? '',
    errors > 0
      ? Object.entries(row.statusCodes)
          .filter(([code]) => !code.startsWith('2'))
          .map(([code, n]) => `${n}×${code}`)
          .join(' ')
      : '',
  ]
    .filter(Boolean)
    .join('; ');
  return [
    members(row.members),
    row.database,
    row.scenario,
    fmt(row.rps),
    fmt(row.p50, 2),
    fmt(row.p99, 2),
    fmt(row.cpuMsPerResponse, 2),
    row.ratio === undefined ? '–' : `${(row.ratio * 100).toFixed(0)}%`,
    String(errors),
    fmt(row.rssPeakMiB),
    fmt(row.databaseMiB),
    notes,
  ];
}

export function textTable(rows: readonly Row[]): string {
  const body = rows.map(cells);
  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...body.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) =>
    values.map((v, i) => (i >= 3 && i <= 10 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ');
  return [line(COLUMNS), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export function markdownTable(rows: readonly Row[]): string {
  const align = COLUMNS.map((_, i) => (i >= 3 && i <= 10 ? '---:' : '---'));
  const escapeCell = (v: string) => v.replace(/\|/g, '\\|');
  return [
    `| ${COLUMNS.join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...rows.map((row) => `| ${cells(row).map(escapeCell).join(' | ')} |`),
  ].join('\n');
}

function find(rows: readonly Row[], database: string, scenario: string, size: number): Row | undefined {
  return rows.find((r) => r.database === database && r.scenario === scenario && r.members === size);
}

/** The issue's targets, judged on this run's numbers (SQLite at 100k members unless noted). */
export function verdicts(rows: readonly Row[], sizes: readonly number[]): Verdict[] {
  const main = sizes.includes(100_000) ? 100_000 : Math.max(...sizes.filter((s) => s < 1_000_000), sizes[0]!);
  const at = `${members(main)}`;
  const out: Verdict[] = [];
  const lookup = find(rows, 'sqlite', 'lookup userName eq', main);
  const floor = find(rows, 'sqlite', FLOOR_SCENARIO.sqlite, main);
  out.push({
    target: `lookup ≥ 50% of the baseline's req/s (SQLite, ${at})`,
    measured:
      lookup?.ratio === undefined
        ? 'not run'
        : `${(lookup.ratio * 100).toFixed(0)}%` +
          (floor?.ratio === undefined ? '' : ` (Fastify + SQLite alone: ${(floor.ratio * 100).toFixed(0)}%)`),
    met: lookup?.ratio === undefined ? undefined : lookup.ratio >= 0.5,
  });
  out.push({
    target: `lookup p99 < 10 ms at 10 connections (SQLite, ${at})`,
    measured: lookup ? `${lookup.p99.toFixed(2)} ms` : 'not run',
    met: lookup ? lookup.p99 < 10 : undefined,
  });
  const small = find(rows, 'sqlite', 'lookup userName eq', 10_000);
  const large = find(rows, 'sqlite', 'lookup userName eq', 1_000_000);
  // Runs minutes apart on a shared machine: the ratio to the baseline measured seconds before each
  // corrects for the machine's drift, until the baseline itself drifts (it has measured 39,000 and
  // 24,000 req/s at two sizes of one run). So the target is met only when the server's CPU per
  // lookup, which no other load on the machine divides, also stays within 20%.
  const scaled =
    small?.ratio !== undefined && large?.ratio !== undefined ? large.ratio / small.ratio : undefined;
  const cpuScaled =
    small?.cpuMsPerResponse !== undefined && large?.cpuMsPerResponse !== undefined
      ? small.cpuMsPerResponse / large.cpuMsPerResponse
      : undefined;
  out.push({
    target:
      'lookup throughput at 1M within 20% of 10k (SQLite; as a ratio to the baseline, and in CPU per lookup)',
    measured:
      small && large && scaled !== undefined
        ? `${fmt((large.ratio ?? 0) * 100, 1)}% vs ${fmt((small.ratio ?? 0) * 100, 1)}% of the baseline (${fmt(scaled * 100)}%); CPU ${fmt(large.cpuMsPerResponse, 2)} vs ${fmt(small.cpuMsPerResponse, 2)} ms/req (${cpuScaled === undefined ? '–' : `${fmt(cpuScaled * 100)}%`}); raw ${fmt(large.rps)} vs ${fmt(small.rps)} req/s`
        : 'not run (needs --full)',
    met: scaled === undefined ? undefined : scaled >= 0.8 && cpuScaled !== undefined && cpuScaled >= 0.8,
  });
  const push = find(rows, 'sqlite', 'initial push (lookup + POST)', main);
  const pushErrors = push ? push.non2xx + push.errors + push.timeouts : 0;
  out.push({
    target: `initial push ≥ 1,500 people/s with no errors (SQLite, ${at})`,
    measured: push ? `${fmt(push.peoplePerSecond)} people/s, ${pushErrors} errors` : 'not run',
    met: push ? (push.peoplePerSecond ?? 0) >= 1500 && pushErrors === 0 : undefined,
  });
  const first = find(rows, 'sqlite', 'page first (count=100)', main);
  const last = find(rows, 'sqlite', 'page last (count=100)', main);
  out.push({
    target: `import paging: last page no slower than 2× the first (SQLite, ${at}; interleaved)`,
    measured:
      first && last
        ? `p50 ${last.p50.toFixed(2)} vs ${first.p50.toFixed(2)} ms (${(last.p50 / first.p50).toFixed(2)}×)`
        : 'not run',
    met: first && last ? last.p50 <= 2 * first.p50 : undefined,
  });
  const million = rows.filter((r) => r.members === 1_000_000 && r.database === 'sqlite');
  const peak = million.length ? Math.max(...million.map((r) => r.rssPeakMiB)) : undefined;
  out.push({
    target: 'server RSS < 200 MB at 1M members (SQLite)',
    measured: peak === undefined ? 'not run (needs --full)' : `peak ${peak.toFixed(0)} MiB`,
    met: peak === undefined ? undefined : peak * 1.048576 < 200,
  });
  const pg = find(rows, 'postgres', 'lookup userName eq', main);
  const pgFloor = find(rows, 'postgres', FLOOR_SCENARIO.postgres, main);
  out.push({
    target: `PostgreSQL lookup ≥ 40% of the baseline's req/s (${at})`,
    measured:
      pg?.ratio === undefined
        ? 'not run'
        : `${(pg.ratio * 100).toFixed(0)}%` +
          (pgFloor?.ratio === undefined ? '' : ` (Fastify + pg alone: ${(pgFloor.ratio * 100).toFixed(0)}%)`),
    met: pg?.ratio === undefined ? undefined : pg.ratio >= 0.4,
  });
  return out;
}

export function verdictLines(list: readonly Verdict[]): string[] {
  return list.map((v) => `${v.met === undefined ? '·' : v.met ? '✔' : '✘'} ${v.target}: ${v.measured}`);
}

export function verdictTable(list: readonly Verdict[]): string {
  return [
    '| target | measured | met |',
    '| --- | --- | :---: |',
    ...list.map(
      (v) => `| ${v.target} | ${v.measured} | ${v.met === undefined ? '–' : v.met ? 'yes' : '**no**'} |`,
    ),
  ].join('\n');
}

// ---- chart ---------------------------------------------------------------------------------------

interface Series {
  label: string;
  color: string;
  dashed?: boolean;
  points: { x: number; rps: number; p99: number }[];
}

function series(rows: readonly Row[]): Series[] {
  const pick = (
    label: string,
    color: string,
    database: string,
    scenario: string,
    value: (r: Row) => number = (r) => r.rps,
    dashed = false,
  ): Series => ({
    label,
    color,
    dashed,
    points: rows
      .filter((r) => r.database === database && r.scenario === scenario)
      .map((r) => ({ x: r.members, rps: value(r), p99: r.p99 }))
      .sort((a, b) => a.x - b.x),
  });
  return [
    pick('baseline (bare node:http)', '#888888', 'node:http', 'baseline (bare node:http)', undefined, true),
    pick('lookup, SQLite', '#1f77b4', 'sqlite', 'lookup userName eq'),
    pick('lookup, PostgreSQL', '#2ca02c', 'postgres', 'lookup userName eq'),
    pick(
      'push, SQLite (people/s)',
      '#d62728',
      'sqlite',
      'initial push (lookup + POST)',
      (r) => r.peoplePerSecond ?? 0,
    ),
    pick('deactivate PATCH, SQLite', '#9467bd', 'sqlite', 'deactivate (PATCH active)'),
    pick('last page, SQLite', '#ff7f0e', 'sqlite', 'page last (count=100)'),
  ].filter((s) => s.points.length > 0);
}

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function chartSvg(rows: readonly Row[], title: string): string {
  const all = series(rows);
  const sizes = [...new Set(rows.map((r) => r.members))].sort((a, b) => a - b);
  const width = 960;
  const height = 420;
  const panel = { top: 60, bottom: 340, width: 380 };
  const lefts = [70, 560];
  const minLog = Math.log10(sizes[0] ?? 10_000);
  const maxLog = Math.log10(sizes[sizes.length - 1] ?? 1_000_000);
  const xOf = (left: number, members: number) =>
    maxLog === minLog
      ? left + panel.width / 2
      : left + 40 + ((Math.log10(members) - minLog) / (maxLog - minLog)) * (panel.width - 80);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(title)}</text>`,
  );
  const panels: {
    name: string;
    value: (p: Series['points'][number]) => number;
    unit: string;
    log: boolean;
  }[] = [
    // Logarithmic: the bare baseline answers an order of magnitude more than any Roster scenario.
    { name: 'Throughput (requests/s, log scale; push: people/s)', value: (p) => p.rps, unit: '', log: true },
    { name: 'p99 latency (ms, 10 connections)', value: (p) => p.p99, unit: ' ms', log: false },
  ];
  panels.forEach((spec, index) => {
    const left = lefts[index]!;
    const values = all.flatMap((s) => s.points.map(spec.value)).filter((v) => v > 0);
    const max = niceMax(Math.max(...values, 0) * 1.05);
    const logMin = Math.floor(Math.log10(Math.max(1, Math.min(...values, max))));
    const logMax = Math.max(logMin + 1, Math.ceil(Math.log10(max)));
    const fraction = (v: number) =>
      spec.log ? (Math.log10(Math.max(v, 10 ** logMin)) - logMin) / (logMax - logMin) : v / max;
    const yOf = (v: number) => panel.bottom - fraction(v) * (panel.bottom - panel.top);
    parts.push(
      `<text x="${left + panel.width / 2}" y="48" text-anchor="middle" font-weight="600">${escapeXml(spec.name)}</text>`,
    );
    const ticks = spec.log
      ? Array.from({ length: logMax - logMin + 1 }, (_, i) => 10 ** (logMin + i))
      : Array.from({ length: 6 }, (_, i) => (max / 5) * i);
    for (const v of ticks) {
      const y = yOf(v);
      parts.push(
        `<line x1="${left}" y1="${y}" x2="${left + panel.width}" y2="${y}" stroke="#e5e5e5"/>`,
        `<text x="${left - 6}" y="${y + 4}" text-anchor="end" fill="#555">${Number(v.toFixed(1))}</text>`,
      );
    }
    parts.push(
      `<line x1="${left}" y1="${panel.bottom}" x2="${left + panel.width}" y2="${panel.bottom}" stroke="#333"/>`,
      `<line x1="${left}" y1="${panel.top}" x2="${left}" y2="${panel.bottom}" stroke="#333"/>`,
    );
    for (const size of sizes) {
      const x = xOf(left, size);
      parts.push(
        `<line x1="${x}" y1="${panel.bottom}" x2="${x}" y2="${panel.bottom + 5}" stroke="#333"/>`,
        `<text x="${x}" y="${panel.bottom + 18}" text-anchor="middle">${members(size)} members</text>`,
      );
    }
    for (const s of all) {
      const points = s.points.map((p) => `${xOf(left, p.x).toFixed(1)},${yOf(spec.value(p)).toFixed(1)}`);
      const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
      if (points.length > 1) {
        parts.push(
          `<polyline points="${points.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`,
        );
      }
      for (const p of s.points) {
        parts.push(
          `<circle cx="${xOf(left, p.x).toFixed(1)}" cy="${yOf(spec.value(p)).toFixed(1)}" r="3.5" fill="${s.color}"><title>${escapeXml(`${s.label} at ${members(p.x)}: ${spec.value(p).toFixed(spec.unit ? 2 : 0)}${spec.unit}`)}</title></circle>`,
        );
      }
    }
  });
  // Legend under both panels.
  let legendY = 378;
  let x = 70;
  for (const s of all) {
    const room = 34 + s.label.length * 6.4;
    if (x + room > width - 20) {
      x = 70;
      legendY += 20;
    }
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    parts.push(
      `<line x1="${x}" y1="${legendY}" x2="${x + 22}" y2="${legendY}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${x + 28}" y="${legendY + 4}">${escapeXml(s.label)}</text>`,
    );
    x += room;
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
