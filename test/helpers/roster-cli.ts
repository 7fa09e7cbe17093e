// Running the `roster` command: in this process through `runCli` (what bin/roster.js calls), or as
// a child process (bin/roster.js), as an operator would. A child costs about a second of CPU to
// start, so most CLI tests run in process; test/cli/serve*.test.ts and the kill -9 test spawn it.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli as runRosterCli } from '../../src/cli/main.ts';
import { freePort } from './net.ts';
import type { TestDatabase } from './stores.ts';

export const ROSTER_BIN = fileURLToPath(new URL('../../bin/roster.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a child Roster: this process's, without anything that would point it elsewhere
 * (or make it think it runs under the test runner), plus the database and `extra`.
 */
export function rosterEnv(database: TestDatabase, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    'DATABASE_URL',
    'PGOPTIONS',
    'PORT',
    'HOST',
    'PUBLIC_URL',
    'LOG_LEVEL',
    'NODE_TEST_CONTEXT',
  ]) {
    delete env[name];
  }
  return { ...env, DATABASE_URL: database.url, ...database.env, ...extra };
}

/**
 * Runs `roster …args` in this process with `env` as its settings, its output captured. The drivers'
 * own variables (PGOPTIONS) are not taken from `env`: use it with SQLite, or spawn `runRoster`.
 */
export async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runRosterCli(args, {
    env,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

/** `runCli` with --json: expects exit code 0 and returns the parsed output. */
export async function runCliJson<T = Record<string, unknown>>(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<T> {
  const result = await runCli([...args, '--json'], env);
  if (result.code !== 0) {
    throw new Error(`roster ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return JSON.parse(result.stdout) as T;
}

/** Runs `roster …args` in a child process to completion. */
export function runRoster(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ROSTER_BIN, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`roster ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `roster …args --json`, expects exit code 0 and returns the parsed output. */
export async function runRosterJson<T = Record<string, unknown>>(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<T> {
  const result = await runRoster([...args, '--json'], env);
  if (result.code !== 0) {
    throw new Error(`roster ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return JSON.parse(result.stdout) as T;
}

export interface RunningRoster {
  child: ChildProcess;
  baseUrl: string;
  /** Everything the server wrote so far, stdout and stderr. */
  output(): string;
  /** What it wrote on stdout alone (the log's JSON lines). */
  stdout(): string;
  /** Resolves with the exit code (or the signal) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `roster serve` on a free port and resolves once it said it is running (so the port is
 * its own: a /healthz answer alone may come from another test's server that took the port between
 * `freePort` and this server's listen) and /healthz answers 200. A port taken meanwhile
 * (EADDRINUSE) is tried again on another.
 */
export async function startRoster(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<RunningRoster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRosterOnce(env, timeoutMs);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt === 3) throw error;
    }
  }
}

class PortTakenError extends Error {}

async function startRosterOnce(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<RunningRoster> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [ROSTER_BIN, 'serve'], {
    cwd: ROOT,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: baseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  let gone = false;
  void exited.then(() => {
    gone = true;
  });

  const deadline = Date.now() + timeoutMs;
  while (true) {
    if (gone) {
      await new Promise((resolve) => setImmediate(resolve));
      if (output.includes('EADDRINUSE')) throw new PortTakenError(output);
      throw new Error(`roster serve exited before it was healthy:\n${output}`);
    }
    if (output.includes(`Roster is running at ${baseUrl} `)) {
      try {
        const response = await fetch(`${baseUrl}/healthz`);
        if (response.status === 200) break;
      } catch {
        // not answering yet
      }
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`roster serve was not healthy within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, baseUrl, output: () => output, stdout: () => stdout, exited };
}
