/**
 * kubectl's table columns for the common kinds, as data: each column has a header, whether it shows
 * only with `wide` (kubectl's priority 1), and how its cell is computed from the object — following
 * kubernetes pkg/printers/internalversion (printPod, printService, printNode, …) and apimachinery's
 * label formatting. Objects are read as the API server returns them, so defaults the server applies
 * when reading from etcd are applied here too (Service `type: ClusterIP`, port `protocol: TCP`,
 * `replicas: 1`, CronJob `suspend: false`).
 */
import type { KubeObject } from '../codec/types';
import { utf8ByteCompare } from '../codec/go-utf8';
import { humanDuration } from './human-duration';
import { arr, dig, num, rec, str } from './object-path';
import { podSummary } from './pod-status';

/** What a column's cell function gets besides the object. */
export interface PrintContext {
  /** "Now" in ms since epoch; without it, ages print as the timestamp itself (render has no clock). */
  now?: number;
  /** `-o wide`. */
  wide: boolean;
}

/** One column of a kind's table. */
export interface KindColumn {
  /** Header as kubectl prints it (upper case). */
  header: string;
  /** Shown only with `wide` (kubectl's priority 1). */
  wide?: boolean;
  cell(object: KubeObject, ctx: PrintContext): string;
}

/** The table layout of one kind. */
export interface KindPrinter {
  kind: string;
  columns: KindColumn[];
  /**
   * Every object path the columns read, wide ones included (dotted, as codec/project.ts takes them): a
   * projection onto these paths prints the same table as the whole object, for a fraction of the decoding.
   */
  reads: readonly string[];
}

const NONE = '<none>';
const UNKNOWN = '<unknown>';

/**
 * Age of a timestamp as kubectl prints it: `<unknown>` when missing, HumanDuration from `now`, or the
 * timestamp itself when no `now` was given.
 * @example
 * ageOf('2024-01-01T00:00:00Z', { now: Date.parse('2024-01-01T00:05:00Z'), wide: false }) // '5m'
 */
export function ageOf(timestamp: unknown, ctx: PrintContext): string {
  if (typeof timestamp !== 'string' || timestamp === '') return UNKNOWN;
  if (ctx.now === undefined) return timestamp;
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return UNKNOWN;
  return humanDuration(ctx.now - t);
}

function sortedKeys(m: Record<string, unknown>): string[] {
  return Object.keys(m).sort(utf8ByteCompare);
}

/**
 * `k=v,k2=v2` sorted by key, or `<none>` (apimachinery labels.FormatLabels).
 * @example
 * formatLabels({ b: '2', a: '1' }) // 'a=1,b=2'
 */
export function formatLabels(labels: unknown): string {
  const m = rec(labels);
  if (m === undefined) return NONE;
  const s = sortedKeys(m)
    .map((k) => `${k}=${str(m[k])}`)
    .join(',');
  return s === '' ? NONE : s;
}

/**
 * A LabelSelector as a selector string (`app=web,tier in (a,b)`), as apimachinery prints it; `<none>`
 * for a missing or empty selector (metav1.FormatLabelSelector). With `emptyAs` the empty text differs.
 * @example
 * formatLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['b', 'a'] }] })
 * // 'app=web,env notin (a,b)'
 */
export function formatLabelSelector(selector: unknown, emptyAs = NONE): string {
  const s = rec(selector);
  if (s === undefined) return emptyAs;
  const reqs: Array<{ key: string; text: string }> = [];
  const ml = rec(s['matchLabels']) ?? {};
  for (const k of Object.keys(ml)) reqs.push({ key: k, text: `${k}=${str(ml[k])}` });
  for (const e of arr(s['matchExpressions'])) {
    const key = str(dig(e, 'key'));
    const values = arr(dig(e, 'values'))
      .map((v) => str(v))
      .sort(utf8ByteCompare);
    const op = str(dig(e, 'operator'));
    const list = values.length === 1 ? (values[0] as string) : values.join(',');
    if (op === 'In') reqs.push({ key, text: `${key} in (${list})` });
    else if (op === 'NotIn') reqs.push({ key, text: `${key} notin (${list})` });
    else if (op === 'Exists') reqs.push({ key, text: key });
    else if (op === 'DoesNotExist') reqs.push({ key, text: `!${key}` });
    else return '<error>';
  }
  reqs.sort((a, b) => utf8ByteCompare(a.key, b.key));
  const text = reqs.map((r) => r.text).join(',');
  return text === '' ? emptyAs : text;
}

