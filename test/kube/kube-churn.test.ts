/**
 * k.churn() against real etcd: objects written with managedFields of our own making (known managers at
 * known times), a compaction, then writes whose revisions etcd returns; live etcd (its watch replayed from
 * the compaction) and its snapshot (the MVCC index) count the same writes per key, and name the managers
 * the rule names. Then a generated cluster: every operation the generator wrote is counted, by key.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encode } from '../../src/codec';
import { openEtcdWriterForFixtures, openLiveSource } from '../../src/sources/live-etcd-source';
import { openSnapshotSource } from '../../src/sources/snapshot/snapshot-source';
import type { KvSource } from '../../src/sources/types';
import { openKube, type KubeClient } from '../../src/kube/kube-client';
import type { KubeChurn } from '../../src/kube/kube-churn';
import * as util from 'node:util';
import { open } from '../../src/notebook/notebook-client';
import { present } from '../../src/notebook/present';
import { generateCluster } from '../../scripts/cluster/cluster-generator';
import { writeCluster } from '../../scripts/cluster/write-cluster';
import { assertGolden } from '../render/golden';
import { ETCD_VERSIONS, makeTempDir, startEtcd, type EtcdProcess } from '../helpers/etcd';

const cli = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');

type Entry = [manager: string, time: string];
const fields = (entries: Entry[]): unknown[] =>
  entries.map(([manager, time]) => ({
    manager,
    operation: 'Update',
    apiVersion: 'v1',
    time,
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:data': {} },
  }));
const configMap = (ns: string, name: string, value: string, entries?: Entry[]): Uint8Array =>
  encode({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns, uid: `uid-${name}`, ...(entries ? { managedFields: fields(entries) } : {}) },
    data: { value },
  });
const lease = (renew: string, entries: Entry[]): Uint8Array =>
  encode({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: 'n1',
      namespace: 'kube-node-lease',
      uid: 'uid-lease',
      managedFields: fields(entries).map((e) => ({ ...(e as object), apiVersion: 'coordination.k8s.io/v1' })),
    },
    spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: renew },
  });

const T = (minute: number): string => `2026-01-01T00:${String(minute).padStart(2, '0')}:00Z`;
const NOW = new Date('2026-03-01T12:00:00Z');

for (const version of ETCD_VERSIONS) {
  describe(`k.churn() against real etcd ${version}, with known managers`, () => {
    const dir = makeTempDir('kubetcd-churn-');
    let etcd: EtcdProcess;
    const sources: KvSource[] = [];
    let kubes: KubeClient[] = [];
    let file = '';
    let compactRevision = 0;
    /** Every write after the compaction: key, the revision etcd gave it, and the manager that made it. */
    const log: Array<{ key: string; revision: number; manager: string }> = [];

    before(async () => {
      etcd = await startEtcd({ version });
      const w = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
      const put = async (key: string, value: Uint8Array, manager: string): Promise<void> => {
        log.push({ key, revision: await w.put(key, value), manager });
      };
      try {
        await w.put('/registry/configmaps/a/old', configMap('a', 'old', 'v0', [['kubectl', T(0)]]));
        compactRevision = await w.put('/registry/configmaps/a/gone', configMap('a', 'gone', 'v0', [['kubectl', T(0)]]));
        await w.compact(compactRevision, { physical: true }); // the writes above are not counted
        await put(
          '/registry/configmaps/a/old',
          configMap('a', 'old', 'v1', [
            ['kubectl', T(0)],
            ['ctrl', T(1)],
          ]),
          'ctrl',
        ); // a new entry
        await put(
          '/registry/leases/kube-node-lease/n1',
          lease('2026-01-01T00:01:00.000000Z', [['kubelet', T(1)]]),
          'kubelet',
        ); // created
        await put(
          '/registry/leases/kube-node-lease/n1',
          lease('2026-01-01T00:02:00.000000Z', [['kubelet', T(2)]]),
          'kubelet',
        ); // time moved
        await put(
          '/registry/leases/kube-node-lease/n1',
          lease('2026-01-01T00:03:00.000000Z', [['kubelet', T(3)]]),
          'kubelet',
        );
        await put(
          '/registry/leases/kube-node-lease/n1',
          lease('2026-01-01T00:03:00.500000Z', [['kubelet', T(3)]]),
          'kubelet',
        ); // same second
        await put('/registry/configmaps/b/plain', configMap('b', 'plain', 'v1'), 'unknown'); // no managedFields
        log.push({
          key: '/registry/configmaps/b/plain',
          revision: await w.delete('/registry/configmaps/b/plain'),
          manager: 'unknown',
        }); // a delete
        await put(
          '/registry/configmaps/b/two',
          configMap('b', 'two', 'v1', [
            ['alice', T(4)],
            ['bob', T(4)],
          ]),
          'unknown',
        ); // two managers, one second
        await put(
          '/registry/configmaps/b/two',
          configMap('b', 'two', 'v2', [
            ['alice', T(5)],
            ['bob', T(4)],
          ]),
          'alice',
        );
        await put(
          '/registry/configmaps/a/old',
          configMap('a', 'old', 'v2', [
            ['kubectl', T(6)],
            ['ctrl', T(1)],
          ]),
          'kubectl',
        );
        await w.put('other/not-kubernetes', 'x'); // outside the prefix: not counted
        // the last revision writes two keys in one transaction: both count
        const last = await w.putMany([
          ['/registry/configmaps/c/m1', configMap('c', 'm1', 'v1', [['carol', T(7)]])],
          ['/registry/configmaps/c/m2', configMap('c', 'm2', 'v1', [['carol', T(7)]])],
        ]);
        log.push(
          { key: '/registry/configmaps/c/m1', revision: last, manager: 'carol' },
          { key: '/registry/configmaps/c/m2', revision: last, manager: 'carol' },
        );
      } finally {
        await w.close();
      }
      file = path.join(dir, 'snapshot.db');
      assert.equal((await etcd.etcdctl(['snapshot', 'save', file])).code, 0);
      sources.push(await openLiveSource({ endpoints: etcd.endpoint }), await openSnapshotSource(file));
      kubes = await Promise.all(sources.map((s) => openKube(s)));
    });

    after(async () => {
      for (const s of sources) await s.close();
      await etcd?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const counts = (pairs: Array<[string, number]>): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const [k, n] of pairs) out[k] = (out[k] ?? 0) + n;
      return out;
    };

    test('writes per key and per manager, live and snapshot alike, as etcd numbered them', async () => {
      const results: KubeChurn[] = [];
      for (const k of kubes) results.push(await k.churn({ limit: 100 }));
      const [live, snapshot] = results as [KubeChurn, KubeChurn];
      assert.deepEqual({ ...live, source: 'x' }, { ...snapshot, source: 'x' });
      assert.equal(live.fromRevision, compactRevision);
      assert.equal(live.toRevision, Math.max(...log.map((l) => l.revision)));
      assert.ok(log.every((l) => l.revision > compactRevision));
      assert.equal(live.writes, log.length);
      assert.equal(live.deletes, 1);
      assert.deepEqual(counts(live.byKey.map((k) => [k.key, k.writes])), counts(log.map((l) => [l.key, 1])));
      assert.deepEqual(counts(live.writers.map((w) => [w.manager, w.writes])), counts(log.map((l) => [l.manager, 1])));
      // top writers first, ties by name
      assert.deepEqual(
        live.writers.map((w) => w.manager),
        ['kubelet', 'unknown', 'carol', 'alice', 'ctrl', 'kubectl'],
      );
      assert.deepEqual(live.unknown, { deletes: 1, noManagedFields: 1, undecoded: 0, noChange: 0, ambiguous: 1 });
      assert.equal(live.sameSecond, 1);
      assert.deepEqual(
        live.byResource.map((g) => [g.name, g.writes, g.deletes, g.keys]),
        [
          ['configmaps', 8, 1, 5],
          ['leases.coordination.k8s.io', 4, 0, 1],
        ],
      );
      assert.deepEqual(live.writers.find((w) => w.manager === 'kubelet')?.resources, {
        'leases.coordination.k8s.io': 4,
      });
      assert.deepEqual(live.byKey.find((k) => k.key === '/registry/configmaps/a/old')?.managers, {
        ctrl: 1,
        kubectl: 1,
      });
      const top2 = await kubes[1]!.churn({ limit: 2 });
      assert.deepEqual(
        top2.writers.map((w) => w.manager),
        ['kubelet', 'unknown'],
      );
      assert.equal(top2.byKey.length, 2);
      assert.deepEqual(top2.totals, { writers: 6, resources: 2, namespaces: 4, keys: 6 });
    });

    test('kubetcd churn: table and json; in a notebook (golden)', async () => {
      const json = spawnSync(process.execPath, [cli, 'churn', '--snapshot', file, '-o', 'json', '--limit', '100'], {
        encoding: 'utf8',
      });
      assert.equal(json.status, 0, json.stderr);
      const printed = JSON.parse(json.stdout) as KubeChurn;
      assert.deepEqual(printed.writers, (await kubes[1]!.churn({ limit: 100 })).writers);
      const table = spawnSync(process.execPath, [cli, 'churn', '--endpoints', etcd.endpoint], { encoding: 'utf8' });
      assert.equal(table.status, 0, table.stderr);
      assert.match(
        table.stdout,
        /^MANAGER\s+WRITES\s+SHARE\s+RESOURCES\nkubelet\s+4\s+33\.3%\s+leases\.coordination\.k8s\.io=4\n/,
      );
      assert.match(table.stdout, /\nRESOURCE\s+WRITES\s+DELETES\s+KEYS\nconfigmaps\s+8\s+1\s+5\n/);
      assert.match(table.stderr, /note: Writes after revision \d+ \(the compaction\)/);
      const shown = present(await kubes[1]!.churn(), { method: 'churn' });
      assert.equal(
        shown.summary,
        `KubeChurn: 12 writes to 6 keys after revision ${compactRevision} up to ${live(log)}`,
      );
      assertGolden('tables/churn.txt', shown.rendered.text);
      assertGolden('tables/churn.html', shown.rendered.html);
      const nb = await open(file);
      try {
        assert.match(
          util.inspect(await nb.churn({ limit: 3 })),
          /^Writers:\nMANAGER\s+WRITES\s+SHARE\s+RESOURCES\nkubelet\s+4\s/,
        );
      } finally {
        await nb.close();
      }
    });
  });
}

