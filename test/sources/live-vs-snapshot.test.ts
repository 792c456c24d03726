/**
 * The promise of one interface: a live etcd and a snapshot of it answer every read identically — at
 * several revisions, with deletes, leases, a compaction and history.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEtcd, type EtcdProcess } from '../helpers/etcd';
import { openEtcdWriterForFixtures, openLiveSource } from '../../src/sources/live-etcd-source';
import { openFileSource } from '../../src/sources/open-file';
import type { KeyRange, KvRecord, KvSource, RangeOptions } from '../../src/sources/types';

function plain(r: KvRecord): Record<string, unknown> {
  return {
    key: Buffer.from(r.key).toString('hex'),
    value: Buffer.from(r.value).toString('hex'),
    createRevision: r.createRevision,
    modRevision: r.modRevision,
    version: r.version,
    lease: r.lease,
    valueBytes: r.valueBytes,
  };
}

async function all(source: KvSource, range: KeyRange, options: RangeOptions = {}): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const r of source.range(range, options)) out.push(plain(r));
  return out;
}

describe('live etcd and its snapshot agree exactly', () => {
  let etcd: EtcdProcess;
  let live: KvSource;
  let snap: KvSource;
  let dir: string;
  const revs: Record<string, number> = {};

  before(async () => {
    etcd = await startEtcd();
    const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    try {
      const entries: Array<[string, string]> = [];
      for (const ns of ['default', 'kube-system', 'team-a']) {
        for (let i = 0; i < 40; i++)
          entries.push([
            `/registry/pods/${ns}/pod-${String(i).padStart(2, '0')}`,
            `${ns}/${i} v1 ${'x'.repeat(i * 50)}`,
          ]);
      }
      revs.loaded = await writer.putMany(entries, { batchSize: 16 });
      await writer.put('/registry/pods/default/pod-00', 'edited once');
      await writer.delete('/registry/pods/default/pod-01');
      revs.beforeCompaction = await writer.put('/registry/pods/team-a/pod-05', 'edited before the compaction');
      const lease = await writer.grantLease(3600);
      revs.leased = await writer.put('/registry/events/default/ev-1', 'an event', { lease });
      await writer.compact(revs.beforeCompaction);
      await writer.put('/registry/pods/default/pod-00', 'edited twice');
      await writer.delete('/registry/pods/kube-system/pod-07');
      revs.recreated = await writer.put('/registry/pods/kube-system/pod-07', 'back again');
      await writer.put('/registry/pods/big/blob', 'b'.repeat(70_000));
      revs.final = await writer.put('compact_rev_key', String(revs.beforeCompaction));
    } finally {
      await writer.close();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-live-vs-snap-'));
    const file = path.join(dir, 'snapshot.db');
    const saved = await etcd.etcdctl(['snapshot', 'save', file]);
    assert.equal(saved.code, 0, saved.stderr);
    live = await openLiveSource({ endpoints: etcd.endpoint, pageSize: 7 });
    snap = await openFileSource(file);
  });

  after(async () => {
    await live?.close();
    await snap?.close();
    await etcd?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('range, keys-only, limit and count agree at every kept revision', async () => {
    const status = await live.status();
    for (const revision of [revs.beforeCompaction!, revs.leased!, revs.recreated!, status.revision]) {
      for (const range of [
        { prefix: '' },
        { prefix: '/registry/pods/' },
        { prefix: '/registry/pods/kube-system/' },
        { start: '/registry/pods/default/pod-10', end: '/registry/pods/team-a/' },
      ] as KeyRange[]) {
        const label = `${JSON.stringify(range)} @${revision}`;
        assert.deepEqual(await all(snap, range, { revision }), await all(live, range, { revision }), label);
        const keysLive = (await all(live, range, { revision, keysOnly: true })).map((r) => r['key']);
        assert.deepEqual(
          (await all(snap, range, { revision, keysOnly: true })).map((r) => r['key']),
          keysLive,
          `keys ${label}`,
        );
        assert.deepEqual(
          await all(snap, range, { revision, limit: 5 }),
          await all(live, range, { revision, limit: 5 }),
          `limit ${label}`,
        );
        assert.equal(await snap.count(range, { revision }), await live.count(range, { revision }), `count ${label}`);
      }
    }
  });

  it('point reads agree, including deleted and re-created keys', async () => {
    for (const key of [
      '/registry/pods/default/pod-00',
      '/registry/pods/default/pod-01',
      '/registry/pods/kube-system/pod-07',
      '/registry/pods/big/blob',
      'compact_rev_key',
      '/nope',
    ]) {
      for (const revision of [undefined, revs.beforeCompaction, revs.leased]) {
        const a = await live.get(key, revision === undefined ? {} : { revision });
        const b = await snap.get(key, revision === undefined ? {} : { revision });
        assert.deepEqual(b && plain(b), a && plain(a), `${key} @${revision}`);
      }
    }
  });

  it('history agrees: every kept revision, deletes included', async () => {
    for (const key of [
      '/registry/pods/default/pod-00',
      '/registry/pods/kube-system/pod-07',
      '/registry/pods/team-a/pod-05',
      '/registry/pods/default/pod-01',
    ]) {
      const a: Record<string, unknown>[] = [];
      for await (const h of live.history(key)) a.push({ ...plain(h), deleted: h.deleted });
      const b: Record<string, unknown>[] = [];
      for await (const h of snap.history(key)) b.push({ ...plain(h), deleted: h.deleted });
      assert.deepEqual(b, a, key);
    }
  });

  it('both refuse a compacted revision the same way, and report the same revisions and leases', async () => {
    const below = revs.beforeCompaction! - 1;
    for (const source of [live, snap]) {
      await assert.rejects(
        all(source, { prefix: '' }, { revision: below }),
        (e: Error) => e.name === 'CompactedRevisionError',
      );
    }
    const [a, b] = await Promise.all([live.status(), snap.status()]);
    assert.equal(b.revision, a.revision);
    assert.equal(b.compactRevision, a.compactRevision);
    assert.equal(b.compactRevision, revs.beforeCompaction);
    // A snapshot does not store the cluster id (etcd derives it at bootstrap); members it does store.
    if (b.clusterId !== undefined) assert.equal(b.clusterId, a.clusterId);
    assert.deepEqual(
      b.members.map((m) => m.id),
      a.members.map((m) => m.id),
    );
    const [la, lb] = await Promise.all([live.leases(), snap.leases()]);
    assert.deepEqual(
      lb.map((l) => [l.id, l.ttlSeconds]),
      la.map((l) => [l.id, l.ttlSeconds]),
    );
  });
});
