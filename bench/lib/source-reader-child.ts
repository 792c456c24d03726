/**
 * One benchmark reader, run as its own process so that its peak RSS is its own:
 *
 *   node build/bench/lib/source-reader-child.js live <endpoint> <prefix>
 *   node build/bench/lib/source-reader-child.js snapshot-index <file> <prefix>   open + index (count)
 *   node build/bench/lib/source-reader-child.js snapshot-read <file> <prefix>    open + index + every value
 *
 * Prints one JSON line `{ records, bytes, innerS }`. Each mode loads only the modules it needs (the
 * snapshot modes never load etcd3/grpc-js).
 */

/** What a reader child prints (one JSON line). */
export interface ReaderChildResult {
  records: number;
  bytes: number;
  /** Seconds inside the child from before open to after the last record (module loading excluded). */
  innerS: number;
}

async function main(): Promise<void> {
  const [mode, target, prefix] = process.argv.slice(2) as [string, string, string];
  let records = 0;
  let bytes = 0;
  let started: bigint;
  if (mode === 'live') {
    const { openLiveSource } = await import('../../src/sources/live-etcd-source');
    started = process.hrtime.bigint();
    const source = await openLiveSource({ endpoints: target, callTimeoutMs: 300_000 });
    for await (const r of source.range({ prefix })) {
      records++;
      bytes += r.value.length;
    }
    await source.close();
  } else if (mode === 'snapshot-index' || mode === 'snapshot-read') {
    const { openSnapshotSource } = await import('../../src/sources/snapshot/snapshot-source');
    started = process.hrtime.bigint();
    const source = await openSnapshotSource(target);
    if (mode === 'snapshot-index') {
      records = await source.count({ prefix }); // builds the index and waits for the SHA-256 verdict
    } else {
      for await (const r of source.range({ prefix })) {
        records++;
        bytes += r.value.length;
      }
    }
    await source.close();
  } else {
    throw new Error(`Unknown mode "${mode}": pass live, snapshot-index or snapshot-read.`);
  }
  const result: ReaderChildResult = { records, bytes, innerS: Number(process.hrtime.bigint() - started) / 1e9 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
