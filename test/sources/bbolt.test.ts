import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { type BboltBucket, fnv1a64, openBboltFile } from '../../src/sources/snapshot/bbolt-file';
import { decodeMvccKeyValue, parseRevisionKey } from '../../src/sources/snapshot/snapshot-source';
import { fixMetaChecksum, writeBbolt, type WriterBucket } from '../helpers/bbolt-writer';

const DATA = path.join(__dirname, '../../..', '..', 'shared/data/auger-testdata/boltdb');
const REAL_DB = path.join(DATA, 'db');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-bbolt-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function tmpFile(bytes: Buffer): string {
  const p = path.join(tmp, `f${n++}.db`);
  fs.writeFileSync(p, bytes);
  return p;
}

/** Everything in a bucket as plain data: [key hex, value hex | nested]. */
type Dumped = [string, string | Dumped][];
function dump(b: BboltBucket): Dumped {
  const out: Dumped = [];
  for (const e of b.entries())
    out.push([e.key.toString('hex'), e.isBucket ? dump(b.bucket(e.key) as BboltBucket) : e.value.toString('hex')]);
  return out;
}
function toWriter(b: BboltBucket, inlineSmall = false): WriterBucket {
  const entries: WriterBucket['entries'] = [];
  for (const e of b.entries()) {
    if (e.isBucket) {
      const sub = toWriter(b.bucket(e.key) as BboltBucket, inlineSmall);
      if (inlineSmall && sub.entries.length <= 1 && sub.entries.every(([, v]) => Buffer.isBuffer(v))) sub.inline = true;
      entries.push([Buffer.from(e.key), sub]);
    } else entries.push([Buffer.from(e.key), Buffer.from(e.value)]);
  }
  return { entries };
}

test('real etcd db: meta pages are read and the one with the highest txid is used', () => {
  const f = openBboltFile(REAL_DB);
  try {
    assert.equal(f.meta.pageSize, 4096);
    assert.equal(f.meta.metaPage, 1);
    assert.equal(f.meta.txid, 3n);
    assert.equal(f.metas[0]?.txid, 2n);
    assert.equal(f.meta.rootPgid, 4);
    assert.equal(f.meta.pageCount, 5);
    assert.equal(f.hasSnapshotHash, false);
    const raw = fs.readFileSync(REAL_DB);
    assert.equal(fnv1a64(raw.subarray(4096 + 16, 4096 + 72)), raw.readBigUInt64LE(4096 + 72));
    assert.deepEqual(f.root().bucketNames().map(String), [
      'alarm',
      'auth',
      'authRoles',
      'authUsers',
      'cluster',
      'key',
      'lease',
      'members',
      'members_removed',
      'meta',
    ]);
  } finally {
    f.close();
  }
});

test('a real record cut short or with a varint running past its end: a SnapshotFormatError naming the record and the byte', () => {
  const bin = fs.readFileSync(path.join(DATA, 'page2item0.bin'));
  const whole = decodeMvccKeyValue(bin);
  const fileOffset = 5000;
  let failures = 0;
  for (let cut = 0; cut < bin.length; cut++) {
    const what = `the record cut to ${cut} bytes`;
    let kv: ReturnType<typeof decodeMvccKeyValue>;
    try {
      kv = decodeMvccKeyValue(bin.subarray(0, cut), { what, fileOffset, path: 'x.db' });
    } catch (e) {
      assert.equal((e as Error).name, 'SnapshotFormatError', String(e));
      const m =
        /^Cannot decode (.*): (truncated varint|expected a varint, found the end of the data|length \d+ runs past the end of the enclosing data \(\d+ bytes left\)) at byte (\d+) \(file offset (\d+)\)\. The file is damaged\.$/.exec(
          (e as Error).message,
        );
      assert.ok(m, (e as Error).message);
      assert.equal(m[1], what);
      assert.equal(Number(m[4]), fileOffset + Number(m[3]));
      assert.deepEqual((e as { details?: unknown }).details, { offset: fileOffset + Number(m[3]), path: 'x.db' });
      failures++;
      continue;
    }
    // a cut between two fields leaves a shorter, valid message: the fields before the cut
    assert.ok(whole.key.equals(kv.key) || kv.key.length === 0, `cut ${cut}`);
  }
  assert.ok(failures > bin.length / 2, `${failures} failures`);
  // the version's varint (1) marked as continued, at the end of the data: truncated where the data ends
  const versionAt = bin.indexOf(Buffer.from([0x20, whole.version])) + 1;
  const continued = Buffer.from(bin.subarray(0, versionAt + 1));
  continued[versionAt] = (continued[versionAt] as number) | 0x80;
  assert.throws(() => decodeMvccKeyValue(continued), {
    name: 'SnapshotFormatError',
    message: `Cannot decode an mvccpb.KeyValue: truncated varint at byte ${versionAt + 1}. The file is damaged.`,
  });
  assert.throws(() => decodeMvccKeyValue(continued, 'the record of revision 4_0'), {
    message: /^Cannot decode the record of revision 4_0: truncated varint at byte/,
  });
});

