/**
 * A deterministic generator of realistic Kubernetes clusters as etcd operations: the keys and the exact
 * value bytes kube-apiserver writes (protobuf `k8s\0` envelopes for built-in kinds, JSON for CRDs,
 * custom resources and APIServices, one value encrypted at rest, the special keys), then updates and
 * deletes so that history and tombstones exist. Pure: the same options give the same operations; no
 * clock (pass `now`), no I/O. Operations are produced lazily, so 300 000 pods never sit in memory at once.
 */
import * as crypto from 'node:crypto';
import { encode } from '../../src/codec';
import type { KubeObject } from '../../src/codec';
import { InvalidArgumentError } from '../../src/errors';
import { DEFAULT_ETCD_PREFIX, keyFor } from '../../src/kube/keys';
import { seededRandom } from '../../src/util/seeded-random';

/** Options of {@link generateCluster}. Every field is optional. */
export interface ClusterGeneratorOptions {
  /** PRNG seed (default 1). */
  seed?: number;
  /** Pods created, system pods included (default 50; at most 300 000). The changes that follow scale one
   * deployment in 25 up by one pod and delete one pod, so the final count differs slightly. */
  pods?: number;
  /** App namespaces besides default, kube-system, kube-public and kube-node-lease (default from `pods`). */
  namespaces?: number;
  /** Nodes (default from `pods`). */
  nodes?: number;
  /** kube-apiserver's `--etcd-prefix` (default `/registry`). */
  prefix?: string;
  /** The cluster's "now": creation times lie before it (default 2026-01-01T00:00:00Z). */
  now?: Date;
  /**
   * Add known incidents for forensics (default false; needs at least 30 pods): Secrets encrypted at rest
   * with aescbc `key1` and half of them rewritten with `key2` (a key rotation half done, real ciphertext
   * that {@link INCIDENT_ENCRYPTION_CONFIG} opens), a Deployment deleted with its ReplicaSet and pods
   * (tombstones after compact_rev_key, so a compaction there keeps them), a Deployment removed straight from
   * etcd leaving its ReplicaSet orphaned, and a Namespace stuck Terminating on a PersistentVolumeClaim's
   * finalizer. {@link GeneratedCluster.incidents} says which objects. Its objects carry `managedFields`
   * naming who wrote them (kubectl-client-side-apply, kube-controller-manager, kubelet, ...), each update
   * moving its manager's entry to the update's time, so churn can attribute the writes.
   */
  incidents?: boolean;
}

/** The etcd lease groups of a cluster: keys of one group share one etcd lease. */
export type LeaseGroup = 'events' | 'masterleases';

/** TTLs kube-apiserver uses for each lease group (seconds): `--event-ttl` 1h, master leases 15 s. */
export const LEASE_GROUP_TTL_SECONDS: Readonly<Record<LeaseGroup, number>> = { events: 3600, masterleases: 15 };

/** One etcd write of a generated cluster, in order. */
export type ClusterOperation =
  | {
      readonly type: 'put';
      readonly key: string;
      readonly value: Uint8Array;
      /** The resource label for summaries: `pods`, `endpoints`, `certificates.cert-manager.io`, `masterleases`, … */
      readonly resource: string;
      readonly encoding: 'protobuf' | 'json' | 'encrypted' | 'raw';
      /** The object the value encodes (absent for encrypted and raw values). */
      readonly object?: KubeObject;
      /** Attach the key to this group's etcd lease. */
      readonly lease?: LeaseGroup;
      /** True when the key already exists (an update). */
      readonly update: boolean;
    }
  | { readonly type: 'delete'; readonly key: string; readonly resource: string };

/** Counts over a generated cluster. */
export interface ClusterSummary {
  /** Operations in total. */
  operations: number;
  puts: number;
  updates: number;
  deletes: number;
  /** Value bytes over all puts. */
  valueBytes: number;
  /** Keys present at the end, by resource label. */
  keysByResource: Record<string, number>;
  /** Keys present at the end. */
  keys: number;
}

/** A generated cluster: options resolved, operations regenerated on each call. */
export interface GeneratedCluster {
  readonly options: Readonly<Required<ClusterGeneratorOptions>>;
  /** The etcd operations in order (creates, then updates and deletes). Lazily generated, deterministic. */
  operations(): Iterable<ClusterOperation>;
  /** Counts (walks the operations once). */
  summary(): ClusterSummary;
  /** The known incidents (walks the operations once); undefined unless `incidents` was set. */
  incidents(): ClusterIncidents | undefined;
}

/** The incidents of a cluster generated with `incidents: true`, as the forensics verbs should find them. */
export interface ClusterIncidents {
  /** Deleted with `kubectl delete` (background cascade): the Deployment, its ReplicaSet and its pods. */
  deletedDeployment: { namespace: string; name: string; uid: string; replicaSet: string; pods: string[] };
  /** A Deployment removed straight from etcd: its ReplicaSet (and that one's pods) remain, owner gone. */
  orphanedReplicaSet: { namespace: string; name: string; deployment: string; deploymentUid: string; pods: string[] };
  /** Secret keys by the aescbc key that encrypts them now (a rotation from key1 to key2 half done). */
  rotation: { key1: string[]; key2: string[] };
  /** Objects being deleted that wait on finalizers, with the finalizers and the deletionTimestamp. */
  stuck: Array<{
    resource: string;
    kind: string;
    namespace?: string;
    name: string;
    finalizers: string[];
    deletionTimestamp: string;
  }>;
}

/**
 * The EncryptionConfiguration of the incident cluster mid-rotation: key2 writes, key1 still reads (the
 * Secrets not yet rewritten). Pass it to open() / openKube() as `encryptionConfig` to read them all.
 */
export const INCIDENT_ENCRYPTION_CONFIG = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aescbc:
          keys:
            - name: key2
              secret: ${Buffer.from('kubetcd-incident-rotation-key-02').toString('base64')}
            - name: key1
              secret: ${Buffer.from('kubetcd-incident-rotation-key-01').toString('base64')}
      - identity: {}
