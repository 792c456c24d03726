/**
 * KubeClient.history over a real etcd and over a snapshot of it: the restarted pod shows its restart as
 * a change, the deleted pod ends with a tombstone, and both sources tell the same story.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import _ from 'lodash';
import { startKubeFixture, type KubeFixture } from '../helpers/kube-fixture';
import { encode } from '../../src/codec';
import type { KubeClient } from '../../src/kube/kube-client';
import { diffObjects } from '../../src/kube/kube-history';

const SECRET_KEY = '/registry/secrets/default/history-secret';

describe('KubeClient.history: live etcd and its snapshot', () => {
  let fx: KubeFixture;
  let restartedKey: string;
  let deletedKey: string;
  let kubes: KubeClient[] = [];

  before(async () => {
    const secret = (token: string): Uint8Array =>
      encode({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'history-secret', namespace: 'default', uid: '5a7d1c2e-0000-4000-8000-000000000002' },
        data: { token: Buffer.from(token).toString('base64') },
        type: 'Opaque',
      });
    fx = await startKubeFixture({
      pods: 20,
      seed: 3,
      extra: async (writer) => {
        await writer.put(SECRET_KEY, secret('one'));
        await writer.put(SECRET_KEY, secret('three'));
      },
    });
    const podOps = fx.ops.filter((o) => o.resource === 'pods');
    restartedKey = podOps.find((o) => o.type === 'put' && o.update)!.key;
    deletedKey = podOps.find((o) => o.type === 'delete')!.key;
    kubes = fx.kubes;
  });

  after(async () => {
    await fx?.close();
  });

  it('the restarted pod: two revisions, the second changes restartCount', async () => {
    for (const k of kubes) {
      const h = await k.history(restartedKey);
      assert.equal(h.length, 2, k.source.kind);
      assert.deepEqual(
        h.map((e) => [e.version, e.deleted]),
        [
          [1, false],
          [2, false],
        ],
      );
      assert.ok(h[0]!.revision < h[1]!.revision);
      assert.deepEqual(h[0]!.changes, []);
      const restart = h[1]!.changes.find((c) => /^status\.containerStatuses\[0\]\.restartCount$/.test(c.path));
      assert.ok(restart, JSON.stringify(h[1]!.changes.map((c) => c.path)));
      assert.equal(restart.op, 'changed');
      assert.equal(restart.to, _.get(h[1]!.object, 'status.containerStatuses[0].restartCount'));
      assert.equal(restart.from, _.get(h[0]!.object, 'status.containerStatuses[0].restartCount'));
      assert.notEqual(restart.from, restart.to);
      // The latest revision's object is what get() returns.
      assert.deepEqual(h[1]!.object, (await k.get(restartedKey)).object);
      assert.equal(h[1]!.revision, (await k.get(restartedKey)).record.modRevision);
    }
  });

  it('resourceVersion: history, get, list and stream objects carry the mod revision of their record; decode() and the diffs do not', async () => {
    const [, , ns, name] = restartedKey.split('/').slice(1);
    assert.ok(ns && name);
    for (const k of kubes) {
      const h = await k.history(restartedKey);
      for (const e of h)
        assert.equal(_.get(e.object, 'metadata.resourceVersion'), String(e.revision), `${k.source.kind} ${e.revision}`);
      // the diff runs on the stored values: a new revision is not a change of the object
      assert.ok(
        !h[1]!.changes.some((c) => c.path === 'metadata.resourceVersion'),
        JSON.stringify(h[1]!.changes.map((c) => c.path)),
      );
      // each kept revision is what get() returns at that revision
      for (const e of h)
        assert.deepEqual(
          e.object,
          (await k.get(restartedKey, undefined, { revision: e.revision })).object,
          `${k.source.kind} ${e.revision}`,
        );
      const got = await k.get(restartedKey);
      const listed: unknown[] = (await k.list('pods', { namespace: ns, fields: `metadata.name=${name}` })).items;
      assert.deepEqual(listed, [got.object]);
      for await (const entry of k.stream('pods', { namespace: ns })) {
        assert.equal(_.get(entry.object, 'metadata.resourceVersion'), String(entry.modRevision), entry.key);
      }
      // placed where the API server writes it: after uid, before creationTimestamp
      const keys = Object.keys(got.object!['metadata'] as object);
      assert.equal(keys.indexOf('resourceVersion'), keys.indexOf('uid') + 1, keys.join(','));
      // the stored bytes hold none: decode() is the API server's stored object, unchanged
      const raw = await k.source.get(restartedKey);
      const { decode } = await import('../../src/codec');
      assert.equal(_.get(decode(raw!.value).object, 'metadata.resourceVersion'), undefined);
      assert.deepEqual(_.omit(got.object, 'metadata.resourceVersion'), decode(raw!.value).object);
    }
  });

  it('the deleted pod: put, then a tombstone; resource + name + namespace find the same key', async () => {
    const [, , ns, name] = deletedKey.split('/').slice(1);
    assert.ok(ns && name);
    for (const k of kubes) {
      const h = await k.history('po', name, { namespace: ns });
      assert.equal(h.length, 2);
      assert.equal(h[0]!.deleted, false);
      assert.equal(_.get(h[0]!.object, 'metadata.name'), name);
      assert.deepEqual(_.pick(h[1], ['version', 'deleted', 'changes']), { version: 0, deleted: true, changes: [] });
      assert.equal(h[1]!.object, undefined);
      assert.deepEqual(await k.history(deletedKey), h);
    }
  });

  it('live and snapshot agree on every pod history', async () => {
    const keys = _.uniq(fx.ops.filter((o) => o.resource === 'pods').map((o) => o.key));
    assert.ok(keys.length >= 20);
    for (const key of keys) {
      const [a, b] = [await kubes[0]!.history(key), await kubes[1]!.history(key)];
      assert.deepEqual(b, a, key);
    }
  });

  it('Secrets stay redacted in history unless revealed', async () => {
    for (const k of kubes) {
      const h = await k.history('secrets', 'history-secret');
      assert.equal(h.length, 2);
      assert.deepEqual(h[1]!.changes, [
        { path: 'data.token', op: 'changed', from: '<redacted: 3 bytes>', to: '<redacted: 5 bytes>' },
      ]);
      const revealed = await k.history(SECRET_KEY, undefined, { reveal: true });
      assert.equal(revealed[1]!.changes.length, 1);
      assert.notEqual(String(revealed[1]!.changes[0]!.to), '<redacted: 5 bytes>');
    }
  });

  it('errors: unknown key, key outside the prefix, unknown resource', async () => {
    const k = kubes[1]!;
    await assert.rejects(
      k.history('pods', 'no-such-pod'),
      (e: Error) => e.name === 'NotFoundError' && /no-such-pod/.test(e.message),
    );
    await assert.rejects(
      k.history('nope'),
      (e: Error) => e.name === 'InvalidArgumentError' && /\/registry\//.test(e.message),
    );
    await assert.rejects(
      k.history('pdos', 'x'),
      (e: Error) => e.name === 'InvalidArgumentError' && /pods/.test(e.message),
    );
  });
});

describe('diffObjects', () => {
  it('reports added, removed and changed paths, with [i] for lists and quoted odd keys', () => {
    const before = {
      metadata: { labels: { 'app.kubernetes.io/name': 'a', x: '1' } },
      spec: { c: [{ n: 1 }, { n: 2 }] },
    };
    const after = { metadata: { labels: { 'app.kubernetes.io/name': 'b', y: '2' } }, spec: { c: [{ n: 1 }] } };
    assert.deepEqual(diffObjects(before, after), [
      { path: 'metadata.labels["app.kubernetes.io/name"]', op: 'changed', from: 'a', to: 'b' },
      { path: 'metadata.labels.x', op: 'removed', from: '1' },
      { path: 'metadata.labels.y', op: 'added', to: '2' },
      { path: 'spec.c[1]', op: 'removed', from: { n: 2 } },
    ]);
    assert.deepEqual(diffObjects({ a: 1n << 60n }, { a: 1n << 60n }), []);
    assert.deepEqual(diffObjects({ a: [1] }, { a: 'x' }), [{ path: 'a', op: 'changed', from: [1], to: 'x' }]);
  });
});
