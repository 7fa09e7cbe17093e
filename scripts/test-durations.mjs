// A reporter for Node's test runner (scripts/run-tests.mjs --durations FILE): each test file's
// time, the sum of its top-level tests, longest first, and the number of tests in it.
import { relative } from 'node:path';

export default async function* durations(source) {
  const files = new Map();
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { file, nesting, details } = event.data;
    if (!file) continue;
    const entry = files.get(file) ?? { ms: 0, tests: 0 };
    if (nesting === 0) entry.ms += details.duration_ms;
    if (details.type !== 'suite') entry.tests += 1;
    files.set(file, entry);
  }
  const sorted = [...files].sort((a, b) => b[1].ms - a[1].ms);
  let total = 0;
  for (const [file, { ms, tests }] of sorted) {
    total += ms;
    yield `${(ms / 1000).toFixed(1).padStart(7)} s ${String(tests).padStart(5)} tests  ${relative(process.cwd(), file)}\n`;
  }
  yield `${(total / 1000).toFixed(1).padStart(7)} s in all (files side by side overlap: this is not the wall time)\n`;
}
