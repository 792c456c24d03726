/**
 * Which versions of Kubernetes and etcd wrote the data, as far as the data can tell: the kubeadm-config
 * ConfigMap, nodes' kubelet versions, control-plane pods' images, API server identity leases, lease
 * candidates' binary versions and storage versions for Kubernetes; the etcd status (live) or the db's
 * `meta` and `cluster` buckets (snapshots) for etcd.
 */
import { readEtcdMetaBucket } from '../sources/snapshot/meta-bucket';
import type { SourceStatus } from '../sources/types';
import type { KubeObject } from '../codec';
import type { KubeContext } from './context';
import { listObjects, type ListOptions } from './kube-list';

/** Where a version was read. */
export type VersionSource =
  | 'kubeadm-config'
  | 'node'
  | 'control-plane-pod'
  | 'apiserver-lease'
  | 'lease-candidate'
  | 'storage-version'
  | 'etcd-status'
  | 'etcd-cluster-bucket'
  | 'etcd-meta-bucket';

/** One piece of evidence. */
export interface VersionEvidence {
  source: VersionSource;
  /** The etcd key read (or the endpoint or file, for etcd). */
  key: string;
  /** The version it names (`v1.32.0`, `3.5.0`, `>=3.5`), when it names one. */
  version?: string;
  /** What was read: `ClusterConfiguration.kubernetesVersion`, `kubeletVersion of 3 nodes`, … */
  detail: string;
}

/** What {@link clusterInfo} returns. */
export interface ClusterInfo {
  kubernetes: {
    /** Distinct Kubernetes versions named by the evidence, newest first (several during an upgrade). */
    versions: string[];
    evidence: VersionEvidence[];
  };
  etcd: {
    /** The etcd version that wrote the data (live: the answering member's), when known. */
    version?: string;
    evidence: VersionEvidence[];
  };
  /** The revision read. */
  revision: number;
  /** Readings that failed (a resource that could not be listed): what and why. */
  errors: string[];
}

type Rec = Record<string, unknown>;

function rec(v: unknown): Rec | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function metaOf(o: KubeObject): Rec {
  return rec(o['metadata']) ?? {};
}

/** `v1.32.0` from `v1.32.0`, `1.32.0`, `v1.32.0-eks-1234`; undefined when it is not a version. */
function kubeVersion(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const m = /^v?(\d+\.\d+(?:\.\d+)?(?:[-+][0-9A-Za-z.+-]*)?)$/.exec(s.trim());
  return m ? `v${m[1] as string}` : undefined;
}

