// The live etcd source against a real etcd 3.4 started on loopback: every read is compared with what
// etcdctl itself prints for the same revision.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd, type EtcdProcess } from '../helpers/etcd';
import { openEtcdWriterForFixtures, openLiveSource, type EtcdWriter } from '../../src/sources/live-etcd-source';
import type { KvRecord, KvSource } from '../../src/sources/types';

interface EtcdctlKv {
  key: string;
  value?: string;
  create_revision: number;
  mod_revision: number;
  version: number;
  lease?: number | string;
}

/** etcdctl's own answer: `get --prefix -w json --rev R` (keys and values base64). */
async function etcdctlRange(etcd: EtcdProcess, prefix: string, rev: number): Promise<EtcdctlKv[]> {
  const res = await etcd.etcdctl(['get', prefix, '--prefix', '-w', 'json', `--rev=${rev}`]);
  assert.equal(res.code, 0, res.stderr);
  // Lease ids are int64: keep them exact by quoting the number before JSON.parse.
  const parsed = JSON.parse(res.stdout.replace(/"lease":(\d+)/g, '"lease":"$1"')) as { kvs?: EtcdctlKv[] };
  return parsed.kvs ?? [];
}

function normalise(records: KvRecord[]): Array<Record<string, string | number>> {
  return records.map((r) => ({
    key: Buffer.from(r.key).toString('base64'),
    value: Buffer.from(r.value).toString('base64'),
    create: r.createRevision,
    mod: r.modRevision,
    version: r.version,
    lease: r.lease,
  }));
}

function fromEtcdctl(kvs: EtcdctlKv[]): Array<Record<string, string | number>> {
  return kvs.map((kv) => ({
    key: kv.key,
    value: kv.value ?? '',
    create: kv.create_revision,
    mod: kv.mod_revision,
    version: kv.version,
    lease: kv.lease === undefined ? '0' : String(kv.lease),
  }));
}

async function collect(iterable: AsyncIterable<KvRecord>): Promise<KvRecord[]> {
  const out: KvRecord[] = [];
  for await (const r of iterable) out.push(r);
  return out;
}

const str = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

