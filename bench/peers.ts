/**
 * kubetcd against its peers (issue 17), in one run: generates a cluster once (`--pods N`, default
 * 100 000) into a real etcd started here on 127.0.0.1, and a small one (20 pods) into a second; saves
 * both as snapshots with `etcdctl snapshot save`; then runs each task paired, one process per run
 * (kubetcd, peer, kubetcd, peer, … `--rounds` rounds, default 5, stdout to /dev/null) and prints
 * task | kubetcd median | peer median | kubetcd ÷ peer. Then it runs each command once more with its
 * output kept and checks the answers agree where they should, and prints that check.
 *
 * Peers: `auger` and `augerctl` (etcd-io/auger built by ../shared/peers/auger/build.sh into
 * `--peers-dir`, default .cache/peers), `etcdctl` from the system (test/helpers/etcd). kubetcd is the
 * built CLI, `node dist/cli.js`, as users run it.
 *
 * auger's known bugs (../shared/peers/auger/README.md) and how the checks account for them:
 * - its listings keep the oldest revision of an updated key: values are not compared, only key sets;
 *   the single pod read (`extract -k`) reads the latest revision and is compared by name and uid;
 * - deleted keys are listed again with an empty value (`null` JSON, value size 0) and `analyze` counts
 *   them: those are removed from auger's sets before comparing, and their number is printed;
 * - key listings decode every value: that is its cost, timed as is;
 * - `augerctl get` returns one page unless `--chunk-size 0`, which is passed.
 *
 *   node build/bench/peers.js [--pods 100000] [--rounds 5] [--peers-dir DIR] [--baseline OLD/dist/cli.js] [--keep]
 *
 * `--baseline` also times another build of the kubetcd CLI (e.g. the commit before a change) in the same
 * rounds, and adds its median and kubetcd ÷ baseline.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { generateCluster, type ClusterOperation } from '../scripts/cluster/cluster-generator';
import { writeCluster } from '../scripts/cluster/write-cluster';
import { openEtcdWriterForFixtures } from '../src/sources/live-etcd-source';
import { ETCDCTL_BIN, runEtcdctl, startEtcd, type EtcdProcess } from '../test/helpers/etcd';
import { loadLine, timedRun, waitQuiet } from './lib/process-stats';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const BUILD_SH = path.join(ROOT, '..', 'shared', 'peers', 'auger', 'build.sh');

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function intOption(name: string, fallback: number): number {
  const v = Number(option(name));
  return Number.isSafeInteger(v) && v > 0 ? v : fallback;
}

/** One command line. */
interface Command {
  cmd: string;
  args: string[];
}

/** One paired task: kubetcd's command and a peer's, timed alternately. */
interface Task {
  name: string;
  peer: string;
  ours: Command;
  theirs: Command;
  where: 'live' | 'snapshot';
}

interface Peers {
  auger: string;
  augerctl: string;
}

/** The auger binaries in `dir`/bin, built there by the shared build script when missing. */
async function findPeers(dir: string): Promise<Peers> {
  const peers = { auger: path.join(dir, 'bin', 'auger'), augerctl: path.join(dir, 'bin', 'augerctl') };
  if (!fs.existsSync(peers.auger) || !fs.existsSync(peers.augerctl)) {
    console.log(`building auger, augerctl into ${dir} (bash ${BUILD_SH}; about a minute)`);
    fs.mkdirSync(dir, { recursive: true });
    const code = await new Promise<number | null>((resolve, reject) => {
      const p = spawn('bash', [BUILD_SH, dir], { stdio: ['ignore', 'inherit', 'inherit'] });
      p.on('error', reject);
      p.on('close', resolve);
    });
    if (code !== 0 || !fs.existsSync(peers.auger))
      throw new Error(
        `Building auger failed (exit ${code}): see the output above, or pass --peers-dir DIR holding bin/auger and bin/augerctl.`,
      );
  }
  return peers;
}

/** What a generated cluster left in etcd, as far as the checks need it. */
interface Built {
  pods: number;
  /** A pod created once and never updated or deleted: namespace, name, key. */
  pod: { namespace: string; name: string; key: string };
  loadS: number;
}

