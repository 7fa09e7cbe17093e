import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leaseMs } from './delivery-worker.ts';

describe('leaseMs', () => {
  it('outlasts the request deadline by as long again, 5 s at most', () => {
    assert.equal(leaseMs(15), 20_000);
    assert.equal(leaseMs(120), 125_000);
    assert.equal(leaseMs(3), 6_000);
    assert.equal(leaseMs(1), 2_000);
  });
});
