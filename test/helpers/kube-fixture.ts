/**
 * A generated cluster in a real etcd plus a snapshot of it, both opened as sources and as KubeClients,
 * for tests that check the Kubernetes layer answers alike on live etcd and on a snapshot.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEtcd, type EtcdProcess } from './etcd';
import { openEtcdWriterForFixtures, type EtcdWriter } from '../../src/sources/live-etcd-source';
import { openSource } from '../../src/sources/open-source';
import type { KvSource } from '../../src/sources/types';
import { generateCluster, type ClusterOperation, type ClusterSummary } from '../../scripts/cluster/cluster-generator';
import { writeCluster } from '../../scripts/cluster/write-cluster';
import { openKube, type KubeClient } from '../../src/kube/kube-client';

export interface KubeFixture {
  etcd: EtcdProcess;
  /** The generator's operations, in order (to find the keys of updated and deleted objects). */
  ops: ClusterOperation[];
  summary: ClusterSummary;
  live: KvSource;
  snapshot: KvSource;
  /** KubeClients over `live` and `snapshot`, in that order. */
  kubes: [KubeClient, KubeClient];
  /** Closes both sources, stops etcd by PID and removes the snapshot. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts etcd, writes `generateCluster({ pods, seed })` (then `extra` writes, if any), saves a snapshot
 * with `etcdctl snapshot save`, and opens both.
 * @example
 * const fx = await startKubeFixture({ pods: 20, seed: 3 }); try { … } finally { await fx.close(); }
 */
export async function startKubeFixture(options: {
  pods: number;
  seed: number;
  extra?: (writer: EtcdWriter) => Promise<void>;
}): Promise<KubeFixture> {
  const etcd = await startEtcd();
  const sources: KvSource[] = [];
  let dir: string | undefined;
  const close = async (): Promise<void> => {
    for (const s of sources.splice(0)) await s.close();
    await etcd.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const cluster = generateCluster({ pods: options.pods, seed: options.seed });
    const ops = [...cluster.operations()];
    const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    try {
      await writeCluster(writer, ops);
      await options.extra?.(writer);
    } finally {
      await writer.close();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-kube-fixture-'));
    const file = path.join(dir, 'snapshot.db');
    const saved = await etcd.etcdctl(['snapshot', 'save', file]);
    if (saved.code !== 0) throw new Error(`etcdctl snapshot save failed: ${saved.stderr}`);
    const live = await openSource(etcd.endpoint);
    sources.push(live);
    const snapshot = await openSource(file);
    sources.push(snapshot);
    const kubes: [KubeClient, KubeClient] = [await openKube(live), await openKube(snapshot)];
    return { etcd, ops, summary: cluster.summary(), live, snapshot, kubes, close };
  } catch (e) {
    await close();
    throw e;
  }
}
