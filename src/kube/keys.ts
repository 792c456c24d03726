/**
 * etcd keys of Kubernetes objects, both ways: `<prefix>/<keyPrefix>/[<namespace>/]<name>`, where the
 * prefix is kube-apiserver's `--etcd-prefix` (`/registry` by default) and keyPrefix comes from the
 * resource table (`pods`, `services/specs`, `minions`, `<group>/<plural>` for custom resources).
 * Also the keys that are not objects: `compact_rev_key`, master leases and range allocations.
 */
import { InvalidArgumentError } from '../errors';
import { builtinResources, resolveResource, type ResourceInfo } from './resources';

/** The default `--etcd-prefix` of kube-apiserver. */
export const DEFAULT_ETCD_PREFIX = '/registry';

/** The key of one Kubernetes object. */
export interface ObjectKey {
  readonly kind: 'object';
  readonly key: string;
  /** The etcd prefix, without a trailing slash: `/registry`. */
  readonly prefix: string;
  /** The path between the prefix and the namespace/name: `pods`, `services/specs`, `cert-manager.io/certificates`. */
  readonly keyPrefix: string;
  /** The resource (plural): `pods`, `services`, `certificates`. */
  readonly resource: string;
  /** The API group, when known and not core. */
  readonly group?: string;
  readonly namespace?: string;
  readonly name: string;
  /**
   * The table entry of the resource; absent when the key has an object's shape but its resource is
   * not known (a custom resource whose CRD was not passed, or a resource an older release stored).
   */
  readonly info?: ResourceInfo;
}

/** `compact_rev_key`: where etcd's compactor records the last compacted revision (outside the prefix). */
export interface CompactRevisionKey {
  readonly kind: 'compact-revision';
  readonly key: string;
}

/** `<prefix>/masterleases/<ip>`: an API server's endpoint lease (with an etcd lease). */
export interface MasterLeaseKey {
  readonly kind: 'master-lease';
  readonly key: string;
  readonly prefix: string;
  readonly ip: string;
}

/** `<prefix>/ranges/serviceips` or `<prefix>/ranges/servicenodeports`: a RangeAllocation bitmap. */
export interface RangeAllocationKey {
  readonly kind: 'range-allocation';
  readonly key: string;
  readonly prefix: string;
  /** `serviceips`, `servicenodeports`. */
  readonly range: string;
}

/** Any other key: not under the prefix, or not shaped like a Kubernetes key. */
export interface OtherKey {
  readonly kind: 'other';
  readonly key: string;
  /** The etcd prefix, when the key is under it. */
  readonly prefix?: string;
}

/** What {@link parseKey} finds in a key. */
export type ParsedKey = ObjectKey | CompactRevisionKey | MasterLeaseKey | RangeAllocationKey | OtherKey;

/** Options of {@link parseKey}. */
export interface ParseKeyOptions {
  /** The etcd prefix. Default: the first of `/registry`, `/kubernetes.io`, `/openshift.io` the key starts with. */
  prefix?: string;
  /** Custom resources (from {@link resourcesFromCrd}) to recognise besides the built-ins. */
  resources?: readonly ResourceInfo[];
}

const WELL_KNOWN_PREFIXES = ['/registry', '/kubernetes.io', '/openshift.io'];

/** `/registry/` → `/registry`, `/` → `` (kube-apiserver joins paths, so `--etcd-prefix=/` gives `/pods/…`). */
function normalizePrefix(prefix: string): string {
  return prefix.replace(/\/+$/, '');
}

type PrefixTable = ReadonlyMap<string, ResourceInfo>;

function buildTable(resources: readonly ResourceInfo[]): PrefixTable {
  const table = new Map<string, ResourceInfo>();
  for (const r of resources) {
    const current = table.get(r.keyPrefix);
    // The keys belong to the resource that is not `storedWith` another (core events, not events.k8s.io).
    if (current === undefined || (current.storedWith !== undefined && r.storedWith === undefined)) {
      table.set(r.keyPrefix, r);
    }
  }
  return table;
}

const BUILTIN_TABLE = buildTable(builtinResources());
/** Tables with custom resources, per `resources` array (parseKey runs once per key of a whole snapshot). */
const tables = new WeakMap<readonly ResourceInfo[], { size: number; table: PrefixTable }>();

