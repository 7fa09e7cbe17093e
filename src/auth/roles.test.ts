import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearerToken } from './authenticate-token.ts';
import { atLeast, isRole, lowerRole } from './roles.ts';

describe('roles', () => {
  it('takes the lower of two roles, and no role when either is missing', () => {
    assert.equal(lowerRole('admin', 'admin'), 'admin');
    assert.equal(lowerRole('admin', 'member'), 'member');
    assert.equal(lowerRole('member', 'admin'), 'member');
    assert.equal(lowerRole('admin', null), null);
    assert.equal(lowerRole(null, 'member'), null);
  });

  it('ranks admin above member, and no role below both', () => {
    assert.equal(atLeast('admin', 'member'), true);
    assert.equal(atLeast('admin', 'admin'), true);
    assert.equal(atLeast('member', 'member'), true);
    assert.equal(atLeast('member', 'admin'), false);
    assert.equal(atLeast(null, 'member'), false);
  });

  it('knows only admin and member as roles', () => {
    assert.equal(isRole('admin'), true);
    assert.equal(isRole('member'), true);
    for (const value of ['Admin', 'owner', '', null, undefined, 1]) assert.equal(isRole(value), false);
  });
});

describe('bearerToken', () => {
  it('is undefined when there is no Authorization header', () => {
    assert.equal(bearerToken(undefined), undefined);
    assert.equal(bearerToken(''), undefined);
  });

  it('takes the token after the Bearer scheme, in any case (RFC 6750 §2.1)', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('bearer abc'), 'abc');
    assert.equal(bearerToken('BEARER \tabc '), 'abc');
  });

  it('is an empty string, not a token, for another scheme or a malformed header', () => {
    for (const header of ['Basic YWJjOmRlZg==', 'Bearer', 'Bearer ', 'Bearer a b', 'Token abc']) {
      assert.equal(bearerToken(header), '', header);
    }
  });
});
