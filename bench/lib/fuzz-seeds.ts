/**
 * Seeds of the fuzzing harness: real stored values (Kubernetes' testdata/HEAD goldens as stored and
 * their inner objects decoded bare, etcd-io/auger's values, JSON, hand-written CBOR) and real bbolt files
 * (auger's db, a snapshot and a member db written by a real etcd, a deep synthetic tree).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultSourcesDir } from '../../src/codec';
import { WireWriter } from '../../src/codec/wire-writer';
import { writeBbolt, type WriterBucket } from '../../test/helpers/bbolt-writer';
import { describeSnapshot, findLengthPrefixes, type SnapshotSeed, type ValueSeed } from './fuzz-mutate';

/** The repository root (bench/lib/ and build/bench/lib/ both resolve). */
function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
}

/**
 * /work/shared/data/auger-testdata (next to the repository).
 * @example
 * path.join(augerDir(), 'boltdb', 'db')
 */
export function augerDir(): string {
  return path.join(repoRoot(), '..', 'shared', 'data', 'auger-testdata');
}

/**
 * Kubernetes' stored-value goldens (testdata/HEAD/*.pb).
 * @example
 * fs.readdirSync(goldenDir()).filter((f) => f.endsWith('.pb'))
 */
export function goldenDir(): string {
  return path.join(defaultSourcesDir(), 'k8s.io', 'api', 'testdata', 'HEAD');
}

/**
 * The decode() options of a golden file, from its name (`group.version.Kind.pb`, `core` for the core group).
 * @example
 * goldenOptions('apps.v1.Deployment.pb') // { apiVersion: 'apps/v1', kind: 'Deployment' }
 */
export function goldenOptions(file: string): { apiVersion: string; kind: string } {
  const parts = file.replace(/\.pb$/, '').split('.');
  const kind = parts.pop() as string;
  const version = parts.pop() as string;
  const group = parts.join('.');
  return { apiVersion: group === 'core' ? version : `${group}/${version}`, kind };
}

/**
 * The inner object (runtime.Unknown field 2) of a `k8s\0` value, or undefined.
 * @example
 * decode(innerObject(value) as Buffer, { apiVersion: 'v1', kind: 'Pod', bare: true })
 */
export function innerObject(value: Buffer): Buffer | undefined {
  let p = 4;
  while (p < value.length) {
    const tag = value[p++] as number;
    let len = 0;
    let scale = 1;
    for (;;) {
      const b = value[p++];
      if (b === undefined) return undefined;
      len += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) break;
    }
    if (tag === 0x12) return value.subarray(p, p + len);
    p += len;
  }
  return undefined;
}

function seed(name: string, bytes: Buffer, options: ValueSeed['options'] = {}): ValueSeed {
  const isProto = bytes.length >= 4 && bytes.readUInt32BE(0) === 0x6b387300;
  const prefixes = options.bare ? findLengthPrefixes(bytes) : isProto ? findLengthPrefixes(bytes, 4) : [];
  return { name, bytes, options, prefixes, keep: isProto ? 4 : options.bare ? 0 : 1 };
}

/** A tiny CBOR writer for the hand-made seeds (definite and indefinite lengths, tags, floats). */
function cbor(v: unknown, out: number[] = []): number[] {
  const head = (major: number, n: number): void => {
    if (n < 24) out.push((major << 5) | n);
    else if (n < 0x100) out.push((major << 5) | 24, n);
    else if (n < 0x10000) out.push((major << 5) | 25, n >> 8, n & 0xff);
    else out.push((major << 5) | 26, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  };
  if (v === null) out.push(0xf6);
  else if (v === true) out.push(0xf5);
  else if (v === false) out.push(0xf4);
  else if (typeof v === 'number' && Number.isInteger(v)) head(v < 0 ? 1 : 0, v < 0 ? -1 - v : v);
  else if (typeof v === 'number') {
    const b = Buffer.alloc(9);
    b[0] = 0xfb;
    b.writeDoubleBE(v, 1);
    out.push(...b);
  } else if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    head(3, b.length);
    out.push(...b);
  } else if (Buffer.isBuffer(v)) {
    head(2, v.length);
    out.push(...v);
  } else if (Array.isArray(v)) {
    head(4, v.length);
    for (const x of v) cbor(x, out);
  } else if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    head(5, entries.length);
    for (const [k, x] of entries) {
      cbor(k, out);
      cbor(x, out);
    }
  }
  return out;
}

