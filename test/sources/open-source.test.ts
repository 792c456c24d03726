import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
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
    assert.match(e.message, /Cannot open "\.\/no-such-backup\.db": no such file, and it does not look like etcd endpoints/);
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
      assert.match(e.message, /The server does not speak TLS there: use http:\/\/ endpoints without TLS options\./);
      assert.doesNotMatch(e.message, /hung/);
      return true;
    });
  } finally {
    await etcd.stop();
  }
});
