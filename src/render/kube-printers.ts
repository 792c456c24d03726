/**
 * kubectl's table columns for the common kinds, as data: each column has a header, whether it shows
 * only with `wide` (kubectl's priority 1), and how its cell is computed from the object — following
 * kubernetes pkg/printers/internalversion (printPod, printService, printNode, …) and apimachinery's
 * label formatting. Objects are read as the API server returns them, so defaults the server applies
 * when reading from etcd are applied here too (Service `type: ClusterIP`, port `protocol: TCP`,
 * `replicas: 1`, CronJob `suspend: false`).
 */
import { arr, dig, rec, str } from './object-path';
import {
  META_READS,
  NONE,
  accessModes,
  ageCol,
  ageOf,
  bindingColumns,
  boolPtr,
  createdAtCol,
  eventSource,
  eventTimes,
  formatEndpoints,
  formatLabelSelector,
  formatLabels,
  ingressHosts,
  intCell,
  jobCompletions,
  jobDuration,
  jobStatus,
  loadBalancerIngress,
  nameCol,
  nodeAddress,
  nodeRoles,
  nodeStatus,
  orUnknown,
  podCells,
  replicaColumns,
  replicas,
  serviceExternalIp,
  servicePorts,
  storageClassOf,
  templateColumns,
  volumeAttributesClassCol,
  volumeModeCol,
  volumeStatusCol,
  type KindColumn,
  type KindPrinter,
} from './kube-cells';

export {
  ageOf,
  formatLabelSelector,
  formatLabels,
  serviceExternalIp,
  servicePorts,
  type KindColumn,
  type KindPrinter,
  type PrintContext,
} from './kube-cells';