function tableFor(resources: readonly ResourceInfo[] | undefined): PrefixTable {
  if (resources === undefined || resources.length === 0) return BUILTIN_TABLE;
  const cached = tables.get(resources);
  if (cached !== undefined && cached.size === resources.length) return cached.table;
  const table = buildTable([...builtinResources(), ...resources]);
  tables.set(resources, { size: resources.length, table });
  return table;
}
const MAX_PREFIX_SEGMENTS = 2;
/** What an unknown resource (plural) and group must look like for a key to be read as an object's. */
const RESOURCE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/**
 * First segments that never start an object key of an unknown resource: those of two-segment built-in
 * prefixes that are not groups (`services`, for `services/specs`, …) and of the non-object keys.
 */
const RESERVED_FIRST_SEGMENTS: ReadonlySet<string> = new Set([
  'masterleases',
  'ranges',
  ...builtinResources()
    .map((r) => r.keyPrefix.split('/'))
    .filter((parts) => parts.length > 1 && !(parts[0] as string).includes('.'))
    .map((parts) => parts[0] as string),
]);

function objectKey(
  key: string,
  prefix: string,
  keyPrefix: string,
  resource: string,
  group: string | undefined,
  rest: string[],
  info: ResourceInfo | undefined,
): ObjectKey {
  return {
    kind: 'object',
    key,
    prefix,
    keyPrefix,
    resource,
    ...(group ? { group } : {}),
    ...(rest.length === 2 ? { namespace: rest[0] as string } : {}),
    name: rest[rest.length - 1] as string,
    ...(info ? { info } : {}),
  };
}

/**
 * Reads an etcd key. Never throws for odd keys: anything that is not a Kubernetes key comes back
 * as `{ kind: 'other' }`.
 * @example
 * parseKey('/registry/services/specs/default/kubernetes')
 * // { kind: 'object', prefix: '/registry', keyPrefix: 'services/specs', resource: 'services',
 * //   namespace: 'default', name: 'kubernetes', info: {…} }
 */
export function parseKey(key: string, options: ParseKeyOptions = {}): ParsedKey {
  if (typeof key !== 'string') return { kind: 'other', key: String(key) };
  if (key === 'compact_rev_key') return { kind: 'compact-revision', key };
  const candidates = options.prefix !== undefined ? [normalizePrefix(options.prefix)] : WELL_KNOWN_PREFIXES;
  const prefix = candidates.find((p) => key.startsWith(`${p}/`));
  if (prefix === undefined) return { kind: 'other', key };
  const other: OtherKey = { kind: 'other', key, prefix };
  const segments = key.slice(prefix.length + 1).split('/');
  if (segments.some((s) => s === '')) return other;
  const [first, second] = segments as [string, string | undefined];
  if (segments.length === 2 && first === 'masterleases')
    return { kind: 'master-lease', key, prefix, ip: second as string };
  if (segments.length === 2 && first === 'ranges')
    return { kind: 'range-allocation', key, prefix, range: second as string };

  const table = tableFor(options.resources);
  for (let n = Math.min(MAX_PREFIX_SEGMENTS, segments.length - 1); n >= 1; n--) {
    const keyPrefix = segments.slice(0, n).join('/');
    const info = table.get(keyPrefix);
    if (info === undefined) continue;
    const rest = segments.slice(n);
    if (rest.length !== (info.namespaced ? 2 : 1)) return other;
    return objectKey(key, prefix, keyPrefix, info.resource, info.group || undefined, rest, info);
  }
  // Not in the table: read the shape (but `services` alone is never a resource prefix, nor `ranges`, …).
  if (RESERVED_FIRST_SEGMENTS.has(first)) return other;
  // A first segment with a dot is a group (custom resources).
  if (first.includes('.')) {
    if (segments.length !== 3 && segments.length !== 4) return other;
    if (!DNS_SUBDOMAIN.test(first) || !RESOURCE_NAME.test(second as string)) return other;
    return objectKey(key, prefix, `${first}/${second}`, second as string, first, segments.slice(2), undefined);
  }
  if (segments.length !== 2 && segments.length !== 3) return other;
  if (!RESOURCE_NAME.test(first)) return other;
  return objectKey(key, prefix, first, first, undefined, segments.slice(1), undefined);
}

function checkSegment(what: string, value: string, resource: ResourceInfo): void {
  if (typeof value !== 'string' || value === '' || value.includes('/')) {
    throw new InvalidArgumentError(
      `Invalid ${what} for ${resource.resource}: ${JSON.stringify(value)}. Pass a non-empty ${what} without '/'.`,
      { resource: resource.resource, [what]: value },
    );
  }
}

