// Where a server's time went, from the .cpuprofile that `node --cpu-prof` writes when it exits: the
// functions with the most self time, and the same samples summed by area (Roster's own modules, each
// npm package, Node's internals, the garbage collector, idle). Printed when a target is not met, so
// that a verdict comes with its reason.
import { readFileSync } from 'node:fs';

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  /** Microseconds before each sample (the first after startTime). */
  timeDeltas?: number[];
}

/** A span of the monotonic clock, in microseconds: V8's profile clock and process.hrtime's on Linux. */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

/** Now on the clock the profiles' timestamps use (CLOCK_MONOTONIC), in microseconds. */
export function monotonicMicroseconds(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export interface ProfileSummary {
  title: string;
  /** Milliseconds summarised: the load's window, or the whole process when no sample fell in it. */
  totalMs: number;
  /** Whether totalMs is the whole process's life (start-up and shutdown included). */
  wholeProcess: boolean;
  functions: { name: string; where: string; ms: number; share: number }[];
  areas: { area: string; ms: number; share: number }[];
  /** Roster's own modules by self time. */
  modules: { module: string; ms: number; share: number }[];
}

/**
 * The bundle (dist/roster.mjs) starts each source module with esbuild's `// src/…` comment: the
 * module a bundle line came from is the last such comment above it.
 */
export function bundleModules(bundleText: string): (line: number) => string | undefined {
  const starts: { line: number; path: string }[] = [];
  bundleText.split('\n').forEach((text, line) => {
    const match = /^\/\/ (src\/\S+)$/.exec(text);
    if (match) starts.push({ line, path: match[1]! });
  });
  return (line) => {
    let found: string | undefined;
    for (const start of starts) {
      if (start.line > line) break;
      found = start.path;
    }
    return found;
  };
}

const SPECIAL = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);

/**
 * The area of SQLite's own work. `node --cpu-prof` counts the time spent in better-sqlite3's native
 * `run`/`all` as self time of the JS function that called them: the `executeQuery` of Kysely's
 * SQLite connection (the writer's statements) and of the read-write dialect (reads). The same load
 * profiled through the inspector shows them apart: `run` and `all` 31% of a deactivation's CPU,
 * those two `executeQuery` 5%. Their self time is summed here as SQLite's, not Kysely's or Roster's.
 */
export const SQLITE_AREA = 'SQLite (statements run by better-sqlite3)';

function runsSqliteStatements(functionName: string, where: string): boolean {
  return (
    functionName === 'executeQuery' &&
    (where.startsWith('kysely/dist/esm/dialect/sqlite/sqlite-driver.js:') ||
      where.startsWith('src/store/sqlite/read-write-dialect.ts'))
  );
}

function placeOf(
  frame: CpuProfileNode['callFrame'],
  moduleOfBundleLine: (line: number) => string | undefined,
): { where: string; area: string } {
  const { url, lineNumber, functionName } = frame;
  if (SPECIAL.has(functionName) && !url) return { where: '', area: functionName };
  if (!url) return { where: '(native)', area: 'V8 and native code' };
  if (url.startsWith('node:')) return { where: url, area: 'Node.js internals' };
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (packageMatch) {
    return { where: `${packageMatch[1]}/${packageMatch[2]}:${lineNumber + 1}`, area: packageMatch[1]! };
  }
  if (/\/dist\/roster\.mjs$/.test(url)) {
    const source = moduleOfBundleLine(lineNumber);
    return { where: source ?? `dist/roster.mjs:${lineNumber + 1}`, area: 'Roster (src/)' };
  }
  const sourceMatch = /\/(src\/.*)$/.exec(url);
  if (sourceMatch) return { where: `${sourceMatch[1]}:${lineNumber + 1}`, area: 'Roster (src/)' };
  return { where: url, area: 'other' };
}

/** Samples per node id: those taken within `window` when it has any, else all of them. */
function sampleCounts(profile: CpuProfile, window: ProfileWindow | undefined) {
  const count = (within: (at: number) => boolean) => {
    const hits = new Map<number, number>();
    let at = profile.startTime;
    profile.samples?.forEach((id, i) => {
      at += profile.timeDeltas?.[i] ?? 0;
      if (within(at)) hits.set(id, (hits.get(id) ?? 0) + 1);
    });
    return hits;
  };
  if (window && profile.samples?.length && profile.timeDeltas?.length) {
    const hits = count((at) => at >= window.fromUs && at <= window.toUs);
    if (hits.size > 0) return { hits, totalMs: (window.toUs - window.fromUs) / 1000, wholeProcess: false };
  }
  const hits = profile.samples?.length
    ? count(() => true)
    : new Map(profile.nodes.map((node) => [node.id, node.hitCount ?? 0]));
  return { hits, totalMs: (profile.endTime - profile.startTime) / 1000, wholeProcess: true };
}