`;

const INCIDENT_KEYS: Record<'key1' | 'key2', Buffer> = {
  key1: Buffer.from('kubetcd-incident-rotation-key-01'),
  key2: Buffer.from('kubetcd-incident-rotation-key-02'),
};

/** Deletes of the stuck namespace and its claim, this long before "now": their age reads 2d5h. */
const STUCK_FOR_MS = (2 * 24 + 5) * 3_600_000 + 30 * 60_000;

const MAX_PODS = 300_000;
const DEFAULT_NOW = new Date(Date.UTC(2026, 0, 1));
const enc = new TextEncoder();

// ---------------------------------------------------------------------------------------------------
// PRNG

const mulberry32 = seededRandom;

function hash32(...parts: Array<number | string>): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    const s = String(p);
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0x2f, 0x01000193);
  }
  return h >>> 0;
}

class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.next() * 16)];
    return s;
  }
  /** Kubernetes' name suffix alphabet (no vowels, no confusables). */
  suffix(n: number): string {
    const a = 'bcdfghjklmnpqrstvwxz2456789';
    let s = '';
    for (let i = 0; i < n; i++) s += a[Math.floor(this.next() * a.length)];
    return s;
  }
  uid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.next() * 256);
    return b;
  }
}

// ---------------------------------------------------------------------------------------------------
// Vocabulary

const APP_NAMES = [
  'web',
  'api',
  'worker',
  'cache',
  'frontend',
  'auth',
  'billing',
  'search',
  'queue',
  'gateway',
  'metrics',
  'cart',
];
const IMAGES = [
  'nginx:1.27.3',
  'redis:7.4.1',
  'postgres:16.6',
  'busybox:1.37',
  'registry.k8s.io/pause:3.10',
  'ghcr.io/acme/api:v2.14.0',
  'python:3.12-slim',
  'node:20.18-alpine',
  'quay.io/prometheus/node-exporter:v1.8.2',
];
const CPU_REQUESTS = ['50m', '100m', '250m', '500m', '1'];
const MEM_REQUESTS = ['64Mi', '128Mi', '256Mi', '512Mi', '1Gi'];
const NS_WORDS = ['team', 'shop', 'data', 'ml', 'payments', 'platform', 'edge', 'ops'];

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function ipv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function base64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

// ---------------------------------------------------------------------------------------------------
// Layout (pure arithmetic, so every phase can recompute names without keeping objects)

interface Layout {
  appNamespaces: string[];
  /** Pods per app namespace. */
  podsPerNamespace: number[];
  nodes: string[];
  systemPods: number;
  /** Pods of the `hello` / `goodbye` teaching deployments in `default` (3, or 0 in clusters under 10 pods). */
  demoPods: number;
}

function positiveIntOption(name: string, v: number | undefined, fallback: number, max: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new InvalidArgumentError(
      `Invalid ${name} for generateCluster: ${String(v)}. Pass an integer from 0 to ${max}.`,
      { [name]: v },
    );
  }
  return v;
}

function resolveOptions(options: ClusterGeneratorOptions): Required<ClusterGeneratorOptions> {
  const pods = positiveIntOption('pods', options.pods, 50, MAX_PODS);
  const namespaces = positiveIntOption(
    'namespaces',
    options.namespaces,
    Math.min(500, Math.max(1, Math.round(Math.sqrt(pods) / 2))),
    10_000,
  );
  const nodes = positiveIntOption('nodes', options.nodes, Math.min(5000, Math.max(3, Math.ceil(pods / 100))), 10_000);
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) {
    throw new InvalidArgumentError(`Invalid seed for generateCluster: ${String(seed)}. Pass an integer.`, { seed });
  }
  const now = options.now ?? DEFAULT_NOW;
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new InvalidArgumentError(`Invalid now for generateCluster: ${String(now)}. Pass a valid Date.`, {});
  }
  const incidents = options.incidents === true;
  if (incidents && pods < 30) {
    throw new InvalidArgumentError(
      `Invalid pods for generateCluster with incidents: ${pods}. Pass at least 30 (the incidents need two deployments of their own).`,
      { pods },
    );
  }
  return {
    seed,
    pods,
    namespaces: Math.max(1, namespaces),
    nodes: Math.max(1, nodes),
    prefix: options.prefix ?? DEFAULT_ETCD_PREFIX,
    now,
    incidents,
  };
}

function makeLayout(o: Required<ClusterGeneratorOptions>): Layout {
  const systemPods = Math.min(2, o.pods);
  const demoPods = o.pods >= 10 ? 3 : 0;
  const appPods = o.pods - systemPods - demoPods;
  const rng = new Rng(hash32(o.seed, 'layout'));
  const appNamespaces: string[] = [];
  for (let i = 0; i < o.namespaces; i++) appNamespaces.push(`${rng.pick(NS_WORDS)}-${i + 1}`);
  const podsPerNamespace: number[] = [];
  for (let i = 0; i < o.namespaces; i++) {
    podsPerNamespace.push(Math.floor((appPods * (i + 1)) / o.namespaces) - Math.floor((appPods * i) / o.namespaces));
  }
  const nodes: string[] = [];
  for (let i = 0; i < o.nodes; i++) nodes.push(i < 1 ? 'control-plane-1' : `node-${i}`);
  return { appNamespaces, podsPerNamespace, nodes, systemPods, demoPods };
}

/** One Deployment of an app namespace, as arithmetic from the seed. */
interface DeploymentPlan {
  namespace: string;
  name: string;
  app: string;
  replicas: number;
  /** Index of the deployment across the cluster. */
  index: number;
  /** Index within its namespace. */
  local: number;
  seed: number;
  /** Labels of the Deployment, its pods and the Service selector (default: `{ app: name }`). */
  labels?: Record<string, string>;
}

function* deploymentPlans(o: Required<ClusterGeneratorOptions>, layout: Layout): Generator<DeploymentPlan> {
  let index = 0;
  for (let n = 0; n < layout.appNamespaces.length; n++) {
    const namespace = layout.appNamespaces[n] as string;
    let left = layout.podsPerNamespace[n] as number;
    const rng = new Rng(hash32(o.seed, 'deployments', namespace));
    let local = 0;
    while (left > 0) {
      const replicas = Math.min(left, rng.int(1, 6));
      left -= replicas;
      index++;
      yield {
        namespace,
        name: `${rng.pick(APP_NAMES)}-${index}`,
        app: '',
        replicas,
        index,
        local: local++,
        seed: hash32(o.seed, 'deployment', index),
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Object builders

interface Ctx {
  o: Required<ClusterGeneratorOptions>;
  layout: Layout;
  nowMs: number;
  clusterCreatedMs: number;
}

function meta(
  name: string,
  namespace: string | undefined,
  uid: string,
  createdMs: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const m: Record<string, unknown> = { name };
  if (namespace !== undefined) m['namespace'] = namespace;
  m['uid'] = uid;
  Object.assign(m, extra);
  m['creationTimestamp'] = rfc3339(createdMs);
  return m;
}

function ownerRef(apiVersion: string, kind: string, name: string, uid: string): Record<string, unknown> {
  return { apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true };
}

function namespaceObject(ctx: Ctx, name: string, rng: Rng): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: meta(name, undefined, rng.uid(), ctx.clusterCreatedMs, {
      labels: { 'kubernetes.io/metadata.name': name },
    }),
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

function nodeObject(ctx: Ctx, name: string, index: number, rng: Rng): KubeObject {
  const controlPlane = index === 0;
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'topology.kubernetes.io/zone': `eu-west-1${'abc'[index % 3]}`,
  };
  if (controlPlane) labels['node-role.kubernetes.io/control-plane'] = '';
  const cpu = rng.pick(['4', '8', '16', '32']);
  const memGi = rng.pick([16, 32, 64, 128]);
  const heartbeat = rfc3339(ctx.nowMs - rng.int(1, 40) * 1000);
  const created = ctx.clusterCreatedMs + index * 60_000;
  const cond = (type: string, status: string, reason: string, message: string): Record<string, unknown> => ({
    type,
    status,
    lastHeartbeatTime: heartbeat,
    lastTransitionTime: rfc3339(created + 30_000),
    reason,
    message,
  });
  const spec: Record<string, unknown> = { podCIDR: `10.244.${index}.0/24`, podCIDRs: [`10.244.${index}.0/24`] };
  if (controlPlane) spec['taints'] = [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }];
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta(name, undefined, rng.uid(), created, {
      labels,
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    }),
    spec,
    status: {
      capacity: { cpu, 'ephemeral-storage': '102350Mi', memory: `${memGi}Gi`, pods: '110' },
      allocatable: { cpu, 'ephemeral-storage': '94327014004', memory: `${memGi * 1024 - 512}Mi`, pods: '110' },
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: ipv4(0x0a000000 + 0x10000 + index + 10) },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: rng.hex(32),
        systemUUID: rng.uid(),
        bootID: rng.uid(),
        kernelVersion: '6.1.0-28-cloud-amd64',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        containerRuntimeVersion: 'containerd://1.7.24',
        kubeletVersion: 'v1.32.0',
        kubeProxyVersion: 'v1.32.0',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

/** A node's Lease, owned by the Node (its uid, as the kubelet sets it). */
function nodeLeaseObject(ctx: Ctx, node: string, nodeUid: string, index: number, rng: Rng): KubeObject {
  const uid = rng.uid();
  rng.uid(); // the draw an owner uid once took: the rest of the data stays as it was
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: meta(node, 'kube-node-lease', uid, ctx.clusterCreatedMs + index * 60_000, {
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node, uid: nodeUid }],
    }),
    spec: { holderIdentity: node, leaseDurationSeconds: 40, renewTime: microTime(ctx.nowMs - rng.int(0, 9_999)) },
  };
}

interface Workload {
  plan: DeploymentPlan;
  deployment: KubeObject;
  replicaSet: KubeObject;
  hash: string;
  labels: Record<string, string>;
  podTemplateSpec: Record<string, unknown>;
  deploymentUid: string;
  replicaSetUid: string;
  createdMs: number;
  containers: Array<Record<string, unknown>>;
}

function containerSpecs(rng: Rng, app: string, workloadName: string): Array<Record<string, unknown>> {
  const n = rng.chance(0.2) ? 2 : 1;
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i++) {
    const c: Record<string, unknown> = {
      name: i === 0 ? app : 'sidecar',
      image: i === 0 ? rng.pick(IMAGES) : 'busybox:1.37',
    };
    if (i === 0) c['ports'] = [{ name: 'http', containerPort: 8080, protocol: 'TCP' }];
    const r = rng.next();
    if (r < 0.25) c['resources'] = {};
    else if (r < 0.6) c['resources'] = { requests: { cpu: rng.pick(CPU_REQUESTS), memory: rng.pick(MEM_REQUESTS) } };
    else {
      const mem = rng.pick(MEM_REQUESTS);
      c['resources'] = { limits: { cpu: '1', memory: mem }, requests: { cpu: rng.pick(CPU_REQUESTS), memory: mem } };
    }
    if (i === 0) {
      const env = envFor(app, workloadName);
      if (env.length > 0) c['env'] = env;
    }
    c['terminationMessagePath'] = '/dev/termination-log';
    c['terminationMessagePolicy'] = 'File';
    c['imagePullPolicy'] = 'IfNotPresent';
    out.push(c);
  }
  return out;
}

/**
 * Environment variables, so stored sizes spread as in real clusters: most apps set a few, one in eight
 * carries a long configuration (30 variables), one in forty embeds a large blob. Drawn from the workload's
 * name alone (its own stream), so the rest of the generated data is unchanged by it.
 */
function envFor(app: string, workloadName: string): Array<Record<string, unknown>> {
  const rng = new Rng(hash32(0x656e76, workloadName));
  const bucket = rng.int(0, 39);
  const count = bucket === 0 ? 4 : bucket % 8 === 1 ? 30 : rng.int(0, 3);
  const env: Array<Record<string, unknown>> = [];
  for (let i = 0; i < count; i++) {
    const long = count === 30 ? `${rng.hex(24)}-${'x'.repeat(rng.int(20, 90))}` : rng.hex(8);
    env.push({ name: `${app.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_SETTING_${i}`, value: long });
  }
  if (bucket === 0)
    env.push({
      name: 'EMBEDDED_CONFIG',
      value: Array.from({ length: 120 }, (_, i) => `key${i}=${rng.hex(24)}`).join(';'),
    });
  return env;
}

function podSpecCommon(containers: Array<Record<string, unknown>>): Record<string, unknown> {
  return {
    containers,
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    serviceAccountName: 'default',
    serviceAccount: 'default',
    securityContext: {},
    schedulerName: 'default-scheduler',
  };
}

function workload(ctx: Ctx, plan: DeploymentPlan, replicas: number, generation: number): Workload {
  const rng = new Rng(plan.seed);
  const app = plan.name;
  const createdMs =
    ctx.clusterCreatedMs + 3_600_000 + rng.int(0, Math.max(1, ctx.nowMs - ctx.clusterCreatedMs - 7_200_000));
  const deploymentUid = rng.uid();
  const replicaSetUid = rng.uid();
  const hash = rng.suffix(10);
  const containers = containerSpecs(rng, plan.name.replace(/-\d+$/, ''), plan.name);
  const labels = plan.labels ?? { app };
  const templateMeta = { labels: { ...labels } };
  const podTemplateSpec = { metadata: templateMeta, spec: podSpecCommon(containers) };
  const strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(plan.name, plan.namespace, deploymentUid, createdMs, {
      generation,
      labels: { ...labels },
      annotations: { 'deployment.kubernetes.io/revision': '1' },
    }),
    spec: {
      replicas,
      selector: { matchLabels: { ...labels } },
      template: podTemplateSpec,
      strategy,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {
      observedGeneration: generation,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      conditions: [
        {
          type: 'Available',
          status: 'True',
          lastUpdateTime: rfc3339(createdMs + 20_000),
          lastTransitionTime: rfc3339(createdMs + 20_000),
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        },
        {
          type: 'Progressing',
          status: 'True',
          lastUpdateTime: rfc3339(createdMs + 20_000),
          lastTransitionTime: rfc3339(createdMs),
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${plan.name}-${hash}" has successfully progressed.`,
        },
      ],
    },
  };
  const rsLabels = { ...labels, 'pod-template-hash': hash };
  const replicaSet: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: meta(`${plan.name}-${hash}`, plan.namespace, replicaSetUid, createdMs, {
      generation,
      labels: rsLabels,
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(replicas),
        'deployment.kubernetes.io/max-replicas': String(replicas + Math.ceil(replicas / 4)),
        'deployment.kubernetes.io/revision': '1',
      },
      ownerReferences: [ownerRef('apps/v1', 'Deployment', plan.name, deploymentUid)],
    }),
    spec: {
      replicas,
      selector: { matchLabels: { ...rsLabels } },
      template: { metadata: { labels: { ...rsLabels } }, spec: podSpecCommon(containers) },
    },
    status: {
      replicas,
      fullyLabeledReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      observedGeneration: generation,
    },
  };
  return {
    plan,
    deployment,
    replicaSet,
    hash,
    labels: rsLabels,
    podTemplateSpec,
    deploymentUid,
    replicaSetUid,
    createdMs,
    containers,
  };
}

