/**
 * Hostile input for the bbolt reader and the snapshot source: every damaged file must give a result or a
 * kubetcd error (SnapshotFormatError for structural damage) quickly — never a hang, never a RangeError.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { isKubetcdError } from '../../src/errors';
import { type BboltBucket, openBboltFile } from '../../src/sources/snapshot/bbolt-file';
import { openFileSource } from '../../src/sources/open-file';
import { fixMetaChecksum, writeBbolt, type WriterBucket } from '../helpers/bbolt-writer';
import { seededRandom } from '../../src/util/seeded-random';

const REAL_DB = path.join(__dirname, '../../..', '..', 'shared/data/auger-testdata/boltdb/db');
const ORIGINAL = fs.readFileSync(REAL_DB);
const PS = 4096;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-hostile-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
let counter = 0;
function tmpFile(bytes: Buffer): string {
  const p = path.join(tmp, `m${counter++ % 4}.db`);
  fs.writeFileSync(p, bytes);
  return p;
}

/** Use everything a source offers; 'ok' or the kubetcd error's name. Anything else fails the test. */
async function exercise(bytes: Buffer): Promise<string> {
  const started = Date.now();
  try {
    const s = await openFileSource(tmpFile(bytes));
    try {
      const st = await s.status();
      const keys: Uint8Array[] = [];
      for await (const kv of s.range({ prefix: '' }, { revision: st.revision })) keys.push(kv.key);
      for (const k of keys) for await (const h of s.history(k)) void h;
      await s.leases();
      await s.count({ prefix: '/registry/' });
    } finally {
      await s.close();
    }
    return 'ok';
  } catch (e) {
    if (!isKubetcdError(e)) throw new Error(`not a kubetcd error: ${String(e)}`, { cause: e });
    return e.name;
  } finally {
    const ms = Date.now() - started;
    assert.ok(ms < 2000, `took ${ms} ms`);
  }
}

const rng = seededRandom;

function deepTree(): Buffer {
  const entries: WriterBucket['entries'] = [];
  for (let i = 0; i < 200; i++)
    entries.push([
      Buffer.from(`k${String(i).padStart(4, '0')}`),
      Buffer.from(i % 50 === 0 ? 'y'.repeat(5000) : `v${i}`),
    ]);
  return writeBbolt(
    {
      entries: [
        [Buffer.from('big'), { entries }],
        [Buffer.from('small'), { entries: [[Buffer.from('a'), Buffer.from('b')]], inline: true }],
      ],
    },
    { pageSize: 1024, maxLeafElements: 4, maxBranchElements: 3 },
  ).bytes;
}

test('the undamaged real db reads fine (the baseline for the mutations)', async () => {
  assert.equal(await exercise(ORIGINAL), 'ok');
});

test('truncated at many lengths: a SnapshotFormatError, never a crash', async () => {
  const lengths = new Set<number>([0, 1, 15, 16, 19, 20, 79, 80, 81]);
  for (let l = 0; l < ORIGINAL.length; l += 97) lengths.add(l);
  for (let p = 1; p <= 5; p++) for (const d of [-1, 0, 1]) lengths.add(p * PS + d);
  for (const l of lengths) {
    if (l >= ORIGINAL.length) continue;
    assert.equal(await exercise(ORIGINAL.subarray(0, l)), 'SnapshotFormatError', `length ${l}`);
  }
});

test('wrong magic names the offset and the expected magic', async () => {
  const b = Buffer.from(ORIGINAL);
  b.fill(0, 0, 2 * PS);
  const p = tmpFile(b);
  await assert.rejects(openFileSource(p), {
    name: 'SnapshotFormatError',
    message: new RegExp(
      `^Cannot open "${p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}" as an etcd snapshot: magic 0x00000000 at offset 16, expected 0xed0cdaed\\. `,
    ),
  });
  const text = tmpFile(Buffer.from('hello, not a snapshot\n'));
  await assert.rejects(openFileSource(text), { name: 'SnapshotFormatError', message: /magic 0x6f687370 at offset 16/ });
  await assert.rejects(openFileSource(path.join(tmp, 'absent.db')), {
    name: 'InvalidArgumentError',
    message: /ENOENT/,
  });
});

