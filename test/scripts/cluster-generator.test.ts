import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { decode } from '../../src/codec';
import type { KubeObject } from '../../src/codec';
import {
  generateCluster,
  INCIDENT_ENCRYPTION_CONFIG,
  summarizeOperations,
  type ClusterOperation,
} from '../../scripts/cluster/cluster-generator';
import { decryptValue, loadEncryptionConfig } from '../../src/codec/decrypt';
import { writeCluster } from '../../scripts/cluster/write-cluster';
import { parseKey } from '../../src/kube/keys';
import { openEtcdWriterForFixtures, openLiveSource } from '../../src/sources/live-etcd-source';
import type { KvSource } from '../../src/sources/types';
import { startEtcd, type EtcdProcess } from '../helpers/etcd';

const NOW = new Date('2026-03-01T12:00:00Z');

function digest(ops: Iterable<ClusterOperation>): string {
  const h = createHash('sha256');
  for (const op of ops) {
    h.update(`${op.type} ${op.key}\n`);
    if (op.type === 'put') h.update(op.value);
  }
  return h.digest('hex');
}

type Meta = {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  ownerReferences?: Array<{ kind: string; name: string; uid: string }>;
};
const metaOf = (o: KubeObject): Meta => o['metadata'] as Meta;

/** The final state of each key (after updates and deletes). */
function finalState(ops: Iterable<ClusterOperation>): Map<string, ClusterOperation & { type: 'put' }> {
  const state = new Map<string, ClusterOperation & { type: 'put' }>();
  for (const op of ops) {
    if (op.type === 'delete') state.delete(op.key);
    else state.set(op.key, op);
  }
  return state;
}

