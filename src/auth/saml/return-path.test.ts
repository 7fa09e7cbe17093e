import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safeReturnPath } from './return-path.ts';

describe('safeReturnPath', () => {
  for (const path of ['/', '/members', '/workspaces?x=1#top', '/audit?actor=a%2Fb']) {
    it(`keeps the same-site path ${path}`, () => assert.equal(safeReturnPath(path), path));
  }
  for (const value of [
    'https://evil.example',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(1)',
    'evil.example/path',
    '/\t/evil.example',
    '/\n/evil.example',
    '',
    `/${'a'.repeat(600)}`,
  ]) {
    it(`drops ${JSON.stringify(value.slice(0, 40))}`, () => assert.equal(safeReturnPath(value), ''));
  }
});
