import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leaseCoversSend, leaseMs } from './delivery-worker.ts';

describe('leaseMs', () => {
  it('outlasts the request deadline by as long again, 5 s at most', () => {
    assert.equal(leaseMs(15), 20_000);
    assert.equal(leaseMs(120), 125_000);
    assert.equal(leaseMs(3), 6_000);
    assert.equal(leaseMs(1), 2_000);
  });
});

describe('leaseCoversSend', () => {
  it('lets a queued delivery go only while its deadline and half the filing margin end before its lease', () => {
    const claimedAt = 1_000_000;
    const lease = claimedAt + leaseMs(15);
    assert.equal(leaseCoversSend(lease, 15, claimedAt), true);
    assert.equal(leaseCoversSend(lease, 15, claimedAt + 2_500), true);
    assert.equal(leaseCoversSend(lease, 15, claimedAt + 2_501), false);
    const short = claimedAt + leaseMs(1);
    assert.equal(leaseCoversSend(short, 1, claimedAt + 500), true);
    assert.equal(leaseCoversSend(short, 1, claimedAt + 501), false);
  });
});
