/**
 * The ownerReference graph over any KvSource: who owns an object and what it owns (Deployment →
 * ReplicaSet → Pod, a Node's Lease, a Service's EndpointSlices, a custom resource's children), objects
 * whose owner is gone from the data, and objects stuck on finalizers. Owners are matched by uid, as
 * Kubernetes' garbage collector matches them, never by name.
 */
import { createProjector, type KubeObject, type Projector } from '../codec';
import { InvalidArgumentError, NotFoundError } from '../errors';
import type { KubeContext } from './context';
import { leaseRenewal } from './data-clock';
import { keyFor, parseKey } from './keys';
import { qualifiedResourceName, type ResourceInfo } from './resources';

const td = new TextDecoder();

/** One ownerReference, as `metadata.ownerReferences[]` holds it. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  /** True for the managing controller (at most one per object). */
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** One object of the graph, or an owner that only a reference names (`present: false`). */
export interface OwnerNode {
  uid: string;
  kind: string;
  /** The qualified resource name (`replicasets.apps`); absent for an owner not in the data. */
  resource?: string;
  namespace?: string;
  name: string;
  /** The etcd key; absent for an owner not in the data. */
  key?: string;
  /** False when no object with this uid is in the data (its owner reference dangles). */
  present: boolean;
  /** Set when the object is being deleted. */
  deletionTimestamp?: string;
  /** Finalizers still pending (`metadata.finalizers`, and a Namespace's `spec.finalizers`). */
  finalizers?: string[];
  /** Up: the objects this one names in its ownerReferences, each with its own owners. */
  owners?: OwnerNode[];
  /** Down: the objects whose ownerReferences name this one, each with its own dependents. */
  dependents?: OwnerNode[];
}

/** Options of {@link objectOwners}. Every field is optional. */
export interface OwnersOptions {
  /** The object's namespace (default `default` for a namespaced resource). */
  namespace?: string;
  revision?: number;
  /** Levels followed up and down (default 10). */
  depth?: number;
  signal?: AbortSignal;
}

/** What {@link objectOwners} returns. */
export interface KubeOwners {
  /** The object asked about, with `owners` (up) and `dependents` (down) filled in. */
  object: OwnerNode;
  /** Objects in the graph besides the one asked about (owners up, dependents down, each counted once). */
  related: number;
  /** Values whose ownership could not be read (encrypted without the key, damaged): not in the graph. */
  unreadable: number;
  /** Objects read. */
  scanned: number;
  /** The revision read. */
  revision: number;
}

/** An object naming an owner (by uid) that is not in the data. */
export interface OrphanedObject {
  uid: string;
  kind: string;
  resource: string;
  namespace?: string;
  name: string;
  key: string;
  /** Its owner references whose uid no object in the data has. */
  missingOwners: OwnerReference[];
  /** True when every owner is gone (the garbage collector would delete it, had it seen the owner go). */
  allOwnersGone: boolean;
}

/** An object being deleted that waits on finalizers. */
export interface StuckObject {
  uid: string;
  kind: string;
  resource: string;
  namespace?: string;
  name: string;
  key: string;
  deletionTimestamp: string;
  finalizers: string[];
  /** Since the delete was asked, as of `now` of the result (milliseconds). */
  ageMs: number;
}

/** Options of {@link findOrphans}. Every field is optional. */
export interface OrphansOptions {
  /** Only this namespace's objects are reported (owners anywhere still count). */
  namespace?: string;
  revision?: number;
  /** "Now" for the ages: default this machine's clock for live etcd, the newest Lease renewal in a file. */
  now?: Date;
  signal?: AbortSignal;
}

/** What {@link findOrphans} returns. */
export interface KubeOrphans {
  /** Objects whose owner (by uid) is gone, in key order. */
  orphans: OrphanedObject[];
  /** Objects with `deletionTimestamp` set and finalizers pending, oldest delete first. */
  stuck: StuckObject[];
  /** The "now" ages are measured to (RFC 3339) and where it comes from. */
  now: string;
  clock: string;
  unreadable: number;
  scanned: number;
  revision: number;
}

/** What one pass keeps per object: the uid index holds only this (the key is rebuilt from its parts). */
interface Entry {
  resource: string;
  kind: string;
  namespace: string | undefined;
  name: string;
  /** The key up to the namespace: `/registry/services/specs/` (one shared copy per resource). */
  keyBase: string;
  owners: OwnerReference[] | undefined;
  deletionTimestamp?: string;
  finalizers?: string[];
}

/** The fields read from each value (a projection: the rest of each protobuf value is skipped unread). */
const PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'metadata.ownerReferences',
  'metadata.deletionTimestamp',
  'metadata.finalizers',
  'spec.finalizers',
  'spec.renewTime',
  'spec.acquireTime',
];