interface PodInfo {
  name: string;
  ip: string;
  node: string;
  uid: string;
}

function podObject(ctx: Ctx, w: Workload, i: number, restartsExtra: number): { pod: KubeObject; info: PodInfo } {
  const plan = w.plan;
  const rng = new Rng(hash32(plan.seed, 'pod', i));
  const name = `${plan.name}-${w.hash}-${rng.suffix(5)}`;
  const uid = rng.uid();
  const nodeIndex = rng.int(0, ctx.layout.nodes.length - 1);
  const node = ctx.layout.nodes[nodeIndex] as string;
  const ip = `10.${244 + (nodeIndex >> 8)}.${nodeIndex & 255}.${rng.int(2, 254)}`;
  const createdMs = w.createdMs + rng.int(1, 15) * 1000;
  const startedMs = createdMs + rng.int(2, 30) * 1000;
  const baseRestarts = rng.chance(0.15) ? rng.int(1, 40) : 0;
  const restarts = baseRestarts + restartsExtra;
  const hostIP = ipv4(0x0a000000 + 0x10000 + nodeIndex + 10);
  const containerStatuses = w.containers.map((c, ci) => {
    const s: Record<string, unknown> = {
      name: c['name'],
      state: { running: { startedAt: rfc3339(startedMs + (restarts > 0 ? 600_000 + ci * 1000 : ci * 1000)) } },
      lastState:
        restarts > 0 && ci === 0
          ? {
              terminated: {
                exitCode: 137,
                reason: 'OOMKilled',
                startedAt: rfc3339(startedMs),
                finishedAt: rfc3339(startedMs + 590_000),
                containerID: `containerd://${rng.hex(64)}`,
              },
            }
          : {},
      ready: true,
      restartCount: ci === 0 ? restarts : 0,
      image: c['image'],
      imageID: `docker.io/library/${String(c['image']).split(':')[0]}@sha256:${rng.hex(64)}`,
      containerID: `containerd://${rng.hex(64)}`,
      started: true,
    };
    return s;
  });
  const condition = (type: string, ms: number): Record<string, unknown> => ({
    type,
    status: 'True',
    lastProbeTime: null,
    lastTransitionTime: rfc3339(ms),
  });
  const spec = podSpecCommon(w.containers.map((c) => ({ ...c })));
  spec['nodeName'] = node;
  spec['tolerations'] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ];
  spec['priority'] = 0;
  spec['enableServiceLinks'] = true;
  spec['preemptionPolicy'] = 'PreemptLowerPriority';
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(name, plan.namespace, uid, createdMs, {
      generateName: `${plan.name}-${w.hash}-`,
      labels: { ...w.labels },
      ownerReferences: [ownerRef('apps/v1', 'ReplicaSet', `${plan.name}-${w.hash}`, w.replicaSetUid)],
    }),
    spec,
    status: {
      phase: 'Running',
      conditions: [
        condition('PodReadyToStartContainers', startedMs),
        condition('Initialized', createdMs + 1000),
        condition('Ready', startedMs + 2000),
        condition('ContainersReady', startedMs + 2000),
        condition('PodScheduled', createdMs),
      ],
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: rfc3339(createdMs + 1000),
      containerStatuses,
      qosClass: qosClass(w.containers),
    },
  };
  return { pod, info: { name, ip, node, uid } };
}