/** Hand-made CBOR values shaped like custom resources (Kubernetes writes CBOR only for those). */
function cborSeeds(): ValueSeed[] {
  const object = {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w<script>', namespace: 'default', labels: { 'a/b': 'c\u0000d' }, generation: 3 },
    spec: { replicas: -7, ratio: 0.25, flags: [true, false, null], blob: Buffer.from([0, 1, 0xff]), big: 2 ** 40 },
  };
  const plain = Buffer.from([0xd9, 0xd9, 0xf7, ...cbor(object)]);
  // indefinite-length map, text and byte strings, tag 0 and tag 1, half float
  const tricky = Buffer.from([
    0xd9,
    0xd9,
    0xf7,
    0xbf,
    0x64,
    0x6b,
    0x69,
    0x6e,
    0x64,
    0x7f,
    0x62,
    0x57,
    0x69,
    0x61,
    0x74,
    0xff,
    0x61,
    0x74,
    0xc0,
    0x74,
    ...Buffer.from('2024-01-02T03:04:05Z'),
    0x61,
    0x65,
    0xc1,
    0x1a,
    0x65,
    0x00,
    0x00,
    0x00,
    0x61,
    0x62,
    0x5f,
    0x42,
    0x01,
    0x02,
    0x41,
    0x03,
    0xff,
    0x61,
    0x68,
    0xf9,
    0x3c,
    0x00,
    0x61,
    0x6e,
    0x3b,
    0x00,
    0x00,
    0x00,
    0x01,
    0x00,
    0x00,
    0x00,
    0x00,
    0xff,
  ]);
  return [seed('cbor widget', plain), seed('cbor indefinite', tricky)];
}

/**
 * Every value seed: the goldens (as stored, and their inner objects decoded bare), auger's values, JSON
 * and CBOR, plus `extra` (values read from a real etcd snapshot).
 * @example
 * const seeds = loadValueSeeds(); seeds.length // > 340
 */
export function loadValueSeeds(extra: { name: string; bytes: Buffer }[] = []): ValueSeed[] {
  const out: ValueSeed[] = [];
  const dir = goldenDir();
  if (fs.existsSync(dir)) {
    for (const f of fs
      .readdirSync(dir)
      .filter((x) => x.endsWith('.pb'))
      .sort()) {
      const bytes = fs.readFileSync(path.join(dir, f));
      const options = goldenOptions(f);
      out.push(seed(f, bytes, options));
      const inner = innerObject(bytes);
      if (inner !== undefined && inner.length > 0)
        out.push(seed(`${f} bare`, Buffer.from(inner), { ...options, bare: true }));
    }
  }
  const auger = augerDir();
  for (const f of [
    'storage/pod.bin',
    'storage/job.bin',
    'storage/pod-with-key.bin',
    'json/pod.json',
    'json/job.json',
    'json/pod-with-key.txt',
  ]) {
    const p = path.join(auger, f);
    if (fs.existsSync(p)) out.push(seed(`auger ${f}`, fs.readFileSync(p)));
  }
  for (const [f, options] of [
    ['proto/pod.bin', { apiVersion: 'v1', kind: 'Pod', bare: true }],
    ['proto/job.bin', { apiVersion: 'batch/v1', kind: 'Job', bare: true }],
  ] as const) {
    const p = path.join(auger, f);
    if (fs.existsSync(p)) out.push(seed(`auger ${f}`, fs.readFileSync(p), options));
  }
  out.push(...cborSeeds());
  out.push(
    seed(
      'json with html and controls',
      Buffer.from(
        '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"<b>x</b>"},"data":{"k\\u0000":"\\u001b[31m\\u2028<script>alert(1)</script>"}}\n',
      ),
    ),
  );
  out.push(seed('encrypted', Buffer.from('k8s:enc:aescbc:v1:key1:\u0001\u0002\u0003ciphertext')));
  for (const e of extra) out.push(seed(e.name, e.bytes));
  return out;
}