function compareVersions(a: string, b: string): number {
  const parts = (v: string): number[] =>
    v
      .replace(/^v/, '')
      .split(/[.+-]/)
      .slice(0, 3)
      .map((x) => Number.parseInt(x, 10) || 0);
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (y[i] ?? 0) - (x[i] ?? 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Versions named in labels or annotations whose key mentions a version. */
function versionsInMetadata(meta: Rec): Array<{ key: string; version: string }> {
  const out: Array<{ key: string; version: string }> = [];
  for (const field of ['labels', 'annotations']) {
    for (const [k, v] of Object.entries(rec(meta[field]) ?? {})) {
      const version = /version/i.test(k) ? kubeVersion(str(v)) : undefined;
      if (version !== undefined) out.push({ key: `${field}.${k}`, version });
    }
  }
  return out;
}

/**
 * Which Kubernetes and etcd versions wrote the data, with the evidence for each. Nothing is guessed: a
 * version is reported only when an object (or etcd) names it.
 * @example
 * const info = await clusterInfo(k);
 * info.kubernetes.versions // ['v1.32.0']
 * info.etcd.version // '3.5.0'
 */
export async function clusterInfo(k: KubeContext): Promise<ClusterInfo> {
  const status = await k.source.status();
  const revision = status.revision;
  const errors: string[] = [];
  const evidence: VersionEvidence[] = [];
  const keyOf = (o: KubeObject, resource: string): string => {
    const m = metaOf(o);
    const ns = str(m['namespace']);
    return `${k.prefix}/${resource}/${ns !== undefined ? `${ns}/` : ''}${str(m['name']) ?? ''}`;
  };
  const list = async (resource: string, options: ListOptions): Promise<KubeObject[]> => {
    try {
      const r = await listObjects(k, resource, { ...options, revision });
      return r.items;
    } catch (e) {
      errors.push(`${resource}: ${(e as Error).message}`);
      return [];
    }
  };

  // kubeadm's ClusterConfiguration names the version kubeadm installed or upgraded to
  for (const cm of await list('configmaps', { namespace: 'kube-system', fields: 'metadata.name=kubeadm-config' })) {
    const text = str(rec(cm['data'])?.['ClusterConfiguration']);
    const m = text !== undefined ? /^kubernetesVersion:\s*["']?([^\s"']+)/m.exec(text) : null;
    const version = kubeVersion(m?.[1]);
    evidence.push({
      source: 'kubeadm-config',
      key: keyOf(cm, 'configmaps'),
      ...(version !== undefined ? { version } : {}),
      detail:
        version !== undefined
          ? 'ClusterConfiguration.kubernetesVersion'
          : 'ClusterConfiguration names no kubernetesVersion',
    });
  }

  // nodes: one piece of evidence per kubelet version
  const byKubelet = new Map<string, { key: string; nodes: string[] }>();
  for (const node of await list('nodes', { paths: ['metadata.name', 'status.nodeInfo.kubeletVersion'] })) {
    const version = kubeVersion(str(rec(rec(node['status'])?.['nodeInfo'])?.['kubeletVersion']));
    if (version === undefined) continue;
    const entry = byKubelet.get(version) ?? {
      key: `${k.prefix}/minions/${str(metaOf(node)['name']) ?? ''}`,
      nodes: [],
    };
    entry.nodes.push(str(metaOf(node)['name']) ?? '');
    byKubelet.set(version, entry);
  }
  for (const [version, { key, nodes }] of byKubelet) {
    const names = nodes.length <= 3 ? nodes.join(', ') : `${nodes.slice(0, 3).join(', ')}, …`;
    evidence.push({
      source: 'node',
      key,
      version,
      detail: `status.nodeInfo.kubeletVersion of ${nodes.length} node${nodes.length === 1 ? '' : 's'} (${names})`,
    });
  }

  // control-plane static pods (kubeadm): the image tag of kube-apiserver, controller-manager, scheduler
  const components = 'component in (kube-apiserver,kube-controller-manager,kube-scheduler)';
  for (const pod of await list('pods', {
    namespace: 'kube-system',
    labels: components,
    paths: ['metadata.name', 'metadata.namespace', 'metadata.labels', 'spec.containers'],
  })) {
    const containers = Array.isArray(rec(pod['spec'])?.['containers'])
      ? (rec(pod['spec'])?.['containers'] as unknown[])
      : [];
    for (const c of containers) {
      const image = str(rec(c)?.['image']);
      const tag =
        image !== undefined && image.lastIndexOf(':') > image.lastIndexOf('/')
          ? image.slice(image.lastIndexOf(':') + 1)
          : undefined;
      const version = kubeVersion(tag?.split('@')[0]);
      if (version !== undefined)
        evidence.push({
          source: 'control-plane-pod',
          key: keyOf(pod, 'pods'),
          version,
          detail: `image ${image ?? ''}`,
        });
    }
  }

  // API server identity leases (kube-system, label apiserver.kubernetes.io/identity, or named kube-apiserver-*)
  for (const lease of await list('leases', { namespace: 'kube-system', paths: ['metadata', 'spec.holderIdentity'] })) {
    const meta = metaOf(lease);
    const name = str(meta['name']) ?? '';
    const identity = str(rec(meta['labels'])?.['apiserver.kubernetes.io/identity']);
    if (identity === undefined && !name.startsWith('kube-apiserver-')) continue;
    const found = versionsInMetadata(meta);
    const holder = str(rec(lease['spec'])?.['holderIdentity']);
    if (found.length === 0) {
      evidence.push({
        source: 'apiserver-lease',
        key: keyOf(lease, 'leases'),
        detail: `identity lease of ${identity ?? 'kube-apiserver'}${holder !== undefined ? ` ${holder}` : ''}; it names no version`,
      });
    }
    for (const f of found)
      evidence.push({ source: 'apiserver-lease', key: keyOf(lease, 'leases'), version: f.version, detail: f.key });
  }

  // coordinated leader election (1.31+): each candidate's binary and emulation versions
  for (const lc of await list('leasecandidates', {
    paths: ['metadata.name', 'metadata.namespace', 'spec.binaryVersion', 'spec.emulationVersion'],
  })) {
    const spec = rec(lc['spec']) ?? {};
    for (const field of ['binaryVersion', 'emulationVersion']) {
      const version = kubeVersion(str(spec[field]));
      if (version !== undefined)
        evidence.push({
          source: 'lease-candidate',
          key: keyOf(lc, 'leasecandidates'),
          version,
          detail: `spec.${field}`,
        });
    }
  }

  // storage versions (StorageVersionAPI): which API servers wrote which encoding versions
  const servers = new Set<string>();
  let storageVersions = 0;
  let firstKey: string | undefined;
  for (const sv of await list('storageversions', { paths: ['metadata.name', 'status.storageVersions'] })) {
    storageVersions++;
    firstKey ??= keyOf(sv, 'storageversions');
    const entries = rec(sv['status'])?.['storageVersions'];
    for (const e of Array.isArray(entries) ? entries : []) {
      const id = str(rec(e)?.['apiServerID']);
      if (id !== undefined) servers.add(id);
    }
  }
  if (storageVersions > 0) {
    const ids = [...servers].sort();
    evidence.push({
      source: 'storage-version',
      key: firstKey ?? `${k.prefix}/storageversions/`,
      detail: `${storageVersions} storage version${storageVersions === 1 ? '' : 's'} written by ${ids.length} API server${ids.length === 1 ? '' : 's'}${ids.length > 0 ? ` (${ids.join(', ')})` : ''}; they name encoding versions, not a Kubernetes version`,
    });
  }

  const versions = [...new Set(evidence.flatMap((e) => (e.version !== undefined ? [e.version] : [])))].sort(
    compareVersions,
  );
  return { kubernetes: { versions, evidence }, etcd: etcdVersion(k, status, errors), revision, errors };
}

function etcdVersion(k: KubeContext, status: SourceStatus, errors: string[]): ClusterInfo['etcd'] {
  const evidence: VersionEvidence[] = [];
  let version: string | undefined;
  if (status.serverVersion !== undefined) {
    evidence.push({
      source: 'etcd-status',
      key: status.origin,
      version: status.serverVersion,
      detail: "the answering member's server version",
    });
    version = status.serverVersion;
  }
  let meta: ReturnType<typeof readEtcdMetaBucket> | undefined;
  if (k.source.kind === 'snapshot') {
    try {
      meta = readEtcdMetaBucket(k.source.origin);
    } catch (e) {
      errors.push(`the meta bucket of ${k.source.origin}: ${(e as Error).message}`);
    }
  }
  if (meta !== undefined) {
    if (meta.clusterVersion !== undefined) {
      evidence.push({
        source: 'etcd-cluster-bucket',
        key: k.source.origin,
        version: meta.clusterVersion,
        detail: 'cluster bucket clusterVersion',
      });
    }
    let inferred: string | undefined;
    if (meta.storageVersion !== undefined) {
      evidence.push({
        source: 'etcd-meta-bucket',
        key: k.source.origin,
        version: meta.storageVersion,
        detail: 'meta bucket storageVersion (written from etcd 3.6 on)',
      });
      version ??= meta.storageVersion;
    } else if (meta.term !== undefined || meta.confState !== undefined) {
      inferred = '>=3.5';
      evidence.push({
        source: 'etcd-meta-bucket',
        key: k.source.origin,
        version: inferred,
        detail: 'meta bucket holds term and confState (written from etcd 3.5 on), no storageVersion (3.6)',
      });
    } else if (meta.keys.length > 0) {
      inferred = '<=3.4';
      evidence.push({
        source: 'etcd-meta-bucket',
        key: k.source.origin,
        version: inferred,
        detail: `meta bucket holds ${meta.keys.join(', ')}: no term nor confState (etcd 3.5 writes them)`,
      });
    }
    version ??= meta.clusterVersion ?? inferred;
  } else if (status.clusterVersion !== undefined) {
    evidence.push({
      source: 'etcd-status',
      key: status.origin,
      version: status.clusterVersion,
      detail: 'cluster version',
    });
    version ??= status.clusterVersion;
  }
  return { ...(version !== undefined ? { version } : {}), evidence };
}
