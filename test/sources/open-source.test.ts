import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { parseEtcdctlDump } from '../../src/sources/etcdctl-dump-source';
import { openEtcdWriter } from '../../src/sources/live-etcd-source';
import { openSource } from '../../src/sources/open-source';
import type { KvSource } from '../../src/sources/types';
import { startEtcd } from '../helpers/etcd';

const repo = path.join(__dirname, '..', '..', '..');
const auggerDb = path.join(repo, '..', 'shared', 'data', 'auger-testdata', 'boltdb', 'db');

async function keysOf(source: KvSource, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const kv of source.range({ prefix }, { keysOnly: true })) keys.push(Buffer.from(kv.key).toString('utf8'));
  return keys;
}

test('openSource opens a snapshot file by path and by { file }', async () => {
  for (const target of [auggerDb, { file: auggerDb }]) {
    const source = await openSource(target);
    try {
      assert.equal(source.kind, 'snapshot');
      const keys = await keysOf(source, '/registry/');
      assert.ok(keys.includes('/registry/pods/default/pi-dqtsw'), keys.join('\n'));
    } finally {
      await source.close();
    }
  }
});

test('openSource opens a live etcd by endpoint string, endpoint list and options, with the same interface', async () => {
  const etcd = await startEtcd();
  try {
    const put = await etcd.etcdctl(['put', '/registry/namespaces/default', 'x']);
    assert.equal(put.code, 0, put.stderr);
    const hostPort = etcd.endpoint.replace(/^https?:\/\//, '');
    for (const target of [hostPort, etcd.endpoint, [etcd.endpoint], { endpoints: etcd.endpoint }]) {
      const source = await openSource(target);
      try {
        assert.equal(source.kind, 'live');
        assert.deepEqual(await keysOf(source, '/registry/'), ['/registry/namespaces/default']);
      } finally {
        await source.close();
      }
    }
  } finally {
    await etcd.stop();
  }
});

test('openSource explains a target that is neither a file nor endpoints', async () => {
  await assert.rejects(openSource('./no-such-backup.db'), (e: Error) => {
    assert.equal(e.name, 'InvalidArgumentError');
    assert.match(
      e.message,
      /Cannot open "\.\/no-such-backup\.db": no such file, and it does not look like etcd endpoints/,
    );
    return true;
  });
  await assert.rejects(openSource('  '), /the target is empty/);
  await assert.rejects(openSource(42 as unknown as string), /Cannot open a number/);
});

test('an https:// endpoint on a plain etcd says the server does not speak TLS, at once', async () => {
  const etcd = await startEtcd();
  try {
    const https = etcd.endpoint.replace(/^http:/, 'https:');
    // A one-minute deadline: the answer must come from the failed handshake, not from the deadline.
    await assert.rejects(openSource(https, { callTimeoutMs: 60_000 }), (e: Error) => {
      assert.equal(e.name, 'EtcdConnectionError');
      // etcd answers the handshake as plain HTTP/2 (wrong version number), or under load resets it
      assert.match(
        e.message,
        /The server does not speak TLS there: use http:\/\/ endpoints without TLS options\.|reset the connection at the TLS handshake, as a plain \(non-TLS\) etcd port does: use http:\/\/ endpoints without TLS options/,
      );
      assert.doesNotMatch(e.message, /hung/);
      return true;
    });
  } finally {
    await etcd.stop();
  }
});

/** What a source does, found by trying: the same shape as its declared capabilities (those that can be tried here). */
async function tried(source: KvSource, key: string): Promise<Record<string, boolean>> {
  let keysOnlyBytes = 0;
  for await (const kv of source.range({ prefix: key }, { keysOnly: true, limit: 1 })) keysOnlyBytes = kv.valueBytes;
  let writes = true;
  try {
    await (await openEtcdWriter(source, { allowWrite: true })).close();
  } catch {
    writes = false;
  }
  return {
    watch: typeof source.watch === 'function',
    hashKV: typeof source.hashKV === 'function',
    tombstones: typeof source.tombstones === 'function',
    mvccIndex: typeof source.mvccIndex === 'function',
    valueBytesOnKeysOnly: keysOnlyBytes > 0,
    writes,
  };
}

function declared(source: KvSource): Record<string, boolean> {
  const c = source.capabilities;
  return {
    watch: c.watch,
    hashKV: c.hashKV,
    tombstones: c.tombstones,
    mvccIndex: c.mvccIndex,
    valueBytesOnKeysOnly: c.valueBytesOnKeysOnly,
    writes: c.writes,
  };
}

test('every kind of source declares what it can do, and does what it declares', async () => {
  const snapshot = await openSource(auggerDb);
  try {
    assert.deepEqual(declared(snapshot), await tried(snapshot, '/registry/pods/default/pi-dqtsw'));
    assert.equal(snapshot.capabilities.current, false);
  } finally {
    await snapshot.close();
  }
  const dumpText = JSON.stringify({
    header: { cluster_id: 1, member_id: 2, revision: 5, raft_term: 2 },
    kvs: [
      {
        key: Buffer.from('/registry/a').toString('base64'),
        value: Buffer.from('xyz').toString('base64'),
        create_revision: 5,
        mod_revision: 5,
        version: 1,
      },
    ],
  });
  const dump = parseEtcdctlDump(dumpText);
  assert.deepEqual(declared(dump), await tried(dump, '/registry/a'));
  assert.deepEqual([dump.capabilities.current, dump.capabilities.history], [false, false]);
  const etcd = await startEtcd();
  try {
    assert.equal((await etcd.etcdctl(['put', '/registry/a', 'one'])).code, 0);
    const live = await openSource(etcd.endpoint);
    try {
      assert.deepEqual(declared(live), await tried(live, '/registry/a'));
      // current: the state moves on while the source is open; history: an older revision stays readable
      const before = (await live.status()).revision;
      assert.equal((await etcd.etcdctl(['put', '/registry/a', 'two'])).code, 0);
      assert.ok((await live.status()).revision > before);
      assert.equal(Buffer.from((await live.get('/registry/a', { revision: before }))?.value ?? []).toString(), 'one');
      assert.deepEqual([live.capabilities.current, live.capabilities.history], [true, true]);
    } finally {
      await live.close();
    }
  } finally {
    await etcd.stop();
  }
});
