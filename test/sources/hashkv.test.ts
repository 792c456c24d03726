/**
 * HashKV: our offline hash of a snapshot (and of a stopped member's member/snap/db) equals what real
 * etcd 3.4 and 3.5 report through `etcdctl endpoint hashkv -w json` for the same data, before and after a
 * compaction, at the latest and at older revisions; the live source asks etcd's own HashKV RPC.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32c } from '../../src/util/crc32c';
import { openSnapshotSource } from '../../src/sources/snapshot/snapshot-source';
import { openEtcdWriterForFixtures, openLiveSource } from '../../src/sources/live-etcd-source';
import { makeTempDir, startEtcd, ETCD_VERSIONS, type EtcdProcess, type EtcdVersion } from '../helpers/etcd';

const cli = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');

interface EtcdHash {
  hash: number;
  compactRevision: number;
  revision: number;
}

/** What `etcdctl endpoint hashkv -w json [--rev R]` reports. */
async function etcdHash(etcd: EtcdProcess, revision?: number): Promise<EtcdHash> {
  const r = await etcd.etcdctl([
    'endpoint',
    'hashkv',
    '-w',
    'json',
    ...(revision !== undefined ? [`--rev=${revision}`] : []),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const [entry] = JSON.parse(r.stdout) as Array<{
    HashKV: { header: { revision: number }; hash: number; compact_revision: number };
  }>;
  assert.ok(entry, r.stdout);
  return {
    hash: entry.HashKV.hash,
    compactRevision: entry.HashKV.compact_revision,
    revision: entry.HashKV.header.revision,
  };
}

async function offlineHash(file: string, revision?: number): Promise<EtcdHash & { hashRevision: number }> {
  const source = await openSnapshotSource(file);
  try {
    const h = await source.hashKV(revision !== undefined ? { revision } : {});
    return { hash: h.hash, compactRevision: h.compactRevision, revision: h.revision, hashRevision: h.hashRevision };
  } finally {
    await source.close();
  }
}

test('crc32c: the Castagnoli check value, incremental', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(Buffer.from('6789'), crc32c(Buffer.from('12345'))), 0xe3069283);
  assert.equal(crc32c(Buffer.alloc(0)), 0);
  const long = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff));
  assert.equal(crc32c(long.subarray(333), crc32c(long.subarray(0, 333))), crc32c(long));
});

