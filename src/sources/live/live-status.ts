/**
 * What live etcd says about itself: status and members, leases, etcd's own HashKV, and the compaction
 * revision (which etcd's API does not expose: found by binary search).
 */
import { CompactedRevisionError } from '../../errors';
import type { HashKvOptions, KvHash, LeaseInfo, MemberInfo, SourceStatus } from '../types';
import type { EndpointPool } from './endpoint-pool';
import { callHashKv } from './etcd3-gateway';
import { reasonOf } from './etcd-errors';
import { checkRevision, hexId, NUL, num } from './live-keys';

/**
 * The lowest revision etcd still serves (0 if never compacted): a binary search for the lowest
 * revision at which a one-key read is not refused as compacted (about log2(revision) tiny reads; the
 * last answer only narrows the search, since compaction only moves forward).
 */
export async function compactRevision(pool: EndpointPool, signal?: AbortSignal): Promise<number> {
  const cached = pool.compactCache;
  const what = 'Finding the compaction revision';
  const head = await pool.rangeCall(what, { key: NUL, limit: 1, keys_only: true }, signal);
  const current = num(head.header.revision);
  const readable = async (revision: number): Promise<boolean> => {
    try {
      await pool.rangeCall(what, { key: NUL, revision, keys_only: true }, signal);
      return true;
    } catch (e) {
      if (e instanceof CompactedRevisionError) return false;
      throw e;
    }
  };
  let value = 0;
  if (current > 1 && !(await readable(1))) {
    // Invariant: lo not readable, hi readable.
    let lo = Math.max(1, cached?.value ? cached.value - 1 : 1);
    if (lo > 1 && (await readable(lo))) lo = 1;
    let hi = current;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await readable(mid)) hi = mid;
      else lo = mid;
    }
    value = hi;
  }
  pool.compactCache = { value, atMs: Date.now() };
  return value;
}

/**
 * etcd's own HashKV of the member that answers (`etcdctl endpoint hashkv`).
 * @example
 * const { hash, compactRevision } = await etcd.hashKV({ revision: 1234 });
 */
export async function hashKv(pool: EndpointPool, options: HashKvOptions = {}): Promise<KvHash> {
  const revision = checkRevision(options.revision);
  const what = `Hashing the key-value store${revision !== undefined ? ` at revision ${revision}` : ''}`;
  const res = await pool.call(
    what,
    (client, callOptions) => callHashKv(client, revision ?? 0, callOptions),
    options.signal,
    revision,
  );
  const current = num(res.header.revision);
  const out: KvHash = {
    hash: Number(res.hash) >>> 0,
    compactRevision: num(res.compact_revision),
    hashRevision: revision ?? current,
    revision: current,
  };
  const memberId = hexId(res.header.member_id);
  if (memberId !== undefined) out.memberId = memberId;
  return out;
}

/** status() of a live source: revision, compaction, members, versions, db size. */
export async function liveStatus(pool: EndpointPool): Promise<SourceStatus> {
  const what = 'Reading etcd status';
  const status = await pool.call(what, (client, options) => client.maintenance.status(options));
  const [members, compacted] = await Promise.all([
    pool.call('Listing etcd members', (client, options) => client.cluster.memberList({}, options)),
    compactRevision(pool),
  ]);
  const header = status.header;
  const result: SourceStatus = {
    kind: 'live',
    origin: pool.origin,
    revision: num(header.revision),
    compactRevision: compacted,
    members: members.members.map((m): MemberInfo => {
      const info: MemberInfo = {
        id: hexId(m.ID) ?? m.ID,
        name: m.name,
        peerUrls: [...m.peerURLs],
        clientUrls: [...m.clientURLs],
      };
      if (m.isLearner) info.isLearner = true;
      return info;
    }),
    serverVersion: status.version,
    dbSizeBytes: num(status.dbSize),
    raftTerm: num(status.raftTerm),
  };
  const clusterId = hexId(header.cluster_id);
  const memberId = hexId(header.member_id);
  if (clusterId !== undefined) result.clusterId = clusterId;
  if (memberId !== undefined) result.memberId = memberId;
  return result;
}

/** leases() of a live source: every lease with its TTL, time left and keys. */
export async function liveLeases(pool: EndpointPool): Promise<LeaseInfo[]> {
  const list = await pool.call('Listing leases', (client, options) => client.leaseClient.leaseLeases(options));
  const out: LeaseInfo[] = [];
  const one = async (id: string): Promise<void> => {
    try {
      const ttl = await pool.call(`Reading lease ${id}`, (client, options) =>
        client.leaseClient.leaseTimeToLive({ ID: id, keys: true }, options),
      );
      const remaining = num(ttl.TTL);
      if (remaining < 0) return; // expired meanwhile
      out.push({ id: String(id), ttlSeconds: num(ttl.grantedTTL), remainingSeconds: remaining, keys: ttl.keys });
    } catch (e) {
      if (!/lease not found/i.test(reasonOf(e))) throw e;
    }
  };
  // Kubernetes clusters hold thousands of leases: ask 32 at a time.
  for (let i = 0; i < list.leases.length; i += 32) {
    await Promise.all(list.leases.slice(i, i + 32).map((lease) => one(String(lease.ID))));
  }
  out.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0));
  return out;
}
