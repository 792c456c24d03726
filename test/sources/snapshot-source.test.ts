import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isKubetcdError } from '../../src/errors';
import { parseEtcdctlDump } from '../../src/sources/etcdctl-dump-source';
import { openBboltFile } from '../../src/sources/snapshot/bbolt-file';
import {
  decodeMvccKeyValue,
  openSnapshotSource,
  parseRevisionKey,
  type SnapshotSource,
} from '../../src/sources/snapshot/snapshot-source';
import type { KvRecord, KvSource } from '../../src/sources/types';
import { WireReader } from '../../src/util/wire-reader';
import { buildEtcdctlFixture, type EtcdctlFixture, removeEtcdctlFixture } from '../helpers/etcdctl-fixture';

const DATA = path.join(__dirname, '../../..', '..', 'shared/data/auger-testdata/boltdb');
const REAL_DB = path.join(DATA, 'db');

async function all(source: KvSource, revision?: number, keysOnly = false): Promise<KvRecord[]> {
  const out: KvRecord[] = [];
  for await (const kv of source.range({ prefix: '' }, revision === undefined ? { keysOnly } : { revision, keysOnly }))
    out.push(kv);
  return out;
}
function plain(r: KvRecord): Record<string, unknown> {
  return {
    key: Buffer.from(r.key).toString(),
    value: Buffer.from(r.value).toString('base64'),
    createRevision: r.createRevision,
    modRevision: r.modRevision,
    version: r.version,
    lease: r.lease,
    valueBytes: r.valueBytes,
  };
}

describe('the real etcd 3.2 db from auger', () => {
  let s: SnapshotSource;
  before(async () => {
    s = await openSnapshotSource(REAL_DB);
  });
  after(() => s.close());

  test('keys equal keys.txt, values and metadata equal the page2item records', async () => {
    const kvs = await all(s);
    assert.deepEqual(
      kvs.map((kv) => Buffer.from(kv.key).toString()),
      fs.readFileSync(path.join(DATA, 'keys.txt'), 'utf8').trim().split('\n'),
    );
    for (const i of [0, 1, 2]) {
      const raw = decodeMvccKeyValue(fs.readFileSync(path.join(DATA, `page2item${i}.bin`)));
      const got = await s.get(raw.key);
      assert.ok(got);
      assert.ok(Buffer.from(got.value).equals(raw.value));
      assert.equal(got.valueBytes, raw.value.length);
      const summary = fs.readFileSync(path.join(DATA, `page2item${i}-summary.txt`), 'utf8');
      assert.match(summary, new RegExp(`Version: ${got.version}\\n`));
      assert.match(summary, new RegExp(`CreateRevision: ${got.createRevision}\\n`));
      assert.match(summary, new RegExp(`ModRevision: ${got.modRevision}\\n`));
      assert.match(summary, new RegExp(`Lease: ${got.lease}\\n`));
    }
    assert.equal(await s.get('/registry/pods/default/absent'), undefined);
  });

  test('status: revision, compaction, members and cluster version from the meta/members/cluster buckets', async () => {
    const st = await s.status();
    assert.equal(st.kind, 'snapshot');
    assert.equal(st.compactRevision, 241828); // finishedCompactRev 0x3b0a4
    assert.equal(st.revision, 241828); // etcd raises the current revision to the compaction revision
    assert.equal(st.clusterVersion, '3.2.0');
    assert.equal(st.consistentIndex, 0x0aa87d);
    assert.equal(st.keyCount, 4);
    assert.equal(st.dbSizeBytes, 20480);
    assert.deepEqual(st.members, [
      {
        id: '2f7fbfd36802ff7a',
        name: 'default',
        peerUrls: ['https://kubernetes-master:2380'],
        clientUrls: ['http://localhost:2379'],
      },
    ]);
  });

  test('revisions below the compaction and above the current one are refused', async () => {
    await assert.rejects(s.get('/registry/namespaces/default', { revision: 12 }), {
      name: 'CompactedRevisionError',
      message: 'Revision 12 was compacted (oldest kept: 241828). Omit { revision } or pass one >= 241828.',
    });
    await assert.rejects(s.count({ prefix: '' }, { revision: 241829 }), { name: 'FutureRevisionError' });
    assert.equal(await s.count({ prefix: '' }, { revision: 241828 }), 4);
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(
      async () => {
        for await (const kv of s.range({ prefix: '' }, { signal: ac.signal })) void kv;
      },
      { name: 'AbortedError' },
    );
  });
});