/** What every table reads: the name and age columns, and the namespace (for the NAMESPACE column). */
const META_READS = ['metadata.name', 'metadata.namespace', 'metadata.creationTimestamp'];

const nameCol: KindColumn = { header: 'NAME', cell: (o) => str(dig(o, 'metadata', 'name')) };
const ageCol: KindColumn = { header: 'AGE', cell: (o, c) => ageOf(dig(o, 'metadata', 'creationTimestamp'), c) };
const createdAtCol: KindColumn = {
  header: 'CREATED AT',
  cell: (o) => str(dig(o, 'metadata', 'creationTimestamp'), UNKNOWN),
};

function intCell(v: unknown): string {
  return String(typeof v === 'bigint' ? v : Math.trunc(num(v)));
}

function containersOf(podSpec: unknown): { names: string; images: string } {
  const cs = arr(dig(podSpec, 'containers'));
  return { names: cs.map((c) => str(dig(c, 'name'))).join(','), images: cs.map((c) => str(dig(c, 'image'))).join(',') };
}

function templateColumns(specPath: string[], selector?: (o: KubeObject) => string): KindColumn[] {
  const cols: KindColumn[] = [
    { header: 'CONTAINERS', wide: true, cell: (o) => containersOf(dig(o, ...specPath)).names },
    { header: 'IMAGES', wide: true, cell: (o) => containersOf(dig(o, ...specPath)).images },
  ];
  if (selector !== undefined) cols.push({ header: 'SELECTOR', wide: true, cell: selector });
  return cols;
}

function replicas(o: KubeObject): number | bigint {
  const r = dig(o, 'spec', 'replicas');
  return typeof r === 'bigint' ? r : typeof r === 'number' ? r : 1;
}

/** ReplicaSet and ReplicationController: the same columns, their selectors printed their own way. */
function replicaColumns(selector: (o: KubeObject) => string): KindColumn[] {
  return [
    nameCol,
    { header: 'DESIRED', cell: (o) => intCell(replicas(o)) },
    { header: 'CURRENT', cell: (o) => intCell(dig(o, 'status', 'replicas')) },
    { header: 'READY', cell: (o) => intCell(dig(o, 'status', 'readyReplicas')) },
    ageCol,
    ...templateColumns(['spec', 'template', 'spec'], selector),
  ];
}

/** PersistentVolume and PersistentVolumeClaim columns printed alike. */
const volumeStatusCol: KindColumn = {
  header: 'STATUS',
  cell: (o) => (deletionSet(o) ? 'Terminating' : str(dig(o, 'status', 'phase'))),
};
const volumeAttributesClassCol: KindColumn = {
  header: 'VOLUMEATTRIBUTESCLASS',
  cell: (o) => str(dig(o, 'spec', 'volumeAttributesClassName'), '<unset>'),
};
const volumeModeCol: KindColumn = {
  header: 'VOLUMEMODE',
  wide: true,
  cell: (o) => str(dig(o, 'spec', 'volumeMode'), 'Filesystem'),
};

function loadBalancerIngress(status: unknown, wide: boolean): string {
  const set = new Set<string>();
  for (const ing of arr(dig(status, 'loadBalancer', 'ingress'))) {
    const ip = str(dig(ing, 'ip'));
    const host = str(dig(ing, 'hostname'));
    if (ip !== '') set.add(ip);
    else if (host !== '') set.add(host);
  }
  let r = [...set].sort(utf8ByteCompare).join(',');
  if (!wide && Buffer.byteLength(r) > 16) r = Buffer.from(r).subarray(0, 13).toString('latin1') + '...';
  return r;
}

/**
 * EXTERNAL-IP of a Service as kubectl prints it: external IPs, load-balancer ingress, `<pending>`,
 * `<none>`, the ExternalName, or `<unknown>` for an unknown type.
 * @example
 * serviceExternalIp({ spec: { type: 'LoadBalancer' } }, false) // '<pending>'
 */
