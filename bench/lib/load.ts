// One load run through autocannon's programmatic API, from this (the runner's) process: a fixed
// number of connections for a fixed duration, so it always stops by itself. Latencies are kept
// per response (autocannon's own histogram rounds to whole milliseconds) and summarised here.
import { readFileSync } from 'node:fs';
import autocannon, { type RequestSpec } from 'autocannon';
import { sampleRss } from './processes.ts';

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ=100)
  } catch {
    return undefined;
  }
}

export interface LoadOptions {
  /** http://127.0.0.1:<port> — only loopback targets. */
  baseUrl: string;
  connections: number;
  /** How long the run lasts; with `amount`, the longest it may last (it is stopped then). */
  durationSeconds: number;
  /** A number of requests to send instead of a duration (a multiple of `connections`: each sends as many). */
  amount?: number;
  headers?: Record<string, string>;
  requests: RequestSpec[];
  /** The server's pid, for RSS sampling during the run. */
  serverPid?: number;
  /**
   * Seconds of the same load sent first and not measured: a freshly started server compiles its
   * hot paths (V8's JIT) in its first second or so, and a run should measure the server, not that.
   */
  warmupSeconds?: number;
  /**
   * Called after the warm-up, before the measured run: waits until the server has answered what
   * the warm-up left queued (see scenarios.ts), so that the measured run does not pay for it.
   */
  settle?: () => Promise<void>;
}

export interface LoadResult {
  responses: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  rssPeakMiB: number;
  rssAfterMiB: number;
  /** Server CPU time per response (ms): steadier than throughput when the machine is shared. */
  cpuMsPerResponse: number | undefined;
  /**
   * With several `requests`, each connection sends them in turn: the latencies of each one (by its
   * index), measured in the same window — a fair comparison even when the machine's load drifts.
   */
  byRequest: { responses: number; p50: number; p99: number }[];
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** At most this many latencies are kept (about 10 minutes at 10k/s): the run is bounded anyway. */
const MAX_SAMPLES = 5_000_000;

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.baseUrl);
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
    throw new Error(`benchmarks only send traffic to loopback, not ${url.hostname}`);
  }
  if (options.warmupSeconds) {
    await autocannon({
      url: options.baseUrl,
      connections: options.connections,
      duration: options.warmupSeconds,
      timeout: 10,
      headers: options.headers ?? {},
      requests: options.requests,
    });
    await options.settle?.();
  }
  const latencies: number[] = [];
  const rss = sampleRss(options.serverPid);
  const cpuBefore = cpuSeconds(options.serverPid);
  const instance = autocannon({
    url: options.baseUrl,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.durationSeconds }),
    timeout: 10,
    headers: options.headers ?? {},
    requests: options.requests,
  });
  const bound = options.amount
    ? setTimeout(() => instance.stop(), options.durationSeconds * 1000)
    : undefined;
  // Each connection sends `requests` in order, one at a time, so its n-th response answers request
  // n modulo their number.
  const sequence = Math.max(1, options.requests.length);
  const perRequest: number[][] = Array.from({ length: sequence }, () => []);
  const sent = new Map<unknown, number>();
  instance.on('response', (client, _status, _bytes, ms) => {
    if (latencies.length >= MAX_SAMPLES) return;
    latencies.push(ms);
    const n = sent.get(client) ?? 0;
    sent.set(client, n + 1);
    perRequest[n % sequence]!.push(ms);
  });
  const result = await instance;
  clearTimeout(bound);
  const memory = rss.stop();
  const cpuAfter = cpuSeconds(options.serverPid);
  const sorted = Float64Array.from(latencies).sort();
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count;
  const responses = latencies.length;
  return {
    responses,
    seconds: result.duration,
    rps: responses / result.duration,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    rssPeakMiB: memory.peak,
    rssAfterMiB: memory.last,
    cpuMsPerResponse:
      cpuBefore !== undefined && cpuAfter !== undefined && responses > 0
        ? ((cpuAfter - cpuBefore) * 1000) / responses
        : undefined,
    byRequest: perRequest.map((values) => {
      const ordered = Float64Array.from(values).sort();
      return { responses: values.length, p50: percentile(ordered, 50), p99: percentile(ordered, 99) };
    }),
  };
}