describe('snapshots made by a real etcd', () => {
  let fx: EtcdctlFixture;
  const sources: [string, SnapshotSource][] = [];
  before(async () => {
    fx = await buildEtcdctlFixture();
    sources.push(
      ['snapshot', await openSnapshotSource(fx.snapshotPath)],
      ['member db', await openSnapshotSource(fx.memberDbPath)],
      // through the block cache (small blocks: recycled buffers, pages across block edges), not a whole-file read
      ['snapshot, block cache', await openSnapshotSource(fx.snapshotPath, { wholeFileBytes: 0, blockBytes: 4096 * 3 })],
    );
  });
  after(async () => {
    for (const [, s] of sources) await s.close();
    if (fx) removeEtcdctlFixture(fx);
  });

  test('a snapshot has a verified SHA-256 trailer; a member db has none', () => {
    assert.equal(fs.statSync(fx.snapshotPath).size % 4096, 32);
    assert.equal(fs.statSync(fx.memberDbPath).size % 4096, 0);
  });

  test('a damaged snapshot fails its SHA-256 check, at open (small) or on first read (worker thread)', async () => {
    const b = fs.readFileSync(fx.snapshotPath);
    const at = b.indexOf('value-1234-');
    assert.ok(at > 0);
    b[at] = 'V'.charCodeAt(0);
    const damaged = path.join(fx.dir, 'damaged.db');
    fs.writeFileSync(damaged, b);
    await assert.rejects(openSnapshotSource(damaged), {
      name: 'SnapshotFormatError',
      message: /fails its SHA-256 check/,
    });
    const viaWorker = await openSnapshotSource(damaged, { hashInWorkerBytes: 0 });
    await assert.rejects(viaWorker.get('/fx/many/001234'), {
      name: 'SnapshotFormatError',
      message: /fails its SHA-256 check/,
    });
    await viaWorker.close();
    const unchecked = await openSnapshotSource(damaged, { verifyHash: false });
    assert.match((await unchecked.get('/fx/many/001234'))?.value.toString() ?? '', /^Value-1234-/);
    await unchecked.close();
    const good = await openSnapshotSource(fx.snapshotPath, { hashInWorkerBytes: 0 });
    assert.equal((await good.get('/fx/many/001234'))?.value.toString().slice(0, 11), 'value-1234-');
    await good.close();
    // closing while the worker still hashes is fine
    await (await openSnapshotSource(fx.snapshotPath, { hashInWorkerBytes: 0 })).close();
  });

  test("hashCheck 'alongside': reads go on while the worker hashes, and hashVerdict() reports a mismatch", async () => {
    const b = fs.readFileSync(fx.snapshotPath);
    const at = b.indexOf('value-1234-');
    assert.ok(at > 0);
    b[at] = 'V'.charCodeAt(0);
    const damaged = path.join(fx.dir, 'damaged-alongside.db');
    fs.writeFileSync(damaged, b);
    const bad = await openSnapshotSource(damaged, { hashInWorkerBytes: 0, hashCheck: 'alongside' });
    assert.match((await bad.get('/fx/many/001234'))?.value.toString() ?? '', /^Value-1234-/);
    const verdict = await bad.hashVerdict();
    assert.equal(verdict?.name, 'SnapshotFormatError');
    assert.match(verdict?.message ?? '', /fails its SHA-256 check/);
    await bad.close();
    const good = await openSnapshotSource(fx.snapshotPath, { hashInWorkerBytes: 0, hashCheck: 'alongside' });
    assert.equal((await good.get('/fx/many/001234'))?.value.toString().slice(0, 11), 'value-1234-');
    assert.equal(await good.hashVerdict(), undefined);
    await good.close();
    // checked at open (small file): nothing pending
    const small = await openSnapshotSource(fx.snapshotPath, { hashCheck: 'alongside' });
    assert.equal(await small.hashVerdict(), undefined);
    await small.close();
  });

  test('every revision answers exactly what `etcdctl get --prefix -w json --rev R` answered', async () => {
    assert.ok(fx.dumps.size >= 5);
    for (const [name, s] of sources) {
      for (const [rev, text] of fx.dumps) {
        const expected = await all(parseEtcdctlDump(text));
        const got = await all(s, rev);
        assert.equal(got.length, expected.length, `${name} @${rev}`);
        assert.deepEqual(got.map(plain), expected.map(plain), `${name} @${rev}`);
        // keys-only reads agree on everything but the value
        const keysOnly = await all(s, rev, true);
        assert.deepEqual(
          keysOnly.map((r) => ({ ...plain(r), value: '' })),
          expected.map((r) => ({ ...plain(r), value: '' })),
        );
        assert.equal(await s.count({ prefix: '' }, { revision: rev }), expected.length);
      }
    }
  });

  test('tombstones hide deleted keys; values larger than a page come back whole', async () => {
    for (const [, s] of sources) {
      assert.equal(await s.get('/fx/old'), undefined);
      assert.equal((await s.get('/fx/old', { revision: fx.compactRevision }))?.value.toString(), 'o1');
      assert.equal(await s.get('/fx/big/3'), undefined);
      assert.equal(await s.get('/fx/doomed', { revision: fx.compactRevision }), undefined);
      for (const [key, value] of fx.bigValues) {
        if (key === '/fx/big/3') continue;
        assert.equal(Buffer.from((await s.get(key))?.value ?? []).toString(), value);
      }
      const b = await s.get('/fx/b');
      assert.equal(b?.version, 1); // re-created after its deletion
      assert.equal((await s.get('/fx/a'))?.version, 4);
    }
  });

  test('history lists every kept revision, deletions included, oldest first', async () => {
    for (const [, s] of sources) {
      for (const key of ['/fx/a', '/fx/b', '/fx/old', '/fx/big/3', '/fx/many/000007', '/fx/doomed', '/fx/leased']) {
        const got: [number, boolean][] = [];
        for await (const h of s.history(key)) {
          got.push([h.modRevision, h.deleted]);
          if (h.deleted) assert.equal(h.value.length, 0);
        }
        assert.deepEqual(got, fx.histories.get(key) ?? [], key);
      }
    }
  });

  test('compacted revisions are refused; the compaction revision itself is readable', async () => {
    for (const [, s] of sources) {
      for (const rev of [fx.compactedRevision, fx.compactRevision - 1]) {
        await assert.rejects(s.get('/fx/a', { revision: rev }), {
          name: 'CompactedRevisionError',
          message: `Revision ${rev} was compacted (oldest kept: ${fx.compactRevision}). Omit { revision } or pass one >= ${fx.compactRevision}.`,
        });
      }
      await assert.rejects(
        async () => {
          for await (const kv of s.range({ prefix: '' }, { revision: fx.finalRevision + 1 })) void kv;
        },
        { name: 'FutureRevisionError' },
      );
      assert.equal((await s.get('/fx/a', { revision: fx.compactRevision }))?.value.toString(), 'a2');
    }
  });

  test('status and leases', async () => {
    const leaseId = BigInt('0x' + fx.leaseIdHex).toString();
    for (const [, s] of sources) {
      const st = await s.status();
      assert.equal(st.revision, fx.finalRevision);
      assert.equal(st.compactRevision, fx.compactRevision);
      assert.equal(st.clusterVersion, '3.4.0');
      assert.equal(st.members.length, 1);
      assert.equal(st.members[0]?.name, 'fx');
      assert.match(st.members[0]?.clientUrls[0] ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.ok((st.consistentIndex ?? 0) > 0);
      assert.equal(st.keyCount, await s.count({ prefix: '' }));
      const leases = await s.leases();
      assert.deepEqual(
        leases.map((l) => ({ ...l, keys: l.keys?.map((k) => Buffer.from(k).toString()) })),
        [{ id: leaseId, ttlSeconds: fx.leaseTtlSeconds, keys: ['/fx/leased'] }],
      );
      assert.equal((await s.get('/fx/leased'))?.lease, leaseId);
    }
  });

  test('ranges: prefix, [start, end), open end, limit, progress', async () => {
    for (const [, s] of sources) {
      assert.equal(await s.count({ prefix: '/fx/many/' }), fx.manyKeys);
      const some: string[] = [];
      for await (const kv of s.range({ start: '/fx/many/000010', end: '/fx/many/000013' }))
        some.push(Buffer.from(kv.key).toString());
      assert.deepEqual(some, ['/fx/many/000010', '/fx/many/000011', '/fx/many/000012']);
      const tail: string[] = [];
      for await (const kv of s.range({ start: '/fx/many/002998' })) tail.push(Buffer.from(kv.key).toString());
      assert.deepEqual(tail, ['/fx/many/002998', '/fx/many/002999']);
      let n = 0;
      let last = 0;
      for await (const kv of s.range(
        { prefix: Buffer.from('/fx/') },
        { limit: 5, onProgress: (p) => (last = p.records) },
      ))
        n += kv.key.length > 0 ? 1 : 0;
      assert.equal(n, 5);
      assert.equal(last, 5);
    }
  });

  test('150 random mutations of the real etcd 3.4 snapshot: a result or a kubetcd error, quickly', async () => {
    const original = fs.readFileSync(fx.memberDbPath);
    const file = path.join(fx.dir, 'mutated.db');
    let seed = 12345;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 150; i++) {
      const b = Buffer.from(original);
      for (let j = 0; j < 3; j++) {
        const at = 2 * 4096 + Math.floor(random() * (b.length - 2 * 4096));
        b[at] = Math.floor(random() * 256);
      }
      fs.writeFileSync(file, b);
      const started = Date.now();
      let outcome = 'ok';
      try {
        const s = await openSnapshotSource(file, { wholeFileBytes: 0, blockBytes: 8192 });
        try {
          await s.status();
          for await (const kv of s.range({ prefix: '' })) void kv;
          for await (const h of s.history('/fx/a')) void h;
          await s.leases();
        } finally {
          await s.close();
        }
      } catch (e) {
        if (!isKubetcdError(e)) throw new Error(`mutation ${i}: not a kubetcd error: ${String(e)}`, { cause: e });
        outcome = e.name;
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      assert.ok(Date.now() - started < 3000, `mutation ${i} took ${Date.now() - started} ms`);
    }
    assert.ok((outcomes.get('SnapshotFormatError') ?? 0) > 10, JSON.stringify([...outcomes]));
  });

  test('a truncated varint in a stored KeyValue or lease: a SnapshotFormatError naming the record and the byte', async () => {
    // The record of /fx/leased ends with its lease id (field 6, a varint) and the lease record with its
    // TTL (a varint): setting the continuation bit of the last byte makes that varint run past the record.
    const original = fs.readFileSync(fx.memberDbPath);
    const lastField = (bytes: Buffer): { field: number; wire: number } => {
      const r = new WireReader(bytes);
      let last = { field: 0, wire: 0 };
      while (r.pos < bytes.length) {
        const tag = r.uint32(bytes.length);
        last = { field: tag >>> 3, wire: tag & 7 };
        r.skip(tag & 7, bytes.length, tag >>> 3);
      }
      return last;
    };
    const bbolt = openBboltFile(fx.memberDbPath, { verifyHash: false });
    let foundKv: { valueOffset: number; length: number; pageId: number; revision: string } | undefined;
    let foundLease: { valueOffset: number; length: number; pageId: number; key: string } | undefined;
    try {
      for (const e of bbolt.bucket('key')?.entries() ?? []) {
        const kv = decodeMvccKeyValue(e.value);
        const rev = parseRevisionKey(e.key);
        if (kv.key.toString() === '/fx/leased' && kv.lease !== 0n && rev)
          foundKv = {
            valueOffset: e.valueOffset,
            length: e.value.length,
            pageId: e.pageId,
            revision: `${rev.main}_${rev.sub}`,
          };
      }
      for (const e of bbolt.bucket('lease')?.entries() ?? [])
        foundLease = {
          valueOffset: e.valueOffset,
          length: e.value.length,
          pageId: e.pageId,
          key: e.key.toString('hex'),
        };
    } finally {
      bbolt.close();
    }
    assert.ok(foundKv && foundLease);
    const kvEntry = foundKv;
    const leaseEntry = foundLease;
    assert.deepEqual(lastField(original.subarray(kvEntry.valueOffset, kvEntry.valueOffset + kvEntry.length)), {
      field: 6,
      wire: 0,
    });
    assert.equal(
      lastField(original.subarray(leaseEntry.valueOffset, leaseEntry.valueOffset + leaseEntry.length)).wire,
      0,
    );

    const damaged = (at: number): Buffer => {
      const b = Buffer.from(original);
      b[at] = (b[at] as number) | 0x80;
      return b;
    };
    const where = (e: unknown): { message: string; details: { path?: string; pageId?: number; offset?: number } } => {
      assert.equal((e as Error).name, 'SnapshotFormatError', String(e));
      return e as { message: string; details: { path?: string; pageId?: number; offset?: number } };
    };

    // The index build reads the KeyValue first: revision, page and offset of the record, and the byte.
    const kvFile = path.join(fx.dir, 'truncated-kv.db');
    fs.writeFileSync(kvFile, damaged(kvEntry.valueOffset + kvEntry.length - 1));
    const kvSource = await openSnapshotSource(kvFile);
    try {
      await assert.rejects(kvSource.count({ prefix: '' }), (e: unknown) => {
        const { message, details } = where(e);
        assert.equal(
          message,
          `Cannot decode the record of revision ${kvEntry.revision} on page ${kvEntry.pageId} (value at offset ${kvEntry.valueOffset}) of "${kvFile}": truncated varint at byte ${kvEntry.length} of the record. The file is damaged.`,
        );
        assert.deepEqual(details, {
          path: kvFile,
          pageId: kvEntry.pageId,
          offset: kvEntry.valueOffset + kvEntry.length,
        });
        return true;
      });
    } finally {
      await kvSource.close();
    }

    // Damaged after its index was cached: the read of the record names its key, revision and offset.
    const cacheDir = fs.mkdtempSync(path.join(fx.dir, 'index-cache-'));
    const cachedFile = path.join(fx.dir, 'truncated-after-caching.db');
    fs.writeFileSync(cachedFile, original);
    fs.utimesSync(cachedFile, 1_700_000_000, 1_700_000_000);
    const first = await openSnapshotSource(cachedFile, { indexCache: cacheDir });
    const leased = await first.get('/fx/leased');
    assert.match(first.indexCacheStatus, /^built, and saved to /);
    await first.close();
    fs.writeFileSync(cachedFile, damaged(kvEntry.valueOffset + kvEntry.length - 1)); // same inode, size and (below) mtime
    fs.utimesSync(cachedFile, 1_700_000_000, 1_700_000_000);
    const second = await openSnapshotSource(cachedFile, { indexCache: cacheDir });
    try {
      await assert.rejects(second.get('/fx/leased'), (e: unknown) => {
        const { message, details } = where(e);
        assert.match(second.indexCacheStatus, /^read from /);
        assert.equal(
          message,
          `Cannot decode the record of key "/fx/leased" at revision ${leased?.modRevision} (offset ${kvEntry.valueOffset}) of "${cachedFile}": truncated varint at byte ${kvEntry.length} (file offset ${kvEntry.valueOffset + kvEntry.length}). The file is damaged.`,
        );
        assert.deepEqual(details, { path: cachedFile, offset: kvEntry.valueOffset + kvEntry.length });
        return true;
      });
    } finally {
      await second.close();
    }

    // The lease bucket: the lease record's key (the id), page and offset.
    const leaseFile = path.join(fx.dir, 'truncated-lease.db');
    fs.writeFileSync(leaseFile, damaged(leaseEntry.valueOffset + leaseEntry.length - 1));
    const leaseSource = await openSnapshotSource(leaseFile);
    try {
      assert.equal(BigInt('0x' + leaseEntry.key).toString(), BigInt('0x' + fx.leaseIdHex).toString());
      await assert.rejects(leaseSource.leases(), (e: unknown) => {
        const { message, details } = where(e);
        assert.equal(
          message,
          `Cannot decode the lease record ${leaseEntry.key} on page ${leaseEntry.pageId} (value at offset ${leaseEntry.valueOffset}) of "${leaseFile}": truncated varint at byte ${leaseEntry.length} (file offset ${leaseEntry.valueOffset + leaseEntry.length}). The file is damaged.`,
        );
        assert.deepEqual(details, { path: leaseFile, offset: leaseEntry.valueOffset + leaseEntry.length });
        return true;
      });
    } finally {
      await leaseSource.close();
    }
  });

  test('close is safe twice; reads after close fail with a kubetcd error', async () => {
    const s = await openSnapshotSource(fx.snapshotPath);
    await s.close();
    await s.close();
    await assert.rejects(s.get('/fx/a'), (e: unknown) => isKubetcdError(e));
  });
});
