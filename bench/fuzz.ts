/**
 * Long fuzzing runs of the decoder and the snapshot reader (the tests run the short mode). After a build:
 *
 *   node build/bench/fuzz.js [decodeCount] [snapshotCount] [--seed S] [--workers W] [--no-etcd]
 *   node build/bench/fuzz.js 1000000 100000              # the issue's counts (default)
 *   node build/bench/fuzz.js --repro .cache/fuzz-findings/decode-s1-i42.bin
 *   node build/bench/fuzz.js --repro decode:1:42          # regenerate input 42 of seed 1 and run it
 *
 * Seeds: Kubernetes' testdata/HEAD goldens (as stored and bare), auger's values and bbolt db, hand-made
 * CBOR and JSON, a synthetic deep bbolt tree, and (unless --no-etcd) a snapshot and a member db written by
 * a real etcd, whose values also seed the decoder. Prints inputs/s, outcome counts, the slowest input, the
 * largest memory growth across one input and every finding (seed + index; saved in .cache/fuzz-findings/).
 * Exits 1 when anything was found.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openSnapshotSource } from '../src/sources/snapshot/snapshot-source';
import { reproduce, runFuzz, type FuzzStats, type FuzzTarget } from './lib/fuzz-run';
import { makeEtcdSnapshotSeeds } from './lib/fuzz-etcd-seeds';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function positional(): number[] {
  const out: number[] = [];
  for (let i = 2; i < process.argv.length; i++) {
    const a = process.argv[i] as string;
    if (a.startsWith('--')) {
      if (a !== '--no-etcd') i++;
      continue;
    }
    out.push(Number(a.replace(/_/g, '')));
  }
  return out;
}

function mib(n: number): string {
  return `${(n / 2 ** 20).toFixed(1)} MiB`;
}

function print(stats: FuzzStats): void {
  const outcomes = Object.entries(stats.outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  console.log(
    `${stats.target}: ${stats.inputs} inputs in ${(stats.wallMs / 1000).toFixed(1)} s = ${stats.inputsPerSec.toFixed(0)} inputs/s (seed ${stats.seed})\n` +
      `  outcomes: ${outcomes}\n` +
      `  slowest input: ${stats.maxMs.toFixed(1)} ms (${stats.maxLabel})\n` +
      `  largest growth across one input: ArrayBuffers ${mib(stats.maxArrayBufferGrowth)}, heap ${mib(stats.maxHeapGrowth)}\n` +
      `  findings: ${Object.values(stats.signatures).reduce((a, b) => a + b, 0)} in ${Object.keys(stats.signatures).length} distinct kinds`,
  );
  for (const [sig, n] of Object.entries(stats.signatures)) console.log(`    ${n} × ${sig}`);
}

async function main(): Promise<void> {
  const repro = flag('--repro');
  if (repro !== undefined) {
    const m = /^(decode|snapshot):(\d+):(\d+)$/.exec(repro);
    console.log(
      await reproduce(m ? { target: m[1] as FuzzTarget, seed: Number(m[2]), index: Number(m[3]) } : { file: repro }),
    );
    return;
  }
  const [decodeCount = 1_000_000, snapshotCount = 100_000] = positional();
  const seed = Number(flag('--seed') ?? 1);
  const workers = Number(flag('--workers') ?? Math.min(2, os.cpus().length));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-fuzz-seeds-'));
  const snapshotFiles: string[] = [];
  const extraValues: { name: string; bytes: Buffer }[] = [];
  try {
    if (!process.argv.includes('--no-etcd')) {
      const files = await makeEtcdSnapshotSeeds(dir);
      snapshotFiles.push(files.snapshotPath, files.memberDbPath);
      const source = await openSnapshotSource(files.snapshotPath);
      try {
        for await (const kv of source.range({ prefix: '' }))
          extraValues.push({ name: `etcd ${Buffer.from(kv.key).toString('latin1')}`, bytes: Buffer.from(kv.value) });
      } finally {
        await source.close();
      }
      console.log(
        `real etcd seeds: ${snapshotFiles.map((f) => `${path.basename(f)} ${fs.statSync(f).size} bytes`).join(', ')}; ${extraValues.length} values`,
      );
    }
    const onFinding = (f: {
      target: string;
      seed: number;
      index: number;
      kind: string;
      message: string;
      seedName: string;
      mutation: string;
    }): void =>
      console.log(
        `FINDING ${f.target} seed=${f.seed} index=${f.index} ${f.kind} [${f.seedName}; ${f.mutation}]: ${f.message.split('\n')[0]}`,
      );
    const onProgress = (line: string): void => {
      if (process.stdout.isTTY) process.stdout.write(`\r${line}   `);
    };
    let found = 0;
    if (decodeCount > 0) {
      const stats = await runFuzz({
        target: 'decode',
        count: decodeCount,
        seed,
        workers,
        extraValues,
        onFinding,
        onProgress,
      });
      if (process.stdout.isTTY) process.stdout.write('\n');
      print(stats);
      found += Object.keys(stats.signatures).length;
    }
    if (snapshotCount > 0) {
      const stats = await runFuzz({
        target: 'snapshot',
        count: snapshotCount,
        seed,
        workers,
        snapshotFiles,
        onFinding,
        onProgress,
      });
      if (process.stdout.isTTY) process.stdout.write('\n');
      print(stats);
      found += Object.keys(stats.signatures).length;
    }
    if (found > 0) process.exitCode = 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 2;
});