for (const version of ETCD_VERSIONS) {
  describe(`hashKV against etcd ${version}`, () => {
    const dir = makeTempDir(`kubetcd-hashkv-${version}-`);
    let etcd: EtcdProcess;
    const revs: Record<string, number> = {};
    const expected: Record<string, EtcdHash> = {};
    const files: Record<string, string> = {};

    before(async () => {
      etcd = await startEtcd({ version: version as EtcdVersion, keepDataDir: true });
      const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
      try {
        // several leaf pages of records, overwrites, deletes before and after the compaction
        await writer.putMany(
          Array.from({ length: 300 }, (_, i): [string, string] => [
            `/registry/configmaps/default/c${i}`,
            `v1-${i}-${'x'.repeat(150)}`,
          ]),
        );
        await writer.put('/registry/configmaps/default/c7', 'v2');
        await writer.delete('/registry/configmaps/default/c8');
        revs.beforeCompaction = await writer.put('/registry/configmaps/default/c9', 'v2');
        await writer.put('/registry/configmaps/default/c9', 'v3');
        await writer.delete('/registry/configmaps/default/c10');
        revs.compaction = await writer.put('/registry/configmaps/default/c11', 'v2');
        expected.beforeCompaction = await etcdHash(etcd, revs.beforeCompaction);
        expected.latestUncompacted = await etcdHash(etcd);
        files.uncompacted = path.join(dir, 'uncompacted.db');
        assert.equal((await etcd.etcdctl(['snapshot', 'save', files.uncompacted])).code, 0);
        await writer.compact(revs.compaction, { physical: true });
        await writer.put('/registry/configmaps/default/c11', 'v3');
        revs.older = await writer.delete('/registry/configmaps/default/c12');
        await writer.put('/registry/configmaps/default/c7', 'v3');
        await writer.delete('/registry/configmaps/default/c9');
        revs.latest = await writer.put('/registry/configmaps/default/c300', 'new');
      } finally {
        await writer.close();
      }
      expected.older = await etcdHash(etcd, revs.older);
      expected.latest = await etcdHash(etcd);
      files.snapshot = path.join(dir, 'snapshot.db');
      assert.equal((await etcd.etcdctl(['snapshot', 'save', files.snapshot])).code, 0);
    });

    after(async () => {
      await etcd?.stop();
      fs.rmSync(etcd.dataDir, { recursive: true, force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test('a snapshot without compaction: the latest and an older revision, compact revision -1', async () => {
      assert.equal(expected.latestUncompacted!.compactRevision, -1);
      assert.deepEqual(await offlineHash(files.uncompacted!), {
        ...expected.latestUncompacted!,
        hashRevision: revs.compaction,
      });
      assert.deepEqual(await offlineHash(files.uncompacted!, revs.beforeCompaction), {
        ...expected.beforeCompaction!,
        revision: revs.compaction,
        hashRevision: revs.beforeCompaction,
      });
    });

    test('after a compaction: the latest and an older revision, from the snapshot and from the live source', async () => {
      assert.equal(expected.latest!.compactRevision, revs.compaction);
      assert.notEqual(expected.latest!.hash, expected.older!.hash);
      assert.deepEqual(await offlineHash(files.snapshot!), { ...expected.latest!, hashRevision: revs.latest });
      assert.deepEqual(await offlineHash(files.snapshot!, revs.older), {
        ...expected.older!,
        hashRevision: revs.older,
      });
      const live = await openLiveSource({ endpoints: etcd.endpoint });
      try {
        const h = await live.hashKV!({});
        assert.deepEqual(
          { hash: h.hash, compactRevision: h.compactRevision, revision: h.revision, hashRevision: h.hashRevision },
          { ...expected.latest!, hashRevision: revs.latest },
        );
        const older = await live.hashKV!({ revision: revs.older });
        assert.equal(older.hash, expected.older!.hash);
        assert.equal(older.hashRevision, revs.older);
        await assert.rejects(live.hashKV!({ revision: revs.beforeCompaction }), { name: 'CompactedRevisionError' });
        await assert.rejects(live.hashKV!({ revision: revs.latest! + 100 }), { name: 'FutureRevisionError' });
      } finally {
        await live.close();
      }
      // a revision below the compaction is refused, as etcd refuses it
      const source = await openSnapshotSource(files.snapshot!);
      try {
        await assert.rejects(source.hashKV({ revision: revs.beforeCompaction }), { name: 'CompactedRevisionError' });
        if (version === '3.5') {
          // What no file can answer: at the revision of a compaction it ran, etcd 3.5 answers the hash it took
          // during that compaction (from the previous compaction on, records it then removed included).
          const remembered = await etcdHash(etcd, revs.compaction);
          assert.equal(remembered.compactRevision, -1);
          assert.notEqual(remembered.hash, (await source.hashKV({ revision: revs.compaction })).hash);
        }
      } finally {
        await source.close();
      }
    });

    test('kubetcd hashkv --endpoints asks etcd; an etcdctl dump cannot say and is refused with why', async () => {
      const r = spawnSync(
        process.execPath,
        [cli, 'hashkv', '--endpoints', etcd.endpoint, '--revision', String(revs.older), '-o', 'json'],
        { encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      const printed = JSON.parse(r.stdout) as { hash: number; compactRevision: number };
      assert.deepEqual([printed.hash, printed.compactRevision], [expected.older!.hash, revs.compaction]);
      const dump = path.join(dir, 'dump.json');
      const got = await etcd.etcdctl(['get', '--prefix', '', '-w', 'json']);
      assert.equal(got.code, 0, got.stderr);
      fs.writeFileSync(dump, got.stdout);
      const refused = spawnSync(process.execPath, [cli, 'hashkv', '--snapshot', dump], { encoding: 'utf8' });
      assert.equal(refused.status, 2, refused.stderr);
      assert.match(refused.stderr, /holds no revision records\. Use a snapshot/);
    });

    test('kubetcd hashkv prints the same hash', () => {
      const r = spawnSync(
        process.execPath,
        [cli, 'hashkv', '--snapshot', files.snapshot!, '--revision', String(revs.older), '-o', 'json'],
        { encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      const printed = JSON.parse(r.stdout) as {
        hash: number;
        compactRevision: number;
        hashRevision: number;
        revision: number;
      };
      assert.deepEqual(
        [printed.hash, printed.compactRevision, printed.hashRevision, printed.revision],
        [expected.older!.hash, revs.compaction, revs.older, revs.latest],
      );
      const table = spawnSync(process.execPath, [cli, 'hashkv', '--snapshot', files.snapshot!], { encoding: 'utf8' });
      assert.equal(table.status, 0, table.stderr);
      assert.match(table.stdout, new RegExp(`\\b${expected.latest!.hash}\\b`));
    });

    test("a stopped member's member/snap/db, and that member restarted, at the compaction revision too", async () => {
      await etcd.stop();
      const db = path.join(etcd.dataDir, 'member', 'snap', 'db');
      assert.deepEqual(await offlineHash(db), { ...expected.latest!, hashRevision: revs.latest });
      assert.deepEqual(await offlineHash(db, revs.older), { ...expected.older!, hashRevision: revs.older });
      const atCompaction = await offlineHash(db, revs.compaction);
      // One changed byte in a value (a copy without a trailer to catch it): the hash no longer matches etcd's.
      const changed = path.join(dir, 'changed.db');
      fs.copyFileSync(db, changed);
      {
        const source = await openSnapshotSource(changed);
        const index = source.mvccIndex();
        const r = index.recordCount - 1;
        const at = (index.recordOffset[r] as number) + (index.recordBytes[r] as number) - 1; // the last byte of the newest value
        await source.close();
        const bytes = fs.readFileSync(changed);
        bytes[at] = (bytes[at] as number) ^ 0x01;
        fs.writeFileSync(changed, bytes);
      }
      const damaged = await offlineHash(changed);
      assert.notEqual(damaged.hash, expected.latest!.hash);
      assert.deepEqual({ ...damaged, hash: 0 }, { ...expected.latest!, hash: 0, hashRevision: revs.latest });
      // A member restarted from the file has no hashes of its compactions in memory: it computes the
      // hash at the compaction revision as we do (etcd 3.4 refuses that revision).
      const restarted = await startEtcd({ version: version as EtcdVersion, extraArgs: [`--data-dir=${etcd.dataDir}`] });
      try {
        assert.deepEqual(await etcdHash(restarted), expected.latest);
        assert.deepEqual(await etcdHash(restarted, revs.older), expected.older);
        if (version === '3.4') {
          const refused = await restarted.etcdctl(['endpoint', 'hashkv', `--rev=${revs.compaction}`, '-w', 'json']);
          assert.match(refused.stderr, /required revision has been compacted/);
        } else {
          assert.deepEqual(
            { ...atCompaction, hashRevision: undefined },
            { ...(await etcdHash(restarted, revs.compaction)), hashRevision: undefined },
          );
        }
      } finally {
        await restarted.stop();
      }
    });
  });
}

for (const version of ETCD_VERSIONS) {
  test(`etcd ${version}: an empty store, and every key deleted after a compaction (etcd then keeps no record out)`, async () => {
    const dir = makeTempDir(`kubetcd-hashkv-edge-${version}-`);
    const etcd = await startEtcd({ version: version as EtcdVersion });
    try {
      const empty = path.join(dir, 'empty.db');
      assert.equal((await etcd.etcdctl(['snapshot', 'save', empty])).code, 0);
      const none = await etcdHash(etcd);
      assert.deepEqual(none, { hash: crc32c(Buffer.from('key')), compactRevision: -1, revision: 1 });
      assert.deepEqual(await offlineHash(empty), { ...none, hashRevision: 1 });
      const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
      let compaction = 0;
      try {
        await writer.putMany([
          ['/a', '1'],
          ['/b', '1'],
          ['/c', '1'],
        ]);
        await writer.put('/a', '2');
        compaction = await writer.put('/b', '2');
        await writer.compact(compaction, { physical: true });
        await writer.deletePrefix('/');
      } finally {
        await writer.close();
      }
      const gone = path.join(dir, 'gone.db');
      assert.equal((await etcd.etcdctl(['snapshot', 'save', gone])).code, 0);
      const expected = await etcdHash(etcd);
      assert.equal(expected.compactRevision, compaction);
      assert.deepEqual(await offlineHash(gone), { ...expected, hashRevision: expected.revision });
    } finally {
      await etcd.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