function qosClass(containers: ReadonlyArray<Record<string, unknown>>): string {
  let guaranteed = true;
  let any = false;
  for (const c of containers) {
    const r = c['resources'] as { requests?: Record<string, string>; limits?: Record<string, string> } | undefined;
    if (r?.requests || r?.limits) any = true;
    const l = r?.limits;
    const q = r?.requests;
    if (!l || !q || l['cpu'] !== q['cpu'] || l['memory'] !== q['memory']) guaranteed = false;
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function eventObject(
  namespace: string,
  involved: { kind: string; name: string; uid: string; apiVersion: string; fieldPath?: string },
  reason: string,
  message: string,
  component: string,
  type: string,
  atMs: number,
  count: number,
  rng: Rng,
): KubeObject {
  const involvedObject: Record<string, unknown> = {
    kind: involved.kind,
    namespace,
    name: involved.name,
    uid: involved.uid,
    apiVersion: involved.apiVersion,
  };
  if (involved.fieldPath !== undefined) involvedObject['fieldPath'] = involved.fieldPath;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: meta(`${involved.name}.${rng.hex(16)}`, namespace, rng.uid(), atMs),
    involvedObject,
    reason,
    message,
    source: { component },
    firstTimestamp: rfc3339(atMs - (count - 1) * 60_000),
    lastTimestamp: rfc3339(atMs),
    count,
    type,
    eventTime: null,
    reportingComponent: component,
    reportingInstance: '',
  };
}

// ---------------------------------------------------------------------------------------------------
// Operations

interface Emit {
  put(
    resource: string,
    key: string,
    object: KubeObject,
    options?: { lease?: LeaseGroup; update?: boolean; json?: boolean },
  ): ClusterOperation;
}

function jsonValue(object: KubeObject): Uint8Array {
  return enc.encode(`${JSON.stringify(object)}\n`);
}

function makeEmit(): Emit {
  return {
    put: (resource, key, object, options = {}) => {
      const json = options.json === true;
      const op: ClusterOperation = {
        type: 'put',
        key,
        value: json ? jsonValue(object) : encode(object),
        resource,
        encoding: json ? 'json' : 'protobuf',
        object,
        update: options.update === true,
        ...(options.lease !== undefined ? { lease: options.lease } : {}),
      };
      return op;
    },
  };
}

const CRD_GROUP = 'cert-manager.io';
const CRD_PLURAL = 'certificates';

function crdObject(ctx: Ctx, rng: Rng): KubeObject {
  const schema = {
    openAPIV3Schema: {
      type: 'object',
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object' },
        spec: {
          type: 'object',
          required: ['secretName'],
          properties: {
            secretName: { type: 'string' },
            dnsNames: { type: 'array', items: { type: 'string' } },
            issuerRef: { type: 'object', properties: { kind: { type: 'string' }, name: { type: 'string' } } },
            duration: { type: 'string' },
          },
        },
        status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
  };
  return {
    kind: 'CustomResourceDefinition',
    apiVersion: 'apiextensions.k8s.io/v1',
    metadata: {
      name: `${CRD_PLURAL}.${CRD_GROUP}`,
      uid: rng.uid(),
      generation: 1,
      creationTimestamp: rfc3339(ctx.clusterCreatedMs + 600_000),
      labels: { 'app.kubernetes.io/name': 'cert-manager' },
    },
    spec: {
      group: CRD_GROUP,
      names: {
        plural: CRD_PLURAL,
        singular: 'certificate',
        shortNames: ['cert', 'certs'],
        kind: 'Certificate',
        listKind: 'CertificateList',
        categories: ['cert-manager'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
          ],
        },
      ],
      conversion: { strategy: 'None' },
    },
    status: {
      conditions: [
        {
          type: 'NamesAccepted',
          status: 'True',
          lastTransitionTime: rfc3339(ctx.clusterCreatedMs + 600_000),
          reason: 'NoConflicts',
          message: 'no conflicts found',
        },
        {
          type: 'Established',
          status: 'True',
          lastTransitionTime: rfc3339(ctx.clusterCreatedMs + 600_000),
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
        },
      ],
      acceptedNames: {
        plural: CRD_PLURAL,
        singular: 'certificate',
        shortNames: ['cert', 'certs'],
        kind: 'Certificate',
        listKind: 'CertificateList',
        categories: ['cert-manager'],
      },
      storedVersions: ['v1'],
    },
  };
}

/**
 * Seals a value as kube-apiserver's aescbc provider writes it (`k8s:enc:aescbc:v1:NAME:` + IV + AES-CBC
 * with PKCS#7 padding), the IV drawn from the seed so the cluster stays deterministic.
 */
function aescbcSeal(plaintext: Uint8Array, keyName: 'key1' | 'key2', iv: Uint8Array): Uint8Array {
  const c = crypto.createCipheriv('aes-256-cbc', INCIDENT_KEYS[keyName], iv);
  return Uint8Array.from(
    Buffer.concat([Buffer.from(`k8s:enc:aescbc:v1:${keyName}:`), iv, c.update(plaintext), c.final()]),
  );
}

/** Secrets written through it are stored encrypted with key1 (the incident cluster encrypts at rest). */
function encryptingEmit(inner: Emit, seed: number, written: Array<{ key: string; object: KubeObject }>): Emit {
  return {
    put: (resource, key, object, options) => {
      const op = inner.put(resource, key, object, options);
      if (resource !== 'secrets' || op.type !== 'put') return op;
      written.push({ key, object });
      const iv = new Rng(hash32(seed, 'iv', key, 'key1')).bytes(16);
      return {
        type: 'put',
        key,
        value: aescbcSeal(op.value, 'key1', iv),
        resource,
        encoding: 'encrypted',
        update: op.update,
        ...(op.lease !== undefined ? { lease: op.lease } : {}),
      };
    },
  };
}

/** The kube-apiserver's own objects: it creates them at start-up. */
const APISERVER_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

interface Manager {
  manager: string;
  subresource?: string;
  fields: Record<string, unknown>;
}

/** The fields a manager owns, as FieldsV1 names them (`f:spec`, `f:metadata` > `f:labels`, ...): top-level only. */
function ownedFields(object: KubeObject, subresource: string | undefined): Record<string, unknown> {
  if (subresource === 'status') return { 'f:status': {} };
  if (subresource === 'scale') return { 'f:spec': { 'f:replicas': {} } };
  const m = (object['metadata'] ?? {}) as Record<string, unknown>;
  const metaFields = Object.fromEntries(
    ['labels', 'annotations', 'ownerReferences', 'finalizers']
      .filter((f) => m[f] !== undefined)
      .map((f) => [`f:${f}`, {}]),
  );
  const out: Record<string, unknown> = Object.keys(metaFields).length > 0 ? { 'f:metadata': metaFields } : {};
  for (const f of Object.keys(object))
    if (!['apiVersion', 'kind', 'metadata', 'status'].includes(f)) out[`f:${f}`] = {};
  return out;
}

/** Who creates an object of this resource, as a real cluster's managedFields name them. */
function creator(resource: string, object: KubeObject): Manager | undefined {
  const m = (object['metadata'] ?? {}) as { name?: string; namespace?: string; ownerReferences?: unknown[] };
  const by = (manager: string): Manager => ({ manager, fields: ownedFields(object, undefined) });
  if (resource === 'masterleases' || resource === 'ranges' || m.name === undefined) return undefined; // written by the API server's storage, no managedFields
  if (resource === 'events')
    return by(String((object['source'] as { component?: string } | undefined)?.component ?? 'kubelet'));
  if (resource === 'nodes' || (resource === 'leases' && m.namespace === 'kube-node-lease')) return by('kubelet');
  if (
    (resource === 'namespaces' && APISERVER_NAMESPACES.has(m.name)) ||
    resource === 'clusterroles' ||
    (m.namespace === 'default' && m.name === 'kubernetes')
  )
    return by('kube-apiserver');
  if (
    (m.ownerReferences ?? []).length > 0 ||
    resource === 'endpoints' ||
    resource === 'endpointslices' ||
    resource === 'serviceaccounts' ||
    m.name === 'kube-root-ca.crt'
  )
    return by('kube-controller-manager');
  return by('kubectl-client-side-apply');
}

/** Who updates an object of this resource in the changes and the incidents. */
function updater(resource: string, object: KubeObject): Manager {
  const sub = (manager: string, subresource?: string): Manager => ({
    manager,
    ...(subresource !== undefined ? { subresource } : {}),
    fields: ownedFields(object, subresource),
  });
  if (resource === 'pods') return sub('kubelet', 'status'); // a container restarted
  if (resource === 'deployments') return sub('kubectl', 'scale'); // kubectl scale
  if (resource === 'namespaces') return sub('kube-controller-manager', 'status'); // the namespace controller's conditions
  if (resource === 'replicasets' || resource === 'persistentvolumeclaims') return sub('kube-controller-manager');
  return sub('kubectl-client-side-apply');
}

function fieldsEntry(object: KubeObject, m: Manager, atMs: number): Record<string, unknown> {
  return {
    manager: m.manager,
    operation: 'Update',
    apiVersion: String(object['apiVersion'] ?? 'v1'),
    time: rfc3339(atMs),
    fieldsType: 'FieldsV1',
    fieldsV1: m.fields,
    ...(m.subresource !== undefined ? { subresource: m.subresource } : {}),
  };
}

/**
 * The incident cluster's writes carry `metadata.managedFields`, so churn can name who wrote: a creation
 * has its creator's entry at the creation time; an update adds (or moves) the updater's entry to the
 * time of the update (the deletion request for an object being deleted, else a minute before "now").
 */
function managingEmit(inner: Emit, ctx: Ctx): Emit {
  return {
    put: (resource, key, object, options) => {
      const m = (object['metadata'] ?? {}) as Record<string, unknown>;
      const created = typeof m['creationTimestamp'] === 'string' ? Date.parse(m['creationTimestamp']) : NaN;
      const first = creator(resource, object);
      if (first === undefined || Number.isNaN(created)) return inner.put(resource, key, object, options);
      const entries = [fieldsEntry(object, first, created)];
      if (options?.update === true) {
        const next = updater(resource, object);
        const deleting = typeof m['deletionTimestamp'] === 'string' ? Date.parse(m['deletionTimestamp']) : NaN;
        const entry = fieldsEntry(object, next, Number.isNaN(deleting) ? ctx.nowMs - 60_000 : deleting);
        // the same manager, operation and subresource: one entry, its time moved
        if (next.manager === first.manager && next.subresource === undefined) entries[0] = entry;
        else entries.push(entry);
      }
      return inner.put(resource, key, { ...object, metadata: { ...m, managedFields: entries } }, options);
    },
  };
}

/** The two deployments the incidents take: with two pods or more, untouched by the changes phase. */
function incidentPlans(
  o: Required<ClusterGeneratorOptions>,
  layout: Layout,
): { deleted: DeploymentPlan; orphaned: DeploymentPlan } {
  const picked: DeploymentPlan[] = [];
  let dropped = false;
  for (const plan of deploymentPlans(o, layout)) {
    const drop = !dropped && plan.replicas > 1;
    if (drop) dropped = true;
    if (drop || plan.index % 10 === 1 || plan.index % 25 === 3 || plan.replicas < 2) continue;
    picked.push(plan);
    if (picked.length === 2) break;
  }
  if (picked.length < 2) {
    throw new InvalidArgumentError(
      `Cannot generate the incidents with ${o.pods} pods: two deployments of two pods or more are needed. Pass more pods.`,
      { pods: o.pods },
    );
  }
  return { deleted: picked[0] as DeploymentPlan, orphaned: picked[1] as DeploymentPlan };
}

function legacyObjects(ctx: Ctx, deleting: boolean): { namespace: KubeObject; claim: KubeObject } {
  const rng = new Rng(hash32(ctx.o.seed, 'legacy'));
  const nsUid = rng.uid();
  const claimUid = rng.uid();
  const created = ctx.clusterCreatedMs + 86_400_000;
  const deletedAt = rfc3339(ctx.nowMs - STUCK_FOR_MS);
  const namespace: KubeObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: meta('legacy', undefined, nsUid, created, {
      labels: { 'kubernetes.io/metadata.name': 'legacy' },
      ...(deleting ? { deletionTimestamp: deletedAt } : {}),
    }),
    spec: { finalizers: ['kubernetes'] },
    status: deleting
      ? {
          phase: 'Terminating',
          conditions: [
            {
              type: 'NamespaceContentRemaining',
              status: 'True',
              lastTransitionTime: deletedAt,
              reason: 'SomeResourcesRemain',
              message: 'Some resources are remaining: persistentvolumeclaims. has 1 resource instances',
            },
            {
              type: 'NamespaceFinalizersRemaining',
              status: 'True',
              lastTransitionTime: deletedAt,
              reason: 'SomeFinalizersRemain',
              message:
                'Some content in the namespace has finalizers remaining: kubernetes.io/pvc-protection in 1 resource instances',
            },
          ],
        }
      : { phase: 'Active' },
  };
  const claim: KubeObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta('data-legacy-db-0', 'legacy', claimUid, created + 60_000, {
      labels: { app: 'legacy-db' },
      annotations: {
        'pv.kubernetes.io/bind-completed': 'yes',
        'pv.kubernetes.io/bound-by-controller': 'yes',
        'volume.kubernetes.io/storage-provisioner': 'ebs.csi.aws.com',
      },
      ...(deleting
        ? { deletionTimestamp: rfc3339(ctx.nowMs - STUCK_FOR_MS + 2000), deletionGracePeriodSeconds: 0 }
        : {}),
      finalizers: ['kubernetes.io/pvc-protection'],
    }),
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '10Gi' } },
      volumeName: `pvc-${claimUid}`,
      storageClassName: 'gp3',
      volumeMode: 'Filesystem',
    },
    status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' } },
  };
  return { namespace, claim };
}