/**
 * Self time by function (top `limit`), by area and by Roster module, as milliseconds and shares of
 * the samples taken within `window` (the load), or of all of them.
 */
export function summarizeProfile(
  title: string,
  profile: CpuProfile,
  moduleOfBundleLine: (line: number) => string | undefined = () => undefined,
  window?: ProfileWindow,
  limit = 12,
): ProfileSummary {
  const { hits, totalMs, wholeProcess } = sampleCounts(profile, window);
  const total = [...hits.values()].reduce((sum, n) => sum + n, 0);
  const msPerSample = total > 0 ? totalMs / total : 0;
  const byFunction = new Map<string, { name: string; where: string; samples: number }>();
  const byArea = new Map<string, number>();
  const byModule = new Map<string, number>();
  for (const node of profile.nodes) {
    const samples = hits.get(node.id) ?? 0;
    if (samples === 0) continue;
    const place = placeOf(node.callFrame, moduleOfBundleLine);
    const name = node.callFrame.functionName || '(anonymous)';
    const { where } = place;
    const area = runsSqliteStatements(name, where) ? SQLITE_AREA : place.area;
    const key = `${name}\u0000${where}`;
    const entry = byFunction.get(key) ?? { name, where, samples: 0 };
    entry.samples += samples;
    byFunction.set(key, entry);
    byArea.set(area, (byArea.get(area) ?? 0) + samples);
    if (area === 'Roster (src/)') {
      const module = where.replace(/:\d+$/, '');
      byModule.set(module, (byModule.get(module) ?? 0) + samples);
    }
  }
  const share = (samples: number) => (total > 0 ? samples / total : 0);
  const ranked = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([key, n]) => ({ key, ms: n * msPerSample, share: share(n) }));
  return {
    title,
    totalMs,
    wholeProcess,
    functions: [...byFunction.values()]
      .sort((a, b) => b.samples - a.samples)
      .slice(0, limit)
      .map((f) => ({ name: f.name, where: f.where, ms: f.samples * msPerSample, share: share(f.samples) })),
    areas: ranked(byArea).map(({ key, ms, share }) => ({ area: key, ms, share })),
    modules: ranked(byModule).map(({ key, ms, share }) => ({ module: key, ms, share })),
  };
}

/** Reads a .cpuprofile and the bundle it profiled (when there is one) and summarises it. */
export function summarizeProfileFile(
  title: string,
  profilePath: string,
  bundlePath: string | undefined,
  window: ProfileWindow | undefined,
): ProfileSummary {
  const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as CpuProfile;
  let modules: (line: number) => string | undefined = () => undefined;
  if (bundlePath) {
    try {
      modules = bundleModules(readFileSync(bundlePath, 'utf8'));
    } catch {
      // no bundle: the sources ran through tsx, their urls name them
    }
  }
  return summarizeProfile(title, profile, modules, window);
}

export function profileLines(summary: ProfileSummary): string[] {
  const pct = (share: number) => `${(share * 100).toFixed(1)}%`.padStart(6);
  return [
    `where the time went — ${summary.title} (CPU profile of the server over ${(summary.totalMs / 1000).toFixed(1)} s${summary.wholeProcess ? ', its start-up included' : ' of load'}):`,
    `  by area: ${summary.areas
      .slice(0, 8)
      .map((a) => `${a.area} ${(a.share * 100).toFixed(0)}%`)
      .join(', ')}`,
    `  Roster's modules: ${summary.modules
      .slice(0, 6)
      .map((m) => `${m.module} ${(m.share * 100).toFixed(1)}%`)
      .join(', ')}`,
    '  top self time:',
    ...summary.functions.map(
      (f) => `  ${pct(f.share)} ${f.ms.toFixed(0).padStart(6)} ms  ${f.name}${f.where ? `  ${f.where}` : ''}`,
    ),
  ];
}
