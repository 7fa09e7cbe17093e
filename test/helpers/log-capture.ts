// The production logger (its level and redactions, src/http/request-log.ts), writing to memory, for
// tests that look for what must never be logged.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { FastifyServerOptions } from 'fastify';
import type { Config } from '../../src/config.ts';
import { loggerOptions } from '../../src/http/request-log.ts';

export interface CapturedLogs {
  /** For createApp's `logger` option. */
  logger: FastifyServerOptions['logger'];
  /** Every line written so far. */
  lines: string[];
}

export function captureLogs(level: Config['logLevel'] = 'trace'): CapturedLogs {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const options = loggerOptions(level);
  assert.ok(typeof options === 'object' && options !== null);
  return { logger: { ...options, stream }, lines };
}
