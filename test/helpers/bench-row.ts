// A benchmark result row for the verdict tests: a clean 1,000-response run, with what a test varies.
import type { Row } from '../../bench/lib/report.ts';

export function benchRow(fields: Partial<Row> & Pick<Row, 'scenario'>): Row {
  return {
    database: 'sqlite',
    members: 10_000,
    ratio: undefined,
    databaseMiB: undefined,
    responses: 1000,
    seconds: 2,
    rps: 5000,
    p50: 1,
    p99: 5,
    max: 9,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    statusCodes: { '200': 1000 },
    rssPeakMiB: 140,
    rssAfterMiB: 140,
    cpuMsPerResponse: 0.2,
    byRequest: [],
    ...fields,
  };
}
