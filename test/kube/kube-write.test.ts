// Writes through kube-write against a real etcd: refused without the explicit opt-in; compare-and-swap
// on the mod revision (create, update, delete; a conflict when someone else wrote in between, also at
// the transaction itself); values stored as kube-apiserver stores them; a change summary.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEtcd, type EtcdProcess } from '../helpers/etcd';
import { decode, encode } from '../../src/codec';
import {
  openEtcdWriter,
  openEtcdWriterForFixtures,
  type EtcdWriter,
  type WriteConsent,
} from '../../src/sources/live-etcd-source';
import { openSource } from '../../src/sources/open-source';
import type { KvSource } from '../../src/sources/types';
import { openKube, type KubeClient } from '../../src/kube/kube-client';
import { deleteKey, writeObject } from '../../src/kube/kube-write';

const CM_KEY = '/registry/configmaps/default/settings';
const configMap = (data: Record<string, string>): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'settings',
    namespace: 'default',
    uid: '0b7c1d2e-0000-4000-8000-000000000001',
    creationTimestamp: '2024-05-01T10:00:00Z',
  },
  data,
});

describe('kube-write: explicit, compare-and-swap writes', () => {
  let etcd: EtcdProcess;
  let fixtures: EtcdWriter;
  let source: KvSource;
  let k: KubeClient;

  before(async () => {
    etcd = await startEtcd();
    fixtures = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    await fixtures.put(CM_KEY, encode(configMap({ mode: 'fast' })));
    await fixtures.put(
      '/registry/namespaces/default',
      encode({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }),
    );
    source = await openSource(etcd.endpoint);
    k = await openKube(source);
  });

  after(async () => {
    await source?.close();
    await fixtures?.close();
    await etcd?.stop();
  });

  const revisionNow = async (): Promise<number> => (await source.status()).revision;

  it('refuses to write or delete without { allowWrite: true } and an expected mod revision, saying how to opt in', async () => {
    const before = await revisionNow();
    const { record } = await k.get(CM_KEY);
    const cases: Array<Promise<unknown>> = [
      writeObject(k, CM_KEY, configMap({ mode: 'x' })),
      writeObject(k, CM_KEY, configMap({ mode: 'x' }), { expectModRevision: record.modRevision }),
      writeObject(k, CM_KEY, configMap({ mode: 'x' }), {
        allowWrite: 'yes' as unknown as boolean,
        expectModRevision: record.modRevision,
      }),
      deleteKey(k, CM_KEY, { expectModRevision: record.modRevision }),
    ];
    for (const p of cases) {
      await assert.rejects(p, (e: Error) => {
        assert.equal(e.name, 'InvalidArgumentError');
        assert.match(e.message, /read-only unless asked/);
        assert.match(e.message, /allowWrite: true, expectModRevision/);
        return true;
      });
    }
    // The opt-in alone is not enough: a write is always conditioned on the revision it was read at.
    await assert.rejects(writeObject(k, CM_KEY, configMap({ mode: 'x' }), { allowWrite: true }), (e: Error) => {
      assert.equal(e.name, 'InvalidArgumentError');
      assert.match(e.message, /without the mod revision it is expected to have/);
      return true;
    });
    await assert.rejects(deleteKey(k, CM_KEY, { allowWrite: true, expectModRevision: 0 }), {
      name: 'InvalidArgumentError',
    });
    // The source-level writer too.
    await assert.rejects(openEtcdWriter(source, {} as WriteConsent), (e: Error) => {
      assert.equal(e.name, 'InvalidArgumentError');
      assert.match(e.message, /allowWrite: true/);
      return true;
    });
    assert.equal(await revisionNow(), before, 'nothing was written');
    assert.equal(
      Buffer.from((await source.get(CM_KEY))!.value).equals(Buffer.from(encode(configMap({ mode: 'fast' })))),
      true,
    );
  });

  it('updates with a CAS on the mod revision, stores protobuf as kube-apiserver does, and summarises the change', async () => {
    const { object, record } = await k.get(CM_KEY);
    const changed = {
      ...object!,
      metadata: { ...(object!.metadata as object), resourceVersion: '999', labels: { tier: 'web' } },
      data: { mode: 'safe', extra: '1' },
    };
    const summary = await writeObject(k, CM_KEY, changed, { allowWrite: true, expectModRevision: record.modRevision });
    assert.equal(summary.operation, 'update');
    assert.equal(summary.key, CM_KEY);
    assert.equal(summary.encoding, 'protobuf');
    assert.equal(summary.oldModRevision, record.modRevision);
    assert.equal(summary.newModRevision, summary.revision);
    assert.ok(summary.newModRevision > record.modRevision);
    assert.deepEqual(
      summary.changes.map((c) => [c.op, c.path, c.from, c.to]),
      [
        ['added', 'data.extra', undefined, '1'],
        ['changed', 'data.mode', 'fast', 'safe'],
        ['added', 'metadata.labels', undefined, { tier: 'web' }],
      ],
    );
    assert.match(
      summary.text,
      new RegExp(`updated ${CM_KEY} \\(protobuf\\): mod revision ${record.modRevision} → ${summary.newModRevision}`),
    );
    assert.match(summary.text, /~ data\.mode: "fast" → "safe"/);
    // Stored exactly as encode() writes it (k8s\0 envelope), without resourceVersion.
    const stored = (await source.get(CM_KEY))!;
    assert.equal(stored.modRevision, summary.newModRevision);
    assert.deepEqual(Buffer.from(stored.value.subarray(0, 4)), Buffer.from('k8s\0'));
    const { resourceVersion: _rv, ...metadata } = changed.metadata as Record<string, unknown>;
    assert.deepEqual(Buffer.from(stored.value), Buffer.from(encode({ ...changed, metadata })));
    assert.deepEqual((await k.get(CM_KEY)).object!.data, { mode: 'safe', extra: '1' });
  });

  it('a conflict when someone else wrote in between: ConflictError naming the current mod revision, nothing overwritten', async () => {
    const { object, record } = await k.get(CM_KEY);
    // Someone else (kube-apiserver, say) writes after our read.
    const theirs = encode(configMap({ mode: 'theirs' }));
    const theirRevision = await fixtures.put(CM_KEY, theirs);
    await assert.rejects(
      writeObject(
        k,
        CM_KEY,
        { ...object!, data: { mode: 'ours' } },
        { allowWrite: true, expectModRevision: record.modRevision },
      ),
      (e: Error & { details?: Record<string, unknown> }) => {
        assert.equal(e.name, 'ConflictError');
        assert.match(
          e.message,
          new RegExp(
            `expected mod revision ${record.modRevision}, but the key is now at mod revision ${theirRevision}`,
          ),
        );
        assert.match(e.message, /Nothing was written/);
        assert.equal(e.details?.currentModRevision, theirRevision);
        return true;
      },
    );
    const now = (await source.get(CM_KEY))!;
    assert.equal(now.modRevision, theirRevision);
    assert.ok(Buffer.from(now.value).equals(Buffer.from(theirs)));
    // Creating a key that exists is a conflict too.
    await assert.rejects(
      writeObject(k, CM_KEY, configMap({ a: 'b' }), { allowWrite: true, expectModRevision: 0 }),
      (e: Error) => {
        assert.equal(e.name, 'ConflictError');
        assert.match(e.message, new RegExp(`already exists, at mod revision ${theirRevision}`));
        return true;
      },
    );
  });

  it('the compare is in the etcd transaction itself: a stale expectation never writes, even past any client-side check', async () => {
    const w = await openEtcdWriter(source, { allowWrite: true });
    try {
      const current = (await w.get(CM_KEY))!;
      const stale = await w.putIfModRevision(CM_KEY, 'nope', current.modRevision - 1);
      assert.equal(stale.succeeded, false);
      assert.equal(stale.before?.modRevision, current.modRevision);
      assert.equal((await w.get(CM_KEY))!.modRevision, current.modRevision);
      const absent = await w.deleteIfModRevision('/registry/configmaps/default/none', 5);
      assert.equal(absent.succeeded, false);
      assert.equal(absent.before, undefined);
      // Two writers racing on the same expectation: exactly one wins.
      const [a, b] = await Promise.all([
        w.putIfModRevision(CM_KEY, encode(configMap({ mode: 'a' })), current.modRevision),
        w.putIfModRevision(CM_KEY, encode(configMap({ mode: 'b' })), current.modRevision),
      ]);
      assert.equal([a, b].filter((r) => r.succeeded).length, 1);
      const loser = a.succeeded ? b : a;
      const winner = a.succeeded ? a : b;
      assert.equal(loser.before?.modRevision, winner.revision);
    } finally {
      await w.close();
    }
  });

  it('creates with expectModRevision 0; a lease-bound key keeps its lease; deletes with a CAS', async () => {
    const key = '/registry/configmaps/default/created';
    const created = await writeObject(
      source,
      key,
      { ...configMap({ x: '1' }), metadata: { name: 'created', namespace: 'default' } },
      {
        allowWrite: true,
        expectModRevision: 0,
      },
    );
    assert.equal(created.operation, 'create');
    assert.equal(created.oldModRevision, 0);
    assert.ok(created.changes.some((c) => c.path === 'data' && c.op === 'added'));
    assert.match(created.text, /^created \/registry\/configmaps\/default\/created \(protobuf\): mod revision 0 → \d+/);

    const eventKey = '/registry/events/default/web.17c';
    const lease = await fixtures.grantLease(3600);
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web.17c', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web' },
      reason: 'Started',
      message: 'Started container',
    };
    await fixtures.put(eventKey, encode(event), { lease });
    const before = (await source.get(eventKey))!;
    assert.equal(before.lease, lease);
    await writeObject(
      k,
      eventKey,
      { ...event, message: 'edited' },
      { allowWrite: true, expectModRevision: before.modRevision },
    );
    assert.equal((await source.get(eventKey))!.lease, lease, 'the update kept the lease');

    const current = (await source.get(key))!;
    await assert.rejects(
      deleteKey(k, key, { allowWrite: true, expectModRevision: current.modRevision - 1 }),
      (e: Error) => {
        assert.equal(e.name, 'ConflictError');
        assert.match(e.message, new RegExp(`now at mod revision ${current.modRevision}`));
        return true;
      },
    );
    assert.ok(await source.get(key), 'still there');
    const deleted = await deleteKey(k, key, { allowWrite: true, expectModRevision: current.modRevision });
    assert.equal(deleted.operation, 'delete');
    assert.equal(deleted.oldModRevision, current.modRevision);
    assert.equal(deleted.newModRevision, 0);
    assert.match(deleted.text, new RegExp(`^deleted ${key}: mod revision ${current.modRevision} → 0`));
    assert.equal(await source.get(key), undefined);
  });

  it('custom resources are stored as JSON with a newline; an existing key keeps its encoding', async () => {
    const key = '/registry/example.com/widgets/default/w1';
    const widget = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w1', namespace: 'default' },
      spec: { size: 3 },
    };
    const s = await writeObject(k, key, widget, { allowWrite: true, expectModRevision: 0 });
    assert.equal(s.encoding, 'json');
    const stored = Buffer.from((await source.get(key))!.value).toString();
    assert.equal(
      stored,
      '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1","namespace":"default"},"spec":{"size":3}}\n',
    );
    assert.deepEqual(decode(Buffer.from(stored)).object, widget);
    const s2 = await writeObject(
      k,
      key,
      { ...widget, spec: { size: 4 } },
      { allowWrite: true, expectModRevision: s.newModRevision },
    );
    assert.equal(s2.encoding, 'json');
    assert.deepEqual(s2.changes, [{ path: 'spec.size', op: 'changed', from: 3, to: 4 }]);
  });

  it('refuses what would damage data: redacted Secret values, encrypted values, a name that does not match the key', async () => {
    const secretKey = '/registry/secrets/default/db';
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'default' },
      type: 'Opaque',
      data: { password: 'aHVudGVyMg==' },
    };
    const created = await writeObject(k, secretKey, secret, { allowWrite: true, expectModRevision: 0 });
    assert.ok(!created.text.includes('aHVudGVyMg=='), 'the summary redacts Secret values');
    assert.match(created.text, /<redacted: 7 bytes>/);
    const read = await k.get('secrets', 'db', { namespace: 'default' });
    await assert.rejects(
      writeObject(k, secretKey, read.object!, { allowWrite: true, expectModRevision: read.record.modRevision }),
      (e: Error) => {
        assert.equal(e.name, 'InvalidArgumentError');
        assert.match(e.message, /redacted values/);
        assert.match(e.message, /reveal: true/);
        return true;
      },
    );
    const revealed = await k.get('secrets', 'db', { namespace: 'default', reveal: true });
    const updated = await writeObject(
      k,
      secretKey,
      { ...revealed.object!, data: { password: 'c3dvcmRmaXNo' } },
      {
        allowWrite: true,
        expectModRevision: revealed.record.modRevision,
      },
    );
    assert.deepEqual(updated.changes, [
      { path: 'data.password', op: 'changed', from: '<redacted: 7 bytes>', to: '<redacted: 9 bytes>' },
    ]);

    const encKey = '/registry/secrets/default/enc';
    const encRevision = await fixtures.put(
      encKey,
      Buffer.concat([Buffer.from('k8s:enc:aescbc:v1:key1:'), Buffer.alloc(48, 7)]),
    );
    await assert.rejects(
      writeObject(
        k,
        encKey,
        { ...secret, metadata: { name: 'enc', namespace: 'default' } },
        { allowWrite: true, expectModRevision: encRevision },
      ),
      (e: Error) => {
        assert.equal(e.name, 'InvalidArgumentError');
        assert.match(e.message, /encrypted at rest \(aescbc, key "key1"\)/);
        return true;
      },
    );
    await assert.rejects(
      writeObject(
        k,
        CM_KEY,
        { ...configMap({}), metadata: { name: 'other', namespace: 'default' } },
        { allowWrite: true, expectModRevision: 1 },
      ),
      (e: Error) => {
        assert.equal(e.name, 'InvalidArgumentError');
        assert.match(e.message, /metadata.name is "other" but the key names "settings"/);
        return true;
      },
    );
  });

  it('cannot write through a snapshot', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-write-'));
    try {
      const file = path.join(dir, 'snap.db');
      assert.equal((await etcd.etcdctl(['snapshot', 'save', file])).code, 0);
      const snapshot = await openSource(file);
      try {
        const ks = await openKube(snapshot);
        await assert.rejects(
          writeObject(ks, CM_KEY, configMap({}), { allowWrite: true, expectModRevision: 1 }),
          (e: Error) => {
            assert.equal(e.name, 'InvalidArgumentError');
            assert.match(e.message, /snapshots and dumps are read-only files/);
            return true;
          },
        );
      } finally {
        await snapshot.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
