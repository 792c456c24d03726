/**
 * Writes a generated Kubernetes cluster into a real etcd (a fixture writer for demos, notebooks and
 * benchmarks; never point it at a real cluster's etcd).
 *
 *   node build/scripts/generate-cluster.js --endpoints 127.0.0.1:2379 [--pods N] [--seed S]
 *        [--namespaces N] [--nodes N] [--prefix /registry] [--compact] [--incidents] [--force]
 *
 * --incidents adds known incidents for forensics (lesson 07): Secrets mid key rotation (aescbc key1 and
 * key2), a deleted Deployment, an orphaned ReplicaSet, a Namespace and a claim stuck on finalizers.
 *
 * Refuses to write when the etcd already holds keys under the prefix, unless --force.
 */
import { generateCluster, type ClusterOperation } from './cluster/cluster-generator';
import { writeCluster } from './cluster/write-cluster';
import { openEtcdWriterForFixtures, openLiveSource } from '../src/sources/live-etcd-source';

interface Args {
  endpoints: string;
  pods?: number;
  seed?: number;
  namespaces?: number;
  nodes?: number;
  prefix?: string;
  compact: boolean;
  incidents: boolean;
  force: boolean;
}

const USAGE =
  'Usage: node build/scripts/generate-cluster.js --endpoints 127.0.0.1:2379 [--pods N] [--seed S] [--namespaces N] [--nodes N] [--prefix /registry] [--compact] [--incidents] [--force]';

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { endpoints: '127.0.0.1:2379', compact: false, incidents: false, force: false };
  const int = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n))
      throw new Error(`Invalid value for ${flag}: ${JSON.stringify(v)}. Pass an integer.\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const v = argv[i + 1];
    switch (a) {
      case '--endpoints':
        if (v === undefined) throw new Error(`--endpoints needs a value.\n${USAGE}`);
        args.endpoints = v;
        i++;
        break;
      case '--prefix':
        if (v === undefined) throw new Error(`--prefix needs a value.\n${USAGE}`);
        args.prefix = v;
        i++;
        break;
      case '--pods':
        args.pods = int(a, v);
        i++;
        break;
      case '--seed':
        args.seed = int(a, v);
        i++;
        break;
      case '--namespaces':
        args.namespaces = int(a, v);
        i++;
        break;
      case '--nodes':
        args.nodes = int(a, v);
        i++;
        break;
      case '--compact':
        args.compact = true;
        break;
      case '--incidents':
        args.incidents = true;
        break;
      case '--force':
        args.force = true;
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`Unknown argument: ${JSON.stringify(a)}.\n${USAGE}`);
    }
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const cluster = generateCluster({
    ...(args.pods !== undefined ? { pods: args.pods } : {}),
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
    ...(args.namespaces !== undefined ? { namespaces: args.namespaces } : {}),
    ...(args.nodes !== undefined ? { nodes: args.nodes } : {}),
    ...(args.prefix !== undefined ? { prefix: args.prefix } : {}),
    ...(args.incidents ? { incidents: true } : {}),
  });
  const prefix = cluster.options.prefix;
  const source = await openLiveSource({ endpoints: args.endpoints });
  try {
    const existing = await source.count({ prefix: `${prefix}/` });
    if (existing > 0 && !args.force) {
      throw new Error(
        `Refusing to write into etcd at ${args.endpoints}: it already holds ${existing} keys under ${prefix}/. ` +
          'This is a fixture writer: point it at an empty, throw-away etcd, or pass --force to write anyway.',
      );
    }
  } finally {
    await source.close();
  }
  const writer = await openEtcdWriterForFixtures({ endpoints: args.endpoints });
  const started = process.hrtime.bigint();
  try {
    process.stdout.write(
      `Writing a cluster of ${cluster.options.pods} pods (seed ${cluster.options.seed}, ${cluster.options.namespaces} app namespaces, ${cluster.options.nodes} nodes) to ${args.endpoints}\n`,
    );
    let lastReport = 0;
    const byResource = new Map<string, number>();
    let valueBytes = 0;
    let operations = 0;
    const tally = function* (): Generator<ClusterOperation> {
      for (const op of cluster.operations()) {
        operations++;
        if (op.type === 'delete') byResource.set(op.resource, (byResource.get(op.resource) ?? 0) - 1);
        else {
          valueBytes += op.value.length;
          if (!op.update) byResource.set(op.resource, (byResource.get(op.resource) ?? 0) + 1);
        }
        yield op;
      }
    };
    const written = await writeCluster(writer, tally(), {
      onProgress: (done) => {
        if (done - lastReport >= 10_000) {
          lastReport = done;
          process.stdout.write(`  ${done} operations written\n`);
        }
      },
    });
    let revision = written.revision;
    if (args.compact) {
      // As kube-apiserver's compactor would have: at the revision of compact_rev_key, written once the
      // objects existed and before they changed, so every change keeps its history (lesson 05).
      const live = await openLiveSource({ endpoints: args.endpoints });
      let at: number;
      try {
        at = (await live.get(`compact_rev_key`))?.modRevision ?? revision;
      } finally {
        await live.close();
      }
      await writer.compact(at);
      revision = await writer.put('compact_rev_key', String(at));
      process.stdout.write(`Compacted at revision ${at}\n`);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(
      `Done: ${operations} operations, ${valueBytes} value bytes in ${seconds.toFixed(1)} s (${Math.round(operations / seconds)} ops/s); final revision ${revision}\n`,
    );
    process.stdout.write('Keys per resource:\n');
    for (const [r, n] of [...byResource].sort((a, b) => a[0].localeCompare(b[0])))
      process.stdout.write(`  ${r.padEnd(40)} ${n}\n`);
  } finally {
    await writer.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