/** The MVCC record etcd stores: mvccpb.KeyValue {key 1, create_revision 2, mod_revision 3, version 4, value 5, lease 6}. */
function mvccRecord(key: Buffer, value: Buffer, create: number, mod: number, version: number, lease = 0): Buffer {
  const w = new WireWriter();
  w.tag(1, 2);
  w.bytes(key);
  w.tag(2, 0);
  w.varint(create);
  w.tag(3, 0);
  w.varint(mod);
  w.tag(4, 0);
  w.varint(version);
  if (value.length > 0) {
    w.tag(5, 2);
    w.bytes(value);
  }
  if (lease !== 0) {
    w.tag(6, 0);
    w.varint(lease);
  }
  return Buffer.from(w.finish());
}

function revisionKey(main: number, sub: number, tombstone = false): Buffer {
  const b = Buffer.alloc(tombstone ? 18 : 17);
  b.writeBigUInt64BE(BigInt(main), 0);
  b[8] = 0x5f;
  b.writeBigUInt64BE(BigInt(sub), 9);
  if (tombstone) b[17] = 0x74;
  return b;
}

/**
 * A synthetic etcd backend laid out as a deep tree (1 KiB pages, 4 elements per leaf, 3 per branch):
 * many branch pages, overflow pages, an inline bucket, a tombstone, a lease, meta and members.
 * @example
 * const seed = syntheticSnapshotSeed(); seed.branchPages.length // > 20
 */
export function syntheticSnapshotSeed(): SnapshotSeed {
  const records: [Buffer, Buffer][] = [];
  const values = loadValueSeeds()
    .filter((s) => !s.options.bare)
    .slice(0, 24);
  let rev = 2;
  values.forEach((v, i) => {
    const key = Buffer.from(`/registry/things/default/t${i}`);
    records.push([revisionKey(rev, 0), mvccRecord(key, v.bytes, rev, rev, 1, i === 3 ? 0x7fff0001 : 0)]);
    rev++;
  });
  records.push([
    revisionKey(rev, 0, true),
    mvccRecord(Buffer.from('/registry/things/default/t1'), Buffer.alloc(0), 0, rev, 0),
  ]);
  const root: WriterBucket = {
    entries: [
      [Buffer.from('key'), { entries: records }],
      [
        Buffer.from('meta'),
        {
          entries: [
            [Buffer.from('consistent_index'), Buffer.from('00000000000000ff', 'hex')],
            [Buffer.from('finishedCompactRev'), revisionKey(2, 0)],
          ],
          inline: true,
        },
      ],
      [
        Buffer.from('lease'),
        {
          entries: [
            [Buffer.from('000000007fff0001', 'hex'), Buffer.from([0x08, 0x81, 0x80, 0xfc, 0xff, 0x07, 0x10, 0x3c])],
          ],
          inline: true,
        },
      ],
      [
        Buffer.from('members'),
        {
          entries: [
            [Buffer.from('8e9e05c52164694d'), Buffer.from('{"id":1,"peerURLs":["http://<x>"],"name":"m\\u0000"}')],
          ],
          inline: true,
        },
      ],
      [Buffer.from('cluster'), { entries: [[Buffer.from('clusterVersion'), Buffer.from('3.5.0')]], inline: true }],
    ],
  };
  const written = writeBbolt(root, { pageSize: 1024, maxLeafElements: 4, maxBranchElements: 3 });
  return describeSnapshot('synthetic deep tree', written.bytes);
}

/**
 * The bbolt seeds: auger's db, the synthetic deep tree, and the given files (real etcd snapshots).
 * @example
 * const seeds = loadSnapshotSeeds([files.snapshotPath, files.memberDbPath]);
 */
export function loadSnapshotSeeds(files: string[] = []): SnapshotSeed[] {
  const out: SnapshotSeed[] = [];
  const auger = path.join(augerDir(), 'boltdb', 'db');
  if (fs.existsSync(auger)) out.push(describeSnapshot('auger boltdb/db', fs.readFileSync(auger)));
  out.push(syntheticSnapshotSeed());
  for (const f of files) out.push(describeSnapshot(path.basename(f), fs.readFileSync(f)));
  return out;
}
