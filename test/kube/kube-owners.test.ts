/**
 * k.owners() and k.orphans() on a generated cluster with known incidents, written into a real etcd and
 * read live and from its snapshot: the graph and the orphans must be what the generator's own objects say
 * (their uids and ownerReferences, computed here from the operations, not by kubetcd), the stuck objects
 * and their ages as the data's clock (the newest Lease renewal) gives them. The other incidents are found
 * by the verbs meant for them: deleted() and encodings(). Then a real Kubernetes 1.7 backend file.
 */
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { encode, type KubeObject } from '../../src/codec';
import {
  generateCluster,
  INCIDENT_ENCRYPTION_CONFIG,
  type ClusterIncidents,
  type ClusterOperation,
} from '../../scripts/cluster/cluster-generator';
import { writeCluster } from '../../scripts/cluster/write-cluster';
import { openKube, type KubeClient } from '../../src/kube/kube-client';
import type { OwnerNode } from '../../src/kube/kube-owners';
import { openEtcdWriterForFixtures } from '../../src/sources/live-etcd-source';
import { openSource } from '../../src/sources/open-source';
import type { KvSource } from '../../src/sources/types';
import { present } from '../../src/notebook/present';
import { makeTempDir, startEtcd, type EtcdProcess } from '../helpers/etcd';
import { SHARED_DATA } from '../render/golden';

const cli = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');

type Meta = {
  name: string;
  namespace?: string;
  uid: string;
  ownerReferences?: Array<{ kind: string; name: string; uid: string }>;
  deletionTimestamp?: string;
};
type Put = ClusterOperation & { type: 'put' };

/** The final state of each key (after updates and deletes), and the keys deleted. */
function finalState(ops: Iterable<ClusterOperation>): Map<string, Put> {
  const state = new Map<string, Put>();
  for (const op of ops) {
    if (op.type === 'delete') state.delete(op.key);
    else state.set(op.key, op);
  }
  return state;
}

const metaOf = (o: KubeObject): Meta => o['metadata'] as Meta;
const label = (n: { kind: string; namespace?: string; name: string }): string =>
  `${n.kind} ${n.namespace ?? ''}/${n.name}`;

