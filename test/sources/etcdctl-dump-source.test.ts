import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, test } from 'node:test';
import {
  type EtcdctlDumpSource,
  openEtcdctlDumpSource,
  parseEtcdctlDump,
  parseJsonKeepingNumbers,
} from '../../src/sources/etcdctl-dump-source';
import { openSnapshotSource } from '../../src/sources/snapshot/snapshot-source';
import { buildEtcdctlFixture, type EtcdctlFixture, removeEtcdctlFixture } from '../helpers/etcdctl-fixture';

let fx: EtcdctlFixture;
let dump: EtcdctlDumpSource;
before(async () => {
  fx = await buildEtcdctlFixture({ manyKeys: 500 });
  dump = await openEtcdctlDumpSource(fx.dumpPath);
});
after(() => {
  if (fx) removeEtcdctlFixture(fx);
});

test('64-bit numbers are read from the text without loss', () => {
  assert.deepEqual(parseJsonKeepingNumbers('{"a":18446744073709551615,"b":"x 12 \\" 7","c":[-3,1.5e3,true,null]}'), {
    a: '18446744073709551615',
    b: 'x 12 " 7',
    c: ['-3', '1.5e3', true, null],
  });
});

test('header ids are exact and agree with the snapshot of the same etcd', async () => {
  const text = fs.readFileSync(fx.dumpPath, 'utf8');
  const clusterId = /"cluster_id":(\d+)/.exec(text)?.[1] as string;
  const memberId = /"member_id":(\d+)/.exec(text)?.[1] as string;
  const st = await dump.status();
  assert.equal(st.kind, 'dump');
  assert.equal(st.clusterId, BigInt(clusterId).toString(16));
  assert.equal(st.memberId, BigInt(memberId).toString(16));
  assert.equal(st.revision, fx.finalRevision);
  assert.ok((st.raftTerm ?? 0) >= 2);
  const snap = await openSnapshotSource(fx.snapshotPath);
  try {
    assert.equal(st.memberId, (await snap.status()).members[0]?.id);
    const fromSnap = [];
    for await (const kv of snap.range({ prefix: '' })) fromSnap.push(kv);
    const fromDump = [];
    for await (const kv of dump.range({ prefix: '' })) fromDump.push(kv);
    assert.deepEqual(fromDump, fromSnap);
  } finally {
    await snap.close();
  }
});

test('values, metadata and leases', async () => {
  const a = await dump.get('/fx/a');
  assert.equal(a?.value.toString(), 'a4');
  assert.equal(a?.version, 4);
  const leaseId = BigInt('0x' + fx.leaseIdHex).toString();
  assert.equal((await dump.get('/fx/leased'))?.lease, leaseId);
  assert.deepEqual(
    (await dump.leases()).map((l) => [l.id, l.keys?.map(String)]),
    [[leaseId, ['/fx/leased']]],
  );
  assert.equal(await dump.count({ prefix: '/fx/many/' }), 500);
  assert.equal(await dump.get('/fx/old'), undefined);
  const keysOnly = [];
  for await (const kv of dump.range({ prefix: '/fx/big/' }, { keysOnly: true }))
    keysOnly.push([kv.key.toString(), kv.value.length, kv.valueBytes]);
  assert.deepEqual(keysOnly, [
    ['/fx/big/1', 0, 10000],
    ['/fx/big/2', 0, 70000],
  ]);
  const hist = [];
  for await (const h of dump.history('/fx/a')) hist.push([h.modRevision, h.deleted]);
  assert.equal(hist.length, 1);
});

test('other revisions are refused with a clear error', async () => {
  assert.ok(await dump.get('/fx/a', { revision: fx.finalRevision }));
  await assert.rejects(dump.get('/fx/a', { revision: fx.finalRevision - 1 }), {
    name: 'CompactedRevisionError',
    message: new RegExp(
      `Revision ${fx.finalRevision - 1} is not in the etcdctl dump .*a dump holds only revision ${fx.finalRevision}\\.`,
    ),
  });
  await assert.rejects(dump.count({ prefix: '' }, { revision: fx.finalRevision + 1 }), { name: 'FutureRevisionError' });
});

test('an empty result dump (no kvs) is a valid, empty source', async () => {
  const empty = parseEtcdctlDump(
    '{"header":{"cluster_id":14841639068965178418,"member_id":10276657743932975437,"revision":5,"raft_term":2}}',
  );
  assert.equal(await empty.count({ prefix: '' }), 0);
  assert.equal((await empty.status()).clusterId, 'cdf818194e3a8c32');
});
