/**
 * etcd's leases as Kubernetes uses them: which keys each keeps alive (events expire with theirs, an API
 * server's master lease with its endpoint), with the id as etcdctl prints it.
 */
import { parseKey } from './keys';
import type { KubeContext } from './context';
import { qualifiedResourceName } from './resources';

/** One etcd lease. */
export interface KubeLease {
  /** The id as `etcdctl lease list` prints it (hexadecimal). */
  id: string;
  /** The id as etcd's API carries it (decimal int64). */
  idDecimal: string;
  /** Granted TTL, seconds. */
  ttlSeconds: number;
  /** Seconds left: live etcd only (a file has no clock). */
  remainingSeconds?: number;
  /** Keys attached, in key order. */
  keys: string[];
  /** Attached keys per resource (`events`, `masterleases`, …). */
  byResource: Record<string, number>;
}

/** What {@link etcdLeases} returns. */
export interface KubeLeases {
  leases: KubeLease[];
  /** Keys attached to any lease. */
  keys: number;
  /** The etcdctl command that lists the same. */
  etcdctl: string;
}

/**
 * Every lease with its TTL and the keys it keeps, grouped by resource.
 * @example
 * const { leases } = await etcdLeases(k);
 * leases.filter((l) => l.byResource.events > 1000); // the leases that carry most events
 */
export async function etcdLeases(k: KubeContext): Promise<KubeLeases> {
  const raw = await k.source.leases();
  const td = new TextDecoder();
  let attached = 0;
  const leases = raw.map((l): KubeLease => {
    const keys = (l.keys ?? []).map((b) => td.decode(b)).sort();
    attached += keys.length;
    const byResource: Record<string, number> = {};
    for (const key of keys) {
      const p = parseKey(key, { prefix: k.prefix, resources: k.customResources });
      const name =
        p.kind === 'object'
          ? p.info
            ? qualifiedResourceName(p.info)
            : p.resource
          : p.kind === 'master-lease'
            ? 'masterleases'
            : p.kind === 'other'
              ? '(other keys)'
              : p.kind;
      byResource[name] = (byResource[name] ?? 0) + 1;
    }
    const lease: KubeLease = {
      id: BigInt.asUintN(64, BigInt(l.id)).toString(16).padStart(16, '0'),
      idDecimal: l.id,
      ttlSeconds: l.ttlSeconds,
      keys,
      byResource,
    };
    if (l.remainingSeconds !== undefined) lease.remainingSeconds = l.remainingSeconds;
    return lease;
  });
  return { leases, keys: attached, etcdctl: 'etcdctl lease list; etcdctl lease timetolive --keys ID' };
}