function* incidentOps(
  ctx: Ctx,
  emit: Emit,
  secrets: ReadonlyArray<{ key: string; object: KubeObject }>,
): Generator<ClusterOperation> {
  const { o, layout } = ctx;
  const k = (resource: string, name: string, namespace?: string): string => keyFor(resource, name, namespace, o.prefix);
  // A key rotation half done: key2 became the write key and every other Secret was rewritten with it.
  for (let i = 0; i < secrets.length; i += 2) {
    const s = secrets[i] as { key: string; object: KubeObject };
    const iv = new Rng(hash32(o.seed, 'iv', s.key, 'key2')).bytes(16);
    yield {
      type: 'put',
      key: s.key,
      value: aescbcSeal(encode(s.object), 'key2', iv),
      resource: 'secrets',
      encoding: 'encrypted',
      update: true,
    };
  }
  const { deleted, orphaned } = incidentPlans(o, layout);
  // kubectl delete deployment (background cascade): the Deployment goes, then the garbage collector
  // deletes its ReplicaSet, then the pods.
  const d = workload(ctx, deleted, deleted.replicas, 1);
  yield { type: 'delete', key: k('deployments', deleted.name, deleted.namespace), resource: 'deployments' };
  yield {
    type: 'delete',
    key: k('replicasets', `${deleted.name}-${d.hash}`, deleted.namespace),
    resource: 'replicasets',
  };
  for (let i = 0; i < deleted.replicas; i++)
    yield { type: 'delete', key: k('pods', podObject(ctx, d, i, 0).info.name, deleted.namespace), resource: 'pods' };
  // etcdctl del of a Deployment's key: no API server, no garbage collector; its ReplicaSet stays, orphaned.
  yield { type: 'delete', key: k('deployments', orphaned.name, orphaned.namespace), resource: 'deployments' };
  // Namespace legacy deleted; its claim keeps the pvc-protection finalizer, so both wait forever.
  const legacy = legacyObjects(ctx, true);
  yield emit.put('persistentvolumeclaims', k('persistentvolumeclaims', 'data-legacy-db-0', 'legacy'), legacy.claim, {
    update: true,
  });
  yield emit.put('namespaces', k('namespaces', 'legacy'), legacy.namespace, { update: true });
}

