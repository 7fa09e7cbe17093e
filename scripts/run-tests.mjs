#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's test runner (Node 20 has no glob support in --test).
//
//   node scripts/run-tests.mjs [substring …] [--isolate] [--durations FILE] [--typecheck]
//
// Test files run several to a process: a process that loads tsx, Fastify, Kysely and both database
// drivers costs about a second of CPU before its first test, which for 100 files was a third of the
// run. The files of one group run one after the other in their process (as the top-level tests of
// one file already did), each group's process beside the others (TEST_CONCURRENCY, default 3).
// --isolate runs every file in a process of its own, as before. --durations FILE writes each
// file's time (the sum of its top-level tests), longest first. --typecheck runs `tsc --noEmit` beside
// the tests (npm test does): it uses one core for its first 15 s, while the tests start on the other,
// and the run fails when either fails.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Files per process, at most (files of one directory share a process). Measured on 2 cores, whole
 * suite: 4 → 110 s, 8 → 101 s, 12 → 95 s, 16 → 95 s. The unit tests beside the sources (src/, but
 * the store's) take milliseconds each.
 */
const GROUP_SIZE = 12;
const UNIT_GROUP_SIZE = 20;
/** Run first: the longest files, so that they do not start last and leave one core idle at the end. */
const FIRST = [
  'test/crash/',
  'test/store/',
  'test/security/',
  'test/browser/',
  'test/sso/',
  'test/dashboard/',
];

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (entry.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const args = process.argv.slice(2);
const isolate = args.includes('--isolate');
const typecheck = args.includes('--typecheck');
const durationsAt = args.indexOf('--durations');
const durationsFile = durationsAt >= 0 ? args[durationsAt + 1] : undefined;
const filters = args.filter((arg, i) => !arg.startsWith('--') && (durationsAt < 0 || i !== durationsAt + 1));
const files = ['src', 'test']
  .flatMap((dir) => findTests(dir))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

/** Files of one directory together, GROUP_SIZE at most; the unit tests beside the sources in one group. */
function groupFiles(all) {
  const byDir = new Map();
  for (const file of all) {
    const key = file.startsWith('src/store/') ? 'src/store' : file.startsWith('src/') ? 'src' : dirname(file);
    byDir.set(key, [...(byDir.get(key) ?? []), file]);
  }
  const groups = [];
  for (const [key, members] of byDir) {
    const size = key === 'src' ? UNIT_GROUP_SIZE : GROUP_SIZE;
    for (let i = 0; i < members.length; i += size) groups.push(members.slice(i, i + size));
  }
  const rank = (group) => {
    const at = FIRST.findIndex((prefix) => group[0].startsWith(prefix));
    return at < 0 ? FIRST.length : at;
  };
  return groups.sort((a, b) => rank(a) - rank(b));
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const temporary = mkdtempSync(join(tmpdir(), 'roster-tests-'));
let entries = files;
if (!isolate) {
  entries = groupFiles(files).map((group, i) => {
    const entry = join(temporary, `${String(i).padStart(2, '0')}.test.mjs`);
    const imports = group.map((file) => `import ${JSON.stringify(pathToFileURL(join(ROOT, file)).href)};`);
    writeFileSync(entry, `${imports.join('\n')}\n`);
    return entry;
  });
}

const concurrency = Number(process.env.TEST_CONCURRENCY ?? (isolate ? 2 : 3));
const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout'];
if (durationsFile) {
  reporters.push(
    `--test-reporter=${pathToFileURL(join(ROOT, 'scripts', 'test-durations.mjs')).href}`,
    `--test-reporter-destination=${durationsFile}`,
  );
}
/** Runs a command to its end; its output is kept back (and returned) when `quiet`. */
function run(command, commandArgs, quiet) {
  return new Promise((done) => {
    const child = spawn(command, commandArgs, {
      stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      cwd: ROOT,
    });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    child.on('close', (code) => done({ status: code ?? 1, output }));
  });
}

const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const [types, tests] = await Promise.all([
  typecheck ? run(process.execPath, [tsc, '--noEmit', '-p', '.'], true) : { status: 0, output: '' },
  run(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...reporters, ...entries],
    false,
  ),
]);
rmSync(temporary, { recursive: true, force: true });
if (typecheck) {
  if (types.status === 0) console.log('typecheck (tsc --noEmit): passed');
  else console.error(`typecheck (tsc --noEmit): FAILED\n${types.output}`);
}
process.exit(tests.status !== 0 ? tests.status : types.status);
