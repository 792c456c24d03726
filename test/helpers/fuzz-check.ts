/**
 * The checks every short fuzzing run in the tests makes (test/codec/fuzz.test.ts,
 * test/sources/snapshot-fuzz.test.ts): one diagnostic line, no findings, every input run, bounded time
 * and memory.
 */
import * as assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { FuzzStats } from '../../bench/lib/fuzz-run';

const MIB = 2 ** 20;

/**
 * Reports a run in the test's diagnostics and asserts that it found nothing, ran `count` inputs, that no
 * input took `maxMs` or more, and that no input grew ArrayBuffers by 64 MiB or more.
 * @example
 * checkFuzzRun(t, await runFuzz({ target: 'decode', count: 1000, seed: 1, workers: 1 }), { count: 1000, maxMs: 1000 });
 */
export function checkFuzzRun(t: TestContext, stats: FuzzStats, expect: { count: number; maxMs: number }): void {
  t.diagnostic(
    `${stats.inputs} inputs, ${stats.inputsPerSec.toFixed(0)}/s; ${JSON.stringify(stats.outcomes)}; slowest ${stats.maxMs.toFixed(1)} ms (${stats.maxLabel}); ` +
      `max growth across one input: ArrayBuffers ${(stats.maxArrayBufferGrowth / MIB).toFixed(1)} MiB, heap ${(stats.maxHeapGrowth / MIB).toFixed(1)} MiB`,
  );
  assert.deepEqual(
    stats.findings.map(
      (f) =>
        `${f.kind} seed=${f.seed} index=${f.index} [${f.seedName}; ${f.mutation}]: ${f.message} (saved: ${f.file ?? '-'})`,
    ),
    [],
  );
  assert.equal(stats.inputs, expect.count);
  assert.ok(stats.maxMs < expect.maxMs, `slowest input ${stats.maxMs} ms`);
  assert.ok(stats.maxArrayBufferGrowth < 64 * MIB);
}
