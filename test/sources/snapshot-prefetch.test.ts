/**
 * Big ranges of a snapshot read their records ahead in a worker thread (from 4096 keys on). These tests use
 * a real etcd's snapshot with more keys than that and check the read-ahead path against etcdctl's own
 * answers, against the plain path (small ranges), on early exit, and on a file that shrinks under it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseEtcdctlDump } from '../../src/sources/etcdctl-dump-source';
import { openSnapshotSource, type SnapshotSource } from '../../src/sources/snapshot/snapshot-source';
import type { KvRecord, KvSource } from '../../src/sources/types';
import { buildEtcdctlFixture, type EtcdctlFixture, removeEtcdctlFixture } from '../helpers/etcdctl-fixture';

function plain(r: KvRecord): Record<string, unknown> {
  return {
    key: Buffer.from(r.key).toString('latin1'),
    value: Buffer.from(r.value).toString('latin1'),
    createRevision: r.createRevision,
    modRevision: r.modRevision,
    version: r.version,
    lease: r.lease,
  };
}

async function all(s: KvSource, revision?: number): Promise<KvRecord[]> {
  const out: KvRecord[] = [];
  for await (const kv of s.range({ prefix: '' }, revision === undefined ? {} : { revision })) out.push(kv);
  return out;
}

/** The same range read through the plain path: pages of 1000 (below the read-ahead threshold). */
async function inPages(s: KvSource): Promise<KvRecord[]> {
  const out: KvRecord[] = [];
  let start = Buffer.alloc(0);
  for (;;) {
    const page: KvRecord[] = [];
    for await (const kv of s.range({ start }, { limit: 1000 })) page.push(kv);
    out.push(...page);
    if (page.length < 1000) return out;
    start = Buffer.concat([Buffer.from((page[page.length - 1] as KvRecord).key), Buffer.from([0])]);
  }
}

describe('read-ahead of big snapshot ranges', () => {
  let fx: EtcdctlFixture;
  let snapshot: SnapshotSource;
  before(async () => {
    fx = await buildEtcdctlFixture({ manyKeys: 6000 });
    snapshot = await openSnapshotSource(fx.snapshotPath, { wholeFileBytes: 0 });
  });
  after(async () => {
    await snapshot?.close();
    if (fx) removeEtcdctlFixture(fx);
  });

  test('every revision answers exactly what `etcdctl get --prefix -w json --rev R` answered', async () => {
    assert.ok(fx.manyKeys >= 6000);
    for (const [rev, text] of fx.dumps) {
      const expected = await all(parseEtcdctlDump(text));
      const got = await all(snapshot, rev);
      assert.ok(got.length > 4096 || expected.length <= 4096, `@${rev}: ${got.length} keys`);
      assert.deepEqual(got.map(plain), expected.map(plain), `@${rev}`);
    }
  });

  test('the read-ahead path and the plain path agree, values larger than a page included', async () => {
    const ahead = await all(snapshot);
    assert.ok(ahead.length > 6000);
    assert.deepEqual(ahead.map(plain), (await inPages(snapshot)).map(plain));
    const big = ahead.filter((r) => fx.bigValues.has(Buffer.from(r.key).toString()));
    assert.ok(big.length > 0);
    for (const r of big) assert.equal(Buffer.from(r.value).toString(), fx.bigValues.get(Buffer.from(r.key).toString()));
  });

  test('transient values: the same bytes, read in place (views of reused buffers, valid until the next record)', async () => {
    const kept = await all(snapshot);
    const seen: KvRecord[] = [];
    let i = 0;
    for await (const kv of snapshot.range({ prefix: '' }, { transientValues: true })) {
      assert.deepEqual(plain(kv), plain(kept[i] as KvRecord), `record ${i}`);
      seen.push(kv);
      i++;
    }
    assert.equal(i, kept.length);
    // Views kept past their batch are not copies: their buffer went back to the reader (detached here).
    const detached = seen.filter((kv, j) => kv.value.length !== (kept[j] as KvRecord).value.length).length;
    assert.ok(detached > 0, 'views of earlier batches were handed back to the reader');
    // without the option, every record kept stays intact (copies): `kept` was compared with etcdctl above
  });

  test('limit, progress and an early exit', async () => {
    let n = 0;
    let last = 0;
    for await (const kv of snapshot.range(
      { prefix: '/fx/many/' },
      { limit: 5000, onProgress: (p) => (last = p.records) },
    ))
      n += kv.key.length > 0 ? 1 : 0;
    assert.equal(n, 5000);
    assert.equal(last, 5000);
    let seen = 0;
    for await (const kv of snapshot.range({ prefix: '' })) {
      assert.ok(kv.value.length >= 0);
      if (++seen === 4500) break;
    }
    assert.equal(seen, 4500);
    assert.equal(await snapshot.count({ prefix: '/fx/many/' }), fx.manyKeys);
  });

  test('a file that shrinks under a big range fails with a SnapshotFormatError', async () => {
    const copy = path.join(fx.dir, 'shrinking.db');
    fs.copyFileSync(fx.memberDbPath, copy);
    const s = await openSnapshotSource(copy, { wholeFileBytes: 0 });
    try {
      assert.ok((await s.count({ prefix: '' })) > 4096); // the index is built from the whole file
      fs.truncateSync(copy, Math.floor(fs.statSync(copy).size / 3));
      await assert.rejects(all(s), { name: 'SnapshotFormatError', message: /shrank/ });
    } finally {
      await s.close();
    }
  });
});