test('real etcd db: the key bucket holds keys.txt, and raw leaf values equal page2item*.bin', () => {
  const f = openBboltFile(REAL_DB);
  try {
    const keyBucket = f.bucket('key') as BboltBucket;
    const entries = [...keyBucket.entries()];
    const keys = entries.map((e) => decodeMvccKeyValue(e.value).key.toString()).sort();
    const expected = fs.readFileSync(path.join(DATA, 'keys.txt'), 'utf8').trim().split('\n');
    assert.deepEqual(keys, expected);
    assert.deepEqual(
      entries.map((e) => parseRevisionKey(e.key)?.main),
      [4, 82702, 82703, 232274],
    );
    for (const i of [0, 1, 2]) {
      const e = entries[i];
      assert.ok(e);
      const bin = fs.readFileSync(path.join(DATA, `page2item${i}.bin`));
      assert.ok(e.value.equals(bin), `item ${i} differs`);
      assert.equal(e.pageId, 2);
      // valueOffset points at the same bytes in the file
      assert.ok(f.readBytes(e.valueOffset, e.value.length).equals(bin));
      const kv = decodeMvccKeyValue(bin);
      assert.equal(kv.key.toString(), fs.readFileSync(path.join(DATA, `page2item${i}-key.txt`), 'utf8').trim());
      const summary = fs.readFileSync(path.join(DATA, `page2item${i}-summary.txt`), 'utf8');
      const field = (name: string): string => (new RegExp(`^${name}: (.*)$`, 'm').exec(summary)?.[1] ?? '').trim();
      assert.equal(kv.key.toString(), field('Key'));
      assert.equal(String(kv.version), field('Version'));
      assert.equal(String(kv.createRevision), field('CreateRevision'));
      assert.equal(String(kv.modRevision), field('ModRevision'));
      assert.equal(kv.lease.toString(), field('Lease'));
    }
    // get / seek / nested lookups
    assert.equal(f.bucket('cluster')?.get('clusterVersion')?.value.toString(), '3.2.0');
    assert.equal(f.bucket('members')?.get('2f7fbfd36802ff7a')?.value.length, 128);
    assert.equal(f.bucket('nope'), undefined);
    const c = keyBucket.cursor();
    assert.equal(parseRevisionKey(c.seek(Buffer.from('000000000001430f', 'hex'))?.key ?? Buffer.alloc(0))?.main, 82703);
    assert.equal(parseRevisionKey(c.next()?.key ?? Buffer.alloc(0))?.main, 232274);
    assert.equal(c.next(), undefined);
    assert.equal(c.seek(Buffer.from('ff', 'hex')), undefined);
    assert.equal(parseRevisionKey(c.seek(Buffer.alloc(0))?.key ?? Buffer.alloc(0))?.main, 4);
  } finally {
    f.close();
  }
});

test('page size is read from the meta page: the real db rewritten with 512, 8192 and 65536-byte pages reads the same', () => {
  const f = openBboltFile(REAL_DB);
  const expected = dump(f.root());
  const tree = toWriter(f.root());
  f.close();
  for (const pageSize of [512, 8192, 65536]) {
    const w = writeBbolt(tree, { pageSize });
    const g = openBboltFile(tmpFile(w.bytes));
    try {
      assert.equal(g.pageSize, pageSize);
      assert.deepEqual(dump(g.root()), expected);
    } finally {
      g.close();
    }
  }
  // the 512-byte file needs overflow pages for the 1622-byte pod record
  const small = writeBbolt(tree, { pageSize: 512 });
  const buf = small.bytes;
  let overflowSeen = false;
  for (let p = 2; p < small.pageCount; p++)
    if (buf.readUInt32LE(p * 512 + 12) > 0 && buf.readUInt32LE(p * 512) === p) overflowSeen = true;
  assert.ok(overflowSeen);
});