export function serviceExternalIp(svc: KubeObject, wide: boolean): string {
  const type = str(dig(svc, 'spec', 'type'), 'ClusterIP');
  const externalIps = arr(dig(svc, 'spec', 'externalIPs')).map((x) => str(x));
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIps.length > 0 ? externalIps.join(',') : NONE;
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(dig(svc, 'status'), wide);
      if (externalIps.length > 0) return [...(lb === '' ? [] : lb.split(',')), ...externalIps].join(',');
      return lb !== '' ? lb : '<pending>';
    }
    case 'ExternalName':
      return str(dig(svc, 'spec', 'externalName'));
    default:
      return UNKNOWN;
  }
}

/**
 * PORT(S) of a Service: `80/TCP,443:30443/TCP` (node ports after a colon), `<none>` without ports.
 * @example
 * servicePorts({ spec: { ports: [{ port: 443, nodePort: 30443, protocol: 'TCP' }] } }) // '443:30443/TCP'
 */
export function servicePorts(svc: KubeObject): string {
  const s = arr(dig(svc, 'spec', 'ports'))
    .map((p) => {
      const proto = str(dig(p, 'protocol'), 'TCP');
      const node = num(dig(p, 'nodePort'));
      return node > 0 ? `${num(dig(p, 'port'))}:${node}/${proto}` : `${num(dig(p, 'port'))}/${proto}`;
    })
    .join(',');
  return s === '' ? NONE : s;
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function formatEndpoints(o: KubeObject): string {
  const subsets = arr(o['subsets']);
  if (subsets.length === 0) return NONE;
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addrs = arr(dig(ss, 'addresses'));
    const ports = arr(dig(ss, 'ports'));
    if (ports.length === 0) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(str(dig(a, 'ip')));
      }
      continue;
    }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(str(dig(a, 'ip')), num(dig(p, 'port'))));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

function nodeRoles(o: KubeObject): string {
  const roles = new Set<string>();
  const labels = rec(dig(o, 'metadata', 'labels')) ?? {};
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role !== '') roles.add(role);
    } else if (k === 'kubernetes.io/role' && str(v) !== '') {
      roles.add(str(v));
    }
  }
  const r = [...roles].sort(utf8ByteCompare).join(',');
  return r === '' ? NONE : r;
}

