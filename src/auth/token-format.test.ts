import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { generateToken, hashToken, sameHash, tokenKind } from './token-format.ts';

describe('generateToken', () => {
  it('makes personal tokens that start with rst_pat_ and service tokens that start with rst_sat_', () => {
    assert.match(generateToken('personal').value, /^rst_pat_[A-Za-z0-9_-]{43}$/);
    assert.match(generateToken('service').value, /^rst_sat_[A-Za-z0-9_-]{43}$/);
  });

  it('returns the SHA-256 of the whole value and its last four characters', () => {
    const token = generateToken('personal');
    assert.equal(token.hash, createHash('sha256').update(token.value).digest('hex'));
    assert.equal(token.lastFour, token.value.slice(-4));
  });

  it('never makes the same token twice', () => {
    const values = new Set(Array.from({ length: 100 }, () => generateToken('service').value));
    assert.equal(values.size, 100);
  });
});

describe('hashToken', () => {
  it('is a stable 64-character hex digest that does not contain the token', () => {
    const { value } = generateToken('personal');
    const hash = hashToken(value);
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(hashToken(value), hash);
    assert.ok(!hash.includes(value.slice(8)));
    assert.notEqual(hashToken(`${value.slice(0, -1)}x`), hash);
  });
});

describe('tokenKind', () => {
  it('recognises a generated personal or service token', () => {
    assert.equal(tokenKind(generateToken('personal').value), 'personal');
    assert.equal(tokenKind(generateToken('service').value), 'service');
  });

  const body = 'A'.repeat(43);
  const notTokens: Array<[string, string]> = [
    ['an empty string', ''],
    ['a prefix alone', 'rst_pat_'],
    ['a body one character short', `rst_pat_${body.slice(1)}`],
    ['a body one character long', `rst_sat_${body}A`],
    ['a body with a character outside base64url', `rst_pat_${body.slice(1)}+`],
    ['an unknown prefix', `rst_xyz_${body}`],
    ['an upper-case prefix', `RST_PAT_${body}`],
    ['a value with the scheme still attached', `Bearer rst_pat_${body}`],
    ['a value with trailing whitespace', `rst_pat_${body} `],
  ];
  for (const [what, value] of notTokens) {
    it(`does not take ${what} for a token`, () => {
      assert.equal(tokenKind(value), undefined);
    });
  }
});

describe('sameHash', () => {
  it('is true for equal digests and false for different ones', () => {
    const a = hashToken('a');
    assert.equal(sameHash(a, hashToken('a')), true);
    assert.equal(sameHash(a, hashToken('b')), false);
  });

  it('is false, without throwing, for digests of different lengths', () => {
    const a = hashToken('a');
    assert.equal(sameHash(a, a.slice(0, 62)), false);
    assert.equal(sameHash(a, ''), false);
  });
});