async function build(etcd: EtcdProcess, pods: number): Promise<Built> {
  const cluster = generateCluster({ pods });
  const podKeys = new Map<string, boolean>(); // key -> untouched since its creation
  const tally = function* (): Generator<ClusterOperation> {
    for (const op of cluster.operations()) {
      if (op.resource === 'pods') {
        if (op.type === 'delete' || op.update) podKeys.set(op.key, false);
        else podKeys.set(op.key, true);
      }
      yield op;
    }
  };
  const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
  const started = Date.now();
  try {
    await writeCluster(writer, tally());
  } finally {
    await writer.close();
  }
  const untouched = [...podKeys].filter(([, clean]) => clean).map(([key]) => key);
  const key = untouched[Math.floor(untouched.length / 2)];
  if (key === undefined) throw new Error('The generated cluster has no pod that was never updated.');
  const [, , , namespace = '', name = ''] = key.split('/'); // /registry/pods/NS/NAME
  return { pods: untouched.length, pod: { namespace, name, key }, loadS: (Date.now() - started) / 1000 };
}

async function saveSnapshot(etcd: EtcdProcess, file: string): Promise<void> {
  const saved = await runEtcdctl(['--command-timeout=600s', 'snapshot', 'save', file], {
    endpoints: etcd.endpoints,
    timeoutMs: 600_000,
  });
  if (saved.code !== 0) throw new Error(`etcdctl snapshot save failed: ${saved.stderr}`);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Runs `c` once with stdout into `file`; rejects on a non-zero exit with its stderr. */
function runToFile(c: Command, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fd = fs.openSync(file, 'w');
    const p = spawn(c.cmd, c.args, { stdio: ['ignore', fd, 'pipe'], env: { ...process.env, ETCDCTL_API: '3' } });
    fs.closeSync(fd);
    let stderr = '';
    p.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${c.cmd} ${c.args.join(' ')} exited ${code}: ${stderr}`)),
    );
  });
}

async function* lines(file: string): AsyncGenerator<string> {
  const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) yield line;
}

/**
 * The namespace/name of each item of a kubectl-style `-o json` List, streamed (the file may be larger
 * than a string can hold): kubectl indents by 4, so an item's metadata.name and .namespace are the only
 * `"name"` / `"namespace"` members at 16 spaces.
 */
async function kubectlListNames(file: string): Promise<string[]> {
  const names: string[] = [];
  let ns = '';
  let name: string | undefined;
  for await (const line of lines(file)) {
    if (line === '        },' || line === '        }') {
      if (name !== undefined) names.push(`${ns}/${name}`);
      ns = '';
      name = undefined;
      continue;
    }
    const m = /^ {16}"(name|namespace)": (".*"),?$/.exec(line);
    if (m === null) continue;
    if (m[1] === 'name') name = JSON.parse(m[2] as string) as string;
    else ns = JSON.parse(m[2] as string) as string;
  }
  return names;
}

/** auger extract --fields=key,value: "KEY JSON" lines; keys whose value is `null` are auger's re-listed deletions. */
async function augerKeyValues(file: string): Promise<{ keys: string[]; nulls: number }> {
  const keys: string[] = [];
  let nulls = 0;
  for await (const line of lines(file)) {
    if (line === '') continue;
    const space = line.indexOf(' ');
    if (line.slice(space + 1) === 'null') nulls++;
    else keys.push(line.slice(0, space));
  }
  return { keys, nulls };
}

/** auger extract --fields=key,value-size: deletions have value size 0. */
async function augerKeySizes(file: string): Promise<{ keys: string[]; zero: number }> {
  const keys: string[] = [];
  let zero = 0;
  for await (const line of lines(file)) {
    if (line === '') continue;
    const [key = '', size = ''] = line.split(' ');
    if (size === '0') zero++;
    else keys.push(key);
  }
  return { keys, zero };
}

function podName(key: string): string {
  return key.split('/').slice(3, 5).join('/');
}

function sameSet(a: readonly string[], b: readonly string[]): string {
  const sa = new Set(a);
  const sb = new Set(b);
  const onlyA = [...sa].filter((x) => !sb.has(x));
  const onlyB = [...sb].filter((x) => !sa.has(x));
  if (onlyA.length === 0 && onlyB.length === 0 && sa.size === a.length && sb.size === b.length) return '';
  return `kubetcd only: ${onlyA.slice(0, 3).join(', ')} (${onlyA.length}); peer only: ${onlyB.slice(0, 3).join(', ')} (${onlyB.length}); duplicates: ${a.length - sa.size}/${b.length - sb.size}`;
}

function fmt(x: number): string {
  return x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

async function main(): Promise<void> {
  const podsN = intOption('--pods', 100_000);
  const rounds = intOption('--rounds', 5);
  const peersDir = path.resolve(option('--peers-dir') ?? path.join(ROOT, '.cache', 'peers'));
  const peers = await findPeers(peersDir);
  const baselineOption = option('--baseline');
  const baseline = baselineOption !== undefined ? path.resolve(baselineOption) : undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-bench-peers-'));
  const big = path.join(dir, 'big.db');
  const small = path.join(dir, 'small.db');
  const etcd = await startEtcd({
    name: 'peers',
    extraArgs: ['--quota-backend-bytes=8589934592'],
    startTimeoutMs: 30_000,
  });
  const etcdSmall = await startEtcd({ name: 'peers-small', startTimeoutMs: 30_000 });
  try {
    const [b, s] = await Promise.all([build(etcd, podsN), build(etcdSmall, 20)]);
    console.log(`wrote a generated cluster of ${podsN} pods in ${b.loadS.toFixed(1)} s, and one of 20 pods`);
    await saveSnapshot(etcd, big);
    await saveSnapshot(etcdSmall, small);
    await etcdSmall.stop();
    console.log(
      `snapshots: ${(fs.statSync(big).size / 1e6).toFixed(0)} MB and ${(fs.statSync(small).size / 1e6).toFixed(1)} MB`,
    );

    const node = process.execPath;
    const k = (...args: string[]): Command => ({ cmd: node, args: [CLI, ...args] });
    const auger = (...args: string[]): Command => ({ cmd: peers.auger, args });
    const ep = etcd.endpoint;
    const tasks: Task[] = [
      {
        name: `every pod as JSON, snapshot (${podsN} pods)`,
        peer: 'auger extract --keys-by-prefix /registry/pods/ --fields=key,value',
        where: 'snapshot',
        ours: k('get', 'pods', '-A', '-o', 'json', '--snapshot', big),
        theirs: auger('extract', '-f', big, '--keys-by-prefix', '/registry/pods/', '--fields=key,value'),
      },
      {
        name: `one pod, cold process, snapshot (${podsN} pods)`,
        peer: 'auger extract -k KEY -o json',
        where: 'snapshot',
        ours: k('get', 'pod', b.pod.name, '-n', b.pod.namespace, '-o', 'json', '--snapshot', big),
        theirs: auger('extract', '-f', big, '-k', b.pod.key, '-o', 'json'),
      },
      {
        name: `sizes, snapshot (${podsN} pods)`,
        peer: 'auger analyze',
        where: 'snapshot',
        ours: k('sizes', '--snapshot', big),
        theirs: auger('analyze', '-f', big),
      },
      {
        name: `every pod as JSON, live (${podsN} pods)`,
        peer: 'augerctl get pods -o json --chunk-size 0',
        where: 'live',
        ours: k('get', 'pods', '-A', '-o', 'json', '--endpoints', ep),
        theirs: { cmd: peers.augerctl, args: ['--endpoints', ep, 'get', 'pods', '-o', 'json', '--chunk-size', '0'] },
      },
      {
        name: `every pod as JSON, live (${podsN} pods)`,
        peer: 'etcdctl get --prefix /registry/pods/ -w json',
        where: 'live',
        ours: k('get', 'pods', '-A', '-o', 'json', '--endpoints', ep),
        theirs: {
          cmd: ETCDCTL_BIN,
          args: [`--endpoints=${ep}`, '--command-timeout=600s', 'get', '--prefix', '/registry/pods/', '-w', 'json'],
        },
      },
      {
        name: 'every pod as JSON, snapshot (20 pods)',
        peer: 'auger extract --keys-by-prefix /registry/pods/ --fields=key,value',
        where: 'snapshot',
        ours: k('get', 'pods', '-A', '-o', 'json', '--snapshot', small),
        theirs: auger('extract', '-f', small, '--keys-by-prefix', '/registry/pods/', '--fields=key,value'),
      },
      {
        name: 'one pod, snapshot (20 pods)',
        peer: 'auger extract -k KEY -o json',
        where: 'snapshot',
        ours: k('get', 'pod', s.pod.name, '-n', s.pod.namespace, '-o', 'json', '--snapshot', small),
        theirs: auger('extract', '-f', small, '-k', s.pod.key, '-o', 'json'),
      },
      {
        name: 'sizes, snapshot (20 pods)',
        peer: 'auger analyze',
        where: 'snapshot',
        ours: k('sizes', '--snapshot', small),
        theirs: auger('analyze', '-f', small),
      },
      {
        name: 'keys, snapshot (20 pods)',
        peer: 'auger extract --keys-by-prefix /registry/',
        where: 'snapshot',
        ours: k('keys', '/registry/', '--snapshot', small),
        theirs: auger('extract', '-f', small, '--keys-by-prefix', '/registry/'),
      },
    ];

    const withBase = (c: Command): Command => ({
      cmd: c.cmd,
      args: c.args.map((x) => (x === CLI ? (baseline as string) : x)),
    });
    // One warm-up of each command (page cache, etcd's), then the paired rounds.
    for (const t of tasks) {
      await timedRun(t.ours.cmd, t.ours.args, { discardStdout: true });
      await timedRun(t.theirs.cmd, t.theirs.args, { discardStdout: true });
      if (baseline !== undefined) await timedRun(t.ours.cmd, withBase(t.ours).args, { discardStdout: true });
    }
    const times = tasks.map(() => ({ ours: [] as number[], theirs: [] as number[], base: [] as number[] }));

    const loads: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const [i, t] of tasks.entries()) {
        const slot = times[i] as (typeof times)[number];
        for (const side of baseline !== undefined
          ? (['ours', 'theirs', 'base'] as const)
          : (['ours', 'theirs'] as const)) {
          if (t.where === 'live') await waitQuiet(etcd.pid);
          const c = side === 'base' ? withBase(t.ours) : t[side];
          const r = await timedRun(c.cmd, c.args, { discardStdout: true });
          slot[side].push(r.wallS);
        }
      }
      loads.push(os.loadavg()[0] as number);
      process.stderr.write(`  round ${round + 1} of ${rounds} done (${loadLine()})\n`);
    }

    console.log(`\nkubetcd: ${CLI}${baseline !== undefined ? `; baseline: ${baseline}` : ''}`);
    console.log(
      `${podsN} pods (and 20); each command in its own process, stdout to /dev/null; median wall seconds of ${rounds} paired rounds`,
    );
    const baseHead = baseline !== undefined ? ' baseline median s | kubetcd ÷ baseline |' : '';
    console.log(`| task | peer | kubetcd median s | peer median s | kubetcd ÷ peer |${baseHead}`);
    console.log(`|---|---|---|---|---|${baseline !== undefined ? '---|---|' : ''}`);
    for (const [i, t] of tasks.entries()) {
      const slot = times[i] as (typeof times)[number];
      const a = median(slot.ours);
      const p = median(slot.theirs);
      const base = baseline !== undefined ? ` ${fmt(median(slot.base))} | ${(a / median(slot.base)).toFixed(2)} |` : '';
      console.log(`| ${t.name} | \`${t.peer}\` | ${fmt(a)} | ${fmt(p)} | ${(a / p).toFixed(2)} |${base}`);
    }
    console.log(
      `1-minute load average during the rounds: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} on ${os.cpus().length} cores`,
    );

    console.log('\nAgreement (one more run of each, output kept):');
    const problems: string[] = [];
    const check = (what: string, diff: string, note = ''): void => {
      console.log(`- ${what}: ${diff === '' ? 'agree' : `DISAGREE: ${diff}`}${note}`);
      if (diff !== '') problems.push(what);
    };
    const out = (name: string): string => path.join(dir, name);
    for (const [label, t] of [
      [`${podsN} pods`, tasks[0]],
      ['20 pods', tasks[5]],
    ] as const) {
      await runToFile((t as Task).ours, out('ours.json'));
      await runToFile((t as Task).theirs, out('theirs.txt'));
      const ours = await kubectlListNames(out('ours.json'));
      const theirs = await augerKeyValues(out('theirs.txt'));
      check(
        `every pod, snapshot (${label}): pod names, kubetcd get -o json vs auger extract`,
        sameSet(ours, theirs.keys.map(podName)),
        ` (${ours.length} pods; auger also lists ${theirs.nulls} deleted pod key(s) as null, left out)`,
      );
    }
    for (const [label, t] of [
      [`${podsN} pods`, tasks[1]],
      ['20 pods', tasks[6]],
    ] as const) {
      await runToFile((t as Task).ours, out('ours.json'));
      await runToFile((t as Task).theirs, out('theirs.json'));
      const meta = (f: string): string => {
        const m =
          (JSON.parse(fs.readFileSync(f, 'utf8')) as { metadata?: { namespace?: string; name?: string; uid?: string } })
            .metadata ?? {};
        return `${m.namespace}/${m.name} uid ${m.uid}`;
      };
      const a = meta(out('ours.json'));
      const p = meta(out('theirs.json'));
      check(`one pod (${label}): namespace/name/uid`, a === p ? '' : `${a} vs ${p}`, ` (${a})`);
    }
    for (const [label, file, t] of [
      [`${podsN} pods`, big, tasks[2]],
      ['20 pods', small, tasks[7]],
    ] as const) {
      await runToFile(k('sizes', '-o', 'json', '--snapshot', file), out('ours.json'));
      await runToFile((t as Task).theirs, out('theirs.txt'));
      await runToFile(
        auger('extract', '-f', file, '--keys-by-prefix', '/', '--fields=key,value-size'),
        out('keys.txt'),
      );
      const ours = (JSON.parse(fs.readFileSync(out('ours.json'), 'utf8')) as { total: { keys: number } }).total.keys;
      const total = Number(/Total kubernetes objects: (\d+)/.exec(fs.readFileSync(out('theirs.txt'), 'utf8'))?.[1]);
      const listed = await augerKeySizes(out('keys.txt'));
      const diff =
        total - listed.zero === ours
          ? ''
          : `kubetcd ${ours} keys, auger analyze ${total} − ${listed.zero} deleted = ${total - listed.zero}`;
      check(
        `sizes (${label}): key count, kubetcd sizes vs auger analyze`,
        diff,
        ` (${ours} keys; analyze counts ${listed.zero} deleted key(s) too, taken off)`,
      );
    }
    {
      await runToFile(tasks[8]!.ours, out('ours.txt'));
      await runToFile(
        auger('extract', '-f', small, '--keys-by-prefix', '/registry/', '--fields=key,value-size'),
        out('theirs.txt'),
      );
      const ours: string[] = [];
      for await (const line of lines(out('ours.txt'))) if (line !== '') ours.push(line);
      const theirs = await augerKeySizes(out('theirs.txt'));
      check(
        'keys (20 pods): key set, kubetcd keys vs auger extract --keys-by-prefix',
        sameSet(ours, theirs.keys),
        ` (${ours.length} keys; auger also lists ${theirs.zero} deleted key(s), left out)`,
      );
    }
    {
      await waitQuiet(etcd.pid);
      await runToFile(tasks[3]!.ours, out('ours.json'));
      await runToFile(tasks[3]!.theirs, out('theirs.txt'));
      await runToFile(tasks[4]!.theirs, out('etcdctl.json'));
      const ours = await kubectlListNames(out('ours.json'));
      const theirs: string[] = [];
      for await (const line of lines(out('theirs.txt'))) {
        if (line.trim() === '') continue;
        const m = (JSON.parse(line) as { metadata: { namespace: string; name: string } }).metadata;
        theirs.push(`${m.namespace}/${m.name}`);
      }
      check(
        `every pod, live (${podsN} pods): pod names, kubetcd vs augerctl`,
        sameSet(ours, theirs),
        ` (${ours.length} pods)`,
      );
      const dump = JSON.parse(fs.readFileSync(out('etcdctl.json'), 'utf8')) as { kvs?: Array<{ key: string }> };
      const keys = (dump.kvs ?? []).map((kv) => podName(Buffer.from(kv.key, 'base64').toString()));
      check(
        `every pod, live (${podsN} pods): pod names, kubetcd vs etcdctl keys`,
        sameSet(ours, keys),
        ` (${keys.length} keys)`,
      );
    }
    console.log(
      problems.length === 0 ? 'all checks agree' : `${problems.length} check(s) disagree: ${problems.join('; ')}`,
    );
    console.log(loadLine());
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    await etcdSmall.stop();
    await etcd.stop();
    if (process.argv.includes('--keep')) console.log(`snapshots kept in ${dir} (delete it when done)`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