const PRINTERS: KindPrinter[] = [
  {
    kind: 'Pod',
    reads: [
      ...META_READS,
      'metadata.deletionTimestamp',
      'spec.containers.name',
      'spec.initContainers.name',
      'spec.initContainers.restartPolicy',
      'spec.nodeName',
      'spec.readinessGates',
      'status.phase',
      'status.reason',
      'status.conditions.type',
      'status.conditions.status',
      'status.conditions.reason',
      'status.podIP',
      'status.podIPs',
      'status.nominatedNodeName',
      ...['name', 'ready', 'started', 'restartCount', 'state', 'lastState'].flatMap((f) => [
        `status.initContainerStatuses.${f}`,
        `status.containerStatuses.${f}`,
      ]),
    ],
    columns: [
      nameCol,
      { header: 'READY', cell: (o, c) => podCells(o, c).ready },
      { header: 'STATUS', cell: (o, c) => podCells(o, c).status },
      { header: 'RESTARTS', cell: (o, c) => podCells(o, c).restartsText },
      ageCol,
      {
        header: 'IP',
        wide: true,
        cell: (o) => str(dig(arr(dig(o, 'status', 'podIPs'))[0], 'ip')) || str(dig(o, 'status', 'podIP')) || NONE,
      },
      { header: 'NODE', wide: true, cell: (o) => str(dig(o, 'spec', 'nodeName')) || NONE },
      { header: 'NOMINATED NODE', wide: true, cell: (o) => str(dig(o, 'status', 'nominatedNodeName')) || NONE },
      {
        header: 'READINESS GATES',
        wide: true,
        cell: (o) => {
          const gates = arr(dig(o, 'spec', 'readinessGates'));
          if (gates.length === 0) return NONE;
          const conds = arr(dig(o, 'status', 'conditions'));
          let ok = 0;
          for (const g of gates) {
            const c = conds.find((x) => str(dig(x, 'type')) === str(dig(g, 'conditionType')));
            if (c !== undefined && str(dig(c, 'status')) === 'True') ok++;
          }
          return `${ok}/${gates.length}`;
        },
      },
    ],
  },
  {
    kind: 'Deployment',
    reads: [
      ...META_READS,
      'spec.replicas',
      'spec.selector',
      'spec.template.spec.containers.name',
      'spec.template.spec.containers.image',
      'status',
    ],
    columns: [
      nameCol,
      { header: 'READY', cell: (o) => `${intCell(dig(o, 'status', 'readyReplicas'))}/${intCell(replicas(o))}` },
      { header: 'UP-TO-DATE', cell: (o) => intCell(dig(o, 'status', 'updatedReplicas')) },
      { header: 'AVAILABLE', cell: (o) => intCell(dig(o, 'status', 'availableReplicas')) },
      ageCol,
      ...templateColumns(['spec', 'template', 'spec'], (o) => formatLabelSelector(dig(o, 'spec', 'selector'), '')),
    ],
  },
  {
    kind: 'ReplicaSet',
    reads: [
      ...META_READS,
      'spec.replicas',
      'spec.selector',
      'spec.template.spec.containers.name',
      'spec.template.spec.containers.image',
      'status',
    ],
    columns: replicaColumns((o) => formatLabelSelector(dig(o, 'spec', 'selector'))),
  },
  {
    kind: 'ReplicationController',
    reads: [
      ...META_READS,
      'spec.replicas',
      'spec.selector',
      'spec.template.spec.containers.name',
      'spec.template.spec.containers.image',
      'status',
    ],
    columns: replicaColumns((o) => formatLabels(dig(o, 'spec', 'selector'))),
  },
  {
    kind: 'StatefulSet',
    reads: [
      ...META_READS,
      'spec.replicas',
      'spec.template.spec.containers.name',
      'spec.template.spec.containers.image',
      'status',
    ],
    columns: [
      nameCol,
      { header: 'READY', cell: (o) => `${intCell(dig(o, 'status', 'readyReplicas'))}/${intCell(replicas(o))}` },
      ageCol,
      ...templateColumns(['spec', 'template', 'spec']),
    ],
  },
  {
    kind: 'DaemonSet',
    reads: [
      ...META_READS,
      'spec.selector',
      'spec.template.spec.nodeSelector',
      'spec.template.spec.containers.name',
      'spec.template.spec.containers.image',
      'status',
    ],
    columns: [
      nameCol,
      { header: 'DESIRED', cell: (o) => intCell(dig(o, 'status', 'desiredNumberScheduled')) },
      { header: 'CURRENT', cell: (o) => intCell(dig(o, 'status', 'currentNumberScheduled')) },
      { header: 'READY', cell: (o) => intCell(dig(o, 'status', 'numberReady')) },
      { header: 'UP-TO-DATE', cell: (o) => intCell(dig(o, 'status', 'updatedNumberScheduled')) },
      { header: 'AVAILABLE', cell: (o) => intCell(dig(o, 'status', 'numberAvailable')) },
      { header: 'NODE SELECTOR', cell: (o) => formatLabels(dig(o, 'spec', 'template', 'spec', 'nodeSelector')) },
      ageCol,
      ...templateColumns(['spec', 'template', 'spec'], (o) => formatLabelSelector(dig(o, 'spec', 'selector'))),
    ],
  },
  {
    kind: 'Job',
    reads: [
      ...META_READS,
      'metadata.deletionTimestamp',
      'spec.completions',
      'spec.parallelism',
      'spec.selector',
      'spec.template.spec.containers.name',
      'spec.template.spec.containers.image',
      'status',
    ],
    columns: [
      nameCol,
      { header: 'STATUS', cell: jobStatus },
      { header: 'COMPLETIONS', cell: jobCompletions },
      { header: 'DURATION', cell: jobDuration },
      ageCol,
      ...templateColumns(['spec', 'template', 'spec'], (o) => formatLabelSelector(dig(o, 'spec', 'selector'))),
    ],
  },
  {
    kind: 'CronJob',
    reads: [
      ...META_READS,
      'spec.schedule',
      'spec.timeZone',
      'spec.suspend',
      'spec.jobTemplate.spec.selector',
      'spec.jobTemplate.spec.template.spec.containers.name',
      'spec.jobTemplate.spec.template.spec.containers.image',
      'status',
    ],
    columns: [
      nameCol,
      { header: 'SCHEDULE', cell: (o) => str(dig(o, 'spec', 'schedule')) },
      { header: 'TIMEZONE', cell: (o) => str(dig(o, 'spec', 'timeZone'), NONE) },
      { header: 'SUSPEND', cell: (o) => boolPtr(dig(o, 'spec', 'suspend'), false) },
      { header: 'ACTIVE', cell: (o) => String(arr(dig(o, 'status', 'active')).length) },
      {
        header: 'LAST SCHEDULE',
        cell: (o, c) => {
          const t = dig(o, 'status', 'lastScheduleTime');
          return typeof t === 'string' ? ageOf(t, c) : NONE;
        },
      },
      ageCol,
      ...templateColumns(['spec', 'jobTemplate', 'spec', 'template', 'spec'], (o) =>
        formatLabelSelector(dig(o, 'spec', 'jobTemplate', 'spec', 'selector')),
      ),
    ],
  },
  {
    kind: 'Service',
    reads: [...META_READS, 'spec', 'status'],
    columns: [
      nameCol,
      { header: 'TYPE', cell: (o) => str(dig(o, 'spec', 'type'), 'ClusterIP') },
      {
        header: 'CLUSTER-IP',
        cell: (o) => str(arr(dig(o, 'spec', 'clusterIPs'))[0]) || str(dig(o, 'spec', 'clusterIP')) || NONE,
      },
      { header: 'EXTERNAL-IP', cell: (o, c) => serviceExternalIp(o, c.wide) },
      { header: 'PORT(S)', cell: servicePorts },
      ageCol,
      { header: 'SELECTOR', wide: true, cell: (o) => formatLabels(dig(o, 'spec', 'selector')) },
    ],
  },
  {
    kind: 'Endpoints',
    reads: [...META_READS, 'subsets'],
    columns: [nameCol, { header: 'ENDPOINTS', cell: formatEndpoints }, ageCol],
  },
  {
    kind: 'Node',
    reads: [
      ...META_READS,
      'metadata.labels',
      'spec.unschedulable',
      'status.conditions',
      'status.addresses',
      'status.nodeInfo',
    ],
    columns: [
      nameCol,
      { header: 'STATUS', cell: nodeStatus },
      { header: 'ROLES', cell: nodeRoles },
      ageCol,
      { header: 'VERSION', cell: (o) => str(dig(o, 'status', 'nodeInfo', 'kubeletVersion')) },
      { header: 'INTERNAL-IP', wide: true, cell: (o) => nodeAddress(o, 'InternalIP') },
      { header: 'EXTERNAL-IP', wide: true, cell: (o) => nodeAddress(o, 'ExternalIP') },
      { header: 'OS-IMAGE', wide: true, cell: (o) => orUnknown(str(dig(o, 'status', 'nodeInfo', 'osImage'))) },
      {
        header: 'KERNEL-VERSION',
        wide: true,
        cell: (o) => orUnknown(str(dig(o, 'status', 'nodeInfo', 'kernelVersion'))),
      },
      {
        header: 'CONTAINER-RUNTIME',
        wide: true,
        cell: (o) => orUnknown(str(dig(o, 'status', 'nodeInfo', 'containerRuntimeVersion'))),
      },
    ],
  },
  {
    kind: 'Event',
    reads: [
      ...META_READS,
      'type',
      'reason',
      'involvedObject',
      'message',
      'source',
      'firstTimestamp',
      'lastTimestamp',
      'eventTime',
      'count',
      'series',
      'reportingComponent',
      'reportingInstance',
    ],
    columns: [
      { header: 'LAST SEEN', cell: (o, c) => eventTimes(o, c).last },
      { header: 'TYPE', cell: (o) => str(o['type']) },
      { header: 'REASON', cell: (o) => str(o['reason']) },
      {
        header: 'OBJECT',
        cell: (o) => {
          const kind = str(dig(o, 'involvedObject', 'kind')).toLowerCase();
          const name = str(dig(o, 'involvedObject', 'name'));
          return name === '' ? kind : `${kind}/${name}`;
        },
      },
      { header: 'SUBOBJECT', wide: true, cell: (o) => str(dig(o, 'involvedObject', 'fieldPath')) },
      { header: 'SOURCE', wide: true, cell: eventSource },
      { header: 'MESSAGE', cell: (o) => str(o['message']).trim() },
      { header: 'FIRST SEEN', wide: true, cell: (o, c) => eventTimes(o, c).first },
      { header: 'COUNT', wide: true, cell: (o, c) => String(eventTimes(o, c).count) },
      { header: 'NAME', wide: true, cell: (o) => str(dig(o, 'metadata', 'name')) },
    ],
  },
  {
    kind: 'ConfigMap',
    reads: [...META_READS, 'data', 'binaryData'],
    columns: [
      nameCol,
      {
        header: 'DATA',
        cell: (o) => String(Object.keys(rec(o['data']) ?? {}).length + Object.keys(rec(o['binaryData']) ?? {}).length),
      },
      ageCol,
    ],
  },
  {
    kind: 'Secret',
    reads: [...META_READS, 'type', 'data'],
    columns: [
      nameCol,
      { header: 'TYPE', cell: (o) => str(o['type'], 'Opaque') },
      { header: 'DATA', cell: (o) => String(Object.keys(rec(o['data']) ?? {}).length) },
      ageCol,
    ],
  },
  {
    kind: 'ServiceAccount',
    reads: [...META_READS, 'secrets'],
    columns: [nameCol, { header: 'SECRETS', cell: (o) => String(arr(o['secrets']).length) }, ageCol],
  },
  {
    kind: 'Namespace',
    reads: [...META_READS, 'status.phase'],
    columns: [nameCol, { header: 'STATUS', cell: (o) => str(dig(o, 'status', 'phase'), 'Active') }, ageCol],
  },
  {
    kind: 'Lease',
    reads: [...META_READS, 'spec.holderIdentity'],
    columns: [nameCol, { header: 'HOLDER', cell: (o) => str(dig(o, 'spec', 'holderIdentity')) }, ageCol],
  },
  {
    kind: 'PersistentVolume',
    reads: [...META_READS, 'metadata.deletionTimestamp', 'metadata.annotations', 'spec', 'status'],
    columns: [
      nameCol,
      { header: 'CAPACITY', cell: (o) => str(dig(o, 'spec', 'capacity', 'storage'), '0') },
      { header: 'ACCESS MODES', cell: (o) => accessModes(dig(o, 'spec', 'accessModes')) },
      { header: 'RECLAIM POLICY', cell: (o) => str(dig(o, 'spec', 'persistentVolumeReclaimPolicy'), 'Retain') },
      volumeStatusCol,
      {
        header: 'CLAIM',
        cell: (o) => {
          const ref = rec(dig(o, 'spec', 'claimRef'));
          return ref === undefined ? '' : `${str(ref['namespace'])}/${str(ref['name'])}`;
        },
      },
      { header: 'STORAGECLASS', cell: storageClassOf },
      volumeAttributesClassCol,
      { header: 'REASON', cell: (o) => str(dig(o, 'status', 'reason')) },
      ageCol,
      volumeModeCol,
    ],
  },
  {
    kind: 'PersistentVolumeClaim',
    reads: [...META_READS, 'metadata.deletionTimestamp', 'metadata.annotations', 'spec', 'status'],
    columns: [
      nameCol,
      volumeStatusCol,
      { header: 'VOLUME', cell: (o) => str(dig(o, 'spec', 'volumeName')) },
      {
        header: 'CAPACITY',
        cell: (o) =>
          str(dig(o, 'spec', 'volumeName')) === '' ? '' : str(dig(o, 'status', 'capacity', 'storage'), '0'),
      },
      {
        header: 'ACCESS MODES',
        cell: (o) => (str(dig(o, 'spec', 'volumeName')) === '' ? '' : accessModes(dig(o, 'status', 'accessModes'))),
      },
      { header: 'STORAGECLASS', cell: storageClassOf },
      volumeAttributesClassCol,
      ageCol,
      volumeModeCol,
    ],
  },
  {
    kind: 'Ingress',
    reads: [...META_READS, 'spec', 'status'],
    columns: [
      nameCol,
      { header: 'CLASS', cell: (o) => str(dig(o, 'spec', 'ingressClassName'), NONE) },
      { header: 'HOSTS', cell: ingressHosts },
      { header: 'ADDRESS', cell: (o, c) => loadBalancerIngress(dig(o, 'status'), c.wide) },
      { header: 'PORTS', cell: (o) => (arr(dig(o, 'spec', 'tls')).length > 0 ? '80, 443' : '80') },
      ageCol,
    ],
  },
  {
    kind: 'CustomResourceDefinition',
    reads: [...META_READS],
    columns: [nameCol, createdAtCol],
  },
  { kind: 'Role', reads: [...META_READS], columns: [nameCol, createdAtCol] },
  { kind: 'ClusterRole', reads: [...META_READS], columns: [nameCol, createdAtCol] },
  { kind: 'RoleBinding', reads: [...META_READS, 'roleRef', 'subjects'], columns: bindingColumns },
  { kind: 'ClusterRoleBinding', reads: [...META_READS, 'roleRef', 'subjects'], columns: bindingColumns },
];

