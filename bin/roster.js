#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step): tsx registers a loader, then the CLI starts.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
