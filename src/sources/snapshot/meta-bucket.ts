/**
 * The `meta` bucket of an etcd backend file, read on its own: which keys etcd wrote there tells which etcd
 * version last wrote the file (`term` and `confState` from 3.5 on, `storageVersion` from 3.6).
 */
import { openBboltFile } from './bbolt-file';

/** What an etcd db's `meta` bucket (and `cluster` bucket) holds. */
export interface EtcdMetaBucket {
  /** Every key of the `meta` bucket, sorted: `consistent_index`, `term`, `confState`, … */
  keys: string[];
  consistentIndex?: number;
  /** Raft term (etcd 3.5+). */
  term?: number;
  /** Raft ConfState, parsed from its JSON (etcd 3.5+); member ids of 16 digits or more as strings. */
  confState?: unknown;
  /** The storage version (etcd 3.6+): `3.6.0`. */
  storageVersion?: string;
  /** The `cluster` bucket's `clusterVersion`: `3.5.0`. */
  clusterVersion?: string;
}

function bigEndianNumber(b: Buffer): number | undefined {
  if (b.length !== 8) return undefined;
  const hi = b.readUInt32BE(0);
  return hi >= 0x200000 ? undefined : hi * 0x1_0000_0000 + b.readUInt32BE(4);
}

/**
 * Reads the `meta` and `cluster` buckets of an etcd snapshot or member `db` file (no hash check, no index).
 * Throws SnapshotFormatError when the file is not a bbolt file.
 * @example
 * const m = readEtcdMetaBucket('./etcd-backup.db');
 * m.storageVersion ?? (m.term !== undefined ? 'etcd 3.5' : 'etcd 3.4 or older')
 */
export function readEtcdMetaBucket(path: string): EtcdMetaBucket {
  const file = openBboltFile(path, { verifyHash: false });
  try {
    const out: EtcdMetaBucket = { keys: [] };
    for (const e of file.bucket('meta')?.entries() ?? []) {
      if (e.isBucket) continue;
      const key = e.key.toString('latin1');
      out.keys.push(key);
      if (key === 'consistent_index') {
        const n = bigEndianNumber(e.value);
        if (n !== undefined) out.consistentIndex = n;
      } else if (key === 'term') {
        const n = bigEndianNumber(e.value);
        if (n !== undefined) out.term = n;
      } else if (key === 'storageVersion') out.storageVersion = e.value.toString('utf8');
      else if (key === 'confState') {
        const text = e.value.toString('utf8');
        try {
          // member ids are 64-bit: kept exact as strings (JSON.parse would round them)
          out.confState = JSON.parse(text.replace(/([:[,]\s*)(\d{16,})(?=\s*[,\]}])/g, '$1"$2"')) as unknown;
        } catch {
          out.confState = text;
        }
      }
    }
    out.keys.sort();
    const cv = file.bucket('cluster')?.get('clusterVersion');
    if (cv !== undefined && !cv.isBucket) out.clusterVersion = cv.value.toString('utf8');
    return out;
  } finally {
    file.close();
  }
}