/** Resources that never take part: events own nothing and are owned by nothing, and are most keys. */
const SKIPPED = new Set(['events', 'events.events.k8s.io']);

let projector: Projector | undefined;

interface Index {
  byUid: Map<string, Entry>;
  unreadable: number;
  scanned: number;
  revision: number;
  /** The newest Lease renewal met, for the data clock. */
  newestLease?: { t: number; name: string };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * One copy of each repeated string (kinds, resources, namespaces, apiVersions): each decoded value brings
 * its own copies, and the index keeps one entry per object.
 */
class Interner {
  private readonly seen = new Map<string, string>();
  of(s: string): string;
  of(s: string | undefined): string | undefined;
  of(s: string | undefined): string | undefined {
    if (s === undefined) return undefined;
    const have = this.seen.get(s);
    if (have !== undefined) return have;
    this.seen.set(s, s);
    return s;
  }
}

function ownerRefs(v: unknown, intern: Interner): OwnerReference[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const out: OwnerReference[] = [];
  for (const r of v) {
    if (r === null || typeof r !== 'object') continue;
    const o = r as Record<string, unknown>;
    const ref: OwnerReference = {
      apiVersion: intern.of(str(o.apiVersion) ?? ''),
      kind: intern.of(str(o.kind) ?? ''),
      name: str(o.name) ?? '',
      uid: str(o.uid) ?? '',
    };
    if (typeof o.controller === 'boolean') ref.controller = o.controller;
    if (typeof o.blockOwnerDeletion === 'boolean') ref.blockOwnerDeletion = o.blockOwnerDeletion;
    if (ref.uid !== '') out.push(ref);
  }
  return out.length > 0 ? out : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : [];
}

/**
 * One streaming pass over every object under the prefix but events: for each object only its uid,
 * resource, kind, namespace, name, the shared start of its key and its ownerReferences are kept (plus
 * deletionTimestamp and finalizers for the few being deleted), never the object; values are read by
 * projection. Two objects with one uid (data restored over itself) keep the later in key order.
 */
async function buildIndex(k: KubeContext, options: { revision?: number; signal?: AbortSignal }): Promise<Index> {
  projector ??= createProjector(PATHS);
  const index: Index = { byUid: new Map(), unreadable: 0, scanned: 0, revision: options.revision ?? 0 };
  const rangeOptions = {
    ...(options.revision !== undefined ? { revision: options.revision } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    transientValues: true,
    onProgress: (p: { revision: number }) => {
      index.revision = p.revision;
    },
  };
  const leasesPrefix = `${k.prefix}/leases/`;
  const intern = new Interner();
  for await (const kv of k.source.range({ prefix: `${k.prefix}/` }, rangeOptions)) {
    const key = td.decode(kv.key);
    const parsed = parseKey(key, { prefix: k.prefix, resources: k.customResources });
    if (parsed.kind !== 'object') continue;
    const resource = parsed.info
      ? qualifiedResourceName(parsed.info)
      : parsed.group
        ? `${parsed.resource}.${parsed.group}`
        : parsed.resource;
    if (SKIPPED.has(resource)) continue;
    index.scanned++;
    const p = projector.project(kv.value, k.decodeOptions(key) ?? {});
    const object: KubeObject | undefined = p.object;
    const meta = object?.metadata as Record<string, unknown> | undefined;
    const uid = str(meta?.uid);
    if (object === undefined || meta === undefined || uid === undefined) {
      index.unreadable++;
      continue;
    }
    const entry: Entry = {
      resource: intern.of(resource),
      kind: intern.of(str(object.kind) ?? parsed.info?.kind ?? ''),
      // where the object is stored: the key's namespace and name (its metadata says the same)
      namespace: intern.of(parsed.namespace),
      name: parsed.name,
      keyBase: intern.of(`${k.prefix}/${parsed.keyPrefix}/`),
      owners: ownerRefs(meta.ownerReferences, intern),
    };
    const deletion = str(meta.deletionTimestamp);
    if (deletion !== undefined) {
      entry.deletionTimestamp = deletion;
      const spec = object.spec as Record<string, unknown> | undefined;
      entry.finalizers = [
        ...strings(meta.finalizers),
        ...(entry.kind === 'Namespace' ? strings(spec?.finalizers) : []),
      ];
    }
    if (key.startsWith(leasesPrefix)) {
      // the data clock (src/kube/data-clock.ts), read in this same pass: the newest Lease renewal
      const t = leaseRenewal(object);
      if (t !== undefined && (index.newestLease === undefined || t > index.newestLease.t))
        index.newestLease = { t, name: key.slice(leasesPrefix.length) };
    }
    index.byUid.set(uid, entry);
  }
  if (index.revision === 0) index.revision = (await k.source.status()).revision;
  return index;
}

function keyOf(e: Entry): string {
  return `${e.keyBase}${e.namespace !== undefined ? `${e.namespace}/` : ''}${e.name}`;
}

function nodeOf(uid: string, e: Entry): OwnerNode {
  const n: OwnerNode = { uid, kind: e.kind, resource: e.resource, name: e.name, key: keyOf(e), present: true };
  if (e.namespace !== undefined) n.namespace = e.namespace;
  if (e.deletionTimestamp !== undefined) n.deletionTimestamp = e.deletionTimestamp;
  if (e.finalizers !== undefined) n.finalizers = e.finalizers;
  return n;
}

/** The resource of an owner reference's kind (by apiVersion's group), when known. */
function kindInfo(k: KubeContext, ref: OwnerReference): ResourceInfo | undefined {
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.slice(0, ref.apiVersion.indexOf('/')) : '';
  try {
    const info = k.resolve(group === '' ? ref.kind.toLowerCase() : `${ref.kind.toLowerCase()}.${group}`);
    return info.kind === ref.kind ? info : undefined;
  } catch {
    return undefined;
  }
}

function checkDepth(depth: number | undefined): number {
  if (depth === undefined) return 10;
  if (!Number.isInteger(depth) || depth < 0)
    throw new InvalidArgumentError(
      `Invalid depth: ${String(depth)}. Pass a whole number of levels (0 or more), or omit it (10).`,
    );
  return depth;
}

/**
 * The ownerReference graph around one object: its owners up (by uid, an owner missing from the data is a
 * node with `present: false`) and what it owns down, each followed to `depth` levels. One streaming pass
 * over every object but events, keeping only uid → (resource, kind, namespace, name, owners) for each, the
 * repeated strings shared (about 500 bytes per object, never the objects: 50 000 objects fit in a 32 MB heap).
 * @example
 * const { object } = await objectOwners(k, 'replicasets', 'web-7d4b9c', { namespace: 'shop' });
 * object.owners?.[0].kind; // 'Deployment'
 * object.dependents?.map((p) => p.name); // the pods
 */
export async function objectOwners(
  k: KubeContext,
  resource: string,
  name: string,
  options: OwnersOptions = {},
): Promise<KubeOwners> {
  if (typeof resource !== 'string' || resource === '' || typeof name !== 'string' || name === '') {
    throw new InvalidArgumentError(
      `Cannot follow owners of ${JSON.stringify(resource)} ${JSON.stringify(name)}: pass a resource and a name, such as k.owners('replicasets', 'web-7d4b9c', { namespace: 'shop' }).`,
    );
  }
  const depth = checkDepth(options.depth);
  const info: ResourceInfo = k.resolve(resource);
  const namespace = info.namespaced ? (options.namespace ?? 'default') : undefined;
  const key = keyFor(info, name, namespace, k.prefix);
  const index = await buildIndex(k, options);
  let targetUid: string | undefined;
  for (const [uid, e] of index.byUid) {
    if (e.name === name && keyOf(e) === key) {
      targetUid = uid;
      break;
    }
  }
  if (targetUid === undefined) {
    const where = namespace !== undefined ? ` in namespace ${JSON.stringify(namespace)}` : '';
    throw new NotFoundError(
      `${qualifiedResourceName(info)} ${JSON.stringify(name)} not found${where} (key ${key}) at revision ${index.revision}, or its value could not be read. k.keys('${k.prefix}/${info.resource}/') lists what is there.`,
      { key, revision: index.revision },
    );
  }
  const dependentsOf = new Map<string, string[]>();
  for (const [uid, e] of index.byUid) {
    for (const o of e.owners ?? []) {
      let list = dependentsOf.get(o.uid);
      if (list === undefined) dependentsOf.set(o.uid, (list = []));
      list.push(uid);
    }
  }
  const seen = new Set<string>([targetUid]);
  const up = (e: Entry, level: number): OwnerNode[] | undefined => {
    if (e.owners === undefined || level >= depth) return undefined;
    return e.owners.map((ref) => {
      const owner = index.byUid.get(ref.uid);
      if (owner === undefined) {
        seen.add(ref.uid);
        const gone: OwnerNode = { uid: ref.uid, kind: ref.kind, name: ref.name, present: false };
        // Kubernetes allows a namespaced owner only in the dependent's own namespace: where the kind is
        // known to be namespaced, that is where the owner was.
        const info = kindInfo(k, ref);
        if (info !== undefined) {
          gone.resource = qualifiedResourceName(info);
          if (info.namespaced && e.namespace !== undefined) gone.namespace = e.namespace;
        }
        return gone;
      }
      const n = nodeOf(ref.uid, owner);
      if (seen.has(ref.uid)) return n; // a cycle or a shared owner: shown, not followed again
      seen.add(ref.uid);
      const more = up(owner, level + 1);
      if (more !== undefined) n.owners = more;
      return n;
    });
  };
  const down = (uid: string, level: number): OwnerNode[] | undefined => {
    const kids = dependentsOf.get(uid);
    if (kids === undefined || level >= depth) return undefined;
    const nodes = kids.map((c) => ({ c, e: index.byUid.get(c) as Entry }));
    const keyed = nodes.map((x) => ({ ...x, key: keyOf(x.e) }));
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return keyed.map(({ c, e }) => {
      const n = nodeOf(c, e);
      if (seen.has(c)) return n;
      seen.add(c);
      const more = down(c, level + 1);
      if (more !== undefined) n.dependents = more;
      return n;
    });
  };
  const target = index.byUid.get(targetUid) as Entry;
  const object = nodeOf(targetUid, target);
  const owners = up(target, 0);
  if (owners !== undefined) object.owners = owners;
  const dependents = down(targetUid, 0);
  if (dependents !== undefined) object.dependents = dependents;
  return {
    object,
    related: seen.size - 1,
    unreadable: index.unreadable,
    scanned: index.scanned,
    revision: index.revision,
  };
}

/**
 * Objects whose owner is gone (an ownerReference whose uid no object in the data has: the owner was
 * deleted and its garbage collection never ran, or it was removed straight from etcd), and objects stuck
 * on finalizers (`deletionTimestamp` set, finalizers pending; a Namespace's `spec.finalizers` count),
 * with how long ago their delete was asked. One streaming pass over every object but events, keeping only
 * uid → (resource, kind, namespace, name, key, owners) per object, plus deletionTimestamp and finalizers
 * for objects being deleted.
 * @example
 * const { orphans, stuck } = await findOrphans(k);
 * orphans.map((o) => `${o.kind} ${o.namespace}/${o.name}: owner ${o.missingOwners[0].kind} ${o.missingOwners[0].name} is gone`);
 * stuck.map((s) => `${s.kind} ${s.name} waits on ${s.finalizers.join(', ')}`);
 */
export async function findOrphans(k: KubeContext, options: OrphansOptions = {}): Promise<KubeOrphans> {
  if (options.now !== undefined && !(options.now instanceof Date && Number.isFinite(options.now.getTime()))) {
    throw new InvalidArgumentError(`Invalid now: ${String(options.now)}. Pass a valid Date, or omit it.`);
  }
  const index = await buildIndex(k, options);
  let now: number;
  let clock: string;
  if (options.now !== undefined) {
    now = options.now.getTime();
    clock = 'the time given';
  } else if (!k.source.capabilities.current && index.newestLease !== undefined) {
    now = index.newestLease.t;
    clock = `the newest Lease renewal (${index.newestLease.name})`;
  } else {
    now = Date.now();
    clock = "this machine's clock";
  }
  const orphans: OrphanedObject[] = [];
  const stuck: StuckObject[] = [];
  for (const [uid, e] of index.byUid) {
    if (options.namespace !== undefined && e.namespace !== options.namespace) continue;
    const base = {
      uid,
      kind: e.kind,
      resource: e.resource,
      ...(e.namespace !== undefined ? { namespace: e.namespace } : {}),
      name: e.name,
      key: keyOf(e),
    };
    if (e.owners !== undefined) {
      const missing = e.owners.filter((o) => !index.byUid.has(o.uid));
      if (missing.length > 0)
        orphans.push({ ...base, missingOwners: missing, allOwnersGone: missing.length === e.owners.length });
    }
    if (e.deletionTimestamp !== undefined && e.finalizers !== undefined && e.finalizers.length > 0) {
      stuck.push({
        ...base,
        deletionTimestamp: e.deletionTimestamp,
        finalizers: e.finalizers,
        ageMs: now - (Date.parse(e.deletionTimestamp) || now),
      });
    }
  }
  orphans.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  stuck.sort((a, b) => b.ageMs - a.ageMs || (a.key < b.key ? -1 : 1));
  return {
    orphans,
    stuck,
    now: new Date(now).toISOString().replace(/\.000Z$/, 'Z'),
    clock,
    unreadable: index.unreadable,
    scanned: index.scanned,
    revision: index.revision,
  };
}
