/**
 * The cells of kubectl's tables: how each column of a kind turns an object into text (ages, labels,
 * selectors, ports, roles, statuses), as kubectl's printers compute them. The table of kinds is in
 * kube-printers.ts.
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

export const NONE = '<none>';
export const UNKNOWN = '<unknown>';

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

export function sortedKeys(m: Record<string, unknown>): string[] {
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
export const META_READS = ['metadata.name', 'metadata.namespace', 'metadata.creationTimestamp'];

export const nameCol: KindColumn = { header: 'NAME', cell: (o) => str(dig(o, 'metadata', 'name')) };
export const ageCol: KindColumn = { header: 'AGE', cell: (o, c) => ageOf(dig(o, 'metadata', 'creationTimestamp'), c) };
export const createdAtCol: KindColumn = {
  header: 'CREATED AT',
  cell: (o) => str(dig(o, 'metadata', 'creationTimestamp'), UNKNOWN),
};

export function intCell(v: unknown): string {
  return String(typeof v === 'bigint' ? v : Math.trunc(num(v)));
}

export function containersOf(podSpec: unknown): { names: string; images: string } {
  const cs = arr(dig(podSpec, 'containers'));
  return { names: cs.map((c) => str(dig(c, 'name'))).join(','), images: cs.map((c) => str(dig(c, 'image'))).join(',') };
}

export function templateColumns(specPath: string[], selector?: (o: KubeObject) => string): KindColumn[] {
  const cols: KindColumn[] = [
    { header: 'CONTAINERS', wide: true, cell: (o) => containersOf(dig(o, ...specPath)).names },
    { header: 'IMAGES', wide: true, cell: (o) => containersOf(dig(o, ...specPath)).images },
  ];
  if (selector !== undefined) cols.push({ header: 'SELECTOR', wide: true, cell: selector });
  return cols;
}

export function replicas(o: KubeObject): number | bigint {
  const r = dig(o, 'spec', 'replicas');
  return typeof r === 'bigint' ? r : typeof r === 'number' ? r : 1;
}

/** ReplicaSet and ReplicationController: the same columns, their selectors printed their own way. */
export function replicaColumns(selector: (o: KubeObject) => string): KindColumn[] {
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
export const volumeStatusCol: KindColumn = {
  header: 'STATUS',
  cell: (o) => (deletionSet(o) ? 'Terminating' : str(dig(o, 'status', 'phase'))),
};
export const volumeAttributesClassCol: KindColumn = {
  header: 'VOLUMEATTRIBUTESCLASS',
  cell: (o) => str(dig(o, 'spec', 'volumeAttributesClassName'), '<unset>'),
};
export const volumeModeCol: KindColumn = {
  header: 'VOLUMEMODE',
  wide: true,
  cell: (o) => str(dig(o, 'spec', 'volumeMode'), 'Filesystem'),
};

export function loadBalancerIngress(status: unknown, wide: boolean): string {
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

export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function formatEndpoints(o: KubeObject): string {
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

export function nodeRoles(o: KubeObject): string {
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

export function nodeStatus(o: KubeObject): string {
  const status: string[] = [];
  const ready = arr(dig(o, 'status', 'conditions')).filter((c) => str(dig(c, 'type')) === 'Ready');
  const last = ready[ready.length - 1];
  if (last !== undefined) status.push(str(dig(last, 'status')) === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (dig(o, 'spec', 'unschedulable') === true) status.push('SchedulingDisabled');
  return status.join(',');
}

export function nodeAddress(o: KubeObject, type: string): string {
  const a = arr(dig(o, 'status', 'addresses')).find((x) => str(dig(x, 'type')) === type);
  return a === undefined ? NONE : str(dig(a, 'address'));
}

export function orUnknown(s: string): string {
  return s === '' ? UNKNOWN : s;
}

export function accessModes(modes: unknown): string {
  const m = new Set(arr(modes).map((x) => str(x)));
  const out: string[] = [];
  if (m.has('ReadWriteOnce')) out.push('RWO');
  if (m.has('ReadOnlyMany')) out.push('ROX');
  if (m.has('ReadWriteMany')) out.push('RWX');
  if (m.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

export function storageClassOf(o: KubeObject): string {
  const ann = str(dig(o, 'metadata', 'annotations', 'volume.beta.kubernetes.io/storage-class'));
  return ann !== '' ? ann : str(dig(o, 'spec', 'storageClassName'));
}

export function deletionSet(o: KubeObject): boolean {
  const d = dig(o, 'metadata', 'deletionTimestamp');
  return d !== undefined && d !== null;
}

export function jobCondition(o: KubeObject, type: string): boolean {
  const c = arr(dig(o, 'status', 'conditions')).find((x) => str(dig(x, 'type')) === type);
  return c !== undefined && str(dig(c, 'status')) === 'True';
}

export function jobStatus(o: KubeObject): string {
  if (jobCondition(o, 'Complete')) return 'Complete';
  if (jobCondition(o, 'Failed')) return 'Failed';
  if (deletionSet(o)) return 'Terminating';
  if (jobCondition(o, 'Suspended')) return 'Suspended';
  if (jobCondition(o, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export function jobCompletions(o: KubeObject): string {
  const succeeded = num(dig(o, 'status', 'succeeded'));
  const completions = dig(o, 'spec', 'completions');
  const parallelism = dig(o, 'spec', 'parallelism');
  // The API server defaults both to 1 when neither is set.
  if (completions !== undefined && completions !== null) return `${succeeded}/${num(completions)}`;
  if (parallelism === undefined || parallelism === null) return `${succeeded}/1`;
  const p = num(parallelism);
  return p > 1 ? `${succeeded}/1 of ${p}` : `${succeeded}/1`;
}

export function jobDuration(o: KubeObject, ctx: PrintContext): string {
  const start = str(dig(o, 'status', 'startTime'));
  if (start === '') return '';
  const s = Date.parse(start);
  const done = str(dig(o, 'status', 'completionTime'));
  if (done !== '') return humanDuration(Date.parse(done) - s);
  return ctx.now === undefined ? '' : humanDuration(ctx.now - s);
}

export function boolPtr(v: unknown, dflt: boolean | undefined): string {
  const b = typeof v === 'boolean' ? v : dflt;
  return b === undefined ? '<unset>' : b ? 'True' : 'False';
}

export function ingressHosts(o: KubeObject): string {
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

export function subjects(o: KubeObject, kind: 'User' | 'Group' | 'ServiceAccount'): string {
  return arr(o['subjects'])
    .filter((s) => str(dig(s, 'kind')) === kind)
    .map((s) =>
      kind === 'ServiceAccount' ? `${str(dig(s, 'namespace'))}/${str(dig(s, 'name'))}` : str(dig(s, 'name')),
    )
    .join(', ');
}

export function eventTimes(o: KubeObject, ctx: PrintContext): { first: string; last: string; count: number } {
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

export function eventSource(o: KubeObject): string {
  const component = str(dig(o, 'source', 'component')) || str(dig(o, 'reportingComponent'));
  const host = str(dig(o, 'source', 'host')) || str(dig(o, 'reportingInstance'));
  return host === '' ? component : `${component}, ${host}`;
}

/** The last pod summarised: its READY, STATUS and RESTARTS cells are asked for one after the other. */
let lastPod: { pod: KubeObject; now: number | undefined; summary: ReturnType<typeof podSummary> } | undefined;

/** podSummary, computed once per pod for its three cells. */
export function podCells(o: KubeObject, ctx: PrintContext): ReturnType<typeof podSummary> {
  if (lastPod !== undefined && lastPod.pod === o && lastPod.now === ctx.now) return lastPod.summary;
  const summary = podSummary(o, ctx.now);
  lastPod = { pod: o, now: ctx.now, summary };
  return summary;
}

export const bindingColumns: KindColumn[] = [
  nameCol,
  { header: 'ROLE', cell: (o) => `${str(dig(o, 'roleRef', 'kind'))}/${str(dig(o, 'roleRef', 'name'))}` },
  ageCol,
  { header: 'USERS', wide: true, cell: (o) => subjects(o, 'User') },
  { header: 'GROUPS', wide: true, cell: (o) => subjects(o, 'Group') },
  { header: 'SERVICEACCOUNTS', wide: true, cell: (o) => subjects(o, 'ServiceAccount') },
];
