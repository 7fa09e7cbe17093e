// docs/benchmarks.md's generated section: the run's machine and software, its targets' verdicts,
// every measurement, the profiles of what missed a target, and the chart beside it.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { ROOT, startFlags } from './processes.ts';
import { type ProfileSummary, profileLines } from './profile-summary.ts';
import { chartSvg, markdownTable, type Row, type Verdict, verdictTable } from './report.ts';
import type { DatabaseKind } from './scenarios.ts';

function versions() {
  const sqlite = new Database(':memory:');
  const sqliteVersion = (sqlite.prepare('select sqlite_version() as v').get() as { v: string }).v;
  sqlite.close();
  const dependency = (name: string) =>
    (
      JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  return {
    node: process.version,
    sqlite: `${sqliteVersion} (better-sqlite3 ${dependency('better-sqlite3')})`,
    kysely: dependency('kysely'),
    fastify: dependency('fastify'),
    autocannon: dependency('autocannon'),
  };
}

export async function postgresVersion(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const result = await client.query<{ server_version: string }>('show server_version');
    return result.rows[0]?.server_version;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function machine() {
  const model = cpus()[0]?.model ?? 'unknown CPU';
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  return { cpus: cpus().length, model, memoryGiB: totalmem() / 2 ** 30, load };
}

const DOC = join(ROOT, 'docs', 'benchmarks.md');
const CHART = join(ROOT, 'docs', 'benchmarks-chart.svg');
const BEGIN = '<!-- bench:begin — written by `npm run bench`; edit outside these markers -->';
const END = '<!-- bench:end -->';

export interface RunResults {
  command: string;
  machine: ReturnType<typeof machine>;
  loadAfter: string;
  postgres: string | undefined;
  minutes: number;
  load: { connections: number; seconds: number; shortSeconds: number; serverWarmupSeconds: number };
  seeds: readonly { database: DatabaseKind; members: number; seconds: number }[];
  rows: readonly Row[];
  verdicts: readonly Verdict[];
  profiles: readonly ProfileSummary[];
}

function generatedSection(info: RunResults): string {
  const m = info.machine;
  const v = versions();
  const { connections, seconds, shortSeconds, serverWarmupSeconds } = info.load;
  const seeded = info.seeds
    .map((s) => `${s.members.toLocaleString('en-US')} on ${s.database} in ${s.seconds.toFixed(0)} s`)
    .join(', ');
  return [
    BEGIN,
    '',
    `## Latest results (${new Date().toISOString().slice(0, 10)})`,
    '',
    `- **Command**: \`${info.command}\` (${info.minutes.toFixed(1)} minutes)`,
    `- **Machine**: ${m.cpus} × ${m.model} (\`nproc\` ${m.cpus}), ${m.memoryGiB.toFixed(1)} GiB memory; load average ${m.load} before the run, ${info.loadAfter} after (shared, noisy cores: compare ratios within this run)`,
    `- **Software**: Node ${v.node}, SQLite ${v.sqlite}, PostgreSQL ${info.postgres ?? 'not run'}, Kysely ${v.kysely}, Fastify ${v.fastify}, autocannon ${v.autocannon}`,
    `- **Load**: ${connections} connections, ${seconds} s per lookup / push / deactivation run and ${shortSeconds} s per page and filter run, each after ${Math.min(1, seconds / 4)} s of unmeasured warm-up (${Math.min(1, shortSeconds / 4)} s for pages and filters), and every freshly started server first answers ${serverWarmupSeconds} s of unmeasured lookups; server \`node ${startFlags().join(' ')} bin/roster.js serve\` with LOG_LEVEL=warn on 127.0.0.1`,
    `- **Seeded** (\`bench/seed.ts\`): ${seeded}`,
    '',
    '### Targets',
    '',
    verdictTable(info.verdicts),
    '',
    '### All measurements',
    '',
    'Latencies are per request as the load generator saw them; `× baseline` is requests/s over the bare',
    '`node:http` server answering the same bytes as a lookup hit, measured at the same size just before.',
    "`CPU ms/req` is the server process's CPU time (user + system, /proc/<pid>/stat) over the responses:",
    'steadier than throughput on a shared machine. RSS is its peak VmRSS during the run; DB is the',
    'database size after seeding. The initial push counts a lookup and a POST per person.',
    '',
    markdownTable(info.rows),
    '',
    ...(info.profiles.length
      ? [
          '### Where the time went where a target was not met',
          '',
          '```',
          ...info.profiles.flatMap(profileLines),
          '```',
          '',
        ]
      : []),
    '![Throughput and p99 latency versus member count](benchmarks-chart.svg)',
    '',
    END,
  ].join('\n');
}

/** Rewrites docs/benchmarks.md's generated section (between its markers) and the chart. */
export function writeResultsDoc(info: RunResults): void {
  const section = generatedSection(info);
  let text: string;
  try {
    text = readFileSync(DOC, 'utf8');
  } catch {
    text = `# Benchmarks\n\n${BEGIN}\n${END}\n`;
  }
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  text =
    begin === -1 || end === -1
      ? `${text.trimEnd()}\n\n${section}\n`
      : `${text.slice(0, begin)}${section}${text.slice(end + END.length)}`;
  writeFileSync(DOC, text);
  writeFileSync(CHART, chartSvg(info.rows, `Roster SCIM benchmarks — ${info.command}`));
}