function toInfo(resource: ResourceInfo | string): ResourceInfo {
  return typeof resource === 'string' ? resolveResource(resource) : resource;
}

function checkScope(r: ResourceInfo, namespace: string | undefined, needed: boolean): void {
  if (r.namespaced && needed && (namespace === undefined || namespace === '')) {
    throw new InvalidArgumentError(
      `Namespace missing for ${r.resource}: it is a namespaced resource. Pass a namespace, e.g. "default".`,
      { resource: r.resource },
    );
  }
  if (!r.namespaced && namespace !== undefined && namespace !== '') {
    throw new InvalidArgumentError(
      `Namespace ${JSON.stringify(namespace)} given for ${r.resource}: it is cluster-scoped. Omit the namespace.`,
      { resource: r.resource, namespace },
    );
  }
  if (namespace !== undefined && namespace !== '') checkSegment('namespace', namespace, r);
}

/**
 * The etcd key of one object.
 * @example
 * keyFor(resolveResource('svc'), 'kubernetes', 'default') // "/registry/services/specs/default/kubernetes"
 * keyFor(resolveResource('node'), 'node-1', undefined, '/kubernetes.io') // "/kubernetes.io/minions/node-1"
 */
export function keyFor(
  resource: ResourceInfo | string,
  name: string,
  namespace?: string,
  prefix: string = DEFAULT_ETCD_PREFIX,
): string {
  const r = toInfo(resource);
  checkScope(r, namespace, true);
  checkSegment('name', name, r);
  const p = normalizePrefix(prefix);
  return r.namespaced ? `${p}/${r.keyPrefix}/${namespace}/${name}` : `${p}/${r.keyPrefix}/${name}`;
}

/**
 * The key prefix that lists a resource, in all namespaces or in one. It ends in `/`, so
 * `…/pods/default/` does not match `…/pods/default-x/`.
 * @example
 * listPrefixFor(resolveResource('pods'), 'default') // "/registry/pods/default/"
 * listPrefixFor(resolveResource('ing')) // "/registry/ingress/"
 */
export function listPrefixFor(
  resource: ResourceInfo | string,
  namespace?: string,
  prefix: string = DEFAULT_ETCD_PREFIX,
): string {
  const r = toInfo(resource);
  checkScope(r, namespace, false);
  const p = normalizePrefix(prefix);
  return namespace ? `${p}/${r.keyPrefix}/${namespace}/` : `${p}/${r.keyPrefix}/`;
}

const ANCHORS: readonly string[] = [
  ...new Set([...builtinResources().map((r) => r.keyPrefix), 'masterleases', 'ranges']),
];

/**
 * Finds the etcd prefix (`--etcd-prefix`) from a sample of keys: the path before a built-in
 * resource's key prefix (`<p>/namespaces/`, `<p>/pods/`, `<p>/minions/`, …) in most keys. Falls back to
 * the most common first path segment, then to `/registry`. OpenShift's built-ins give `/kubernetes.io`.
 * @example
 * detectEtcdPrefix(['/kubernetes.io/namespaces/default', '/openshift.io/routes/default/web']) // "/kubernetes.io"
 */
export function detectEtcdPrefix(sampleKeys: Iterable<string>): string {
  const votes = new Map<string, number>();
  const firstSegments = new Map<string, number>();
  for (const key of sampleKeys) {
    if (typeof key !== 'string' || key === 'compact_rev_key') continue;
    let best = -1;
    for (const anchor of ANCHORS) {
      const idx = key.indexOf(`/${anchor}/`);
      if (idx >= 0 && (best < 0 || idx < best)) best = idx;
    }
    if (best >= 0) votes.set(key.slice(0, best), (votes.get(key.slice(0, best)) ?? 0) + 1);
    const m = /^(\/[^/]+)\/./.exec(key);
    if (m) firstSegments.set(m[1] as string, (firstSegments.get(m[1] as string) ?? 0) + 1);
  }
  const pick = (m: Map<string, number>): string | undefined => {
    let chosen: string | undefined;
    let most = 0;
    for (const [p, n] of m) {
      if (n > most || (n === most && chosen !== undefined && p === DEFAULT_ETCD_PREFIX)) {
        chosen = p;
        most = n;
      }
    }
    return chosen;
  };
  return pick(votes) ?? pick(firstSegments) ?? DEFAULT_ETCD_PREFIX;
}
