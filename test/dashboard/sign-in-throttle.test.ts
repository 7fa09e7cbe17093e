import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignInThrottle } from '../../src/sign-in/sign-in-throttle.ts';

describe('the sign-in throttle', () => {
  const key = SignInThrottle.key('Ann@Example.test', '192.0.2.1');

  it('allows up to the limit of failures in the window, then says how long to wait', () => {
    const throttle = new SignInThrottle({ limit: 3, windowMs: 60_000 });
    for (let i = 0; i < 3; i++) {
      assert.equal(throttle.retryAfter(key, 1000 + i), 0);
      throttle.recordFailure(key, 1000 + i);
    }
    assert.equal(throttle.retryAfter(key, 2000), 59);
  });

  it('forgets failures older than the window', () => {
    const throttle = new SignInThrottle({ limit: 2, windowMs: 60_000 });
    throttle.recordFailure(key, 0);
    throttle.recordFailure(key, 1);
    assert.ok(throttle.retryAfter(key, 30_000) > 0);
    assert.equal(throttle.retryAfter(key, 60_002), 0);
  });

  it('counts per email (any case) and address, and resets after a success', () => {
    const throttle = new SignInThrottle({ limit: 1 });
    throttle.recordFailure(key);
    assert.ok(throttle.retryAfter(SignInThrottle.key('ann@example.test', '192.0.2.1')) > 0);
    assert.equal(throttle.retryAfter(SignInThrottle.key('ann@example.test', '192.0.2.2')), 0);
    throttle.reset(key);
    assert.equal(throttle.retryAfter(key), 0);
  });

  it('keeps at most maxKeys addresses in memory', () => {
    const throttle = new SignInThrottle({ limit: 1, maxKeys: 2 });
    for (const address of ['a', 'b', 'c']) throttle.recordFailure(SignInThrottle.key('x@y.z', address));
    assert.equal(throttle.retryAfter(SignInThrottle.key('x@y.z', 'a')), 0, 'the oldest key was dropped');
    assert.ok(throttle.retryAfter(SignInThrottle.key('x@y.z', 'c')) > 0);
  });
});
