// The processes a benchmark run starts: the Roster server under test (`node <flags> bin/roster.js serve`,
// exactly what `npm start` runs), the bare-node baseline, the floor (Fastify and better-sqlite3
// alone, bench/floor-server.ts) and the seeder. Everything listens on
// 127.0.0.1 only, on a port chosen free, and is stopped by its pid when the run ends.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/helpers/net.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Resident memory of a process in MiB, from /proc/<pid>/status (undefined once it is gone). */
export function rssMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; returns the peak and the last sample. */
export function sampleRss(pid: number | undefined, everyMs = 200) {
  let peak = rssMiB(pid) ?? 0;
  let last = peak;
  const timer = setInterval(() => {
    const now = rssMiB(pid);
    if (now === undefined) return;
    last = now;
    if (now > peak) peak = now;
  }, everyMs);
  timer.unref();
  return {
    stop(): { peak: number; last: number } {
      clearInterval(timer);
      const now = rssMiB(pid);
      if (now !== undefined) {
        last = now;
        if (now > peak) peak = now;
      }
      return { peak, last };
    },
  };
}

export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** The last few KB of its output, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

/** The last 8 KB of a file. */
function tailOf(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-8192);
  } catch {
    return '';
  }
}

/** `output` reads what the process wrote, when it writes to a file rather than to our pipes. */
function track(child: ChildProcess, name: string, output?: () => string): Child {
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-8192);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  return {
    process: child,
    pid: child.pid,
    output: output ?? (() => tail),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killed);
    },
  };
}

async function waitFor(url: string, child: Child, name: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) {
      throw new Error(`${name} exited with ${child.process.exitCode}:\n${child.output()}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await child.stop();
  throw new Error(`${name} did not answer ${url} within ${timeoutMs / 1000} s:\n${child.output()}`);
}

export interface RosterServer extends Child {
  readonly baseUrl: string;
}

/** The Node.js flags of `npm start` (package.json), so that the server runs exactly as it does. */
export function startFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const words = scripts.start.split(/\s+/);
  return words.slice(words.indexOf('node') + 1, words.indexOf('bin/roster.js'));
}

/**
 * Starts the server as `npm start` does, on its own database; resolves once /healthz answers. Its
 * output goes to `logFile`, as a deployment's would go to a log collector: through a pipe, this
 * process (the load generator) would have to read every log line while it generates load, and with
 * LOG_LEVEL=info the server's writes stalled on the full pipe (its CPU per lookup rose by 0.37 ms
 * instead of the 0.04 ms that the same logging costs when written to a file or drained by `cat`).
 */
export async function startRoster(options: {
  databaseUrl: string;
  logFile: string;
  logLevel?: string;
  env?: Record<string, string>;
  /** Node.js flags after `npm start`'s own (e.g. --cpu-prof for a profiled run). */
  nodeFlags?: string[];
}): Promise<RosterServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const log = openSync(options.logFile, 'a');
  const child = spawn(
    process.execPath,
    [...startFlags(), ...(options.nodeFlags ?? []), join(ROOT, 'bin', 'roster.js'), 'serve'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...options.env,
        DATABASE_URL: options.databaseUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: baseUrl,
        LOG_LEVEL: options.logLevel ?? 'warn',
      },
      stdio: ['ignore', log, log],
    },
  );
  closeSync(log);
  const tracked = track(child, 'roster serve', () => tailOf(options.logFile));
  await waitFor(`${baseUrl}/healthz`, tracked, 'roster serve');
  return { ...tracked, baseUrl };
}

/**
 * Starts one of the benchmark's own servers (`bench/<script>`, through tsx) on a free port, with
 * PORT and PUBLIC_URL set; resolves once `/` answers.
 */
async function startBenchServer(
  script: string,
  name: string,
  nodeFlags: string[],
  env: Record<string, string>,
): Promise<Child & { baseUrl: string }> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', join(ROOT, 'bench', script)], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), PUBLIC_URL: baseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tracked = track(child, name);
  await waitFor(`${baseUrl}/`, tracked, name);
  return { ...tracked, baseUrl };
}

/** Starts bench/baseline-server.ts answering `bodyFile`'s bytes to every request. */
export function startBaseline(bodyFile: string): Promise<Child & { baseUrl: string }> {
  return startBenchServer('baseline-server.ts', 'baseline server', [], { BASELINE_BODY_FILE: bodyFile });
}

/**
 * Starts bench/floor-server.ts, with `npm start`'s flags, on a benchmark database: a SQLite file
 * (read-only) or a PostgreSQL URL (`env` sets its search_path).
 */
export function startFloor(
  database: string,
  env: Record<string, string> = {},
): Promise<Child & { baseUrl: string }> {
  return startBenchServer('floor-server.ts', 'floor server', startFlags(), {
    ...env,
    FLOOR_DATABASE: database,
  });
}

/** Runs a command to completion and returns its stdout (stderr is passed through). */
export function runToCompletion(
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${args.join(' ')} failed (${signal ?? code})`));
    });
  });
}
