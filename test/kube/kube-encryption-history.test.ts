/**
 * history(), watch() and the fast paths (a label selector, count) decrypt values encrypted at rest with
 * the EncryptionConfiguration given to openKube, as list() and get() do: a Secret written twice with
 * aescbc into a real etcd (and its snapshot) reads back whole; without the configuration each revision
 * says it is encrypted.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encode } from '../../src/codec';
import { encryptValue, loadEncryptionConfig } from '../../src/codec/decrypt';
import type { KubeObject } from '../../src/codec/types';
import { openKube, type KubeClient } from '../../src/kube/kube-client';
import { openEtcdWriterForFixtures } from '../../src/sources/live-etcd-source';
import { openSource } from '../../src/sources/open-source';
import type { KvSource } from '../../src/sources/types';
import { makeTempDir, startEtcd, type EtcdProcess } from '../helpers/etcd';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const CBC_KEY = '0123456789abcdef0123456789abcdef';
const KEY = '/registry/secrets/default/db';
const CONFIG = {
  apiVersion: 'apiserver.config.k8s.io/v1',
  kind: 'EncryptionConfiguration',
  resources: [
    {
      resources: ['secrets'],
      providers: [{ aescbc: { keys: [{ name: 'key1', secret: b64(CBC_KEY) }] } }, { identity: {} }],
    },
  ],
};

function secret(password: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', namespace: 'default', uid: '6f1c1f55-8d7b-4c61-9d3f-2f1b8e0c1a01', labels: { app: 'db' } },
    data: { password: b64(password) },
    type: 'Opaque',
  };
}

describe('history, watch and fast paths with an EncryptionConfiguration', () => {
  let etcd: EtcdProcess;
  let dir: string;
  const sources: KvSource[] = [];
  const kubes: Array<{ name: string; k: KubeClient; plain: KubeClient }> = [];
  const config = loadEncryptionConfig(CONFIG);

  const put = async (password: string): Promise<void> => {
    const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    try {
      await writer.put(KEY, encryptValue(encode(secret(password)), config, { key: KEY }));
    } finally {
      await writer.close();
    }
  };

  before(async () => {
    etcd = await startEtcd();
    dir = makeTempDir('kubetcd-encryption-history-');
    await put('first');
    await put('second');
    const file = path.join(dir, 'snapshot.db');
    const saved = await etcd.etcdctl(['snapshot', 'save', file]);
    assert.equal(saved.code, 0, saved.stderr);
    for (const [name, target] of [
      ['live', etcd.endpoint],
      ['snapshot', file],
    ] as const) {
      const source = await openSource(target);
      sources.push(source);
      kubes.push({
        name,
        k: await openKube(source, { encryptionConfig: CONFIG, prefix: '/registry' }),
        plain: await openKube(source, { prefix: '/registry' }),
      });
    }
  });

  after(async () => {
    for (const s of sources.splice(0)) await s.close();
    await etcd?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('history() of an aescbc Secret decrypts every revision with the configuration', async () => {
    for (const { name, k, plain } of kubes) {
      const h = await k.history('secrets', 'db', { reveal: true });
      assert.deepEqual(
        h.map((e) => [e.error, passwordOf(e.object)]),
        [
          [undefined, b64('first')],
          [undefined, b64('second')],
        ],
        name,
      );
      assert.deepEqual(
        h[1]?.changes.map((c) => c.path),
        ['data.password'],
        name,
      );
      const without = await plain.history('secrets', 'db');
      assert.equal(without.length, 2, name);
      for (const e of without) {
        assert.equal(e.object, undefined, name);
        assert.match(e.error ?? '', /is encrypted at rest \(aescbc, key "key1"\)/, name);
      }
    }
  });

  it('a label selector and count() (the projection fast paths) decrypt too', async () => {
    for (const { name, k, plain } of kubes) {
      const l = await k.list('secrets', { labels: 'app=db', reveal: true });
      assert.deepEqual(l.errors, [], name);
      assert.deepEqual(l.items.map(passwordOf), [b64('second')], name);
      assert.deepEqual(
        l.encrypted.map((e) => [e.key, e.keyName, e.decrypted]),
        [[KEY, 'key1', true]],
        name,
      );
      assert.deepEqual(await k.count('secrets', { by: 'label:app' }), { total: 1, groups: { db: 1 }, errors: 0 }, name);
      assert.deepEqual(await k.count('configmaps', { by: 'namespace' }), { total: 0, groups: {}, errors: 0 }, name);
      const p = await plain.list('secrets', { labels: 'app=db' });
      assert.deepEqual([p.items.length, p.errors.map((e) => e.key)], [0, [KEY]], name);
    }
  });

  it('watch() decrypts the values it reports', async () => {
    const live = kubes.find((x) => x.name === 'live') as (typeof kubes)[number];
    const ac = new AbortController();
    const seen: Array<[string, string | undefined, string | undefined]> = [];
    try {
      for await (const e of live.k.watch('secrets', { fromRevision: 1, reveal: true, signal: ac.signal })) {
        seen.push([e.type, passwordOf(e.object), e.error]);
        if (seen.length === 2) break;
      }
    } finally {
      ac.abort();
    }
    assert.deepEqual(seen, [
      ['ADDED', b64('first'), undefined],
      ['MODIFIED', b64('second'), undefined],
    ]);
  });
});

function passwordOf(o: KubeObject | undefined): string | undefined {
  return (o?.['data'] as { password?: string } | undefined)?.password;
}
