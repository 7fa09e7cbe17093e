import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateLinkSecret } from '../auth/token-format.ts';
import { linkUrl, redactLinkSecrets } from './link-paths.ts';

describe('link secrets in logged URLs', () => {
  for (const kind of ['invitation', 'passwordReset', 'setupLink'] as const) {
    it(`cuts the secret out of a ${kind} path, with or without a query`, () => {
      const { value } = generateLinkSecret();
      const path = new URL(linkUrl('https://roster.test', kind, value)).pathname;
      for (const url of [path, `${path}?x=1`, `${path}/`]) {
        const logged = redactLinkSecrets(url);
        assert.ok(!logged.includes(value), logged);
        assert.match(logged, /\[redacted\]/);
      }
    });
  }

  it('leaves other paths alone', () => {
    for (const url of ['/invitations', '/setup-link', '/members/abc', '/reset-password']) {
      assert.equal(redactLinkSecrets(url), url);
    }
  });
});
