import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { primaryEmail } from './primary-email.ts';

describe('primaryEmail', () => {
  const cases = [
    [
      'picks the email marked primary',
      [
        { value: 'a@x', type: 'work' },
        { value: 'b@x', primary: true },
      ],
      'b@x',
    ],
    [
      'else the work email',
      [
        { value: 'a@x', type: 'home' },
        { value: 'b@x', type: 'Work' },
      ],
      'b@x',
    ],
    [
      'else the first email',
      [
        { value: 'a@x', type: 'home' },
        { value: 'b@x', type: 'other' },
      ],
      'a@x',
    ],
    ['skips elements without a value', [{ type: 'work', primary: true }, { value: 'b@x' }], 'b@x'],
    ['is undefined for no emails', [], undefined],
    ['is undefined for undefined', undefined, undefined],
  ] as const;
  for (const [name, emails, expected] of cases) {
    it(name, () => assert.equal(primaryEmail(emails), expected));
  }
});
