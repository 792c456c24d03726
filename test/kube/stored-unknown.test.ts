/**
 * Keys shaped like objects under a prefix no known resource uses (a CRD deleted while its objects stay,
 * a resource of another release): resources() lists them, and list() reads them by the name it showed,
 * on a real etcd and its snapshot.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openKube, type KubeClient } from '../../src/kube/kube-client';
import { openEtcdWriterForFixtures, openLiveSource } from '../../src/sources/live-etcd-source';
import { openFileSource } from '../../src/sources/open-file';
import { makeTempDir, startEtcd, type EtcdProcess } from '../helpers/etcd';

const widget = (name: string, namespace: string): string =>
  JSON.stringify({
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name, namespace, uid: `uid-${name}`, creationTimestamp: '2026-01-02T03:04:05Z' },
    spec: { size: 3 },
  });

describe('resources no schema or CRD knows', () => {
  let etcd: EtcdProcess;
  let dir: string;
  const kubes: Array<[string, KubeClient]> = [];

  before(async () => {
    etcd = await startEtcd();
    const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    try {
      await writer.put(
        '/registry/namespaces/default',
        JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }),
      );
      await writer.put('/registry/example.com/widgets/default/w1', widget('w1', 'default'));
      await writer.put('/registry/example.com/widgets/team-a/w2', widget('w2', 'team-a'));
    } finally {
      await writer.close();
    }
    dir = makeTempDir('kubetcd-stored-unknown-');
    const file = path.join(dir, 'snap.db');
    const saved = await etcd.etcdctl(['snapshot', 'save', file]);
    assert.equal(saved.code, 0, saved.stderr);
    kubes.push(['live', await openKube(await openLiveSource({ endpoints: etcd.endpoint }))]);
    kubes.push(['snapshot', await openKube(await openFileSource(file))]);
  });

  after(async () => {
    for (const [, k] of kubes) await k.source.close();
    await etcd?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('list() reads what resources() lists, by the same name; before that the name is refused with advice', async () => {
    for (const [label, k] of kubes) {
      assert.throws(
        () => k.resolve('widgets.example.com'),
        { name: 'InvalidArgumentError', message: /resources\(\) lists what this source holds/ },
        label,
      );
      const stored = await k.resources();
      const entry = stored.find((r) => r.resource === 'widgets.example.com');
      assert.ok(entry, `${label}: ${JSON.stringify(stored)}`);
      assert.equal(entry.kind, '', label);
      assert.equal(entry.count, 2, label);
      assert.equal(entry.namespaced, true, label);
      const all = await k.list(entry.resource);
      assert.deepEqual(
        all.items.map((o) => `${String(o.kind)}/${String((o.metadata as { name?: string }).name)}`).sort(),
        ['Widget/w1', 'Widget/w2'],
        label,
      );
      assert.deepEqual(all.errors, [], label);
      const one = await k.list(entry.resource, { namespace: 'team-a' });
      assert.deepEqual(
        one.items.map((o) => (o.metadata as { name?: string }).name),
        ['w2'],
        label,
      );
      const got = await k.get(entry.resource, 'w1', { namespace: 'default' });
      assert.equal(got.object?.kind, 'Widget', label);
    }
  });
});