test('both metas corrupt; page ids beyond the file; a lying page header', async () => {
  const both = Buffer.from(ORIGINAL);
  both[16 + 60] = (both[16 + 60] as number) ^ 1;
  both[PS + 16 + 60] = (both[PS + 16 + 60] as number) ^ 1;
  await assert.rejects(openFileSource(tmpFile(both)), {
    name: 'SnapshotFormatError',
    message: /both meta pages are invalid \(page 0: checksum .*; page 1: checksum/,
  });

  const rootFar = Buffer.from(ORIGINAL);
  rootFar.writeUInt32LE(999, PS + 16 + 16); // meta 1's root pgid
  fixMetaChecksum(rootFar, PS);
  await assert.rejects(openFileSource(tmpFile(rootFar)), { name: 'SnapshotFormatError', message: /page 999/ });

  // the "key" bucket (element 5 of root page 4) pointed at page 9999
  const f = openBboltFile(REAL_DB);
  const keyEntry = f.root().get('key');
  f.close();
  assert.ok(keyEntry);
  const far = Buffer.from(ORIGINAL);
  far.writeUInt32LE(9999, keyEntry.valueOffset);
  await assert.rejects(
    openFileSource(tmpFile(far)).then((s) => s.status()),
    (e: Error) =>
      e.name === 'SnapshotFormatError' &&
      /page id 9999/.test(e.message) &&
      (e as { details?: { pageId?: number } }).details?.pageId === 9999,
  );

  const wrongId = Buffer.from(ORIGINAL);
  wrongId.writeUInt32LE(7, 2 * PS);
  await assert.rejects(
    openFileSource(tmpFile(wrongId)).then((s) => s.status()),
    { name: 'SnapshotFormatError', message: /page 2 at offset 8192 says it is page 7/ },
  );
});

test('huge counts, lengths and overflows are caught before any allocation', async () => {
  const cases: [string, (b: Buffer) => void, RegExp][] = [
    ['ksize 0xffffffff', (b) => b.writeUInt32LE(0xffffffff, 2 * PS + 16 + 8), /element 0 of page 2/],
    ['vsize 0xffffffff', (b) => b.writeUInt32LE(0xffffffff, 2 * PS + 16 + 12), /element 0 of page 2/],
    ['pos past the page', (b) => b.writeUInt32LE(0x7fffffff, 2 * PS + 16 + 4), /element 0 of page 2/],
    ['count 0xffff', (b) => b.writeUInt16LE(0xffff, 2 * PS + 10), /page 2 .*claims 65535 elements/],
    ['overflow 0xffffffff', (b) => b.writeUInt32LE(0xffffffff, 2 * PS + 12), /page 2 .*overflow/],
    ['meta page as a tree page', (b) => b.writeUInt16LE(0x04, 2 * PS + 8), /page 2 .*flags 0x4/],
  ];
  for (const [name, mutate, message] of cases) {
    const b = Buffer.from(ORIGINAL);
    mutate(b);
    await assert.rejects(
      openFileSource(tmpFile(b)).then((s) => s.status()),
      { name: 'SnapshotFormatError', message },
      name,
    );
  }
});

test('a branch page pointing at itself, or a cycle of two, fails instead of hanging', () => {
  const bytes = deepTree();
  const f = openBboltFile(tmpFile(bytes));
  const big = f.bucket('big') as BboltBucket;
  const rootId = big.rootPgid;
  const root = f.page(rootId);
  assert.equal(root.flags, 0x01);
  const childId = Number(root.bytes.readBigUInt64LE(16 + 8));
  f.close();
  const ps = 1024;
  const self = Buffer.from(bytes);
  self.writeBigUInt64LE(BigInt(rootId), rootId * ps + 16 + 8);
  const s1 = openBboltFile(tmpFile(self));
  assert.throws(() => [...(s1.bucket('big') as BboltBucket).entries()], {
    name: 'SnapshotFormatError',
    message: new RegExp(`page ${rootId} .*reached twice`),
  });
  assert.throws(() => (s1.bucket('big') as BboltBucket).cursor().seek('k0000'), {
    name: 'SnapshotFormatError',
    message: /reached twice/,
  });
  s1.close();
  const cycle = Buffer.from(bytes);
  cycle.writeBigUInt64LE(BigInt(rootId), childId * ps + 16 + 8);
  const s2 = openBboltFile(tmpFile(cycle));
  assert.throws(() => [...(s2.bucket('big') as BboltBucket).entries()], {
    name: 'SnapshotFormatError',
    message: /reached twice/,
  });
  s2.close();
  // a shared child (two parents): entered twice in one walk
  const shared = Buffer.from(bytes);
  shared.writeBigUInt64LE(BigInt(childId), rootId * ps + 16 + 16 + 8);
  const s3 = openBboltFile(tmpFile(shared));
  assert.throws(() => [...(s3.bucket('big') as BboltBucket).entries()], {
    name: 'SnapshotFormatError',
    message: /reached twice/,
  });
  s3.close();
});

test('3000 random mutations of the real db: a result or a kubetcd error, each within the time bound', async () => {
  const random = rng(20261124);
  const outcomes = new Map<string, number>();
  for (let i = 0; i < 3000; i++) {
    const b = Buffer.from(ORIGINAL);
    const flips = 1 + Math.floor(random() * 4);
    for (let j = 0; j < flips; j++) {
      // mostly inside the tree pages and the meta fields, where changes matter
      const at =
        random() < 0.85
          ? 2 * PS + Math.floor(random() * 3 * PS)
          : Math.floor(random() * 2) * PS + Math.floor(random() * 80);
      b[at] = random() < 0.5 ? (b[at] as number) ^ (1 << Math.floor(random() * 8)) : Math.floor(random() * 256);
    }
    const outcome = await exercise(b);
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  assert.ok((outcomes.get('ok') ?? 0) > 100, JSON.stringify([...outcomes]));
  assert.ok((outcomes.get('SnapshotFormatError') ?? 0) > 100, JSON.stringify([...outcomes]));
});

test('1000 random mutations of a deep tree (branch pages, overflow, inline bucket)', () => {
  const bytes = deepTree();
  const random = rng(7);
  let errors = 0;
  for (let i = 0; i < 1000; i++) {
    const b = Buffer.from(bytes);
    for (let j = 0; j < 3; j++) {
      const at = 2 * 1024 + Math.floor(random() * (b.length - 2 * 1024));
      b[at] = Math.floor(random() * 256);
    }
    const started = Date.now();
    try {
      const f = openBboltFile(tmpFile(b));
      try {
        for (const name of ['big', 'small']) {
          const bucket = f.bucket(name);
          if (!bucket) continue;
          for (const e of bucket.entries()) void e;
          bucket.cursor().seek('k0123');
        }
      } finally {
        f.close();
      }
    } catch (e) {
      if (!isKubetcdError(e)) throw new Error(`mutation ${i}: not a kubetcd error: ${String(e)}`, { cause: e });
      errors++;
    }
    assert.ok(Date.now() - started < 1000);
  }
  assert.ok(errors > 50);
});

/** The leaf pages of the real db's key bucket (reachable ones, so a change to them changes the data). */
function keyBucketLeaves(): number[] {
  const file = openBboltFile(REAL_DB, { verifyHash: false });
  const bucket = file.bucket('key');
  assert.ok(bucket && bucket.rootPgid > 0);
  const leaves: number[] = [];
  const walk = (pgid: number): void => {
    const page = file.page(pgid);
    if (page.flags === 0x02) leaves.push(pgid);
    else for (let i = 0; i < page.count; i++) walk(Number(page.bytes.readBigUInt64LE(16 + i * 16 + 8)));
  };
  walk(bucket.rootPgid);
  return leaves;
}

async function readAll(bytes: Buffer): Promise<number> {
  const source = await openFileSource(tmpFile(bytes));
  try {
    let n = 0;
    for await (const _kv of source.range({ prefix: '' }, { keysOnly: true })) n++;
    return n;
  } finally {
    await source.close();
  }
}

test('a damaged element count or flag in the key bucket is an error, never fewer records without a word', async () => {
  const leaves = keyBucketLeaves().filter((pgid) => ORIGINAL.readUInt16LE(pgid * PS + 10) >= 2);
  assert.ok(leaves.length > 0);
  assert.ok((await readAll(ORIGINAL)) > 0);
  for (const pgid of leaves) {
    // One element fewer: its record would vanish. (A member db has no trailer to catch it.)
    const fewer = Buffer.from(ORIGINAL);
    fewer.writeUInt16LE(fewer.readUInt16LE(pgid * PS + 10) - 1, pgid * PS + 10);
    await assert.rejects(readAll(fewer), (e: Error) => {
      assert.equal(e.name, 'SnapshotFormatError');
      assert.match(e.message, new RegExp(`page ${pgid} .*element count or headers are damaged`));
      return true;
    });
    // The first element's flag says "sub-bucket": its record would be skipped.
    const bucketFlag = Buffer.from(ORIGINAL);
    bucketFlag.writeUInt32LE(1, pgid * PS + 16);
    await assert.rejects(readAll(bucketFlag), {
      name: 'SnapshotFormatError',
      message: /is marked as a sub-bucket, which etcd never writes there/,
    });
  }
});

test('a damaged overflow count is caught before reading: never a read of the rest of the file, never a RangeError', () => {
  const written = writeBbolt(
    {
      entries: [
        [
          Buffer.from('big'),
          {
            entries: [
              [Buffer.from('a'), Buffer.from('y'.repeat(5000))],
              [Buffer.from('b'), Buffer.alloc(20_000, 0x7a)],
            ],
          },
        ],
      ],
    },
    { pageSize: 1024 },
  );
  const ps = 1024;
  const withOverflow = written.leafPages.filter((id) => written.bytes.readUInt32LE(id * ps + 12) > 0);
  assert.ok(withOverflow.length > 0);
  const pgid = withOverflow[0] as number;
  const real = written.bytes.readUInt32LE(pgid * ps + 12);
  const readAllEntries = (bytes: Buffer): number => {
    const file = openBboltFile(tmpFile(bytes), { verifyHash: false });
    try {
      let n = 0;
      for (const e of file.bucket('big')!.entries()) n += e.value.length;
      return n;
    } finally {
      file.close();
    }
  };
  assert.equal(readAllEntries(written.bytes), 25_000);
  // Inflated within the file (the tail of a large member db would be read as this page), then past it.
  for (const overflow of [real + 1, written.pageCount - pgid - 1, 0x7fffffff]) {
    if (overflow <= real) continue;
    const bytes = Buffer.from(written.bytes);
    bytes.writeUInt32LE(overflow, pgid * ps + 12);
    assert.throws(
      () => readAllEntries(bytes),
      (e: Error) => {
        assert.equal(e.name, 'SnapshotFormatError', e.message);
        assert.match(
          e.message,
          new RegExp(
            `page ${pgid} at offset ${pgid * ps} (claims ${overflow} overflow pages|with its ${overflow} overflow pages ends)`,
          ),
        );
        assert.equal((e as { details?: { pageId?: number } }).details?.pageId, pgid);
        return true;
      },
    );
  }
});

test('damaged etcdctl JSON dumps give SnapshotFormatError', async () => {
  for (const text of [
    '{',
    '{"kvs":[]}',
    '{"header":{"revision":"x"}}',
    '{"header":{"revision":5},"kvs":[{"key":"!!"}]}',
    '{"header":{"revision":5},"kvs":{}}',
  ]) {
    await assert.rejects(openFileSource(tmpFile(Buffer.from(text))), { name: 'SnapshotFormatError' }, text);
  }
});