describe('live etcd source', () => {
  let etcd: EtcdProcess;
  let writer: EtcdWriter;
  let source: KvSource;
  const revs: Record<string, number> = {};

  before(async () => {
    etcd = await startEtcd();
    writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    // 3 sub-prefixes of different sizes, plus a binary value and a key with a lease.
    const entries: Array<[string, string | Uint8Array]> = [];
    for (const ns of ['alpha', 'beta', 'gamma']) {
      const n = ns === 'beta' ? 2 : 25;
      for (let i = 0; i < n; i++) entries.push([`/t/pods/${ns}/p${String(i).padStart(3, '0')}`, `${ns}-${i}-v1`]);
    }
    entries.push(['/t/pods/zeta', new Uint8Array([0, 1, 2, 255, 254])]);
    revs.loaded = await writer.putMany(entries, { batchSize: 7 });
    await writer.put('/t/pods/alpha/p000', 'alpha-0-v2');
    await writer.delete('/t/pods/alpha/p001');
    const lease = await writer.grantLease(600);
    revs.lease = Number(await writer.put('/t/leased', 'x', { lease }));
    revs.edited = await writer.put('/t/pods/gamma/p010', 'gamma-10-v2');
    await writer.delete('/t/pods/gamma/p010');
    revs.recreated = await writer.put('/t/pods/gamma/p010', 'gamma-10-v3');
    source = await openLiveSource({ endpoints: etcd.endpoint, pageSize: 4, callTimeoutMs: 5000 });
  });

  after(async () => {
    await source?.close();
    await writer?.close();
    await etcd?.stop();
  });

  it('reads every prefix at several revisions exactly as etcdctl does (small pages across sub-prefixes)', async () => {
    const status = await source.status();
    for (const rev of [revs.loaded!, revs.lease!, revs.edited!, status.revision]) {
      for (const prefix of ['/t/', '/t/pods/', '/t/pods/gamma/']) {
        const ours = await collect(source.range({ prefix }, { revision: rev }));
        assert.deepEqual(normalise(ours), fromEtcdctl(await etcdctlRange(etcd, prefix, rev)), `${prefix} @${rev}`);
      }
    }
    const all = await collect(source.range({ prefix: '' }));
    assert.equal(all.length, 25 + 24 + 2 + 1 + 1);
    assert.ok(all.some((r) => r.lease !== '0'));
  });

  it("stays pinned to the first page's revision while keys change between pages", async () => {
    const before = await etcdctlRange(etcd, '/t/pods/', (await source.status()).revision);
    let writes = 0;
    const seen: KvRecord[] = [];
    let pinned = 0;
    for await (const r of source.range({ prefix: '/t/pods/' }, { onProgress: (p) => (pinned = p.revision) })) {
      seen.push(r);
      if (seen.length % 5 === 0) {
        // Change a key that is still ahead of the cursor, and add a new one.
        await writer.put('/t/pods/gamma/p024', `changed-${writes}`);
        await writer.put(`/t/pods/gamma/q${writes}`, 'new');
        writes++;
      }
    }
    assert.ok(writes >= 5);
    assert.deepEqual(normalise(seen), fromEtcdctl(before));
    assert.ok(seen.every((r) => r.modRevision <= pinned));
    await writer.deletePrefix('/t/pods/gamma/q');
  });

  it('pages correctly over awkward key layouts (random segments, 0xff bytes, keys without slashes)', async () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = ['a', 'b', 'z', '/', '-', '0', '9', '\u00ff', '~'];
    const keys = new Set<string>();
    while (keys.size < 400) {
      let k = '/w/';
      const len = 1 + rand(12);
      for (let i = 0; i < len; i++) k += alphabet[rand(alphabet.length)];
      keys.add(k);
    }
    const raw: Array<[Uint8Array, string]> = [...keys].map((k) => [Buffer.from(k, 'latin1'), 'v']);
    raw.push(
      [Buffer.from([0x2f, 0x77, 0x2f, 0xff, 0xff]), 'ff'],
      [Buffer.from([0x2f, 0x77, 0x2f, 0xff, 0x2f, 0xff]), 'ff2'],
    );
    await writer.putMany(raw, { batchSize: 50 });
    const oracle = await openLiveSource({ endpoints: etcd.endpoint, pageSize: 100_000 });
    try {
      // `prefix: ''` pages over everything, narrowing window by window several segments deep.
      const ranges = [
        { prefix: '' },
        { prefix: '/w/' },
        { prefix: '/w/a' },
        { prefix: '/w//' },
        { start: '/w/b', end: '/w/z/' },
        { start: '/w/9' },
      ];
      for (const range of ranges) {
        const expected = (await collect(oracle.range(range))).map((r) => Buffer.from(r.key).toString('hex'));
        for (const pageSize of [1, 3, 17]) {
          const small = await openLiveSource({ endpoints: etcd.endpoint, pageSize });
          try {
            const got = (await collect(small.range(range))).map((r) => Buffer.from(r.key).toString('hex'));
            assert.deepEqual(got, expected, `${JSON.stringify(range)} pageSize ${pageSize}`);
          } finally {
            await small.close();
          }
        }
      }
      const all = await etcdctlRange(etcd, '/w/', (await oracle.status()).revision);
      assert.equal(all.length, 402);
    } finally {
      await oracle.close();
    }
  });

  it('keysOnly, limit and range bounds', async () => {
    const keys = await collect(source.range({ prefix: '/t/pods/alpha/' }, { keysOnly: true }));
    assert.equal(keys.length, 24);
    assert.ok(keys.every((r) => r.value.length === 0 && r.modRevision > 0));
    const limited = await collect(source.range({ prefix: '/t/pods/' }, { limit: 6 }));
    assert.deepEqual(
      limited.map((r) => str(r.key)),
      [
        '/t/pods/alpha/p000',
        '/t/pods/alpha/p002',
        '/t/pods/alpha/p003',
        '/t/pods/alpha/p004',
        '/t/pods/alpha/p005',
        '/t/pods/alpha/p006',
      ],
    );
    const bounded = await collect(source.range({ start: '/t/pods/beta/', end: '/t/pods/gamma/p002' }));
    assert.deepEqual(
      bounded.map((r) => str(r.key)),
      ['/t/pods/beta/p000', '/t/pods/beta/p001', '/t/pods/gamma/p000', '/t/pods/gamma/p001'],
    );
    const open = await collect(source.range({ start: '/t/pods/zeta' }));
    const fromKey = await etcd.etcdctl(['get', '/t/pods/zeta', '--from-key', '--keys-only', '-w', 'json']);
    const expectedKeys = (JSON.parse(fromKey.stdout) as { kvs: EtcdctlKv[] }).kvs.map((kv) => kv.key);
    assert.deepEqual(
      open.map((r) => Buffer.from(r.key).toString('base64')),
      expectedKeys,
    );
    assert.equal(str(open[0]!.key), '/t/pods/zeta');
    assert.deepEqual([...open[0]!.value], [0, 1, 2, 255, 254]);
  });

  it('counts, gets at a revision, and refuses compacted or future revisions', async () => {
    assert.equal(await source.count({ prefix: '/t/pods/alpha/' }), 24);
    assert.equal(await source.count({ prefix: '/t/pods/alpha/' }, { revision: revs.loaded }), 25);
    const old = await source.get('/t/pods/alpha/p000', { revision: revs.loaded });
    assert.equal(str(old!.value), 'alpha-0-v1');
    const now = await source.get('/t/pods/alpha/p000');
    assert.equal(str(now!.value), 'alpha-0-v2');
    assert.equal(now!.version, 2);
    assert.equal(await source.get('/t/pods/alpha/p001'), undefined);
    const status = await source.status();
    await assert.rejects(source.get('/t/leased', { revision: status.revision + 1000 }), {
      name: 'FutureRevisionError',
    });
  });

  it('aborts a read with AbortedError', async () => {
    const controller = new AbortController();
    let n = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of source.range({ prefix: '/t/' }, { signal: controller.signal })) {
          if (++n === 3) controller.abort();
        }
      })(),
      { name: 'AbortedError' },
    );
    assert.equal(n, 3);
    controller.abort();
    await assert.rejects(source.count({ prefix: '/t/' }, { signal: controller.signal }), { name: 'AbortedError' });
  });

  it('reports status, members, leases', async () => {
    const status = await source.status();
    assert.equal(status.kind, 'live');
    assert.match(status.clusterId!, /^[0-9a-f]+$/);
    assert.match(status.memberId!, /^[0-9a-f]+$/);
    assert.equal(status.members.length, 1);
    assert.equal(status.members[0]!.id, status.memberId);
    assert.equal(status.serverVersion, '3.4.23');
    assert.ok(status.dbSizeBytes! > 0 && status.raftTerm! >= 1);
    const table = await etcd.etcdctl(['endpoint', 'status', '-w', 'json']);
    const parsed = JSON.parse(table.stdout.replace(/"(cluster_id|member_id)":(\d+)/g, '"$1":"$2"')) as Array<{
      Status: { header: { cluster_id: string; member_id: string } };
    }>;
    assert.equal(status.clusterId, BigInt(parsed[0]!.Status.header.cluster_id).toString(16));
    const leases = await source.leases();
    assert.equal(leases.length, 1);
    assert.equal(leases[0]!.ttlSeconds, 600);
    assert.ok(leases[0]!.remainingSeconds! > 500);
    assert.deepEqual(leases[0]!.keys!.map(str), ['/t/leased']);
    const leased = await source.get('/t/leased');
    assert.equal(leased!.lease, leases[0]!.id);
  });

  it('gives the history of a key, deletes included, and then compaction hides older revisions', async () => {
    const key = '/t/pods/gamma/p010';
    const hist = [];
    for await (const h of source.history(key)) hist.push(h);
    assert.deepEqual(
      hist.map((h) => [h.deleted, str(h.value), h.version]),
      [
        [false, 'gamma-10-v1', 1],
        [false, 'gamma-10-v2', 2],
        [true, '', 0],
        [false, 'gamma-10-v3', 1],
      ],
    );
    assert.equal(hist[3]!.modRevision, revs.recreated);
    // A deleted key: its history ends with the tombstone.
    const gone = [];
    for await (const h of source.history('/t/pods/alpha/p001')) gone.push(h);
    assert.deepEqual(
      gone.map((h) => h.deleted),
      [false, true],
    );
    const never = [];
    for await (const h of source.history('/t/never-existed')) never.push(h);
    assert.equal(never.length, 0);

    await writer.compact(revs.edited!);
    const status = await source.status();
    assert.equal(status.compactRevision, revs.edited);
    await assert.rejects(collect(source.range({ prefix: '/t/' }, { revision: revs.loaded })), (e: Error) => {
      assert.equal(e.name, 'CompactedRevisionError');
      assert.match(e.message, /compacted/);
      return true;
    });
    const after = [];
    for await (const h of source.history(key)) after.push(h);
    assert.deepEqual(
      after.map((h) => [h.deleted, str(h.value)]),
      [
        [false, 'gamma-10-v2'],
        [true, ''],
        [false, 'gamma-10-v3'],
      ],
    );
    const rows = await collect(source.range({ prefix: '/t/pods/' }, { revision: revs.edited }));
    assert.deepEqual(normalise(rows), fromEtcdctl(await etcdctlRange(etcd, '/t/pods/', revs.edited!)));

    // A key created and deleted after the compaction, absent at both ends; then unrelated writes, so
    // the end of its history must be found without it.
    const created = await writer.put('/t/ephemeral', 'e1');
    const deleted = await writer.delete('/t/ephemeral');
    await writer.put('/t/zz-unrelated', 'u');
    const eph = [];
    for await (const h of source.history('/t/ephemeral')) eph.push(h);
    assert.deepEqual(
      eph.map((h) => [h.deleted, h.modRevision]),
      [
        [false, created],
        [true, deleted],
      ],
    );
    // The same when the delete is the newest revision of the whole store.
    await writer.put('/t/ephemeral', 'e2');
    const last = await writer.delete('/t/ephemeral');
    const eph2 = [];
    for await (const h of source.history('/t/ephemeral')) eph2.push(h);
    assert.deepEqual(
      eph2.map((h) => h.modRevision),
      [created, deleted, last - 1, last],
    );
  });

  it('history spanning more than one watch batch (1000 revisions)', async () => {
    const entries = Array.from({ length: 1100 }, (_, i): [string, string] => ['/t/busy', `v${i}`]);
    await writer.putMany(entries, { batchSize: 1, concurrency: 8 });
    const hist = [];
    for await (const h of source.history('/t/busy')) hist.push(h);
    assert.equal(hist.length, 1100);
    assert.deepEqual(
      hist.map((h) => h.version),
      Array.from({ length: 1100 }, (_, i) => i + 1),
    );
  });

  it('a read whose pinned revision is compacted mid-read goes on at the new revision when what it returned is unchanged', async () => {
    const progress: Array<{ revision: number; restarts?: number }> = [];
    const iterator = source
      .range({ prefix: '/t/pods/' }, { onProgress: (p) => progress.push(p) })
      [Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.equal(first.done, false);
    const records = [first.value as KvRecord];
    // Writes outside the range, then a compaction past the pinned revision.
    const rev = await writer.put('/t/compact-marker', 'x');
    await writer.compact(rev);
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) records.push(r.value);
    // The listing is complete and exactly the state at the current revision.
    assert.deepEqual(normalise(records), fromEtcdctl(await etcdctlRange(etcd, '/t/pods/', rev)));
    const last = progress[progress.length - 1]!;
    assert.equal(last.restarts, 1, JSON.stringify(progress));
    assert.ok(last.revision >= rev, JSON.stringify(progress));
  });

  it('a read compacted mid-read fails with CompactedRevisionError when what it returned has changed since', async () => {
    const iterator = source.range({ prefix: '/t/pods/' })[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.equal(first.done, false);
    // Change a record already returned, then compact past the pinned revision.
    const changed = Buffer.from((first.value as KvRecord).key).toString('utf8');
    await writer.put(changed, 'changed meanwhile');
    const rev = await writer.put('/t/compact-marker', 'y');
    await writer.compact(rev);
    await assert.rejects(
      (async () => {
        for (let r = await iterator.next(); !r.done; r = await iterator.next());
      })(),
      (e: Error) => {
        assert.equal(e.name, 'CompactedRevisionError');
        assert.match(
          e.message,
          /was compacted mid-read, and the \d+ records already returned are no longer the current state/,
        );
        assert.match(e.message, /run it again/);
        return true;
      },
    );
    // An explicit revision never moves: reading below the compaction is refused outright.
    await assert.rejects(collect(source.range({ prefix: '/t/pods/' }, { revision: rev - 1 })), /compacted/);
  });

  it('honours ETCDCTL_* variables', async () => {
    const fromEnv = await openLiveSource({ env: { ETCDCTL_ENDPOINTS: etcd.endpoint.replace('http://', '') } });
    try {
      assert.equal(fromEnv.origin, etcd.endpoint);
      assert.equal(await fromEnv.count({ prefix: '/t/pods/beta/' }), 2);
    } finally {
      await fromEnv.close();
    }
    await assert.rejects(
      openLiveSource({ env: {}, callTimeoutMs: 2000, endpoints: undefined }).then((s) => s.close()),
      (e: Error) => {
        // Default endpoint 127.0.0.1:2379: nothing listens there on this machine, or something else does.
        assert.equal(e.name, 'EtcdConnectionError');
        assert.match(e.message, /127\.0\.0\.1:2379/);
        return true;
      },
    );
  });
});
