/**
 * clusterInfo(): the Kubernetes versions the data names (a generated cluster, plus what kubeadm and the API
 * server write: the kubeadm-config ConfigMap, a control-plane pod, an identity lease, a lease candidate, a
 * storage version), live and from its snapshot; and the etcd version, live from the status call and offline
 * from the db's meta and cluster buckets of snapshots saved by a real etcd 3.4 and 3.5.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decode, encode } from '../../src/codec';
import type { KubeObject } from '../../src/codec';
import { openKube } from '../../src/kube/kube-client';
import { openSource } from '../../src/sources/open-source';
import { readEtcdMetaBucket } from '../../src/sources/snapshot/meta-bucket';
import { startKubeFixture, type KubeFixture } from '../helpers/kube-fixture';
import { ETCD_VERSIONS, makeTempDir, startEtcd } from '../helpers/etcd';
import { findRepoRoot } from '../../src/codec';

const KUBEADM_VERSION = 'v1.36.4';
const APISERVER_IMAGE = 'registry.k8s.io/kube-apiserver:v1.36.3';
const CANDIDATE_BINARY = '1.36.3';
const CANDIDATE_EMULATION = '1.35';

const EXTRA: Array<[string, KubeObject]> = [
  [
    '/registry/configmaps/kube-system/kubeadm-config',
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'kubeadm-config',
        namespace: 'kube-system',
        uid: 'u-kubeadm',
        creationTimestamp: '2026-01-01T00:00:00Z',
      },
      data: {
        ClusterConfiguration: `apiServer: {}\napiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: ${KUBEADM_VERSION}\nnetworking:\n  dnsDomain: cluster.local\n`,
      },
    },
  ],
  [
    '/registry/pods/kube-system/kube-apiserver-cp1',
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'kube-apiserver-cp1',
        namespace: 'kube-system',
        uid: 'u-apiserver',
        labels: { component: 'kube-apiserver', tier: 'control-plane' },
        creationTimestamp: '2026-01-01T00:00:00Z',
      },
      spec: { containers: [{ name: 'kube-apiserver', image: APISERVER_IMAGE }], nodeName: 'cp1' },
    },
  ],
  [
    '/registry/leases/kube-system/apiserver-q7fkd2x4jwuwfdaqzyj2mm3kwu',
    {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: 'apiserver-q7fkd2x4jwuwfdaqzyj2mm3kwu',
        namespace: 'kube-system',
        uid: 'u-lease',
        labels: { 'apiserver.kubernetes.io/identity': 'kube-apiserver', 'kubernetes.io/hostname': 'cp1' },
      },
      spec: { holderIdentity: 'apiserver-q7fkd2x4jwuwfdaqzyj2mm3kwu_6e3f1c2a', leaseDurationSeconds: 3600 },
    },
  ],
  [
    '/registry/leasecandidates/kube-system/kube-controller-manager-cp1',
    {
      apiVersion: 'coordination.k8s.io/v1beta1',
      kind: 'LeaseCandidate',
      metadata: { name: 'kube-controller-manager-cp1', namespace: 'kube-system', uid: 'u-lc' },
      spec: {
        leaseName: 'kube-controller-manager',
        binaryVersion: CANDIDATE_BINARY,
        emulationVersion: CANDIDATE_EMULATION,
        strategy: 'OldestEmulationVersion',
      },
    },
  ],
  [
    '/registry/storageversions/apps.deployments',
    {
      apiVersion: 'internal.apiserver.k8s.io/v1alpha1',
      kind: 'StorageVersion',
      metadata: { name: 'apps.deployments', uid: 'u-sv' },
      spec: {},
      status: {
        storageVersions: [
          {
            apiServerID: 'apiserver-q7fkd2x4jwuwfdaqzyj2mm3kwu',
            encodingVersion: 'apps/v1',
            decodableVersions: ['apps/v1'],
          },
        ],
        commonEncodingVersion: 'apps/v1',
      },
    },
  ],
];

describe('clusterInfo() on a generated cluster, live and snapshot', () => {
  let fx: KubeFixture;
  before(async () => {
    fx = await startKubeFixture({
      pods: 4,
      seed: 11,
      extra: async (w) => {
        for (const [key, obj] of EXTRA) await w.put(key, encode(obj));
      },
    });
  });
  after(async () => {
    await fx?.close();
  });

  it('names every Kubernetes version the objects name, with the evidence', async () => {
    // the kubelet versions, read straight from the stored nodes
    const kubelets = new Set<string>();
    for await (const kv of fx.live.range({ prefix: '/registry/minions/' })) {
      const node = decode(kv.value).object as { status?: { nodeInfo?: { kubeletVersion?: string } } };
      const v = node.status?.nodeInfo?.kubeletVersion;
      if (v !== undefined) kubelets.add(v);
    }
    assert.ok(kubelets.size > 0, 'the generated nodes name a kubelet version');
    const expected = [
      ...new Set([...kubelets, KUBEADM_VERSION, 'v1.36.3', `v${CANDIDATE_BINARY}`, `v${CANDIDATE_EMULATION}`]),
    ].sort((a, b) => {
      const n = (v: string): number[] => v.slice(1).split('.').map(Number);
      const [x, y] = [n(a), n(b)];
      for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (y[i] ?? 0) - (x[i] ?? 0);
      return 0;
    });
    for (const k of fx.kubes) {
      const info = await k.clusterInfo();
      assert.deepEqual(info.errors, []);
      assert.deepEqual(info.kubernetes.versions, expected);
      const by = (source: string): typeof info.kubernetes.evidence =>
        info.kubernetes.evidence.filter((e) => e.source === source);
      assert.deepEqual(
        by('kubeadm-config').map((e) => [e.key, e.version]),
        [['/registry/configmaps/kube-system/kubeadm-config', KUBEADM_VERSION]],
      );
      assert.deepEqual(
        by('control-plane-pod').map((e) => [e.key, e.version, e.detail]),
        [['/registry/pods/kube-system/kube-apiserver-cp1', 'v1.36.3', `image ${APISERVER_IMAGE}`]],
      );
      assert.deepEqual(new Set(by('node').map((e) => e.version)), kubelets);
      assert.equal(by('apiserver-lease').length, 1);
      assert.match(
        by('apiserver-lease')[0]?.detail ?? '',
        /identity lease of kube-apiserver apiserver-q7fkd2x4jwuwfdaqzyj2mm3kwu_6e3f1c2a; it names no version/,
      );
      assert.deepEqual(
        by('lease-candidate').map((e) => [e.version, e.detail]),
        [
          [`v${CANDIDATE_BINARY}`, 'spec.binaryVersion'],
          [`v${CANDIDATE_EMULATION}`, 'spec.emulationVersion'],
        ],
      );
      assert.match(
        by('storage-version')[0]?.detail ?? '',
        /^1 storage version written by 1 API server \(apiserver-q7fkd2x4jwuwfdaqzyj2mm3kwu\)/,
      );
      // etcd: the test's etcd is fx.etcd.version
      assert.ok(
        info.etcd.version?.startsWith(`${fx.etcd.version}.`) === true ||
          info.etcd.version === (fx.etcd.version === '3.4' ? '<=3.4' : '>=3.5'),
        `${String(info.etcd.version)} for etcd ${fx.etcd.version}`,
      );
    }
  });
});

describe('clusterInfo() etcd version: live status, and the meta bucket of real 3.4 and 3.5 snapshots', () => {
  for (const version of ETCD_VERSIONS) {
    it(`etcd ${version}`, { timeout: 60_000 }, async () => {
      const etcd = await startEtcd({ version });
      const dir = makeTempDir(`kubetcd-cluster-info-${version}-`);
      try {
        const put = await etcd.etcdctl(['put', '/registry/x', 'hello']);
        assert.equal(put.code, 0, put.stderr);
        // the server's version as etcdctl reports it
        const st = await etcd.etcdctl(['endpoint', 'status', '-w', 'json']);
        const serverVersion = (JSON.parse(st.stdout) as Array<{ Status: { version: string } }>)[0]?.Status.version;
        assert.ok(serverVersion?.startsWith(`${version}.`), st.stdout);
        const live = await openSource(etcd.endpoint);
        try {
          const info = await (await openKube(live)).clusterInfo();
          assert.equal(info.etcd.version, serverVersion);
          assert.deepEqual(info.etcd.evidence[0], {
            source: 'etcd-status',
            key: (await live.status()).origin,
            version: serverVersion,
            detail: "the answering member's server version",
          });
        } finally {
          await live.close();
        }
        const file = path.join(dir, 'snap.db');
        const saved = await etcd.etcdctl(['snapshot', 'save', file]);
        assert.equal(saved.code, 0, saved.stderr);
        const meta = readEtcdMetaBucket(file);
        assert.ok(meta.keys.includes('consistent_index'), meta.keys.join(','));
        assert.equal(
          meta.term !== undefined,
          version !== '3.4',
          `term in the meta bucket of etcd ${version}: ${meta.keys.join(',')}`,
        );
        assert.equal(meta.storageVersion, undefined);
        if (version !== '3.4') {
          // confState names the one voter, the member etcdctl lists (its 64-bit id exact)
          const members = await etcd.etcdctl(['member', 'list']);
          const hexId = members.stdout.split(',')[0]?.trim() ?? '';
          assert.deepEqual((meta.confState as { voters?: unknown }).voters, [BigInt(`0x${hexId}`).toString()]);
        }
        const snap = await openSource(file);
        try {
          const info = await (await openKube(snap)).clusterInfo();
          const cluster = info.etcd.evidence.find((e) => e.source === 'etcd-cluster-bucket');
          const fromMeta = info.etcd.evidence.find((e) => e.source === 'etcd-meta-bucket');
          assert.equal(fromMeta?.version, version === '3.4' ? '<=3.4' : '>=3.5');
          if (cluster !== undefined) {
            assert.ok(cluster.version?.startsWith(`${version}.`), cluster.version);
            assert.equal(info.etcd.version, cluster.version);
          } else {
            assert.equal(info.etcd.version, fromMeta?.version);
          }
        } finally {
          await snap.close();
        }
      } finally {
        await etcd.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

it('clusterInfo() on a real etcd 3.2 backend of a Kubernetes 1.7 cluster (auger testdata): etcd 3.2, no Kubernetes version named', async () => {
  const file = path.join(findRepoRoot(), '..', 'shared', 'data', 'auger-testdata', 'boltdb', 'db');
  const src = await openSource(file);
  try {
    const info = await (await openKube(src)).clusterInfo();
    // the data holds a namespace, a pod and a job: none names a Kubernetes version
    assert.deepEqual(info.kubernetes, { versions: [], evidence: [] });
    assert.equal(info.etcd.version, '3.2.0');
    assert.deepEqual(
      info.etcd.evidence.map((e) => [e.source, e.version]),
      [
        ['etcd-cluster-bucket', '3.2.0'],
        ['etcd-meta-bucket', '<=3.4'],
      ],
    );
  } finally {
    await src.close();
  }
});
