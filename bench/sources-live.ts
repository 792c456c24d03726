/**
 * Live etcd read benchmark: loads N keys (KUBETCD_BENCH_KEYS, default 300000) of ~2 KB under 50
 * sub-prefixes into a real etcd started here, then reads them all back in child processes and prints
 * wall time and peak RSS of: kubetcd's live source (sub-prefix paging, and plain paging), `etcdctl get
 * --prefix` and `etcdctl get --prefix -w json` (above 100 000 keys only with KUBETCD_BENCH_JSON=1: it
 * needs gigabytes), with ratios to the etcdctl simple run, plus client and etcd CPU. No assertions.
 *
 *   node build/bench/sources-live.js            # KUBETCD_BENCH_KEYS=50000 for a quick run
 */
import { startEtcd, ETCDCTL_BIN } from '../test/helpers/etcd';
import { openLiveSource } from '../src/sources/live-etcd-source';
import { BENCH_PREFIX, benchKeyCount, loadBenchKeys } from './lib/bench-keys';
import { cpuSeconds, loadLine, timedRun as timed, waitQuiet } from './lib/process-stats';

const PREFIX = BENCH_PREFIX;

interface Run {
  name: string;
  wallS: number;
  maxRssMb: number;
  etcdCpuS: number;
  clientCpuS: number;
  records?: number;
}

/** Child mode: read everything and print one JSON line. */
async function child(endpoint: string, mode: string): Promise<void> {
  const started = process.hrtime.bigint();
  const source = await openLiveSource({
    endpoints: endpoint,
    subPrefixPaging: mode === 'sub',
    callTimeoutMs: 300_000,
    ...(mode === 'plain500' ? { pageSize: 500 } : {}),
  });
  let records = 0;
  let bytes = 0;
  for await (const r of source.range({ prefix: PREFIX })) {
    records++;
    bytes += r.value.length;
  }
  await source.close();
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`${JSON.stringify({ records, bytes, wallS, maxRssKb: process.resourceUsage().maxRSS })}\n`);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    await child(process.argv[3]!, process.argv[4]!);
    return;
  }
  const n = benchKeyCount();
  const etcd = await startEtcd({ name: 'bench', extraArgs: ['--quota-backend-bytes=8589934592'] });
  try {
    const loadS = await loadBenchKeys(etcd.endpoint, n);
    console.log(
      `loaded ${n} keys of 2 KB under 50 sub-prefixes in ${loadS.toFixed(1)} s (${Math.round(n / loadS)} keys/s)`,
    );

    // Let etcd finish what the load left behind (its CPU goes quiet), and warm it up once.
    const ep0 = `--endpoints=${etcd.endpoint}`;
    await timed(ETCDCTL_BIN, [ep0, '--command-timeout=300s', 'get', PREFIX, '--prefix', '--keys-only'], {
      discardStdout: true,
    });
    await waitQuiet(etcd.pid);
    // Every reader runs `rounds` times, interleaved (KUBETCD_BENCH_ROUNDS, default 2); the table keeps
    // each reader's fastest run (the machine is shared; the first read after a load is slower).
    const rounds = Math.max(1, Number(process.env.KUBETCD_BENCH_ROUNDS ?? 2));
    const self = __filename;
    const ep = `--endpoints=${etcd.endpoint}`;
    const readers: Array<{ name: string; cmd: string; args: string[]; child: boolean }> = [
      {
        name: 'kubetcd live (default: sub-prefix paging)',
        cmd: process.execPath,
        args: [self, '--child', etcd.endpoint, 'sub'],
        child: true,
      },
      {
        name: 'kubetcd live (plain paging, same page size)',
        cmd: process.execPath,
        args: [self, '--child', etcd.endpoint, 'plain'],
        child: true,
      },
    ];
    if (n <= 100_000) {
      readers.push({
        name: 'kubetcd live (plain paging, 500 a page)',
        cmd: process.execPath,
        args: [self, '--child', etcd.endpoint, 'plain500'],
        child: true,
      });
    }
    readers.push({
      name: 'etcdctl get --prefix',
      cmd: ETCDCTL_BIN,
      args: [ep, '--command-timeout=300s', 'get', PREFIX, '--prefix'],
      child: false,
    });
    // -w json needs about 25 KB of RAM per 2 KB key (7 GB at 300 000): only at small N unless asked.
    if (n <= 100_000 || process.env.KUBETCD_BENCH_JSON === '1') {
      readers.push({
        name: 'etcdctl get --prefix -w json',
        cmd: ETCDCTL_BIN,
        args: [ep, '--command-timeout=300s', 'get', PREFIX, '--prefix', '-w', 'json'],
        child: false,
      });
    }
    const best = new Map<string, Run>();
    for (let round = 0; round < rounds; round++) {
      for (const reader of readers) {
        const cpu0 = cpuSeconds(etcd.pid);
        const r = await timed(reader.cmd, reader.args, { discardStdout: !reader.child });
        const run: Run = {
          name: reader.name,
          wallS: r.wallS,
          maxRssMb: r.maxRssMb,
          etcdCpuS: cpuSeconds(etcd.pid) - cpu0,
          clientCpuS: r.cpuS,
        };
        if (reader.child) run.records = (JSON.parse(r.stdout.trim().split('\n').pop()!) as { records: number }).records;
        const previous = best.get(reader.name);
        if (!previous || run.wallS < previous.wallS) best.set(reader.name, run);
      }
    }
    const runs = readers.map((reader) => best.get(reader.name)!);

    const base = runs.find((r) => r.name === 'etcdctl get --prefix')!;
    console.log(`\n${n} keys, ~${Math.round((n * 2100) / 1e6)} MB of values; best of ${rounds} interleaved runs each`);
    console.log(
      '| reader | wall s | x etcdctl | client peak RSS MB | x etcdctl | client CPU s | etcd CPU s | records |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    for (const r of runs) {
      console.log(
        `| ${r.name} | ${r.wallS.toFixed(2)} | ${(r.wallS / base.wallS).toFixed(2)} | ${r.maxRssMb.toFixed(0)} | ${(r.maxRssMb / base.maxRssMb).toFixed(2)} | ${r.clientCpuS.toFixed(2)} | ${r.etcdCpuS.toFixed(2)} | ${r.records ?? ''} |`,
      );
    }
    console.log(loadLine());
  } finally {
    await etcd.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
