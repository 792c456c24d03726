/**
 * k.diff() against real etcd: objects written, revisions noted, then changed, deleted and added; the diff
 * of one source between the two revisions, of a snapshot saved at each, and of the first snapshot against
 * the live etcd all agree with what `etcdctl get --prefix --rev` returns at the two revisions. Noise
 * (managedFields, heartbeats, renewTime) is hidden unless `all`; Secrets stay redacted unless `reveal`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decode, encode } from '../../src/codec';
import { openEtcdWriterForFixtures, openLiveSource } from '../../src/sources/live-etcd-source';
import { openSnapshotSource } from '../../src/sources/snapshot/snapshot-source';
import type { KvSource } from '../../src/sources/types';
import { openKube, type KubeClient } from '../../src/kube/kube-client';
import { diffObjects } from '../../src/kube/kube-history';
import { isDiffNoise, type DiffEntry, type KubeDiff } from '../../src/kube/kube-diff';
import * as util from 'node:util';
import { open } from '../../src/notebook/notebook-client';
import { present } from '../../src/notebook/present';
import { assertGolden } from '../render/golden';
import { ETCD_VERSIONS, makeTempDir, startEtcd, type EtcdProcess } from '../helpers/etcd';

const cli = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');

const managed = (manager: string, time: string): unknown[] => [
  { manager, operation: 'Update', apiVersion: 'v1', time, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } },
];
const configMap = (ns: string, name: string, value: string, time = '2026-01-01T00:00:00Z'): Uint8Array =>
  encode({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns, uid: `uid-${name}`, managedFields: managed('kubectl', time) },
    data: { value },
  });
const secret = (ns: string, name: string, password: string): Uint8Array =>
  encode({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ns, uid: `uid-${name}` },
    type: 'Opaque',
    data: { password: Buffer.from(password).toString('base64') },
  });
const node = (name: string, heartbeat: string, ready: string): Uint8Array =>
  encode({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}` },
    status: {
      conditions: [
        {
          type: 'Ready',
          status: ready,
          lastHeartbeatTime: heartbeat,
          lastTransitionTime: '2026-01-01T00:00:00Z',
          reason: 'KubeletReady',
          message: 'ok',
        },
      ],
    },
  });
const lease = (name: string, renew: string): Uint8Array =>
  encode({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: 'kube-node-lease', uid: `uid-l-${name}` },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: renew },
  });

/** What etcd holds under the prefix at a revision, by key: the value bytes and the mod revision. */
async function etcdAt(
  etcd: EtcdProcess,
  revision: number,
): Promise<Map<string, { value: Buffer; modRevision: number }>> {
  const r = await etcd.etcdctl(['get', '/registry/', '--prefix', `--rev=${revision}`, '-w', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const kvs = (JSON.parse(r.stdout) as { kvs?: Array<{ key: string; value: string; mod_revision: number }> }).kvs ?? [];
  return new Map(
    kvs.map((kv) => [
      Buffer.from(kv.key, 'base64').toString(),
      { value: Buffer.from(kv.value, 'base64'), modRevision: kv.mod_revision },
    ]),
  );
}

/** The diff etcd's answers give: per key in key order, added / deleted / changed (bytes differ), with the non-noise paths. */
function expectedDiff(
  a: Map<string, { value: Buffer; modRevision: number }>,
  b: Map<string, { value: Buffer; modRevision: number }>,
  all: boolean,
): Array<{ change: string; key: string; paths?: string[] }> {
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  const out: Array<{ change: string; key: string; paths?: string[] }> = [];
  for (const key of keys) {
    const x = a.get(key);
    const y = b.get(key);
    if (x === undefined) out.push({ change: 'added', key });
    else if (y === undefined) out.push({ change: 'deleted', key });
    else if (!x.value.equals(y.value)) {
      const paths = diffObjects(decode(x.value).object, decode(y.value).object)
        .map((c) => c.path)
        .filter((p) => all || !isDiffNoise(p));
      if (paths.length > 0) out.push({ change: 'changed', key, paths });
    }
  }
  return out;
}

const shape = (d: KubeDiff): Array<{ change: string; key: string; paths?: string[] }> =>
  d.entries.map((e: DiffEntry) =>
    e.change === 'changed'
      ? { change: e.change, key: e.key, paths: (e.changes ?? []).map((c) => c.path) }
      : { change: e.change, key: e.key },
  );

for (const version of ETCD_VERSIONS) {
  describe(`k.diff() against real etcd ${version}`, () => {
    const dir = makeTempDir('kubetcd-diff-');
    let etcd: EtcdProcess;
    const sources: KvSource[] = [];
    let live: KubeClient;
    let snap1: KubeClient;
    let snap2: KubeClient;
    let file1 = '';
    let file2 = '';
    let r1 = 0;
    let r2 = 0;

    before(async () => {
      etcd = await startEtcd({ version });
      const w = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
      try {
        for (const n of ['c1', 'c2', 'c3']) await w.put(`/registry/configmaps/a/${n}`, configMap('a', n, 'v1'));
        await w.put('/registry/configmaps/b/keep', configMap('b', 'keep', 'v1'));
        await w.put('/registry/secrets/a/s1', secret('a', 's1', 'hunter2'));
        await w.put('/registry/minions/n1', node('n1', '2026-01-01T00:00:00Z', 'True'));
        await w.put('/registry/minions/n2', node('n2', '2026-01-01T00:00:00Z', 'True'));
        r1 = await w.put('/registry/leases/kube-node-lease/n1', lease('n1', '2026-01-01T00:00:00.000000Z'));
        file1 = path.join(dir, 'before.db');
        assert.equal((await etcd.etcdctl(['snapshot', 'save', file1])).code, 0);
        await w.put('/registry/configmaps/a/c1', configMap('a', 'c1', 'v2', '2026-01-01T00:05:00Z')); // changed (data, and managedFields: noise)
        await w.delete('/registry/configmaps/a/c2'); // deleted
        await w.put('/registry/configmaps/a/c3', configMap('a', 'c3', 'v1', '2026-01-01T00:06:00Z')); // managedFields only: hidden
        await w.put('/registry/configmaps/a/c4', configMap('a', 'c4', 'v1')); // added
        await w.put('/registry/secrets/a/s1', secret('a', 's1', 'hunter3')); // same length: still a change, redacted
        await w.put('/registry/minions/n1', node('n1', '2026-01-01T00:09:00Z', 'True')); // heartbeat only: hidden
        await w.put('/registry/minions/n2', node('n2', '2026-01-01T00:09:00Z', 'False')); // heartbeat and Ready: changed
        await w.put('/registry/leases/kube-node-lease/n1', lease('n1', '2026-01-01T00:09:30.000000Z')); // renewTime only: hidden
        await w.put('/registry/configmaps/b/keep', configMap('b', 'keep', 'v1')); // rewritten, same bytes: no difference
        r2 = await w.put('/registry/configmaps/b/new', configMap('b', 'new', 'v1')); // added
      } finally {
        await w.close();
      }
      file2 = path.join(dir, 'after.db');
      assert.equal((await etcd.etcdctl(['snapshot', 'save', file2])).code, 0);
      sources.push(
        await openLiveSource({ endpoints: etcd.endpoint }),
        await openSnapshotSource(file1),
        await openSnapshotSource(file2),
      );
      [live, snap1, snap2] = (await Promise.all(sources.map((s) => openKube(s)))) as [
        KubeClient,
        KubeClient,
        KubeClient,
      ];
    });

    after(async () => {
      for (const s of sources) await s.close();
      await etcd?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test('one source between two revisions, two snapshots, snapshot vs live: what etcdctl get --rev returns', async () => {
      const a = await etcdAt(etcd, r1);
      const b = await etcdAt(etcd, r2);
      const expected = expectedDiff(a, b, false);
      // the writes above, as etcd's answers show them
      assert.deepEqual(
        expected.map((e) => `${e.change} ${e.key}`),
        [
          'changed /registry/configmaps/a/c1',
          'deleted /registry/configmaps/a/c2',
          'added /registry/configmaps/a/c4',
          'added /registry/configmaps/b/new',
          'changed /registry/minions/n2',
          'changed /registry/secrets/a/s1',
        ],
      );
      const diffs = [
        await live.diff({ fromRevision: r1, toRevision: r2 }),
        await snap2.diff({ fromRevision: r1 }),
        await snap1.diff(snap2),
        await snap1.diff(live),
      ];
      for (const [i, d] of diffs.entries()) {
        assert.deepEqual(shape(d), expected, `diff ${i}`);
        assert.deepEqual(d.counts, { added: 2, deleted: 1, changed: 3, hidden: 3 }, `diff ${i}`);
        for (const e of d.entries) {
          assert.equal(e.fromModRevision, a.get(e.key)?.modRevision, e.key);
          assert.equal(e.toModRevision, b.get(e.key)?.modRevision, e.key);
          const parts = e.key.split('/').slice(2);
          const resource = { minions: 'nodes', leases: 'leases.coordination.k8s.io' }[parts[0] as string] ?? parts[0];
          assert.deepEqual(
            [e.resource, e.namespace, e.name],
            [resource, parts.length === 3 ? parts[1] : undefined, parts[parts.length - 1]],
            e.key,
          );
        }
      }
      assert.deepEqual(diffs[0]!.from, { origin: live.source.origin, revision: r1 });
      assert.deepEqual(diffs[2]!.to.revision, r2);
      const c1 = diffs[0]!.entries.find((e) => e.key.endsWith('/c1'))!;
      assert.deepEqual(c1.changes, [{ path: 'data.value', op: 'changed', from: 'v1', to: 'v2' }]);
      assert.equal(c1.hiddenChanges, 1);
      const n2 = diffs[0]!.entries.find((e) => e.key.endsWith('/n2'))!;
      assert.deepEqual(n2.changes, [{ path: 'status.conditions[0].status', op: 'changed', from: 'True', to: 'False' }]);
      assert.deepEqual(
        diffs[0]!.byResource.map((r) => [r.resource, r.added, r.deleted, r.changed, r.hidden]),
        [
          ['configmaps', 2, 1, 1, 1],
          ['leases.coordination.k8s.io', 0, 0, 0, 1],
          ['nodes', 0, 0, 1, 1],
          ['secrets', 0, 0, 1, 0],
        ],
      );
    });

    test('all: the noise too, as etcd returns it', async () => {
      const expected = expectedDiff(await etcdAt(etcd, r1), await etcdAt(etcd, r2), true);
      const d = await live.diff({ fromRevision: r1, toRevision: r2 }, { all: true });
      assert.deepEqual(shape(d), expected);
      assert.equal(d.counts.hidden, 0);
      assert.deepEqual(d.noise, []);
      assert.ok(
        expected.some((e) => e.key.endsWith('/n1') && e.paths?.includes('status.conditions[0].lastHeartbeatTime')),
      );
      assert.ok(expected.some((e) => e.key.includes('/leases/') && e.paths?.includes('spec.renewTime')));
    });

    test('Secrets redacted unless reveal; resource, namespace and limit', async () => {
      const s1 = (await live.diff({ fromRevision: r1, toRevision: r2 }, { resource: 'secrets' })).entries;
      assert.deepEqual(
        s1.map((e) => e.changes),
        [[{ path: 'data.password', op: 'changed', from: '<redacted: 7 bytes>', to: '<redacted: 7 bytes>' }]],
      );
      const revealed = (await live.diff({ fromRevision: r1, toRevision: r2 }, { resource: 'secrets', reveal: true }))
        .entries;
      assert.deepEqual(revealed[0]!.changes, [
        {
          path: 'data.password',
          op: 'changed',
          from: Buffer.from('hunter2').toString('base64'),
          to: Buffer.from('hunter3').toString('base64'),
        },
      ]);
      const inB = await snap1.diff(snap2, { namespace: 'b' });
      assert.deepEqual(
        inB.entries.map((e) => e.key),
        ['/registry/configmaps/b/new'],
      );
      const cms = await snap1.diff(snap2, { resource: 'cm', namespace: 'a', limit: 2 });
      assert.equal(cms.range.prefix, '/registry/configmaps/a/');
      assert.deepEqual(
        cms.entries.map((e) => e.change),
        ['changed', 'deleted'],
      );
      assert.equal(cms.truncated, true);
      assert.deepEqual(cms.counts, { added: 1, deleted: 1, changed: 1, hidden: 1 });
      await assert.rejects(live.diff({ fromRevision: r2, toRevision: r2 }), /Nothing to compare/);
      await assert.rejects(live.diff({ fromRevision: 0 }), /Invalid fromRevision: 0/);
      await assert.rejects(
        live.diff(null as unknown as { fromRevision: number }),
        /Cannot diff against null: pass another opened source/,
      );
    });

    test('kubetcd diff: two snapshots, a snapshot and live etcd, one source at two revisions; json and table', async () => {
      const viaLib = await snap1.diff(snap2);
      const runs = [
        [file1, file2],
        [file1, file2, '--skip-hash-check'],
        [file1, etcd.endpoint],
        ['--endpoints', etcd.endpoint, '--from-revision', String(r1), '--to-revision', String(r2)],
      ];
      for (const run of runs) {
        const r = spawnSync(process.execPath, [cli, 'diff', ...run, '-o', 'json'], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        const printed = JSON.parse(r.stdout) as KubeDiff;
        assert.deepEqual(printed.entries, JSON.parse(JSON.stringify(viaLib.entries)), run.join(' '));
        assert.deepEqual(printed.counts, viaLib.counts);
      }
      const table = spawnSync(process.execPath, [cli, 'diff', file1, file2], { encoding: 'utf8' });
      assert.equal(table.status, 0, table.stderr);
      assert.match(table.stdout, /^RESOURCE\s+ADDED\s+DELETED\s+CHANGED\s+HIDDEN\n/);
      assert.match(table.stdout, /\nTOTAL\s+2\s+1\s+3\s+3\n/);
      assert.match(table.stdout, /\nconfigmaps\s+changed\s+a\s+c1\s+\d+ -> \d+\s+data\.value: v1 -> v2\n/);
      assert.match(
        table.stdout,
        /\nsecrets\s+changed\s+a\s+s1\s+\d+ -> \d+\s+data\.password: <redacted: 7 bytes> -> <redacted: 7 bytes>\n/,
      );
      assert.match(table.stderr, /3 objects changed only in noise/);
      const all = spawnSync(process.execPath, [cli, 'diff', file1, file2, '--all', '-o', 'json'], { encoding: 'utf8' });
      assert.equal((JSON.parse(all.stdout) as KubeDiff).counts.changed, 6);
      const bad = spawnSync(process.execPath, [cli, 'diff', file1], { encoding: 'utf8' });
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /compares two sources/);
      const missing = spawnSync(process.execPath, [cli, 'diff', file1, path.join(dir, 'nope.db')], {
        encoding: 'utf8',
      });
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /no such file, and not etcd endpoints/);
    });

    test('in a notebook: counts per resource and the objects, grouped by resource (golden)', async () => {
      const d = await snap1.diff(snap2);
      const named = { ...d, from: { ...d.from, origin: 'before.db' }, to: { ...d.to, origin: 'after.db' } };
      const shown = present(named, { method: 'diff' });
      assert.equal(shown.summary, 'KubeDiff: 2 added, 1 deleted, 3 changed (3 noise only)');
      assertGolden('tables/diff.txt', shown.rendered.text);
      assertGolden('tables/diff.html', shown.rendered.html);
    });

    test('notebook clients: k.diff(other) with another opened source, and the result displays itself', async () => {
      const before = await open(file1);
      const after = await open(file2);
      try {
        const d = await before.diff(after);
        assert.deepEqual(shape(d), shape(await snap1.diff(snap2)));
        const text = util.inspect(d);
        assert.match(text, /^Per resource:\nRESOURCE\s+ADDED\s+DELETED\s+CHANGED\s+HIDDEN\n/);
        assert.match(text, /\nObjects:\n/);
        assert.deepEqual(shape(await after.diff({ fromRevision: r1 })), shape(d));
      } finally {
        await before.close();
        await after.close();
      }
    });

    // last: it writes after r2 (the tests above compare with the live etcd's latest revision)
    test('values that do not decode: compared by their bytes, with why', async () => {
      const w = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
      let r3 = 0;
      let r4 = 0;
      try {
        r3 = await w.put('/registry/configmaps/a/bad', 'not an object');
        await w.put('/registry/configmaps/a/bad', 'still not an object');
        r4 = await w.put('/registry/configmaps/a/same', 'k8s:enc:aescbc:v1:key1:ciphertext');
      } finally {
        await w.close();
      }
      const d = await live.diff({ fromRevision: r3, toRevision: r4 });
      assert.deepEqual(
        d.entries.map((e) => [e.change, e.key]),
        [
          ['changed', '/registry/configmaps/a/bad'],
          ['added', '/registry/configmaps/a/same'],
        ],
      );
      const bad = d.entries[0]!;
      assert.equal(bad.changes, undefined);
      assert.match(bad.error ?? '', /^before: .+ after: .+/);
      const shown = present(d, { method: 'diff' });
      assert.match(shown.rendered.text, /configmaps\s+changed\s+a\s+bad\s+\d+ -> \d+\s+error: before: /);
    });
  });
}
