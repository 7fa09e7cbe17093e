import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { newId } from './ids.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const millisecondsOf = (id: string) => Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('newId', () => {
  it('makes version 7 UUIDs with the RFC 9562 variant', () => {
    for (let i = 0; i < 1000; i++) assert.match(newId(), UUID_V7);
  });

  it('never makes the same id twice', () => {
    const ids = Array.from({ length: 100_000 }, () => newId());
    assert.equal(new Set(ids).size, ids.length);
  });

  it('starts with the millisecond it was made', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    assert.ok(
      millisecondsOf(id) >= before && millisecondsOf(id) <= after,
      `${id} was made in [${before}, ${after}]`,
    );
  });

  it('makes ids that sort in the order of the milliseconds they were made in', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      ids.push(newId());
      await sleep(2);
    }
    assert.deepEqual([...ids].sort(), ids);
  });

  it('keeps random bits after the time: ids of one millisecond differ there', () => {
    const ids = Array.from({ length: 50 }, () => newId());
    const sameMillisecond = ids.filter((id) => millisecondsOf(id) === millisecondsOf(ids[0]!));
    const tails = new Set(sameMillisecond.map((id) => id.slice(15)));
    assert.equal(tails.size, sameMillisecond.length);
  });
});