function live(log: Array<{ revision: number }>): number {
  return Math.max(...log.map((l) => l.revision));
}

describe('k.churn() on a generated cluster', () => {
  let etcd: EtcdProcess;
  let source: KvSource;
  let k: KubeClient;
  const cluster = generateCluster({ seed: 7, pods: 30, now: NOW });

  before(async () => {
    etcd = await startEtcd();
    const w = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    try {
      // leases that outlive the test: an expiry would delete keys the generator did not
      await writeCluster(w, cluster.operations(), { leaseTtlSeconds: { events: 3600, masterleases: 3600 } });
    } finally {
      await w.close();
    }
    source = await openLiveSource({ endpoints: etcd.endpoint });
    k = await openKube(source);
  });

  after(async () => {
    await source?.close();
    await etcd?.stop();
  });

  test('every operation written is one write of its key', async () => {
    const ops = [...cluster.operations()].filter((op) => op.key.startsWith('/registry/'));
    const churn = await k.churn({ limit: 1_000_000 });
    const expected = new Map<string, number>();
    for (const op of ops) expected.set(op.key, (expected.get(op.key) ?? 0) + 1);
    assert.equal(churn.writes, ops.length);
    assert.equal(churn.deletes, ops.filter((op) => op.type === 'delete').length);
    assert.deepEqual(new Map(churn.byKey.map((c) => [c.key, c.writes])), expected);
    const unknown =
      churn.unknown.deletes +
      churn.unknown.noManagedFields +
      churn.unknown.undecoded +
      churn.unknown.noChange +
      churn.unknown.ambiguous;
    assert.equal(churn.writers.find((w) => w.manager === 'unknown')?.writes ?? 0, unknown);
    assert.equal(
      churn.writers.reduce((s, w) => s + w.writes, 0),
      churn.writes,
    );
  });
});