function* generate(ctx: Ctx): Generator<ClusterOperation> {
  const { o, layout } = ctx;
  const p = o.prefix;
  const secrets: Array<{ key: string; object: KubeObject }> = [];
  // the plain cluster's writes stay as they were: no managedFields (its bytes are pinned by tests and goldens)
  const emit = o.incidents ? managingEmit(encryptingEmit(makeEmit(), o.seed, secrets), ctx) : makeEmit();
  const rng = new Rng(hash32(o.seed, 'cluster'));
  const k = (resource: string, name: string, namespace?: string): string => keyFor(resource, name, namespace, p);

  // Cluster-level objects.
  const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
  for (const ns of [...systemNamespaces, ...layout.appNamespaces]) {
    yield emit.put('namespaces', k('namespaces', ns), namespaceObject(ctx, ns, rng));
  }
  for (let i = 0; i < layout.nodes.length; i++) {
    const name = layout.nodes[i] as string;
    const nrng = new Rng(hash32(o.seed, 'node', i));
    const node = nodeObject(ctx, name, i, nrng);
    yield emit.put('nodes', k('nodes', name), node);
    yield emit.put(
      'leases',
      k('leases', name, 'kube-node-lease'),
      nodeLeaseObject(ctx, name, String((node['metadata'] as { uid: string }).uid), i, nrng),
    );
  }
  const apiServerIp = ipv4(0x0a010000 + 10);
  yield emit.put(
    'masterleases',
    `${p}/masterleases/${apiServerIp}`,
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: apiServerIp },
      subsets: [{ addresses: [{ ip: apiServerIp }] }],
    },
    { lease: 'masterleases' },
  );
  const bitmap = new Uint8Array(8 + Math.min(4096, Math.ceil((o.pods / 3 + 16) / 8)));
  for (let i = 0; i < bitmap.length; i++) bitmap[i] = rng.next() < 0.9 ? 0xff : rng.int(0, 255);
  yield emit.put('ranges', `${p}/ranges/serviceips`, {
    apiVersion: 'v1',
    kind: 'RangeAllocation',
    metadata: { creationTimestamp: rfc3339(ctx.clusterCreatedMs) },
    range: '10.96.0.0/12',
    data: base64(bitmap),
  });
  // The API server's own service and endpoints.
  yield emit.put('services', k('services', 'kubernetes', 'default'), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('kubernetes', 'default', rng.uid(), ctx.clusterCreatedMs, {
      labels: { component: 'apiserver', provider: 'kubernetes' },
    }),
    spec: {
      ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 6443 }],
      clusterIP: '10.96.0.1',
      clusterIPs: ['10.96.0.1'],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
    },
    status: { loadBalancer: {} },
  });
  yield emit.put('endpoints', k('endpoints', 'kubernetes', 'default'), {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: meta('kubernetes', 'default', rng.uid(), ctx.clusterCreatedMs, {
      labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
    }),
    subsets: [{ addresses: [{ ip: apiServerIp }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
  });
  // RBAC cluster-wide.
  yield emit.put('clusterroles', k('clusterroles', 'view'), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: meta('view', undefined, rng.uid(), ctx.clusterCreatedMs, {
      labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
    }),
    rules: [
      { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'services', 'configmaps', 'endpoints'] },
    ],
  });
  // CRD, APIService (JSON).
  const crd = crdObject(ctx, rng);
  yield emit.put(
    'customresourcedefinitions',
    `${p}/apiextensions.k8s.io/customresourcedefinitions/${CRD_PLURAL}.${CRD_GROUP}`,
    crd,
    { json: true },
  );
  const apiService: KubeObject = {
    kind: 'APIService',
    apiVersion: 'apiregistration.k8s.io/v1',
    metadata: {
      name: 'v1beta1.metrics.k8s.io',
      uid: rng.uid(),
      creationTimestamp: rfc3339(ctx.clusterCreatedMs + 300_000),
      labels: { 'k8s-app': 'metrics-server' },
    },
    spec: {
      service: { namespace: 'kube-system', name: 'metrics-server', port: 443 },
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      insecureSkipTLSVerify: true,
      groupPriorityMinimum: 100,
      versionPriority: 100,
    },
    status: {
      conditions: [
        {
          type: 'Available',
          status: 'True',
          lastTransitionTime: rfc3339(ctx.clusterCreatedMs + 330_000),
          reason: 'Passed',
          message: 'all checks passed',
        },
      ],
    },
  };
  yield emit.put('apiservices', `${p}/apiregistration.k8s.io/apiservices/v1beta1.metrics.k8s.io`, apiService, {
    json: true,
  });
  // An encrypted secret (aescbc: 16-byte IV + ciphertext blocks).
  const secretRng = new Rng(hash32(o.seed, 'encrypted'));
  const ciphertext = secretRng.bytes(16 + 16 * 12);
  const encPrefix = enc.encode('k8s:enc:aescbc:v1:key1:');
  const encValue = new Uint8Array(encPrefix.length + ciphertext.length);
  encValue.set(encPrefix, 0);
  encValue.set(ciphertext, encPrefix.length);
  if (o.incidents) {
    yield emit.put('secrets', k('secrets', 'bootstrap-token-abcdef', 'kube-system'), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('bootstrap-token-abcdef', 'kube-system', secretRng.uid(), ctx.clusterCreatedMs),
      data: { 'token-id': base64(enc.encode('abcdef')), 'token-secret': base64(enc.encode(secretRng.hex(16))) },
      type: 'bootstrap.kubernetes.io/token',
    });
  } else {
    yield {
      type: 'put',
      key: k('secrets', 'bootstrap-token-abcdef', 'kube-system'),
      value: encValue,
      resource: 'secrets',
      encoding: 'encrypted',
      update: false,
    };
  }

  // Per namespace basics: serviceaccount, root CA configmap, role, rolebinding.
  for (const ns of [...systemNamespaces, ...layout.appNamespaces]) {
    const nrng = new Rng(hash32(o.seed, 'ns', ns));
    const created = ctx.clusterCreatedMs + 1000;
    yield emit.put('serviceaccounts', k('serviceaccounts', 'default', ns), {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta('default', ns, nrng.uid(), created),
    });
    yield emit.put('configmaps', k('configmaps', 'kube-root-ca.crt', ns), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('kube-root-ca.crt', ns, nrng.uid(), created, {
        annotations: {
          'kubernetes.io/description':
            'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
        },
      }),
      data: { 'ca.crt': `-----BEGIN CERTIFICATE-----\n${base64(nrng.bytes(96))}\n-----END CERTIFICATE-----\n` },
    });
    if (layout.appNamespaces.includes(ns)) {
      yield emit.put('roles', k('roles', 'developer', ns), {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: meta('developer', ns, nrng.uid(), created),
        rules: [
          { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'pods/log', 'services'] },
          { verbs: ['get', 'list', 'watch', 'update', 'patch'], apiGroups: ['apps'], resources: ['deployments'] },
        ],
      });
      yield emit.put('rolebindings', k('rolebindings', 'developer', ns), {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: meta('developer', ns, nrng.uid(), created),
        subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: `${ns}-developers` }],
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'developer' },
      });
      yield emit.put(
        `${CRD_PLURAL}.${CRD_GROUP}`,
        `${p}/${CRD_GROUP}/${CRD_PLURAL}/${ns}/${ns}-tls`,
        {
          apiVersion: `${CRD_GROUP}/v1`,
          kind: 'Certificate',
          metadata: {
            name: `${ns}-tls`,
            namespace: ns,
            uid: nrng.uid(),
            generation: 1,
            creationTimestamp: rfc3339(created + 60_000),
          },
          spec: {
            secretName: `${ns}-tls`,
            dnsNames: [`${ns}.example.com`],
            issuerRef: { kind: 'ClusterIssuer', name: 'letsencrypt' },
            duration: '2160h0m0s',
          },
          status: {
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                reason: 'Ready',
                message: 'Certificate is up to date and has not expired',
              },
            ],
          },
        },
        { json: true },
      );
    }
  }

  // kube-system: coredns with its pods (the system pods).
  const corednsPlan: DeploymentPlan = {
    namespace: 'kube-system',
    name: 'coredns',
    app: 'coredns',
    replicas: layout.systemPods,
    index: 0,
    local: 0,
    seed: hash32(o.seed, 'coredns'),
  };
  if (layout.systemPods > 0) yield* workloadOps(ctx, emit, corednsPlan, corednsPlan.replicas, 1, false);

  // default: the teaching pair of the README and notebook 01 — `kubectl get deployments -n default
  // -l hello=hello` keeps "hello" and drops "goodbye".
  if (layout.demoPods > 0) {
    const hello: DeploymentPlan = {
      namespace: 'default',
      name: 'hello',
      app: 'hello',
      labels: { hello: 'hello' },
      replicas: 2,
      index: 999_998,
      local: 0,
      seed: hash32(o.seed, 'hello'),
    };
    const goodbye: DeploymentPlan = {
      namespace: 'default',
      name: 'goodbye',
      app: 'goodbye',
      replicas: 1,
      index: 999_999,
      local: 1,
      seed: hash32(o.seed, 'goodbye'),
    };
    yield* workloadOps(ctx, emit, hello, hello.replicas, 1, false);
    yield* workloadOps(ctx, emit, goodbye, goodbye.replicas, 1, false);
  }

  // App workloads.
  for (const plan of deploymentPlans(o, layout)) yield* workloadOps(ctx, emit, plan, plan.replicas, 1, false);

  // The incident cluster's namespace legacy and its claim, alive for now.
  if (o.incidents) {
    const legacy = legacyObjects(ctx, false);
    yield emit.put('namespaces', k('namespaces', 'legacy'), legacy.namespace);
    yield emit.put('persistentvolumeclaims', k('persistentvolumeclaims', 'data-legacy-db-0', 'legacy'), legacy.claim);
  }

  // kube-apiserver's compactor key, written when the cluster is built and before anything changes: a
  // compaction at its revision (generate-cluster --compact) keeps the history of every change below.
  yield {
    type: 'put',
    key: 'compact_rev_key',
    value: enc.encode('1'),
    resource: 'compact_rev_key',
    encoding: 'raw',
    update: false,
  };

  // Changes: every 10th deployment restarts a pod; every 25th scales up by one; the first deployment
  // with more than one pod loses a pod (deleted, with a Killing event).
  let deletedOne = false;
  for (const plan of deploymentPlans(o, layout)) {
    const restart = plan.index % 10 === 1;
    const scale = plan.index % 25 === 3;
    const drop = !deletedOne && plan.replicas > 1;
    if (!restart && !scale && !drop) continue;
    const w = workload(ctx, plan, plan.replicas, 1);
    if (restart) {
      const { pod, info } = podObject(ctx, w, 0, 1);
      yield emit.put('pods', k('pods', info.name, plan.namespace), pod, { update: true });
      const erng = new Rng(hash32(plan.seed, 'restart-event'));
      yield emit.put(
        'events',
        '',
        eventObject(
          plan.namespace,
          {
            kind: 'Pod',
            name: info.name,
            uid: info.uid,
            apiVersion: 'v1',
            fieldPath: `spec.containers{${String(w.containers[0]?.['name'])}}`,
          },
          'BackOff',
          'Back-off restarting failed container',
          'kubelet',
          'Warning',
          ctx.nowMs - 30_000,
          3,
          erng,
        ),
        { lease: 'events' },
      );
    }
    if (scale) {
      const scaled = workload(ctx, plan, plan.replicas + 1, 2);
      yield emit.put('deployments', k('deployments', plan.name, plan.namespace), scaled.deployment, { update: true });
      yield emit.put(
        'replicasets',
        k('replicasets', String((scaled.replicaSet['metadata'] as { name: string }).name), plan.namespace),
        scaled.replicaSet,
        { update: true },
      );
      const { pod, info } = podObject(ctx, scaled, plan.replicas, 0);
      yield emit.put('pods', k('pods', info.name, plan.namespace), pod);
    }
    if (drop) {
      deletedOne = true;
      const { info } = podObject(ctx, w, plan.replicas - 1, 0);
      yield { type: 'delete', key: k('pods', info.name, plan.namespace), resource: 'pods' };
    }
  }
  if (o.incidents) yield* incidentOps(ctx, emit, secrets);
}