const BY_KIND = new Map<string, KindPrinter>(PRINTERS.map((p) => [p.kind.toLowerCase(), p]));

/**
 * The table layout of a kind (`Pod`, `Deployment`; any letter case), undefined for kinds without one.
 * Printers are keyed by kind only: resource names and short names (`pods`, `deploy`) live in the
 * resource table (src/kube/resources.ts), and the caller resolves them to a kind first, as the
 * package's top-level `kindPrinter`, `renderTable` and `show()` do.
 * @example
 * kindPrinter('Deployment')?.columns.map((c) => c.header) // ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', …]
 */
export function kindPrinter(kind: string): KindPrinter | undefined {
  return BY_KIND.get(kind.trim().toLowerCase());
}

/** What the default layout reads. */
export const DEFAULT_READS: readonly string[] = META_READS;

/** The default layout for kinds kubectl has no printer for here: NAME, NAMESPACE, KIND, AGE. */
export const DEFAULT_COLUMNS: KindColumn[] = [
  nameCol,
  { header: 'NAMESPACE', cell: (o) => str(dig(o, 'metadata', 'namespace')) },
  { header: 'KIND', cell: (o) => str(o['kind']) },
  ageCol,
];

/** Every kind with a kubectl layout. */
export const PRINTED_KINDS: readonly string[] = PRINTERS.map((p) => p.kind);
