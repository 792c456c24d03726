/**
 * Bbolt seeds written by a real etcd for the fuzzing harness: a snapshot (`etcdctl snapshot save`) and a
 * stopped member's member/snap/db holding golden values, keys a renderer must escape, a lease, a deletion
 * and a compaction.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openEtcdWriterForFixtures } from '../../src/sources/live-etcd-source';
import { startEtcd } from '../../test/helpers/etcd';
import { encode } from '../../src/codec';
import { decodeGoString } from '../../src/codec/go-utf8';
import { loadValueSeeds } from './fuzz-seeds';

/** What {@link makeEtcdSnapshotSeeds} wrote. */
export interface EtcdSeedFiles {
  /** `etcdctl snapshot save` output (with its SHA-256 trailer). */
  snapshotPath: string;
  /** The stopped member's member/snap/db. */
  memberDbPath: string;
  /** Keys written with bytes a renderer must escape: HTML, control characters, invalid UTF-8. */
  oddKeys: Buffer[];
  /** The value written under each odd key: a ConfigMap (protobuf) holding the same bytes, see {@link oddValue}. */
  oddValues: Buffer[];
}

/**
 * The value stored under odd key `key`: a protobuf ConfigMap whose data has the key's last segment
 * (bytes after `/registry/configmaps/default/`) as a map key and as a value, plus `<b>&amp;</b>`.
 * @example
 * decode(oddValue(key, 0)).object?.data
 */
export function oddValue(key: Buffer, i: number): Buffer {
  const text = decodeGoString(key, ODD_PREFIX.length, key.length);
  return Buffer.from(
    encode({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `odd${i}`, namespace: 'default' },
      data: { [text]: text, html: '<b>&amp;</b>\u2028\u0000\u001b[1m' },
    }),
  );
}

const ODD_PREFIX = '/registry/configmaps/default/';

/**
 * Keys holding HTML, control characters and invalid UTF-8.
 * @example
 * oddKeys()[0].toString() // '/registry/configmaps/default/<script>alert(1)</script>'
 */
export function oddKeys(): Buffer[] {
  return [
    Buffer.from('/registry/configmaps/default/<script>alert(1)</script>'),
    Buffer.from('/registry/configmaps/default/a&b"c\'d'),
    Buffer.from('/registry/configmaps/default/ctl\u0001\u0007\u001b[31m\u007f\r\n\t'),
    Buffer.concat([
      Buffer.from('/registry/configmaps/default/bad-utf8-'),
      Buffer.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80, 0xe2, 0x82]),
    ]),
    Buffer.concat([Buffer.from('/registry/configmaps/default/nul-'), Buffer.from([0x00, 0x00])]),
    Buffer.from('/registry/configmaps/default/\u2028\u2029\ufeff\ufffd'),
  ];
}

/**
 * Starts a real etcd, writes golden values (some twice), the odd keys, a lease, deletions and a
 * compaction, saves a snapshot into `dir`, stops etcd and copies its member/snap/db. Stops etcd by PID.
 * @example
 * const files = await makeEtcdSnapshotSeeds(dir);
 */
export async function makeEtcdSnapshotSeeds(dir: string, options: { values?: number } = {}): Promise<EtcdSeedFiles> {
  const etcd = await startEtcd({ keepDataDir: true });
  const keys = oddKeys();
  const oddValues = keys.map((k, i) => oddValue(k, i));
  try {
    const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    try {
      const seeds = loadValueSeeds().filter((s) => !s.options.bare && s.bytes.readUInt32BE(0) === 0x6b387300);
      const chosen = seeds.filter((_, i) => i % Math.max(1, Math.floor(seeds.length / (options.values ?? 40))) === 0);
      const entries: [Buffer, Buffer][] = chosen.map((s, i) => [
        Buffer.from(`/registry/${s.options.kind?.toLowerCase() ?? 'x'}s/ns${i % 3}/${s.name}`),
        s.bytes,
      ]);
      await writer.putMany(entries, { batchSize: 16 });
      // a second revision of some, a deletion, keys on a lease
      for (const [k, v] of entries.slice(0, 6)) await writer.put(k, v);
      const lease = await writer.grantLease(3600);
      for (let i = 0; i < keys.length; i++)
        await writer.put(keys[i] as Buffer, oddValues[i] as Buffer, i % 2 === 0 ? { lease } : {});
      const last = await writer.delete((entries[1] as [Buffer, Buffer])[0]);
      await writer.compact(Math.max(2, last - entries.length - 2));
      await writer.put('/registry/after-compaction', 'x');
    } finally {
      await writer.close();
    }
    const snapshotPath = path.join(dir, 'etcd-snapshot.db');
    const saved = await etcd.etcdctl(['snapshot', 'save', snapshotPath]);
    if (saved.code !== 0) throw new Error(`etcdctl snapshot save failed: ${saved.stderr}`);
    await etcd.stop();
    const memberDbPath = path.join(dir, 'etcd-member.db');
    fs.copyFileSync(path.join(etcd.dataDir, 'member', 'snap', 'db'), memberDbPath);
    return { snapshotPath, memberDbPath, oddKeys: keys, oddValues };
  } finally {
    await etcd.stop();
    fs.rmSync(etcd.dataDir, { recursive: true, force: true });
  }
}