test('deep trees: branch pages, overflow values, inline and nested buckets iterate in key order and seek exactly', () => {
  const keys: Buffer[] = [];
  const entries: WriterBucket['entries'] = [];
  for (let i = 0; i < 700; i++) {
    const k = Buffer.from(`k${String(i * 3).padStart(5, '0')}`);
    keys.push(k);
    entries.push([k, Buffer.from(i % 100 === 0 ? 'x'.repeat(9000) : `v${i}`)]);
  }
  const nested: WriterBucket = {
    entries: [
      [Buffer.from('deep'), { entries: [[Buffer.from('z'), Buffer.from('1')]] }],
      [Buffer.from('tiny'), { entries: [[Buffer.from('a'), Buffer.from('b')]], inline: true }],
    ],
  };
  const w = writeBbolt(
    {
      entries: [
        [Buffer.from('big'), { entries }],
        [Buffer.from('nest'), nested],
        [Buffer.from('empty'), { entries: [] }],
      ],
    },
    { pageSize: 4096, maxLeafElements: 5, maxBranchElements: 4 },
  );
  assert.ok(w.branchPages.length > 20);
  const f = openBboltFile(tmpFile(w.bytes));
  try {
    const big = f.bucket('big') as BboltBucket;
    const got = [...big.entries()];
    assert.deepEqual(
      got.map((e) => e.key.toString()),
      keys.map(String),
    );
    assert.equal(got[100]?.value.length, 9000);
    const c = big.cursor();
    for (let i = 0; i < 700; i += 7) {
      assert.equal(c.seek(Buffer.from(`k${String(i * 3).padStart(5, '0')}`))?.key.toString(), keys[i]?.toString());
      // between keys: the next one
      assert.equal(
        c.seek(Buffer.from(`k${String(i * 3 + 1).padStart(5, '0')}`))?.key.toString(),
        keys[i + 1]?.toString(),
      );
      assert.equal(c.next()?.key.toString(), keys[i + 2]?.toString());
    }
    assert.equal(c.seek('l'), undefined);
    assert.equal(f.bucket('nest', 'deep')?.get('z')?.value.toString(), '1');
    const tiny = f.bucket('nest', 'tiny') as BboltBucket;
    assert.equal(tiny.rootPgid, 0);
    assert.deepEqual(
      [...tiny.entries()].map((e) => [e.key.toString(), e.value.toString()]),
      [['a', 'b']],
    );
    assert.deepEqual([...(f.bucket('empty') as BboltBucket).entries()], []);
    assert.equal(f.bucket('nest', 'deep', 'nothing'), undefined);
  } finally {
    f.close();
  }
});

test('a damaged newer meta falls back to the older one; a snapshot trailer is verified', () => {
  const f = openBboltFile(REAL_DB);
  const tree = toWriter(f.root(), true);
  f.close();
  const w = writeBbolt(tree, { pageSize: 4096, trailer: true });
  const good = openBboltFile(tmpFile(w.bytes));
  assert.equal(good.hasSnapshotHash, true);
  assert.equal(good.meta.txid, 2n);
  good.close();
  const bad = Buffer.from(w.bytes);
  bad[4096 + 16 + 60] = (bad[4096 + 16 + 60] as number) ^ 1; // break meta 1's checksum
  bad.set(
    crypto
      .createHash('sha256')
      .update(bad.subarray(0, bad.length - 32))
      .digest(),
    bad.length - 32,
  );
  const g = openBboltFile(tmpFile(bad));
  assert.equal(g.meta.metaPage, 0);
  assert.match(g.metaErrors[1] ?? '', /checksum/);
  g.close();
  const flipped = Buffer.from(w.bytes);
  flipped[3 * 4096 + 100] = (flipped[3 * 4096 + 100] as number) ^ 0xff;
  assert.throws(() => openBboltFile(tmpFile(flipped)), { name: 'SnapshotFormatError', message: /SHA-256/ });
  assert.doesNotThrow(() => openBboltFile(tmpFile(flipped), { verifyHash: false }).close());
  // meta page 0 damaged: the other meta is found by probing page sizes
  const m0 = Buffer.from(w.bytes.subarray(0, w.bytes.length - 32));
  m0.writeUInt32LE(0, 16);
  const h = openBboltFile(tmpFile(m0));
  assert.equal(h.meta.metaPage, 1);
  h.close();
  // an edited meta with a recomputed checksum is accepted (checksum covers exactly 56 bytes)
  const edited = Buffer.from(m0);
  edited.writeUInt32LE(0xed0cdaed, 16);
  edited.writeBigUInt64LE(7n, 16 + 48);
  fixMetaChecksum(edited, 0);
  const e = openBboltFile(tmpFile(edited));
  assert.equal(e.meta.metaPage, 0);
  assert.equal(e.meta.txid, 7n);
  e.close();
});

test('close is safe twice and reads after close fail with a kubetcd error', () => {
  const f = openBboltFile(REAL_DB);
  f.close();
  f.close();
  assert.throws(() => f.readBytes(0, 1), { name: 'SnapshotFormatError' });
  assert.throws(() => openBboltFile(path.join(tmp, 'absent.db')), { name: 'InvalidArgumentError', message: /ENOENT/ });
  assert.throws(() => openBboltFile(tmp), { name: 'InvalidArgumentError', message: /not a regular file/ });
});