/** Event keys are filled in here (the event's name is only known once the object is built). */
function fixEventKey(op: ClusterOperation, prefix: string): ClusterOperation {
  if (op.type !== 'put' || op.resource !== 'events' || op.key !== '' || op.object === undefined) return op;
  const m = op.object['metadata'] as { name: string; namespace: string };
  return { ...op, key: keyFor('events', m.name, m.namespace, prefix) };
}

function* workloadOps(
  ctx: Ctx,
  emit: Emit,
  plan: DeploymentPlan,
  replicas: number,
  generation: number,
  update: boolean,
): Generator<ClusterOperation> {
  const p = ctx.o.prefix;
  const k = (resource: string, name: string, namespace?: string): string => keyFor(resource, name, namespace, p);
  const w = workload(ctx, plan, replicas, generation);
  const rng = new Rng(hash32(plan.seed, 'extras'));
  const ns = plan.namespace;
  yield emit.put('deployments', k('deployments', plan.name, ns), w.deployment, { update });
  yield emit.put('replicasets', k('replicasets', `${plan.name}-${w.hash}`, ns), w.replicaSet, { update });
  yield emit.put(
    'events',
    '',
    eventObject(
      ns,
      { kind: 'Deployment', name: plan.name, uid: w.deploymentUid, apiVersion: 'apps/v1' },
      'ScalingReplicaSet',
      `Scaled up replica set ${plan.name}-${w.hash} to ${replicas}`,
      'deployment-controller',
      'Normal',
      w.createdMs,
      1,
      rng,
    ),
    { lease: 'events' },
  );
  const pods: PodInfo[] = [];
  for (let i = 0; i < replicas; i++) {
    const { pod, info } = podObject(ctx, w, i, 0);
    pods.push(info);
    yield emit.put('pods', k('pods', info.name, ns), pod, { update });
    const created = Date.parse(String((pod['metadata'] as { creationTimestamp: string }).creationTimestamp));
    yield emit.put(
      'events',
      '',
      eventObject(
        ns,
        { kind: 'Pod', name: info.name, uid: info.uid, apiVersion: 'v1' },
        'Scheduled',
        `Successfully assigned ${ns}/${info.name} to ${info.node}`,
        'default-scheduler',
        'Normal',
        created,
        1,
        rng,
      ),
      { lease: 'events' },
    );
  }
  // Service + Endpoints + EndpointSlice for most apps.
  if (plan.name === 'coredns' || rng.chance(0.7)) {
    const svcName = plan.name === 'coredns' ? 'kube-dns' : plan.name;
    const clusterIp = ipv4(0x0a600000 + 10 + (plan.index % 1_000_000));
    const selector = plan.name === 'coredns' ? { app: 'coredns' } : { ...(plan.labels ?? { app: plan.name }) };
    const port = plan.name === 'coredns' ? 53 : 80;
    const created = w.createdMs;
    const svcUid = rng.uid();
    yield emit.put('services', k('services', svcName, ns), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(svcName, ns, svcUid, created, { labels: { ...(plan.labels ?? { app: plan.name }) } }),
      spec: {
        ports: [{ name: port === 53 ? 'dns' : 'http', protocol: 'TCP', port, targetPort: 8080 }],
        selector,
        clusterIP: clusterIp,
        clusterIPs: [clusterIp],
        type: 'ClusterIP',
        sessionAffinity: 'None',
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        internalTrafficPolicy: 'Cluster',
      },
      status: { loadBalancer: {} },
    });
    const addresses = pods.map((pi) => ({
      ip: pi.ip,
      nodeName: pi.node,
      targetRef: { kind: 'Pod', namespace: ns, name: pi.name, uid: pi.uid },
    }));
    yield emit.put('endpoints', k('endpoints', svcName, ns), {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: meta(svcName, ns, rng.uid(), created + 5000, {
        labels: { app: plan.name },
        annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': rfc3339(created + 5000) },
      }),
      subsets: addresses.length > 0 ? [{ addresses, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }] : [],
    });
    const sliceName = `${svcName}-${rng.suffix(5)}`;
    yield emit.put('endpointslices', k('endpointslices', sliceName, ns), {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: meta(sliceName, ns, rng.uid(), created + 5000, {
        generateName: `${svcName}-`,
        generation: 1,
        labels: {
          app: plan.name,
          'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
          'kubernetes.io/service-name': svcName,
        },
        ownerReferences: [ownerRef('v1', 'Service', svcName, svcUid)],
      }),
      addressType: 'IPv4',
      endpoints: pods.map((pi) => ({
        addresses: [pi.ip],
        conditions: { ready: true, serving: true, terminating: false },
        targetRef: { kind: 'Pod', namespace: ns, name: pi.name, uid: pi.uid },
        nodeName: pi.node,
      })),
      ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
    });
  }
  // Config and secret for most apps.
  if (rng.chance(0.6)) {
    yield emit.put('configmaps', k('configmaps', `${plan.name}-config`, ns), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(`${plan.name}-config`, ns, rng.uid(), w.createdMs - 10_000, { labels: { app: plan.name } }),
      data: {
        LOG_LEVEL: rng.pick(['info', 'debug', 'warn']),
        'app.yaml': `listen: :8080\nworkers: ${rng.int(1, 16)}\n`,
      },
    });
  }
  if (rng.chance(0.4)) {
    yield emit.put('secrets', k('secrets', `${plan.name}-credentials`, ns), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(`${plan.name}-credentials`, ns, rng.uid(), w.createdMs - 10_000, { labels: { app: plan.name } }),
      data: { username: base64(enc.encode(`svc-${plan.name}`)), password: base64(rng.bytes(18)) },
      type: 'Opaque',
    });
  }
}

