/**
 * Hand-built objects of every kind with a kubectl layout, shaped as the API server returns them, with a
 * fixed "now" so ages are deterministic.
 */
import type { KubeObject } from '../../src/codec/types';

export const NOW = Date.parse('2024-05-01T12:00:00Z');

/** An RFC 3339 timestamp `ms` before NOW. */
export function ago(ms: number): string {
  return new Date(NOW - ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

function meta(
  name: string,
  namespace: string | undefined,
  ageMs: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    uid: `uid-${name}`,
    creationTimestamp: ago(ageMs),
    ...extra,
  };
}

export const FIXTURES: Record<string, KubeObject[]> = {
  pods: [
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('web-7d4b9c-abcde', 'default', 3 * H + 4 * M),
      spec: {
        nodeName: 'node-1',
        containers: [
          { name: 'web', image: 'nginx:1.25' },
          { name: 'log', image: 'busybox' },
        ],
      },
      status: {
        phase: 'Running',
        podIP: '10.0.0.5',
        podIPs: [{ ip: '10.0.0.5' }],
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [
          {
            name: 'web',
            ready: true,
            restartCount: 2,
            state: { running: { startedAt: ago(5 * M) } },
            lastState: { terminated: { exitCode: 1, finishedAt: ago(5 * M) } },
          },
          { name: 'log', ready: true, restartCount: 0, state: { running: { startedAt: ago(3 * H) } } },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('crash-1', 'default', 45 * S),
      spec: { containers: [{ name: 'app', image: 'app:v2' }], readinessGates: [{ conditionType: 'example.com/gate' }] },
      status: {
        phase: 'Running',
        nominatedNodeName: 'node-2',
        conditions: [{ type: 'example.com/gate', status: 'False' }],
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 5,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, finishedAt: ago(30 * S) } },
          },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('init-wait', 'default', 2 * D + 5 * H),
      spec: { initContainers: [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'main' }] },
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'a', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          { name: 'b', restartCount: 0, state: { running: {} } },
        ],
        containerStatuses: [
          { name: 'main', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('going-away', 'default', 400 * D, { deletionTimestamp: ago(10 * S) }),
      spec: { containers: [{ name: 'c' }] },
      status: {
        phase: 'Running',
        containerStatuses: [{ name: 'c', ready: true, restartCount: 0, state: { running: {} } }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('job-done', 'default', 9 * 365 * D),
      spec: { containers: [{ name: 'c' }] },
      status: {
        phase: 'Succeeded',
        containerStatuses: [
          { name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        ],
      },
    },
  ],
  deployments: [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('web', 'default', 10 * D),
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          spec: {
            containers: [
              { name: 'web', image: 'nginx:1.25' },
              { name: 'log', image: 'busybox' },
            ],
          },
        },
      },
      status: { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('empty', 'default', 90 * S),
      spec: { template: { spec: { containers: [] } } },
      status: {},
    },
  ],
  replicasets: [
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta('web-7d4b9c', 'default', 10 * D),
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d4b9c' } },
        template: { spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } },
      },
      status: { replicas: 3, readyReplicas: 2 },
    },
  ],
  statefulsets: [
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta('db', 'data', 7 * H),
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'pg', image: 'postgres:16' }] } } },
      status: { replicas: 3, readyReplicas: 3 },
    },
  ],
  daemonsets: [
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta('proxy', 'kube-system', 30 * D),
      spec: {
        selector: {
          matchLabels: { k8s: 'proxy' },
          matchExpressions: [{ key: 'tier', operator: 'In', values: ['node', 'edge'] }],
        },
        template: {
          spec: {
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.30.0' }],
          },
        },
      },
      status: {
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        numberReady: 3,
        updatedNumberScheduled: 3,
        numberAvailable: 3,
      },
    },
  ],
  jobs: [
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta('pi', 'default', 2 * H),
      spec: { completions: 1, parallelism: 1, template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } },
      status: {
        succeeded: 1,
        startTime: ago(2 * H),
        completionTime: ago(2 * H - 95 * S),
        conditions: [{ type: 'Complete', status: 'True' }],
      },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta('work-queue', 'default', 20 * M),
      spec: { parallelism: 4, template: { spec: { containers: [{ name: 'w', image: 'worker' }] } } },
      status: { succeeded: 0, startTime: ago(20 * M) },
    },
  ],
  cronjobs: [
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('backup', 'default', 100 * D),
      spec: {
        schedule: '0 3 * * *',
        timeZone: 'Etc/UTC',
        jobTemplate: { spec: { template: { spec: { containers: [{ name: 'b', image: 'backup:1' }] } } } },
      },
      status: { active: [{ name: 'backup-1' }], lastScheduleTime: ago(9 * H) },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('never', 'default', 3 * D),
      spec: { schedule: '@hourly', suspend: true, jobTemplate: { spec: { template: { spec: { containers: [] } } } } },
      status: {},
    },
  ],
  services: [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('kubernetes', 'default', 400 * D),
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.1',
        clusterIPs: ['10.96.0.1'],
        ports: [{ name: 'https', port: 443, protocol: 'TCP' }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('web', 'default', 5 * D),
      spec: {
        type: 'NodePort',
        clusterIP: '10.96.10.20',
        selector: { app: 'web' },
        ports: [
          { port: 80, protocol: 'TCP', nodePort: 30080 },
          { port: 443, protocol: 'TCP', nodePort: 30443 },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('lb', 'default', 1 * H),
      spec: { type: 'LoadBalancer', clusterIP: '10.96.3.3', ports: [{ port: 53, protocol: 'UDP' }] },
      status: {},
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('lb-ready', 'default', 1 * H),
      spec: { type: 'LoadBalancer', clusterIP: '10.96.3.4', ports: [{ port: 80, protocol: 'TCP', nodePort: 31000 }] },
      status: { loadBalancer: { ingress: [{ hostname: 'a1b2c3d4e5f6.elb.example.com' }] } },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('ext', 'default', 1 * H),
      spec: { type: 'ExternalName', externalName: 'db.example.com' },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('headless', 'default', 1 * H),
      spec: { clusterIP: 'None', clusterIPs: ['None'] },
    },
  ],
  endpoints: [
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: meta('web', 'default', 5 * D),
      subsets: [
        {
          addresses: [{ ip: '10.0.0.5' }, { ip: '10.0.0.6' }, { ip: 'fd00::7' }, { ip: '10.0.0.8' }],
          ports: [{ port: 80 }],
        },
      ],
    },
    { apiVersion: 'v1', kind: 'Endpoints', metadata: meta('none', 'default', 5 * D) },
  ],
  nodes: [
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: meta('node-1', undefined, 60 * D, {
        labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/master': '' },
      }),
      spec: {},
      status: {
        conditions: [
          { type: 'MemoryPressure', status: 'False' },
          { type: 'Ready', status: 'True' },
        ],
        addresses: [
          { type: 'InternalIP', address: '192.168.1.10' },
          { type: 'Hostname', address: 'node-1' },
        ],
        nodeInfo: {
          kubeletVersion: 'v1.30.0',
          osImage: 'Debian GNU/Linux 12 (bookworm)',
          kernelVersion: '6.1.0-18-amd64',
          containerRuntimeVersion: 'containerd://1.7.13',
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: meta('node-2', undefined, 6 * D + 23 * H, { labels: { 'kubernetes.io/role': 'worker' } }),
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'Unknown' }], nodeInfo: { kubeletVersion: 'v1.29.4' } },
    },
  ],
  events: [
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: meta('web.17c', 'default', 10 * M),
      involvedObject: { kind: 'Pod', name: 'web-7d4b9c-abcde', fieldPath: 'spec.containers{web}' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container\n',
      type: 'Warning',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: ago(10 * M),
      lastTimestamp: ago(2 * M),
      count: 7,
    },
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: meta('sched.18a', 'default', 3 * M),
      involvedObject: { kind: 'Pod', name: 'crash-1' },
      reason: 'Scheduled',
      message: 'Successfully assigned default/crash-1 to node-2',
      type: 'Normal',
      eventTime: '2024-05-01T11:57:00.000000Z',
      reportingComponent: 'default-scheduler',
      reportingInstance: 'default-scheduler-node-1',
    },
  ],
  configmaps: [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('kube-root-ca.crt', 'default', 400 * D),
      data: { 'ca.crt': '-----BEGIN CERTIFICATE-----' },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('bin', 'default', 1 * D),
      data: { a: '1' },
      binaryData: { b: 'AAE=' },
    },
  ],
  secrets: [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('db-pass', 'default', 2 * D),
      type: 'Opaque',
      data: { user: 'YQ==', pass: 'Yg==' },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('tls', 'default', 2 * D),
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': '', 'tls.key': '' },
    },
  ],
  serviceaccounts: [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default', 'default', 400 * D) },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta('builder', 'default', 4 * H),
      secrets: [{ name: 'builder-token' }],
    },
  ],
  namespaces: [
    { apiVersion: 'v1', kind: 'Namespace', metadata: meta('default', undefined, 400 * D), status: { phase: 'Active' } },
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: meta('old', undefined, 2 * D, { deletionTimestamp: ago(1 * M) }),
      status: { phase: 'Terminating' },
    },
  ],
  leases: [
    {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: meta('kube-scheduler', 'kube-system', 60 * D),
      spec: { holderIdentity: 'node-1_5e1f', leaseDurationSeconds: 15 },
    },
    { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta('free', 'kube-system', 60 * D), spec: {} },
  ],
  persistentvolumes: [
    {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: meta('pv-1', undefined, 20 * D),
      spec: {
        capacity: { storage: '10Gi' },
        accessModes: ['ReadWriteMany', 'ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: 'standard',
        claimRef: { namespace: 'data', name: 'pg-0' },
        volumeMode: 'Filesystem',
      },
      status: { phase: 'Bound' },
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: meta('pv-2', undefined, 20 * D),
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadOnlyMany'] },
      status: { phase: 'Available' },
    },
  ],
  persistentvolumeclaims: [
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta('pg-0', 'data', 20 * D),
      spec: { volumeName: 'pv-1', storageClassName: 'standard', resources: { requests: { storage: '10Gi' } } },
      status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' } },
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta('waiting', 'data', 1 * M),
      spec: { resources: { requests: { storage: '1Gi' } } },
      status: { phase: 'Pending' },
    },
  ],
  ingresses: [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta('web', 'default', 3 * D),
      spec: {
        ingressClassName: 'nginx',
        rules: [
          { host: 'a.example.com' },
          { host: 'b.example.com' },
          { host: 'c.example.com' },
          { host: 'd.example.com' },
        ],
        tls: [{ hosts: ['a.example.com'] }],
      },
      status: { loadBalancer: { ingress: [{ ip: '203.0.113.10' }, { ip: '203.0.113.9' }] } },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta('catch-all', 'default', 3 * D),
      spec: { rules: [{}] },
      status: {},
    },
  ],
  customresourcedefinitions: [
    {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: meta('widgets.example.com', undefined, 3 * D),
      spec: { group: 'example.com' },
    },
  ],
  roles: [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta('reader', 'default', 3 * D), rules: [] },
  ],
  clusterroles: [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta('admin', undefined, 300 * D),
      rules: [],
    },
  ],
  rolebindings: [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta('read-it', 'default', 3 * D),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
      subjects: [
        { kind: 'User', name: 'alice' },
        { kind: 'User', name: 'bob' },
        { kind: 'Group', name: 'devs' },
        { kind: 'ServiceAccount', name: 'builder', namespace: 'default' },
      ],
    },
  ],
  clusterrolebindings: [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta('cluster-admin', undefined, 300 * D),
      roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'Group', name: 'system:masters' }],
    },
  ],
  widgets: [
    { apiVersion: 'example.com/v1', kind: 'Widget', metadata: meta('w1', 'default', 5 * M), spec: { size: 3 } },
  ],
};
