#!/usr/bin/env node
// The roster command. Runs dist/roster.mjs, the sources bundled by scripts/build.mjs (built by
// `npm install`, and again here whenever a file under src/ is newer). Should the build fail, the
// TypeScript sources run through tsx instead, as the tests run them.
import { ensureBuilt } from '../scripts/build.mjs';

async function load() {
  try {
    return await import(await ensureBuilt());
  } catch (error) {
    process.stderr.write(`roster: running the sources through tsx (could not build dist/: ${error})\n`);
    const { register } = await import('tsx/esm/api');
    register();
    return import('../src/cli/main.ts');
  }
}

const { runCli } = await load();
process.exitCode = await runCli(process.argv.slice(2));