describe('generateCluster', () => {
  it('is deterministic: same seed, same operations; another seed, other operations', () => {
    const a = digest(generateCluster({ seed: 3, pods: 60, now: NOW }).operations());
    const b = digest(generateCluster({ seed: 3, pods: 60, now: NOW }).operations());
    const c = digest(generateCluster({ seed: 4, pods: 60, now: NOW }).operations());
    assert.equal(a, b);
    assert.notEqual(a, c);
    // operations() can be walked twice with the same result.
    const cluster = generateCluster({ seed: 3, pods: 60, now: NOW });
    assert.equal(digest(cluster.operations()), digest(cluster.operations()));
  });

  it('rejects bad sizes with a clear message', () => {
    assert.throws(() => generateCluster({ pods: -1 }), /Invalid pods for generateCluster: -1/);
    assert.throws(() => generateCluster({ pods: 300_001 }), /from 0 to 300000/);
  });

  it('has the asked number of pods and every kind of key', () => {
    const cluster = generateCluster({ seed: 1, pods: 50, now: NOW });
    const s = cluster.summary();
    const created = [...cluster.operations()].filter(
      (op) => op.type === 'put' && op.resource === 'pods' && !op.update,
    ).length;
    const scaledUp = [...cluster.operations()].filter(
      (op) => op.type === 'put' && op.resource === 'deployments' && op.update,
    ).length;
    assert.equal(created - scaledUp, 50);
    assert.equal(s.keysByResource['pods'], 50 + scaledUp - s.deletes);
    for (const r of [
      'namespaces',
      'nodes',
      'leases',
      'deployments',
      'replicasets',
      'services',
      'endpoints',
      'endpointslices',
      'configmaps',
      'secrets',
      'serviceaccounts',
      'events',
      'roles',
      'rolebindings',
      'clusterroles',
      'customresourcedefinitions',
      'certificates.cert-manager.io',
      'apiservices',
      'masterleases',
      'ranges',
      'compact_rev_key',
    ]) {
      assert.ok((s.keysByResource[r] ?? 0) > 0, `no ${r} in ${JSON.stringify(s.keysByResource)}`);
    }
    assert.ok(s.updates > 0 && s.deletes > 0, JSON.stringify(s));
    const ops = [...cluster.operations()];
    assert.ok(
      ops.some(
        (op) =>
          op.type === 'put' &&
          op.encoding === 'encrypted' &&
          Buffer.from(op.value).toString('latin1').startsWith('k8s:enc:aescbc:v1:key1:'),
      ),
    );
    const ns = ops
      .filter((op) => op.type === 'put' && op.resource === 'namespaces')
      .map((op) => parseKey(op.key))
      .map((k) => (k.kind === 'object' ? k.name : ''));
    for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(ns.includes(n));
  });

  it('keys parse to the resource they were written for', () => {
    const special: Record<string, string> = {
      masterleases: 'master-lease',
      ranges: 'range-allocation',
      compact_rev_key: 'compact-revision',
    };
    for (const op of generateCluster({ seed: 2, pods: 40, now: NOW }).operations()) {
      const k = parseKey(op.key);
      const want = special[op.resource];
      if (want !== undefined) {
        assert.equal(k.kind, want, op.key);
        continue;
      }
      assert.equal(k.kind, 'object', op.key);
      if (k.kind !== 'object') continue;
      const label = k.info?.builtin === false || k.info === undefined ? `${k.resource}.${k.group ?? ''}` : k.resource;
      assert.equal(label, op.resource, op.key);
      if (op.type === 'put' && op.object !== undefined) {
        const m = metaOf(op.object);
        if (op.resource !== 'masterleases' && op.resource !== 'ranges') {
          assert.equal(m.name, k.name, op.key);
          assert.equal(m.namespace, k.namespace, op.key);
        }
      }
    }
  });

  it('every protobuf value decodes to the object encoded; every JSON value parses to it', () => {
    let protobuf = 0;
    let json = 0;
    for (const op of generateCluster({ seed: 5, pods: 80, now: NOW }).operations()) {
      if (op.type !== 'put') continue;
      if (op.encoding === 'protobuf') {
        const d = decode(op.value);
        assert.equal(d.error, undefined, `${op.key}: ${d.error?.message}`);
        assert.equal(d.unknownFields, undefined, op.key);
        assert.deepEqual(d.object, op.object, op.key);
        protobuf++;
      } else if (op.encoding === 'json') {
        assert.deepEqual(JSON.parse(Buffer.from(op.value).toString('utf8')), op.object, op.key);
        assert.equal(decode(op.value).encoding, 'json');
        json++;
      } else if (op.encoding === 'encrypted') {
        assert.equal(decode(op.value).encryption?.provider, 'aescbc');
      }
    }
    assert.ok(protobuf > 300 && json > 3, `${protobuf} ${json}`);
  });

  it('owner chains resolve (pod → replicaset → deployment) and labels match selectors', () => {
    const cluster = generateCluster({ seed: 6, pods: 120, now: NOW });
    const state = finalState(cluster.operations());
    const byUid = new Map<string, KubeObject>();
    for (const op of state.values())
      if (op.object !== undefined && metaOf(op.object).uid !== undefined)
        byUid.set(metaOf(op.object).uid as string, op.object);
    const matches = (sel: Record<string, string>, labels: Record<string, string> | undefined): boolean =>
      Object.entries(sel).every(([k, v]) => labels?.[k] === v);
    let pods = 0;
    for (const op of state.values()) {
      if (op.resource !== 'pods' || op.object === undefined) continue;
      pods++;
      const pod = op.object;
      const rsRef = metaOf(pod).ownerReferences?.[0];
      assert.equal(rsRef?.kind, 'ReplicaSet', op.key);
      const rs = byUid.get(rsRef?.uid ?? '');
      assert.ok(rs !== undefined, `owner of ${op.key} missing`);
      assert.equal(metaOf(rs).name, rsRef?.name);
      assert.equal(metaOf(rs).namespace, metaOf(pod).namespace);
      const rsSel = (rs['spec'] as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
      assert.ok(matches(rsSel, metaOf(pod).labels), op.key);
      assert.ok(metaOf(pod).labels?.['pod-template-hash'] !== undefined);
      const depRef = metaOf(rs).ownerReferences?.[0];
      const dep = byUid.get(depRef?.uid ?? '');
      assert.ok(dep !== undefined && metaOf(dep).name === depRef?.name && (dep['kind'] as string) === 'Deployment');
      const depSel = (dep['spec'] as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
      assert.ok(matches(depSel, metaOf(pod).labels), op.key);
      const node = (pod['spec'] as { nodeName: string }).nodeName;
      assert.ok(state.has(`/registry/minions/${node}`), `node ${node} of ${op.key}`);
    }
    assert.equal(pods, cluster.summary().keysByResource['pods']);
    assert.ok(pods >= 119);
    // Services select pods of their namespace; Endpoints list exactly those pods.
    for (const op of state.values()) {
      if (op.resource !== 'services' || op.object === undefined) continue;
      const sel = (op.object['spec'] as { selector?: Record<string, string> }).selector;
      if (sel === undefined) continue;
      const ns = metaOf(op.object).namespace as string;
      const selected = [...state.values()].filter(
        (p) =>
          p.resource === 'pods' &&
          p.object !== undefined &&
          metaOf(p.object).namespace === ns &&
          matches(sel, metaOf(p.object).labels),
      );
      assert.ok(selected.length > 0, op.key);
      const ep = state.get(op.key.replace('/services/specs/', '/services/endpoints/'));
      assert.ok(ep?.object !== undefined, `endpoints of ${op.key}`);
    }
  });

  it('node Leases are owned by their Node (its uid)', () => {
    const state = finalState(generateCluster({ seed: 4, pods: 30, now: NOW }).operations());
    for (const op of state.values()) {
      if (op.resource !== 'leases' || op.object === undefined) continue;
      const ref = metaOf(op.object).ownerReferences?.[0];
      const node = state.get(`/registry/minions/${ref?.name ?? ''}`);
      assert.equal(ref?.uid, node?.object !== undefined ? metaOf(node.object).uid : undefined, op.key);
    }
  });

  it('incidents: a rotation half done (real aescbc ciphertext), a deleted deployment, an orphaned replica set, a stuck namespace', () => {
    assert.throws(() => generateCluster({ pods: 29, incidents: true }), /at least 30/);
    for (let seed = 1; seed <= 40; seed++)
      assert.ok(generateCluster({ pods: 30, seed, incidents: true }).incidents() !== undefined, `seed ${seed}`);
    const cluster = generateCluster({ seed: 3, pods: 60, now: NOW, incidents: true });
    assert.equal(
      digest(cluster.operations()),
      digest(generateCluster({ seed: 3, pods: 60, now: NOW, incidents: true }).operations()),
      'deterministic',
    );
    assert.equal(generateCluster({ seed: 3, pods: 60, now: NOW }).incidents(), undefined);
    const incidents = cluster.incidents();
    assert.ok(incidents !== undefined);
    const ops = [...cluster.operations()];
    const state = finalState(ops);
    const compactAt = ops.findIndex((op) => op.key === 'compact_rev_key');
    const afterCompaction = (key: string): boolean =>
      ops.findIndex((op) => op.type === 'delete' && op.key === key) > compactAt;
    // The rotation: every Secret encrypted, about half with key2, each opening to a Secret of its key.
    const config = loadEncryptionConfig(INCIDENT_ENCRYPTION_CONFIG);
    const secrets = [...state.values()].filter((op) => op.resource === 'secrets');
    assert.deepEqual(
      secrets.map((op) => op.key).sort(),
      [...incidents.rotation.key1, ...incidents.rotation.key2].sort(),
    );
    assert.ok(
      Math.abs(incidents.rotation.key1.length - incidents.rotation.key2.length) <= 1,
      JSON.stringify(incidents.rotation),
    );
    for (const op of secrets) {
      assert.equal(op.encoding, 'encrypted');
      const opened = decryptValue(op.value, config, { key: op.key });
      assert.equal(opened.keyName, incidents.rotation.key2.includes(op.key) ? 'key2' : 'key1', op.key);
      const d = decode(opened.plaintext);
      assert.equal(d.error, undefined, op.key);
      assert.equal(d.object?.kind, 'Secret');
      assert.equal(
        `/registry/secrets/${metaOf(d.object as KubeObject).namespace}/${metaOf(d.object as KubeObject).name}`,
        op.key,
      );
    }
    // The deleted deployment: it, its ReplicaSet and its pods are deleted after compact_rev_key.
    const dd = incidents.deletedDeployment;
    for (const key of [
      `/registry/deployments/${dd.namespace}/${dd.name}`,
      `/registry/replicasets/${dd.namespace}/${dd.replicaSet}`,
      ...dd.pods.map((p) => `/registry/pods/${dd.namespace}/${p}`),
    ]) {
      assert.ok(!state.has(key) && afterCompaction(key), key);
    }
    assert.ok(dd.pods.length >= 2);
    // The orphan: its Deployment's key is deleted, it and its pods stay.
    const rs = incidents.orphanedReplicaSet;
    assert.ok(afterCompaction(`/registry/deployments/${rs.namespace}/${rs.deployment}`));
    const orphan = state.get(`/registry/replicasets/${rs.namespace}/${rs.name}`);
    assert.equal(metaOf(orphan?.object as KubeObject).ownerReferences?.[0]?.uid, rs.deploymentUid);
    for (const p of rs.pods) assert.ok(state.has(`/registry/pods/${rs.namespace}/${p}`), p);
    // Stuck: the Namespace Terminating, its claim with the pvc-protection finalizer, both with deletionTimestamp.
    const ns = state.get('/registry/namespaces/legacy')?.object as KubeObject;
    const pvc = state.get('/registry/persistentvolumeclaims/legacy/data-legacy-db-0')?.object as KubeObject;
    assert.equal((ns['status'] as { phase: string }).phase, 'Terminating');
    assert.deepEqual((ns['spec'] as { finalizers: string[] }).finalizers, ['kubernetes']);
    assert.deepEqual((metaOf(pvc) as { finalizers?: string[] }).finalizers, ['kubernetes.io/pvc-protection']);
    assert.deepEqual(
      incidents.stuck.map((x) => [x.kind, x.name, x.deletionTimestamp]),
      [
        ['Namespace', 'legacy', (ns['metadata'] as { deletionTimestamp: string }).deletionTimestamp],
        [
          'PersistentVolumeClaim',
          'data-legacy-db-0',
          (pvc['metadata'] as { deletionTimestamp: string }).deletionTimestamp,
        ],
      ],
    );
    for (const op of state.values())
      if (op.encoding === 'protobuf') assert.equal(decode(op.value).error, undefined, op.key);
  });

  it('generates 10 000 pods quickly, in a stream', () => {
    const t0 = process.hrtime.bigint();
    let n = 0;
    for (const op of generateCluster({ seed: 9, pods: 10_000, now: NOW }).operations()) if (op.type === 'put') n++;
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    process.stdout.write(`# 10 000 pods: ${n} puts in ${s.toFixed(2)} s (${Math.round(n / s)} ops/s)\n`);
    assert.ok(n > 20_000);
  });
});

describe('generateCluster into a real etcd', () => {
  let etcd: EtcdProcess;
  let source: KvSource;
  before(async () => {
    etcd = await startEtcd();
    source = await openLiveSource({ endpoints: etcd.endpoint });
  });
  after(async () => {
    await source?.close();
    await etcd?.stop();
  });

  it('writes a cluster that reads back with the summary counts, leases and history', async () => {
    const cluster = generateCluster({ seed: 11, pods: 30, now: NOW });
    const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    const t0 = process.hrtime.bigint();
    let result: Awaited<ReturnType<typeof writeCluster>>;
    try {
      result = await writeCluster(writer, cluster.operations(), { leaseTtlSeconds: { masterleases: 3600 } });
    } finally {
      await writer.close();
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const summary = cluster.summary();
    process.stdout.write(
      `# wrote ${result.operations} operations in ${s.toFixed(2)} s (${Math.round(result.operations / s)} ops/s)\n`,
    );
    assert.equal(result.operations, summary.operations);

    // Count keys per resource the way the generator labels them.
    const counts: Record<string, number> = {};
    const leasesSeen = new Map<string, Set<string>>();
    for await (const r of source.range({ prefix: '' })) {
      const key = Buffer.from(r.key).toString('utf8');
      const k = parseKey(key);
      const label =
        k.kind === 'object'
          ? k.info === undefined || !k.info.builtin
            ? `${k.resource}.${k.group ?? ''}`
            : k.resource
          : k.kind === 'master-lease'
            ? 'masterleases'
            : k.kind === 'range-allocation'
              ? 'ranges'
              : k.kind === 'compact-revision'
                ? 'compact_rev_key'
                : key;
      counts[label] = (counts[label] ?? 0) + 1;
      if (!leasesSeen.has(label)) leasesSeen.set(label, new Set());
      leasesSeen.get(label)?.add(r.lease);
    }
    assert.deepEqual(counts, summary.keysByResource);
    assert.deepEqual([...(leasesSeen.get('events') ?? [])], [result.leases.events]);
    assert.notEqual(result.leases.events, '0');
    assert.deepEqual([...(leasesSeen.get('masterleases') ?? [])], [result.leases.masterleases]);
    assert.deepEqual([...(leasesSeen.get('pods') ?? [])], ['0']);

    // The deleted pod is gone but its history ends in a tombstone; an updated pod has two versions.
    const ops = [...cluster.operations()];
    const deleted = ops.find((op) => op.type === 'delete');
    assert.ok(deleted !== undefined);
    assert.equal(await source.get(deleted.key), undefined);
    const history = [];
    for await (const h of source.history(deleted.key)) history.push(h);
    assert.equal(history.length, 2);
    assert.equal(history[0]?.deleted, false);
    assert.equal(history[1]?.deleted, true);
    const updated = ops.find((op) => op.type === 'put' && op.update && op.resource === 'pods');
    assert.ok(updated !== undefined);
    const rec = await source.get(updated.key);
    assert.equal(rec?.version, 2);
    assert.ok(summarizeOperations(ops).updates > 0);
  });

  it('the CLI refuses to write into an etcd that already holds /registry keys', () => {
    const script = path.join(__dirname, '..', '..', 'scripts', 'generate-cluster.js');
    const r = spawnSync(process.execPath, [script, '--endpoints', etcd.endpoint, '--pods', '3'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      /Refusing to write into etcd at .*: it already holds \d+ keys under \/registry\/\..*--force/,
    );
    assert.equal(r.stdout, '');
  });
});
