/**
 * Sources benchmark, in one run: loads N keys (KUBETCD_BENCH_KEYS, default 300 000) of ~2 KB under 50
 * sub-prefixes into a real etcd started here, saves a snapshot with `etcdctl snapshot save`, then
 * measures, each reader in its own child process: kubetcd's live source (full read), kubetcd's snapshot
 * source (open + index; open + index + full read), `etcdctl get --prefix` and `etcdctl get --prefix -w json`
 * (above 100 000 keys only with KUBETCD_BENCH_JSON=1: it needs ~25 KB of RAM per key). Prints a markdown
 * table of wall time, peak RSS, client CPU and etcd server CPU (from /proc/<etcd pid>/stat, before and
 * after each reader), with ratios to the `etcdctl get --prefix` run. No assertions.
 *
 *   npm run bench:sources                  # KUBETCD_BENCH_KEYS=50000 for a quick run
 *   KUBETCD_BENCH_ROUNDS=1                 # runs per reader (default 2, interleaved; the fastest is kept)
 *   KUBETCD_BENCH_KEEP=1                   # keep the snapshot file (its path is printed)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ETCDCTL_BIN, runEtcdctl, startEtcd } from '../test/helpers/etcd';
import { BENCH_PREFIX, benchKeyCount, loadBenchKeys } from './lib/bench-keys';
import { cpuSeconds, loadLine, timedRun, waitQuiet } from './lib/process-stats';
import type { ReaderChildResult } from './lib/source-reader-child';

interface Reader {
  name: string;
  cmd: string;
  args: string[];
  child: boolean;
}

interface Run {
  name: string;
  wallS: number;
  maxRssMb: number;
  clientCpuS: number;
  etcdCpuS: number;
  innerS?: number;
  records?: number;
}

function fmt(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

async function main(): Promise<void> {
  const n = benchKeyCount();
  const rounds = Math.max(1, Number(process.env.KUBETCD_BENCH_ROUNDS ?? 2));
  const json = n <= 100_000 || process.env.KUBETCD_BENCH_JSON === '1';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-bench-sources-'));
  const snapshot = path.join(dir, 'snapshot.db');
  const etcd = await startEtcd({ name: 'bench', extraArgs: ['--quota-backend-bytes=8589934592'] });
  try {
    const loadS = await loadBenchKeys(etcd.endpoint, n);
    console.log(
      `loaded ${n} keys of 2 KB under 50 sub-prefixes in ${loadS.toFixed(1)} s (${Math.round(n / loadS)} keys/s)`,
    );
    const saveStart = Date.now();
    const saved = await runEtcdctl(['--command-timeout=600s', 'snapshot', 'save', snapshot], {
      endpoints: etcd.endpoints,
      timeoutMs: 600_000,
    });
    if (saved.code !== 0) throw new Error(`etcdctl snapshot save failed: ${saved.stderr}`);
    const snapshotMb = fs.statSync(snapshot).size / 1e6;
    console.log(
      `etcdctl snapshot save: ${snapshotMb.toFixed(0)} MB in ${((Date.now() - saveStart) / 1000).toFixed(1)} s`,
    );

    // Warm etcd up once and let it finish what the load left behind.
    await timedRun(
      ETCDCTL_BIN,
      [`--endpoints=${etcd.endpoint}`, '--command-timeout=300s', 'get', BENCH_PREFIX, '--prefix', '--keys-only'],
      { discardStdout: true },
    );
    await waitQuiet(etcd.pid);

    const self = path.join(__dirname, 'lib', 'source-reader-child.js');
    const node = process.execPath;
    const ep = `--endpoints=${etcd.endpoint}`;
    const readers: Reader[] = [
      { name: 'kubetcd live, full read', cmd: node, args: [self, 'live', etcd.endpoint, BENCH_PREFIX], child: true },
      {
        name: 'kubetcd snapshot, open + index',
        cmd: node,
        args: [self, 'snapshot-index', snapshot, BENCH_PREFIX],
        child: true,
      },
      {
        name: 'kubetcd snapshot, open + index + full read',
        cmd: node,
        args: [self, 'snapshot-read', snapshot, BENCH_PREFIX],
        child: true,
      },
      {
        name: 'etcdctl get --prefix',
        cmd: ETCDCTL_BIN,
        args: [ep, '--command-timeout=300s', 'get', BENCH_PREFIX, '--prefix'],
        child: false,
      },
    ];
    if (json) {
      readers.push({
        name: 'etcdctl get --prefix -w json',
        cmd: ETCDCTL_BIN,
        args: [ep, '--command-timeout=600s', 'get', BENCH_PREFIX, '--prefix', '-w', 'json'],
        child: false,
      });
    } else {
      console.log(
        `etcdctl get --prefix -w json: skipped at ${n} keys (above 100 000 it needs ~25 KB of RAM per 2 KB key, ~${Math.round((n * 25) / 1e6)} GB here); set KUBETCD_BENCH_JSON=1 to run it.`,
      );
    }
    const best = new Map<string, Run>();
    for (let round = 0; round < rounds; round++) {
      for (const reader of readers) {
        const cpu0 = cpuSeconds(etcd.pid);
        const r = await timedRun(reader.cmd, reader.args, { discardStdout: !reader.child });
        const run: Run = {
          name: reader.name,
          wallS: r.wallS,
          maxRssMb: r.maxRssMb,
          clientCpuS: r.cpuS,
          etcdCpuS: cpuSeconds(etcd.pid) - cpu0,
        };
        if (reader.child) {
          const result = JSON.parse(r.stdout.trim().split('\n').pop() as string) as ReaderChildResult;
          run.records = result.records;
          run.innerS = result.innerS;
          if (result.records !== n) throw new Error(`${reader.name} saw ${result.records} records, expected ${n}.`);
        }
        const previous = best.get(reader.name);
        if (!previous || run.wallS < previous.wallS) best.set(reader.name, run);
      }
    }
    const runs = readers.map((reader) => best.get(reader.name) as Run);
    const base = runs.find((r) => r.name === 'etcdctl get --prefix') as Run;
    console.log(
      `\n${n} keys, ${snapshotMb.toFixed(0)} MB snapshot; each reader in its own process, fastest of ${rounds} interleaved runs`,
    );
    console.log(
      '| reader | wall s | x etcdctl | in-process s | peak RSS MB | x etcdctl | client CPU s | etcd CPU s | records |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of runs) {
      console.log(
        `| ${r.name} | ${fmt(r.wallS)} | ${fmt(r.wallS / base.wallS)} | ${r.innerS === undefined ? '' : fmt(r.innerS)} | ${fmt(r.maxRssMb, 0)} | ${fmt(r.maxRssMb / base.maxRssMb)} | ${fmt(r.clientCpuS)} | ${fmt(r.etcdCpuS)} | ${r.records ?? ''} |`,
      );
    }
    console.log(loadLine());
  } finally {
    await etcd.stop();
    if (process.env.KUBETCD_BENCH_KEEP === '1') console.log(`snapshot kept at ${snapshot} (delete it when done)`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
