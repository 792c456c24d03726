/**
 * The snapshot index keeps sub-revisions and versions in 16-bit columns and revisions in 32-bit ones, and
 * widens a column on the first value that does not fit. A real etcd writes values past those limits: one
 * transaction of 70 000 puts (sub-revisions up to 69 999) and one key written 70 000 times (version
 * 70 000); the snapshot must give back exactly what etcd gives back, leases included.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openEtcdWriterForFixtures } from '../../src/sources/live-etcd-source';
import { openSnapshotSource, type SnapshotSource } from '../../src/sources/snapshot/snapshot-source';
import { makeTempDir, startEtcd, type EtcdProcess } from '../helpers/etcd';

const MANY = 70_000;

describe('snapshot index columns wider than 16 bits', () => {
  let etcd: EtcdProcess;
  let snapshot: SnapshotSource;
  let txnRevision = 0;
  let lease = '';
  before(async () => {
    etcd = await startEtcd({
      name: 'columns',
      extraArgs: [`--max-txn-ops=${MANY}`, '--max-request-bytes=33554432'],
      startTimeoutMs: 30_000,
    });
    const w = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint, callTimeoutMs: 120_000 });
    try {
      // short keys and values: the writer keeps a transaction under 1 MiB
      const keys = Array.from({ length: MANY }, (_, i): [string, string] => [
        `/t/${String(i).padStart(5, '0')}`,
        String(i),
      ]);
      txnRevision = await w.putMany(keys, { batchSize: MANY, concurrency: 1 });
      // one key, MANY versions (64 puts in flight at a time)
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < MANY) {
          next++;
          await w.put('/wide/hot', `version ${next}`);
        }
      };
      await Promise.all(Array.from({ length: 64 }, worker));
      const granted = await etcd.etcdctl(['lease', 'grant', '3600']);
      lease = /lease ([0-9a-f]+) granted/.exec(granted.stdout)?.[1] ?? '';
      assert.notEqual(lease, '', granted.stdout + granted.stderr);
      const put = await etcd.etcdctl(['put', '/wide/leased', 'x', `--lease=${lease}`]);
      assert.equal(put.code, 0, put.stderr);
    } finally {
      await w.close();
    }
    const file = path.join(makeTempDir('kubetcd-columns-'), 'snapshot.db');
    const saved = await etcd.etcdctl(['snapshot', 'save', file]);
    assert.equal(saved.code, 0, saved.stderr);
    snapshot = await openSnapshotSource(file);
  });
  after(async () => {
    await snapshot?.close();
    await etcd?.stop();
  });

  test('a key written 70 000 times: its version, its value and its whole history', async () => {
    const hot = await snapshot.get('/wide/hot');
    assert.ok(hot !== undefined);
    assert.equal(hot.version, MANY);
    const live = JSON.parse((await etcd.etcdctl(['get', '/wide/hot', '-w', 'json'])).stdout) as {
      kvs: Array<{ version: number; mod_revision: number; value: string }>;
    };
    assert.equal(hot.modRevision, live.kvs[0]?.mod_revision);
    assert.equal(Buffer.from(hot.value).toString(), Buffer.from(live.kvs[0]?.value ?? '', 'base64').toString());
    let versions = 0;
    let last = 0;
    for await (const h of snapshot.history('/wide/hot')) {
      versions++;
      assert.equal(h.version, versions);
      assert.ok(h.modRevision > last);
      last = h.modRevision;
    }
    assert.equal(versions, MANY);
  });

  test('70 000 puts of one transaction: one revision, every key there (sub-revisions past 65 535)', async () => {
    let n = 0;
    for await (const kv of snapshot.range({ prefix: '/t/' })) {
      assert.equal(kv.modRevision, txnRevision);
      assert.equal(Buffer.from(kv.value).toString(), String(n));
      n++;
    }
    assert.equal(n, MANY);
    const last = await snapshot.get(`/t/${String(MANY - 1).padStart(5, '0')}`, { revision: txnRevision });
    assert.equal(Buffer.from(last?.value ?? []).toString(), String(MANY - 1));
  });

  test('the lease of a key is its etcd lease id', async () => {
    const kv = await snapshot.get('/wide/leased');
    // etcdctl prints the id as %016x: compare numbers, not strings (a leading 0 digit is 1 id in 16).
    assert.equal(BigInt(kv?.lease ?? '0'), BigInt(`0x${lease}`));
    assert.equal((await snapshot.get('/wide/hot'))?.lease, '0');
  });
});
