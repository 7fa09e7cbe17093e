// The runnable Roster: src/cli/main.ts and everything it imports, bundled by esbuild into
// dist/roster.mjs (npm packages stay imports), plus the SQLite checkpoint worker beside it.
//
// `npm install` builds it (the `prepare` script) and bin/roster.js rebuilds it whenever a file
// under src/ is newer, so it never runs stale code. Running the bundle rather than the sources
// through tsx spares every server the TypeScript loader's thread (about 38 MB of resident memory);
// the transform is the one tsx applies (esbuild's), and the tests run the sources.
//
//   node scripts/build.mjs     builds dist/ now
import { copyFileSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
export const ENTRY = join(DIST, 'roster.mjs');
const WORKER = join('src', 'store', 'sqlite', 'checkpoint-worker.js');

/** The newest modification time (ms) of `dir` and everything under it (a deletion changes its directory). */
function newest(dir) {
  let latest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function isFresh() {
  try {
    const built = statSync(ENTRY).mtimeMs;
    return built >= newest(join(ROOT, 'src')) && built >= statSync(fileURLToPath(import.meta.url)).mtimeMs;
  } catch {
    return false;
  }
}

/** Writes through a temporary file and a rename: processes building at once never read half a file. */
function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

export async function build() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(ROOT, 'src', 'cli', 'main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    keepNames: true,
    write: false,
    outfile: ENTRY,
    logLevel: 'silent',
  });
  mkdirSync(DIST, { recursive: true });
  const worker = join(DIST, 'checkpoint-worker.js');
  copyFileSync(join(ROOT, WORKER), `${worker}.${process.pid}.tmp`);
  renameSync(`${worker}.${process.pid}.tmp`, worker);
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
}

/** The URL of an up-to-date bundle, building it first if a source changed since. */
export async function ensureBuilt() {
  if (!isFresh()) await build();
  return pathToFileURL(ENTRY).href;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await build();
  process.stdout.write(`built ${ENTRY}\n`);
}
