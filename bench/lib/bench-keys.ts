/**
 * The benchmark data set: N keys of ~2 KB under 50 sub-prefixes, written into a real etcd in batched
 * transactions through kubetcd's fixture writer.
 */
import { openEtcdWriterForFixtures } from '../../src/sources/live-etcd-source';

/** Prefix of every benchmark key. */
export const BENCH_PREFIX = '/registry/bench/';

/** Keys to load: KUBETCD_BENCH_KEYS, default 300 000. */
export function benchKeyCount(): number {
  const n = Number(process.env.KUBETCD_BENCH_KEYS ?? 300_000);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new Error(`KUBETCD_BENCH_KEYS=${process.env.KUBETCD_BENCH_KEYS}: pass a positive integer.`);
  return n;
}

/**
 * Write `n` keys `/registry/bench/namespace-NN/object-NNNNNNN` of 2048 bytes each; resolves with the load time.
 * @example
 * const s = await loadBenchKeys(etcd.endpoint, 50_000);
 */
export async function loadBenchKeys(endpoint: string, n: number): Promise<number> {
  const writer = await openEtcdWriterForFixtures({ endpoints: endpoint });
  try {
    const value = Buffer.alloc(2048, 'x');
    function* entries(): Generator<[string, Buffer]> {
      for (let i = 0; i < n; i++) {
        const ns = `namespace-${String(i % 50).padStart(2, '0')}`;
        yield [`${BENCH_PREFIX}${ns}/object-${String(i).padStart(7, '0')}`, value];
      }
    }
    const started = Date.now();
    await writer.putMany(entries(), { batchSize: 128, concurrency: 4 });
    return (Date.now() - started) / 1000;
  } finally {
    await writer.close();
  }
}
