import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { memoryReleased, releaseMemory } from '../../src/util/release-memory';

function rssMb(): number {
  return process.memoryUsage().rss / 1e6;
}

describe('releaseMemory', () => {
  test('detaches whole arrays and gives their memory back without a garbage collection', async () => {
    const before = rssMb();
    const a = new Int32Array(40e6 / 4).fill(7);
    const b = new Float64Array(40e6 / 8).fill(1.5);
    assert.ok(rssMb() - before > 60, 'the arrays are resident');
    releaseMemory(a, b);
    assert.equal(a.length, 0);
    assert.equal(b.length, 0);
    await memoryReleased();
    // 80 MB were resident; at least most of it is gone (no gc() here: the test runs without --expose-gc)
    assert.ok(rssMb() - before < 30, `resident after release: ${(rssMb() - before).toFixed(0)} MB above the start`);
  });

  test('leaves alone what is not its own to free: part of a buffer, a pooled Buffer, a shared buffer', () => {
    const whole = new Uint8Array(1024).fill(1);
    const part = whole.subarray(10, 20);
    const pooled = Buffer.from('pooled'); // a view into Node's shared 8 KiB pool
    const shared = new Uint8Array(new SharedArrayBuffer(64)).fill(3);
    releaseMemory(part, pooled, shared);
    assert.equal(whole.length, 1024);
    assert.equal(whole[15], 1);
    assert.equal(pooled.toString(), 'pooled');
    assert.equal(shared[0], 3);
  });
});