describe('k.owners() and k.orphans() on a cluster with known incidents, live and from its snapshot', () => {
  const dir = makeTempDir('kubetcd-owners-');
  let etcd: EtcdProcess;
  let incidents: ClusterIncidents;
  let state: Map<string, Put>;
  let objects: KubeObject[];
  const sources: KvSource[] = [];
  const kubes: Array<{ name: string; k: KubeClient }> = [];
  let snapshotFile = '';

  before(async () => {
    etcd = await startEtcd();
    const cluster = generateCluster({ pods: 60, seed: 11, incidents: true });
    incidents = cluster.incidents() as ClusterIncidents;
    const ops = [...cluster.operations()];
    state = finalState(ops);
    objects = [...state.values()]
      .filter(
        (op) =>
          op.object !== undefined &&
          op.resource !== 'events' &&
          op.resource !== 'masterleases' &&
          op.resource !== 'ranges',
      )
      .map((op) => op.object as KubeObject);
    const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    try {
      await writeCluster(writer, ops, { leaseTtlSeconds: { masterleases: 3600 } });
      // compacted as kube-apiserver would have, at compact_rev_key (before the changes and the incidents)
      const live = await openSource(etcd.endpoint);
      const at = (await live.get('compact_rev_key'))?.modRevision ?? 0;
      await live.close();
      await writer.compact(at);
    } finally {
      await writer.close();
    }
    snapshotFile = path.join(dir, 'snapshot.db');
    const saved = await etcd.etcdctl(['snapshot', 'save', snapshotFile]);
    assert.equal(saved.code, 0, saved.stderr);
    for (const [name, target] of [
      ['live', etcd.endpoint],
      ['snapshot', snapshotFile],
    ] as const) {
      const source = await openSource(target);
      sources.push(source);
      kubes.push({ name, k: await openKube(source) });
    }
  });

  after(async () => {
    for (const s of sources) await s.close();
    await etcd?.stop();
  });

  it('orphans: exactly the objects whose owner uid no object in the data has (the generator’s objects say which)', async () => {
    const uids = new Set(objects.map((o) => metaOf(o).uid));
    const expected = objects
      .filter((o) => (metaOf(o).ownerReferences ?? []).some((r) => !uids.has(r.uid)))
      .map((o) => label({ kind: String(o.kind), ...metaOf(o) }))
      .sort();
    // the one incident planted: the ReplicaSet whose Deployment was removed straight from etcd
    const rs = incidents.orphanedReplicaSet;
    assert.deepEqual(expected, [`ReplicaSet ${rs.namespace}/${rs.name}`]);
    for (const { name, k } of kubes) {
      const result = await k.orphans();
      assert.deepEqual(result.orphans.map((o) => label(o)).sort(), expected, name);
      const [orphan] = result.orphans;
      assert.deepEqual(
        orphan?.missingOwners.map((m) => [m.kind, m.name, m.uid]),
        [['Deployment', rs.deployment, rs.deploymentUid]],
        name,
      );
      assert.equal(orphan?.allOwnersGone, true);
      assert.equal(orphan?.key, `/registry/replicasets/${rs.namespace}/${rs.name}`);
      // the encrypted Secrets cannot be read without the key: counted, not guessed
      const encrypted = [...state.values()].filter((op) => op.encoding === 'encrypted').length;
      assert.equal(result.unreadable, encrypted, name);
      assert.equal(
        result.scanned,
        [...state.values()].filter(
          (op) => !['events', 'masterleases', 'ranges', 'compact_rev_key'].includes(op.resource),
        ).length,
        name,
      );
      // one namespace: only its objects are reported
      assert.deepEqual((await k.orphans({ namespace: 'default' })).orphans, [], name);
    }
  });

  it('stuck on finalizers: the Namespace and its claim, with the age the data clock gives', async () => {
    const newestRenewal = Math.max(
      ...objects
        .filter((o) => o.kind === 'Lease')
        .map((o) => Date.parse(String((o['spec'] as { renewTime: string }).renewTime))),
    );
    const expected = objects
      .filter((o) => metaOf(o).deletionTimestamp !== undefined)
      .map((o) => ({
        kind: String(o.kind),
        name: metaOf(o).name,
        deletionTimestamp: String(metaOf(o).deletionTimestamp),
        finalizers: [
          ...((metaOf(o) as { finalizers?: string[] }).finalizers ?? []),
          ...(o.kind === 'Namespace' ? ((o['spec'] as { finalizers?: string[] }).finalizers ?? []) : []),
        ],
      }));
    assert.deepEqual(
      expected.map((e) => [e.kind, e.name, e.finalizers]).sort(),
      incidents.stuck.map((s) => [s.kind, s.name, s.finalizers]).sort(),
    );
    for (const { name, k } of kubes) {
      const { stuck, now, clock } = await k.orphans();
      assert.deepEqual(
        stuck.map((s) => [s.kind, s.name, s.finalizers, s.deletionTimestamp]).sort(),
        expected.map((e) => [e.kind, e.name, e.finalizers, e.deletionTimestamp]).sort(),
        name,
      );
      if (name === 'snapshot') {
        assert.equal(Date.parse(now), newestRenewal);
        assert.match(clock, /^the newest Lease renewal \(kube-node-lease\//);
        for (const s of stuck) assert.equal(s.ageMs, newestRenewal - Date.parse(s.deletionTimestamp));
      } else {
        assert.equal(clock, "this machine's clock");
      }
      // an explicit now wins
      const at = new Date(Date.parse('2026-01-01T00:00:00Z'));
      for (const s of (await k.orphans({ now: at })).stuck)
        assert.equal(s.ageMs, at.getTime() - Date.parse(s.deletionTimestamp));
    }
  });

  it('owners: Deployment → ReplicaSet → Pod down, and up from a pod, by uid', async () => {
    const byUid = new Map(objects.map((o) => [metaOf(o).uid, o]));
    const dependents = (uid: string): KubeObject[] =>
      objects.filter((o) => (metaOf(o).ownerReferences ?? []).some((r) => r.uid === uid));
    const hello = objects.find(
      (o) => o.kind === 'Deployment' && metaOf(o).name === 'hello' && metaOf(o).namespace === 'default',
    ) as KubeObject;
    const rsOfHello = dependents(metaOf(hello).uid);
    assert.equal(rsOfHello.length, 1);
    const podsOfHello = dependents(metaOf(rsOfHello[0] as KubeObject).uid)
      .map((p) => metaOf(p).name)
      .sort();
    assert.ok(podsOfHello.length >= 2);
    for (const { name, k } of kubes) {
      const { object, related } = await k.owners('deploy', 'hello');
      assert.equal(object.kind, 'Deployment');
      assert.equal(object.owners, undefined, name);
      assert.deepEqual(
        object.dependents?.map((d) => [d.kind, d.name]),
        [['ReplicaSet', metaOf(rsOfHello[0] as KubeObject).name]],
        name,
      );
      assert.deepEqual(object.dependents?.[0]?.dependents?.map((d) => d.name).sort(), podsOfHello, name);
      assert.equal(related, 1 + podsOfHello.length, name);
      // up from a pod: its ReplicaSet, then the Deployment
      const pod = await k.owners('pods', podsOfHello[0] as string, { namespace: 'default' });
      const chain: string[] = [];
      for (let n: OwnerNode | undefined = pod.object.owners?.[0]; n !== undefined; n = n.owners?.[0])
        chain.push(`${n.kind} ${n.name} ${String(n.present)}`);
      assert.deepEqual(
        chain,
        [`ReplicaSet ${metaOf(rsOfHello[0] as KubeObject).name} true`, 'Deployment hello true'],
        name,
      );
      assert.equal(pod.object.owners?.[0]?.uid, metaOf(rsOfHello[0] as KubeObject).uid);
      // depth 1 stops after one level
      const shallow = await k.owners('deploy', 'hello', { depth: 1 });
      assert.equal(shallow.object.dependents?.[0]?.dependents, undefined, name);
      // a Node owns its Lease
      const node = objects.find((o) => o.kind === 'Node') as KubeObject;
      assert.deepEqual(
        (await k.owners('nodes', metaOf(node).name)).object.dependents?.map(
          (d) => `${d.kind} ${d.namespace}/${d.name}`,
        ),
        [`Lease kube-node-lease/${metaOf(node).name}`],
        name,
      );
    }
    // the orphaned ReplicaSet: its owner is a node that is not in the data, in its namespace
    const rs = incidents.orphanedReplicaSet;
    for (const { name, k } of kubes) {
      const { object } = await k.owners('rs', rs.name, { namespace: rs.namespace });
      assert.deepEqual(
        object.owners,
        [
          {
            uid: rs.deploymentUid,
            kind: 'Deployment',
            name: rs.deployment,
            present: false,
            resource: 'deployments.apps',
            namespace: rs.namespace,
          },
        ],
        name,
      );
      assert.deepEqual(object.dependents?.map((d) => d.name).sort(), [...rs.pods].sort(), name);
      assert.equal(byUid.has(rs.deploymentUid), false);
    }
  });

  it('the other incidents are found by deleted() and encodings()', async () => {
    const d = incidents.deletedDeployment;
    const rs = incidents.orphanedReplicaSet;
    for (const { name, k } of kubes) {
      const deleted = await k.deleted();
      const names = deleted.items.map((i) => `${i.resource} ${i.namespace}/${i.name}`);
      for (const want of [
        `deployments.apps ${d.namespace}/${d.name}`,
        `replicasets.apps ${d.namespace}/${d.replicaSet}`,
        ...d.pods.map((p) => `pods ${d.namespace}/${p}`),
        `deployments.apps ${rs.namespace}/${rs.deployment}`,
      ]) {
        assert.ok(names.includes(want), `${name}: ${want} not in ${names.join(', ')}`);
      }
      const last = deleted.items.find((i) => i.resource === 'deployments.apps' && i.name === d.name);
      assert.equal((last?.object?.metadata as Meta | undefined)?.uid, d.uid, name);
      const secrets = (await k.encodings()).resources.find((r) => r.resource === 'secrets');
      assert.deepEqual(
        secrets?.encryptedBy,
        { 'aescbc:key1': incidents.rotation.key1.length, 'aescbc:key2': incidents.rotation.key2.length },
        name,
      );
      assert.ok(incidents.rotation.key1.length > 0 && incidents.rotation.key2.length > 0);
      assert.equal(secrets?.encrypted, secrets?.total, name);
    }
    // the ciphertext is real: the rotation's EncryptionConfiguration opens every Secret, naming the key
    const k = await openKube(sources[1] as KvSource, { encryptionConfig: INCIDENT_ENCRYPTION_CONFIG });
    const list = await k.list('secrets');
    assert.deepEqual(list.errors, []);
    const byKey = Object.fromEntries(list.encrypted.map((e) => [e.key, e.keyName]));
    for (const key of incidents.rotation.key1) assert.equal(byKey[key], 'key1');
    for (const key of incidents.rotation.key2) assert.equal(byKey[key], 'key2');
    assert.ok(list.encrypted.every((e) => e.decrypted === true));
  });

  it('kubetcd owners and orphans print the same answers', async () => {
    const rs = incidents.orphanedReplicaSet;
    const run = (args: string[]): { code: number | null; stdout: string; stderr: string } => {
      const r = spawnSync(process.execPath, [cli, ...args, '--snapshot', snapshotFile], {
        encoding: 'utf8',
        env: { ...process.env, TZ: 'UTC' },
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const k = (kubes[1] as { k: KubeClient }).k;
    const json = run(['orphans', '-o', 'json']);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), JSON.parse(JSON.stringify(await k.orphans())));
    const table = run(['orphans']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(
      table.stdout,
      new RegExp(
        `^OWNER GONE \\(1\\)\\nKIND\\s+NAME\\s+MISSING-OWNER\\nReplicaSet\\s+${rs.namespace}/${rs.name}\\s+Deployment/${rs.deployment} \\(uid ${rs.deploymentUid}\\)\\n`,
      ),
    );
    assert.match(table.stdout, /STUCK ON FINALIZERS \(2\)\nKIND\s+NAME\s+DELETION-REQUESTED\s+AGE\s+FINALIZERS\n/);
    assert.match(table.stdout, /^Namespace\s+legacy\s+\S+\s+2d5h\s+kubernetes$/m);
    assert.match(
      table.stdout,
      /^PersistentVolumeClaim\s+legacy\/data-legacy-db-0\s+\S+\s+2d5h\s+kubernetes\.io\/pvc-protection$/m,
    );
    assert.match(table.stderr, /ages as of \S+, the newest Lease renewal/);
    const owners = run(['owners', 'replicasets', rs.name, '-n', rs.namespace]);
    assert.equal(owners.code, 0, owners.stderr);
    assert.ok(
      owners.stdout.startsWith(
        `ReplicaSet ${rs.namespace}/${rs.name}\nowners (up):\n└── Deployment ${rs.namespace}/${rs.deployment}  [not in the data: no object has uid ${rs.deploymentUid}]\ndependents (down):\n`,
      ),
      owners.stdout,
    );
    const ownersJson = run(['owners', 'replicasets', rs.name, '-n', rs.namespace, '-o', 'json']);
    assert.deepEqual(
      JSON.parse(ownersJson.stdout),
      JSON.parse(JSON.stringify(await k.owners('replicasets', rs.name, { namespace: rs.namespace }))),
    );
    const missing = run(['owners', 'replicasets', 'nope', '-n', rs.namespace]);
    assert.notEqual(missing.code, 0);
    assert.match(
      missing.stderr,
      /replicasets\.apps "nope" not found in namespace "[^"]+" \(key \/registry\/replicasets\/[^)]+\)/,
    );
    const usage = run(['owners', 'replicasets']);
    assert.notEqual(usage.code, 0);
    assert.match(usage.stderr, /kubetcd owners takes a resource and a name/);
  });

  it('notebook displays: the owner graph as SVG with its text twin, orphans as two tables', async () => {
    const k = (kubes[1] as { k: KubeClient }).k;
    const rs = incidents.orphanedReplicaSet;
    const owners = present(await k.owners('rs', rs.name, { namespace: rs.namespace }), { method: 'owners' });
    assert.match(owners.rendered.html, /<svg [^>]*role="img"/);
    assert.match(owners.rendered.html, /stroke-dasharray/); // the missing owner, dashed
    assert.match(owners.rendered.text, /^ReplicaSet /);
    assert.match(
      owners.summary,
      new RegExp(
        `^Owners of ReplicaSet ${rs.namespace}/${rs.name}: 1 owner, ${rs.pods.length} dependents at revision \\d+$`,
      ),
    );
    const orphans = present(await k.orphans(), { method: 'orphans' });
    assert.match(orphans.rendered.text, /Owner gone \(1\):\nKIND\s+NAME\s+MISSING-OWNER\n/);
    assert.match(
      orphans.rendered.text,
      /Stuck on finalizers \(2\):\nKIND\s+NAME\s+DELETION-REQUESTED\s+AGE\s+FINALIZERS\n/,
    );
    assert.match(orphans.rendered.text, /legacy\s+\S+\s+2d5h\s+kubernetes\n/);
    assert.match(orphans.summary, /^1 object whose owner is gone, 2 objects stuck on finalizers at revision \d+$/);
  });
});

test('k.owners() on a real Kubernetes 1.7 backend: the Job owns its pod', async () => {
  const source = await openSource(path.join(SHARED_DATA, 'auger-testdata', 'boltdb', 'db'));
  try {
    const k = await openKube(source);
    const pod = (await k.get('pods', 'pi-dqtsw', { namespace: 'default' })).object as KubeObject;
    const job = (await k.get('jobs', 'pi', { namespace: 'default' })).object as KubeObject;
    const ref = metaOf(pod).ownerReferences?.[0];
    assert.equal(ref?.uid, metaOf(job).uid, 'the fixture: the pod names the job by uid');
    const { object } = await k.owners('jobs', 'pi');
    assert.deepEqual(
      object.dependents?.map((d) => [d.kind, d.name, d.uid]),
      [['Pod', 'pi-dqtsw', metaOf(pod).uid]],
    );
    const up = await k.owners('pods', 'pi-dqtsw');
    assert.deepEqual(
      up.object.owners?.map((o) => [o.kind, o.name, o.present]),
      [['Job', 'pi', true]],
    );
    const { orphans, stuck, scanned } = await k.orphans();
    assert.deepEqual([orphans, stuck], [[], []]);
    assert.equal(scanned, 3); // the namespace, the pod, the job
  } finally {
    await source.close();
  }
});

test('k.owners() and k.orphans() on hand-made owner graphs: any kind, JSON custom resources, cycles, self-owners, references without a uid', async () => {
  const etcd = await startEtcd();
  const cm = (name: string, uid: string, owners: unknown): Uint8Array =>
    encode({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'ns', uid, ...(owners !== undefined ? { ownerReferences: owners } : {}) },
      data: { a: 'b' },
    });
  const ref = (kind: string, name: string, uid: string, apiVersion = 'v1'): Record<string, unknown> => ({
    apiVersion,
    kind,
    name,
    uid,
  });
  try {
    const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    try {
      // a custom resource stored as JSON, owning a ConfigMap
      await writer.put(
        '/registry/example.com/widgets/ns/w1',
        new TextEncoder().encode(
          JSON.stringify({
            apiVersion: 'example.com/v1',
            kind: 'Widget',
            metadata: { name: 'w1', namespace: 'ns', uid: 'u-w1' },
          }),
        ),
      );
      await writer.put(
        '/registry/configmaps/ns/by-widget',
        cm('by-widget', 'u-bw', [ref('Widget', 'w1', 'u-w1', 'example.com/v1')]),
      );
      // a cycle: a owns b, b owns a; and one that owns itself
      await writer.put('/registry/configmaps/ns/a', cm('a', 'u-a', [ref('ConfigMap', 'b', 'u-b')]));
      await writer.put('/registry/configmaps/ns/b', cm('b', 'u-b', [ref('ConfigMap', 'a', 'u-a')]));
      await writer.put('/registry/configmaps/ns/self', cm('self', 'u-self', [ref('ConfigMap', 'self', 'u-self')]));
      // two owners, one gone; a reference without a uid (ignored: nothing to match)
      await writer.put(
        '/registry/configmaps/ns/two',
        cm('two', 'u-two', [ref('ConfigMap', 'a', 'u-a'), ref('Secret', 'gone', 'u-gone')]),
      );
      await writer.put(
        '/registry/configmaps/ns/no-uid',
        cm('no-uid', 'u-nouid', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'a' }]),
      );
      // not an object at all, and damaged bytes: counted as unreadable, never thrown
      await writer.put('/registry/configmaps/ns/junk', Uint8Array.from([0x6b, 0x38, 0x73, 0x00, 0xff, 0xff]));
    } finally {
      await writer.close();
    }
    const source = await openSource(etcd.endpoint);
    try {
      const k = await openKube(source);
      // no CRD in the data: the resource is known by name once resources() has seen its keys
      await k.resources();
      const widget = await k.owners('widgets.example.com', 'w1', { namespace: 'ns' });
      assert.deepEqual(
        widget.object.dependents?.map((d) => [d.kind, d.name]),
        [['ConfigMap', 'by-widget']],
      );
      const byWidget = await k.owners('configmaps', 'by-widget', { namespace: 'ns' });
      assert.deepEqual(
        byWidget.object.owners?.map((o) => [o.kind, o.name, o.present, o.key]),
        [['Widget', 'w1', true, '/registry/example.com/widgets/ns/w1']],
      );
      const a = await k.owners('configmaps', 'a', { namespace: 'ns' });
      assert.deepEqual(
        a.object.owners?.map((o) => o.name),
        ['b'],
      );
      // the cycle closes on the object itself: shown there as a leaf, not followed again
      assert.deepEqual(
        a.object.owners?.[0]?.owners?.map((o) => [o.name, o.owners]),
        [['a', undefined]],
      );
      assert.deepEqual(
        a.object.dependents?.map((d) => d.name),
        ['b', 'two'],
      );
      const self = await k.owners('configmaps', 'self', { namespace: 'ns' });
      assert.deepEqual(
        [self.object.owners?.map((o) => o.name), self.object.dependents?.map((d) => d.name)],
        [['self'], ['self']],
      );
      const { orphans, unreadable } = await k.orphans();
      assert.deepEqual(
        orphans.map((o) => [o.name, o.missingOwners.map((m) => m.uid), o.allOwnersGone]),
        [['two', ['u-gone'], false]],
      );
      assert.equal(unreadable, 1);
      await assert.rejects(k.owners('configmaps', 'junk', { namespace: 'ns' }), { name: 'NotFoundError' });
      await assert.rejects(k.owners('configmaps', ''), { name: 'InvalidArgumentError' });
      await assert.rejects(k.owners('configmaps', 'a', { namespace: 'ns', depth: -1 }), {
        name: 'InvalidArgumentError',
      });
      await assert.rejects(k.orphans({ now: new Date(Number.NaN) }), { name: 'InvalidArgumentError' });
    } finally {
      await source.close();
    }
  } finally {
    await etcd.stop();
  }
});