function nodeStatus(o: KubeObject): string {
  const status: string[] = [];
  const ready = arr(dig(o, 'status', 'conditions')).filter((c) => str(dig(c, 'type')) === 'Ready');
  const last = ready[ready.length - 1];
  if (last !== undefined) status.push(str(dig(last, 'status')) === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (dig(o, 'spec', 'unschedulable') === true) status.push('SchedulingDisabled');
  return status.join(',');
}

function nodeAddress(o: KubeObject, type: string): string {
  const a = arr(dig(o, 'status', 'addresses')).find((x) => str(dig(x, 'type')) === type);
  return a === undefined ? NONE : str(dig(a, 'address'));
}

function orUnknown(s: string): string {
  return s === '' ? UNKNOWN : s;
}

function accessModes(modes: unknown): string {
  const m = new Set(arr(modes).map((x) => str(x)));
  const out: string[] = [];
  if (m.has('ReadWriteOnce')) out.push('RWO');
  if (m.has('ReadOnlyMany')) out.push('ROX');
  if (m.has('ReadWriteMany')) out.push('RWX');
  if (m.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

function storageClassOf(o: KubeObject): string {
  const ann = str(dig(o, 'metadata', 'annotations', 'volume.beta.kubernetes.io/storage-class'));
  return ann !== '' ? ann : str(dig(o, 'spec', 'storageClassName'));
}

function deletionSet(o: KubeObject): boolean {
  const d = dig(o, 'metadata', 'deletionTimestamp');
  return d !== undefined && d !== null;
}

function jobCondition(o: KubeObject, type: string): boolean {
  const c = arr(dig(o, 'status', 'conditions')).find((x) => str(dig(x, 'type')) === type);
  return c !== undefined && str(dig(c, 'status')) === 'True';
}

function jobStatus(o: KubeObject): string {
  if (jobCondition(o, 'Complete')) return 'Complete';
  if (jobCondition(o, 'Failed')) return 'Failed';
  if (deletionSet(o)) return 'Terminating';
  if (jobCondition(o, 'Suspended')) return 'Suspended';
  if (jobCondition(o, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCompletions(o: KubeObject): string {
  const succeeded = num(dig(o, 'status', 'succeeded'));
  const completions = dig(o, 'spec', 'completions');
  const parallelism = dig(o, 'spec', 'parallelism');
  // The API server defaults both to 1 when neither is set.
  if (completions !== undefined && completions !== null) return `${succeeded}/${num(completions)}`;
  if (parallelism === undefined || parallelism === null) return `${succeeded}/1`;
  const p = num(parallelism);
  return p > 1 ? `${succeeded}/1 of ${p}` : `${succeeded}/1`;
}

function jobDuration(o: KubeObject, ctx: PrintContext): string {
  const start = str(dig(o, 'status', 'startTime'));
  if (start === '') return '';
  const s = Date.parse(start);
  const done = str(dig(o, 'status', 'completionTime'));
  if (done !== '') return humanDuration(Date.parse(done) - s);
  return ctx.now === undefined ? '' : humanDuration(ctx.now - s);
}

function boolPtr(v: unknown, dflt: boolean | undefined): string {
  const b = typeof v === 'boolean' ? v : dflt;
  return b === undefined ? '<unset>' : b ? 'True' : 'False';
}

function ingressHosts(o: KubeObject): string {
  const rules = arr(dig(o, 'spec', 'rules'));
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const r of rules) {
    if (list.length === max) more = true;
    const host = str(dig(r, 'host'));
    if (!more && host !== '') list.push(host);
  }
  if (list.length === 0) return '*';
  const ret = list.join(',');
  return more ? `${ret} + ${rules.length - max} more...` : ret;
}

function subjects(o: KubeObject, kind: 'User' | 'Group' | 'ServiceAccount'): string {
  return arr(o['subjects'])
    .filter((s) => str(dig(s, 'kind')) === kind)
    .map((s) =>
      kind === 'ServiceAccount' ? `${str(dig(s, 'namespace'))}/${str(dig(s, 'name'))}` : str(dig(s, 'name')),
    )
    .join(', ');
}

function eventTimes(o: KubeObject, ctx: PrintContext): { first: string; last: string; count: number } {
  const firstTs = dig(o, 'firstTimestamp');
  const first = typeof firstTs === 'string' && firstTs !== '' ? ageOf(firstTs, ctx) : ageOf(dig(o, 'eventTime'), ctx);
  const lastTs = dig(o, 'lastTimestamp');
  let last = typeof lastTs === 'string' && lastTs !== '' ? ageOf(lastTs, ctx) : first;
  let count = num(dig(o, 'count'));
  const series = rec(dig(o, 'series'));
  if (series !== undefined) {
    last = ageOf(series['lastObservedTime'], ctx);
    count = num(series['count']);
  } else if (count === 0) {
    count = 1;
  }
  return { first, last, count };
}

function eventSource(o: KubeObject): string {
  const component = str(dig(o, 'source', 'component')) || str(dig(o, 'reportingComponent'));
  const host = str(dig(o, 'source', 'host')) || str(dig(o, 'reportingInstance'));
  return host === '' ? component : `${component}, ${host}`;
}

/** The last pod summarised: its READY, STATUS and RESTARTS cells are asked for one after the other. */
let lastPod: { pod: KubeObject; now: number | undefined; summary: ReturnType<typeof podSummary> } | undefined;

/** podSummary, computed once per pod for its three cells. */
function podCells(o: KubeObject, ctx: PrintContext): ReturnType<typeof podSummary> {
  if (lastPod !== undefined && lastPod.pod === o && lastPod.now === ctx.now) return lastPod.summary;
  const summary = podSummary(o, ctx.now);
  lastPod = { pod: o, now: ctx.now, summary };
  return summary;
}

const bindingColumns: KindColumn[] = [
  nameCol,
  { header: 'ROLE', cell: (o) => `${str(dig(o, 'roleRef', 'kind'))}/${str(dig(o, 'roleRef', 'name'))}` },
  ageCol,
  { header: 'USERS', wide: true, cell: (o) => subjects(o, 'User') },
  { header: 'GROUPS', wide: true, cell: (o) => subjects(o, 'Group') },
  { header: 'SERVICEACCOUNTS', wide: true, cell: (o) => subjects(o, 'ServiceAccount') },
];

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
