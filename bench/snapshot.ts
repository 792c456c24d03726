/**
 * Snapshot reader benchmark (prints numbers, asserts nothing).
 *
 *   node build/bench/snapshot.js [snapshot.db]          measure an existing snapshot
 *   node build/bench/snapshot.js --build 300000 2048    write N keys of B bytes under 50 prefixes to a real
 *                                                       etcd (batched txns), snapshot it, then measure
 *
 * Measures: open (incl. SHA-256 check), index build, full read of every value, keys-only read, count,
 * and heap/RSS growth, against a plain sequential read of the file in the same run (the reference).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openSnapshotSource } from '../src/sources/snapshot/snapshot-source';
import { runEtcdctl, startEtcd } from '../test/helpers/etcd';

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function build(keys: number, valueBytes: number, dir: string): Promise<string> {
  const etcd = await startEtcd({
    name: 'bench',
    extraArgs: ['--max-txn-ops', '5000', '--max-request-bytes', '10485760'],
    keepDataDir: true,
    startTimeoutMs: 30_000,
  });
  const etcdctl = async (args: string[], timeoutMs: number, input?: string): Promise<void> => {
    const result = await runEtcdctl(args, { endpoints: etcd.endpoints, timeoutMs }, input);
    if (result.code !== 0)
      throw new Error(`etcdctl ${args.slice(1).join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
  };
  try {
    const perTxn = Math.max(1, Math.min(4000, Math.floor((1.5 * 1024 * 1024) / (valueBytes + 64))));
    const value = (i: number): string => (i.toString(36) + 'x'.repeat(valueBytes)).slice(0, valueBytes);
    const started = process.hrtime.bigint();
    const batches: string[] = [];
    for (let i = 0; i < keys; i += perTxn) {
      const ops: string[] = [];
      for (let j = i; j < Math.min(keys, i + perTxn); j++)
        ops.push(`put /registry/bench/ns-${j % 50}/obj-${String(j).padStart(7, '0')} ${value(j)}`);
      batches.push(`\n${ops.join('\n')}\n\n\n`);
    }
    const run = (input: string): Promise<void> => etcdctl(['--command-timeout=60s', 'txn'], 70_000, input);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) await run(batches[next++] as string);
    };
    await Promise.all([worker(), worker(), worker()]);
    console.log(
      `wrote ${keys} keys of ${valueBytes} B in ${batches.length} txns: ${(ms(started) / 1000).toFixed(1)} s`,
    );
    const snap = path.join(dir, 'bench.db');
    await etcdctl(['--command-timeout=600s', 'snapshot', 'save', snap], 610_000);
    await etcd.stop(10_000);
    // The data dir may be on another file system (/dev/shm): copy, then the finally removes it.
    fs.copyFileSync(path.join(etcd.dataDir, 'member', 'snap', 'db'), path.join(dir, 'member.db'));
    return snap;
  } finally {
    await etcd.stop(10_000);
    fs.rmSync(etcd.dataDir, { recursive: true, force: true });
  }
}

async function measure(file: string): Promise<void> {
  const size = fs.statSync(file).size;
  console.log(`file ${file}: ${(size / 1e6).toFixed(1)} MB`);
  // reference: a plain sequential read of the whole file in 8 MiB chunks
  let t = process.hrtime.bigint();
  const fd = fs.openSync(file, 'r');
  const chunk = Buffer.allocUnsafe(8 << 20);
  while (fs.readSync(fd, chunk, 0, chunk.length, null) > 0);
  fs.closeSync(fd);
  const reference = ms(t);
  console.log(`reference sequential read: ${reference.toFixed(0)} ms`);
  const rss0 = process.memoryUsage().rss;
  t = process.hrtime.bigint();
  const s = await openSnapshotSource(file);
  const openMs = ms(t);
  t = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await s.count({ prefix: '' }); // first use: builds the index and waits for the SHA-256 verdict
  const indexMs = ms(t);
  const cpu = process.cpuUsage(cpu0);
  const index = s.mvccIndex();
  console.log(
    `first use CPU time (main thread + hash worker): user ${(cpu.user / 1000).toFixed(0)} ms, system ${(cpu.system / 1000).toFixed(0)} ms`,
  );
  console.log(
    `open (metas; hash check starts): ${openMs.toFixed(0)} ms; first use (index + hash verdict): ${indexMs.toFixed(0)} ms (${index.keyCount} keys, ${index.recordCount} records, ${(index.memoryBytes / 1e6).toFixed(1)} MB, ${(index.memoryBytes / Math.max(1, index.keyCount)).toFixed(0)} B/key); open+index ${(openMs + indexMs).toFixed(0)} ms = ${((openMs + indexMs) / reference).toFixed(2)}x reference`,
  );
  t = process.hrtime.bigint();
  const cpu1 = process.cpuUsage();
  let n = 0;
  let bytes = 0;
  for await (const kv of s.range({ prefix: '' })) {
    n++;
    bytes += kv.value.length;
  }
  const readMs = ms(t);
  const cpuRead = process.cpuUsage(cpu1);
  console.log(
    `full read CPU time: user ${(cpuRead.user / 1000).toFixed(0)} ms, system ${(cpuRead.system / 1000).toFixed(0)} ms`,
  );
  console.log(
    `full read: ${n} records, ${(bytes / 1e6).toFixed(1)} MB of values in ${readMs.toFixed(0)} ms = ${(readMs / reference).toFixed(2)}x reference`,
  );
  t = process.hrtime.bigint();
  let k = 0;
  for await (const kv of s.range({ prefix: '' }, { keysOnly: true })) k += kv.key.length > 0 ? 1 : 0;
  console.log(
    `keys-only read: ${k} in ${ms(t).toFixed(0)} ms; count: ${await s.count({ prefix: '/registry/' })} in ${(() => {
      const c = process.hrtime.bigint();
      void s.count({ prefix: '' });
      return ms(c).toFixed(0);
    })()} ms`,
  );
  console.log(`RSS growth: ${((process.memoryUsage().rss - rss0) / 1e6).toFixed(0)} MB`);
  await s.close();
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--build') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-bench-'));
    const file = await build(Number(args[1] ?? 300000), Number(args[2] ?? 2048), dir);
    console.log(`snapshot kept at ${file}, member db at ${path.join(dir, 'member.db')} (delete them when done)`);
    await measure(file);
    await measure(path.join(dir, 'member.db'));
  } else if (args[0]) {
    await measure(args[0]);
  } else {
    console.error('usage: node build/bench/snapshot.js <snapshot.db> | --build [keys] [valueBytes]');
    process.exit(2);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