/**
 * Generates a realistic cluster as etcd operations (lazily; deterministic for a seed).
 * @example
 * const cluster = generateCluster({ seed: 7, pods: 50, now: new Date('2026-01-01T00:00:00Z') });
 * for (const op of cluster.operations()) if (op.type === 'put') console.log(op.key, op.value.length);
 */
export function generateCluster(options: ClusterGeneratorOptions = {}): GeneratedCluster {
  const o = resolveOptions(options);
  const layout = makeLayout(o);
  const nowMs = o.now.getTime();
  const ctx: Ctx = { o, layout, nowMs, clusterCreatedMs: nowMs - 30 * 86_400_000 };
  const operations = function* (): Generator<ClusterOperation> {
    for (const op of generate(ctx)) yield fixEventKey(op, o.prefix);
  };
  return {
    options: o,
    operations,
    summary: () => summarizeOperations(operations()),
    incidents: () => (o.incidents ? describeIncidents(ctx, operations()) : undefined),
  };
}

/** What the incidents touched, from the plans and the operations (which key encrypts each Secret last). */
function describeIncidents(ctx: Ctx, ops: Iterable<ClusterOperation>): ClusterIncidents {
  const { deleted, orphaned } = incidentPlans(ctx.o, ctx.layout);
  const d = workload(ctx, deleted, deleted.replicas, 1);
  const w = workload(ctx, orphaned, orphaned.replicas, 1);
  const lastKey = new Map<string, string>();
  for (const op of ops) {
    if (op.type !== 'put' || op.resource !== 'secrets' || op.encoding !== 'encrypted') continue;
    lastKey.set(op.key, Buffer.from(op.value.subarray(0, 32)).toString('latin1').split(':')[4] ?? '');
  }
  const rotation = { key1: [] as string[], key2: [] as string[] };
  for (const [key, name] of [...lastKey].sort(([a], [b]) => (a < b ? -1 : 1)))
    if (name === 'key1' || name === 'key2') rotation[name].push(key);
  const legacy = legacyObjects(ctx, true);
  const stuckOf = (resource: string, object: KubeObject, finalizers: string[]): ClusterIncidents['stuck'][number] => {
    const m = object['metadata'] as { name: string; namespace?: string; deletionTimestamp: string };
    return {
      resource,
      kind: String(object['kind']),
      ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
      name: m.name,
      finalizers,
      deletionTimestamp: m.deletionTimestamp,
    };
  };
  return {
    deletedDeployment: {
      namespace: deleted.namespace,
      name: deleted.name,
      uid: d.deploymentUid,
      replicaSet: `${deleted.name}-${d.hash}`,
      pods: Array.from({ length: deleted.replicas }, (_, i) => podObject(ctx, d, i, 0).info.name),
    },
    orphanedReplicaSet: {
      namespace: orphaned.namespace,
      name: `${orphaned.name}-${w.hash}`,
      deployment: orphaned.name,
      deploymentUid: w.deploymentUid,
      pods: Array.from({ length: orphaned.replicas }, (_, i) => podObject(ctx, w, i, 0).info.name),
    },
    rotation,
    stuck: [
      stuckOf('namespaces', legacy.namespace, ['kubernetes']),
      stuckOf('persistentvolumeclaims', legacy.claim, ['kubernetes.io/pvc-protection']),
    ],
  };
}

/**
 * Counts a list of cluster operations: puts, updates, deletes, value bytes and the keys left per resource.
 * @example
 * summarizeOperations(generateCluster().operations()).keysByResource.pods // 50
 */
export function summarizeOperations(ops: Iterable<ClusterOperation>): ClusterSummary {
  const s: ClusterSummary = {
    operations: 0,
    puts: 0,
    updates: 0,
    deletes: 0,
    valueBytes: 0,
    keysByResource: {},
    keys: 0,
  };
  const bump = (r: string, d: number): void => {
    s.keysByResource[r] = (s.keysByResource[r] ?? 0) + d;
    s.keys += d;
  };
  for (const op of ops) {
    s.operations++;
    if (op.type === 'delete') {
      s.deletes++;
      bump(op.resource, -1);
    } else {
      s.puts++;
      s.valueBytes += op.value.length;
      if (op.update) s.updates++;
      else bump(op.resource, 1);
    }
  }
  return s;
}
