/**
 * Writes generated cluster operations into etcd through the fixture writer: puts are grouped by lease
 * group and sent through `putMany` (batched transactions, several in flight); the writes of one key keep
 * their order (an update never overtakes its create; a delete waits for everything before it).
 */
import type { EtcdWriter } from '../../src/sources/live-etcd-source';
import { LEASE_GROUP_TTL_SECONDS, type ClusterOperation, type LeaseGroup } from './cluster-generator';

/** Options of {@link writeCluster}. */
export interface WriteClusterOptions {
  /** Called after each flushed batch with the operations written so far. */
  onProgress?: (operationsWritten: number) => void;
  /** Lease ids to use per group (decimal); missing groups get a lease granted with the group's TTL. */
  leases?: Partial<Record<LeaseGroup, string>>;
  /** TTLs to grant leases with (default LEASE_GROUP_TTL_SECONDS). */
  leaseTtlSeconds?: Partial<Record<LeaseGroup, number>>;
}

/** What {@link writeCluster} did. */
export interface WriteClusterResult {
  /** etcd revision after the last write. */
  revision: number;
  operations: number;
  leases: Record<LeaseGroup, string>;
}

/**
 * Writes cluster operations into etcd (for fixtures; never a real cluster).
 * @example
 * const w = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
 * const { revision } = await writeCluster(w, generateCluster({ pods: 20 }).operations());
 */
export async function writeCluster(
  writer: EtcdWriter,
  ops: Iterable<ClusterOperation>,
  options: WriteClusterOptions = {},
): Promise<WriteClusterResult> {
  const ttl = { ...LEASE_GROUP_TTL_SECONDS, ...options.leaseTtlSeconds };
  const leases: Record<LeaseGroup, string> = {
    events: options.leases?.events ?? (await writer.grantLease(ttl.events)),
    masterleases: options.leases?.masterleases ?? (await writer.grantLease(ttl.masterleases)),
  };
  let revision = 0;
  let done = 0;
  // One batch per lease group; a put whose key is already pending (an update of a key created in the
  // same batch) or a delete first flushes everything, so every key's writes keep their order.
  const pending = new Map<LeaseGroup | undefined, Array<[string, Uint8Array]>>();
  const pendingKeys = new Set<string>();
  const flush = async (): Promise<void> => {
    for (const [group, entries] of pending) {
      if (entries.length === 0) continue;
      const opts = group !== undefined ? { lease: leases[group] } : {};
      revision = Math.max(revision, await writer.putMany(entries, opts));
      done += entries.length;
    }
    pending.clear();
    pendingKeys.clear();
    options.onProgress?.(done);
  };
  for (const op of ops) {
    if (op.type === 'delete') {
      await flush();
      revision = await writer.delete(op.key);
      done++;
      continue;
    }
    if (pendingKeys.has(op.key) || pendingKeys.size >= 5000) await flush();
    let entries = pending.get(op.lease);
    if (entries === undefined) pending.set(op.lease, (entries = []));
    entries.push([op.key, op.value]);
    pendingKeys.add(op.key);
  }
  await flush();
  return { revision, operations: done, leases };
}
