/**
 * What takes space in an etcd keyspace holding Kubernetes: by resource, by namespace, the largest
 * objects, and — where the source can tell — every kept revision against the latest (a snapshot's MVCC
 * index knows each kept revision's size; live etcd only knows the latest values and its db size).
 */
import { AbortedError, InvalidArgumentError } from '../errors';
import type { MvccIndex } from '../sources/snapshot/mvcc-index';
import type { KvSource } from '../sources/types';
import { parseKey, type ParseKeyOptions, type ParsedKey } from './keys';
import type { KubeContext } from './context';
import { qualifiedResourceName } from './resources';

/** Options of {@link storageSizes}. Every field is optional. */
export interface SizesOptions {
  /** Measure at this etcd revision (default: the latest); on a snapshot, kept revisions up to it. */
  revision?: number;
  /** How many of the largest objects (and of the most revised keys) to list (default 10). */
  top?: number;
  /** Cancel the read (it then throws an `AbortedError`). */
  signal?: AbortSignal;
}

/** The space one group of keys takes. */
export interface SizeGroup {
  /** The resource (`pods`, `deployments.apps`, `compact_rev_key`, `masterleases`, `ranges`, `(other keys)`) or namespace. */
  name: string;
  /** Keys at the revision measured. */
  keys: number;
  /** Their value bytes. */
  bytes: number;
  /** Kept revisions of these keys (snapshots only; deletions included), up to the revision measured. */
  revisions?: number;
  /** Value bytes of all those kept revisions (snapshots only; the latest included). */
  allRevisionsBytes?: number;
}

/** One of the largest values. */
export interface LargestValue {
  key: string;
  bytes: number;
  /** For object keys: resource, namespace and name. */
  resource?: string;
  namespace?: string;
  name?: string;
}

/** A key with many kept revisions (snapshots only). */
export interface MostRevisedKey {
  key: string;
  revisions: number;
  allRevisionsBytes: number;
  /** False when the key is deleted at the revision measured (only its history remains). */
  exists: boolean;
}

/** The result of {@link storageSizes}. */
export interface KubeSizes {
  /** The revision measured. */
  revision: number;
  /** The source kind: what could be measured depends on it (see `notes`). */
  source: KvSource['kind'];
  compactRevision: number;
  /** Every key of the keyspace at the revision. */
  total: Omit<SizeGroup, 'name'>;
  /** Per resource (and per kind of non-object key), largest first. */
  byResource: SizeGroup[];
  /**
   * Per namespace, largest first; cluster-scoped objects under `(cluster-scoped)`, keys that are not
   * objects under `(not objects)`.
   */
  byNamespace: SizeGroup[];
  /** The `top` largest values, largest first (ties in key order). */
  largest: LargestValue[];
  /** The `top` keys with the most kept revisions (snapshots only). */
  mostRevisions?: MostRevisedKey[];
  /** Size of the backend database file, when the source knows it. */
  dbSizeBytes?: number;
  /** What the numbers include, and what this source cannot tell. */
  notes: string[];
}

const CLUSTER_SCOPED = '(cluster-scoped)';
const NOT_OBJECTS = '(not objects)';
const OTHER_KEYS = '(other keys)';

interface KeyGroups {
  resource: string;
  namespace: string;
  parsed: ParsedKey;
}

function groupsOf(parsed: ParsedKey): KeyGroups {
  switch (parsed.kind) {
    case 'object': {
      const resource = parsed.info
        ? qualifiedResourceName(parsed.info)
        : parsed.group
          ? `${parsed.resource}.${parsed.group}`
          : parsed.resource;
      return { resource, namespace: parsed.namespace ?? CLUSTER_SCOPED, parsed };
    }
    case 'compact-revision':
      return { resource: 'compact_rev_key', namespace: NOT_OBJECTS, parsed };
    case 'master-lease':
      return { resource: 'masterleases', namespace: NOT_OBJECTS, parsed };
    case 'range-allocation':
      return { resource: 'ranges', namespace: NOT_OBJECTS, parsed };
    default:
      return { resource: OTHER_KEYS, namespace: NOT_OBJECTS, parsed };
  }
}

function bump(map: Map<string, SizeGroup>, name: string): SizeGroup {
  let g = map.get(name);
  if (g === undefined) {
    g = { name, keys: 0, bytes: 0 };
    map.set(name, g);
  }
  return g;
}

function sorted(map: Map<string, SizeGroup>): SizeGroup[] {
  return [...map.values()].sort((a, b) => b.bytes - a.bytes || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Keeps the `top` largest items by `size`, largest first; among equals, the first seen first. */
class TopList<T> {
  readonly items: T[] = [];
  constructor(
    private readonly top: number,
    private readonly size: (item: T) => number,
  ) {}
  /** Whether an item of this size would be kept (so that callers can skip building the item). */
  accepts(size: number): boolean {
    return this.items.length < this.top || size > this.size(this.items[this.items.length - 1] as T);
  }
  offer(item: T): void {
    const s = this.size(item);
    const items = this.items;
    if (items.length >= this.top && s <= this.size(items[items.length - 1] as T)) return;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.size(items[mid] as T) >= s) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, item);
    if (items.length > this.top) items.pop();
  }
}

interface Tally {
  byResource: Map<string, SizeGroup>;
  byNamespace: Map<string, SizeGroup>;
  total: Omit<SizeGroup, 'name'>;
}

/** Counts one key's value (at the revision measured) in the total and its two groups. */
function addLatest(g: KeyGroups, bytes: number, t: Tally): void {
  t.total.keys++;
  t.total.bytes += bytes;
  for (const group of [bump(t.byResource, g.resource), bump(t.byNamespace, g.namespace)]) {
    group.keys++;
    group.bytes += bytes;
  }
}

function largestValue(key: string, bytes: number, g: KeyGroups): LargestValue {
  const value: LargestValue = { key, bytes };
  if (g.parsed.kind === 'object') {
    value.resource = g.resource;
    if (g.parsed.namespace !== undefined) value.namespace = g.parsed.namespace;
    value.name = g.parsed.name;
  }
  return value;
}

/**
 * Sizes from a snapshot's index in one pass over its keys, reading no record: the value sizes and revision
 * lists are in the index. Keys are sorted, so the keys of one directory (`/registry/pods/ns/`) come
 * together: a key is parsed only when its directory differs from the previous key's (the groups of a key
 * depend on its directory alone, for a non-empty last segment), and its text is made only for the top lists.
 */
function indexSizes(
  index: MvccIndex,
  revision: number,
  t: Tally & {
    parseOptions: ParseKeyOptions;
    largest: TopList<LargestValue>;
    top: number;
    signal: AbortSignal | undefined;
  },
): MostRevisedKey[] {
  const most = new TopList<MostRevisedKey>(t.top, (v) => v.revisions);
  t.total.revisions = 0;
  t.total.allRevisionsBytes = 0;
  const kb = index.keyBytes;
  const ks = index.keyStarts;
  const ke = index.keyEnds;
  let dirStart = 0;
  let dirLength = -1;
  let groups: KeyGroups | undefined;
  let resourceGroup: SizeGroup | undefined;
  let namespaceGroup: SizeGroup | undefined;
  for (let i = 0; i < index.keyCount; i++) {
    if ((i & 0xfff) === 0 && t.signal?.aborted) {
      throw new AbortedError('Measuring sizes was cancelled by its AbortSignal.', { revision });
    }
    let revisions = 0;
    let bytes = 0;
    let last = -1;
    const recEnd = index.recStart[i + 1] as number;
    for (let j = index.recStart[i] as number; j < recEnd; j++) {
      const r = index.recIndex[j] as number;
      if ((index.main[r] as number) > revision) break;
      revisions++;
      bytes += index.valueBytes[r] as number;
      last = r;
    }
    if (revisions === 0) continue;
    const start = ks[i] as number;
    const end = ke[i] as number;
    let slash = end - 1;
    while (slash >= start && kb[slash] !== 0x2f) slash--;
    const length = slash >= start && slash < end - 1 ? slash + 1 - start : -1; // the directory, when memoisable
    let key: string | undefined;
    let parsedHere = false;
    if (
      length <= 0 ||
      length !== dirLength ||
      kb.compare(kb, dirStart, dirStart + dirLength, start, start + length) !== 0
    ) {
      key = kb.toString('utf8', start, end);
      groups = groupsOf(parseKey(key, t.parseOptions));
      resourceGroup = bump(t.byResource, groups.resource);
      namespaceGroup = bump(t.byNamespace, groups.namespace);
      for (const group of [resourceGroup, namespaceGroup]) {
        group.revisions ??= 0;
        group.allRevisionsBytes ??= 0;
      }
      dirStart = start;
      dirLength = length;
      parsedHere = true;
    }
    const g = groups as KeyGroups;
    const rg = resourceGroup as SizeGroup;
    const ng = namespaceGroup as SizeGroup;
    const exists = index.tombstone[last] === 0;
    t.total.revisions += revisions;
    t.total.allRevisionsBytes += bytes;
    for (const group of [rg, ng]) {
      group.revisions = (group.revisions as number) + revisions;
      group.allRevisionsBytes = (group.allRevisionsBytes as number) + bytes;
    }
    const latest = index.valueBytes[last] as number;
    if (exists) {
      t.total.keys++;
      t.total.bytes += latest;
      for (const group of [rg, ng]) {
        group.keys++;
        group.bytes += latest;
      }
    }
    if (t.top > 0) {
      const bigValue = exists && t.largest.accepts(latest);
      const manyRevisions = most.accepts(revisions);
      if (bigValue || manyRevisions) {
        key ??= kb.toString('utf8', start, end);
        // the directory's groups, with this key's own name
        const own = parsedHere ? g : groupsOf(parseKey(key, t.parseOptions));
        if (bigValue) t.largest.offer(largestValue(key, latest, own));
        if (manyRevisions) most.offer({ key, revisions, allRevisionsBytes: bytes, exists });
      }
    }
  }
  return most.items;
}

function snapshotIndex(source: KvSource): MvccIndex | undefined {
  return source.capabilities.mvccIndex ? source.mvccIndex?.() : undefined;
}

/**
 * Where the space goes: keys and value bytes by resource and by namespace, the largest values and, on a
 * snapshot, every kept revision (count and bytes) beside the latest, with the most revised keys. Like
 * `auger analyze`, on any source; `notes` says what a source cannot tell (live etcd: older revisions).
 * @example
 * const s = await storageSizes(k, { top: 5 });
 * s.byResource.slice(0, 3).map((g) => `${g.name}: ${g.keys} keys, ${g.bytes} B (all revisions: ${g.allRevisionsBytes ?? '?'} B)`);
 */
export async function storageSizes(client: KubeContext, options: SizesOptions = {}): Promise<KubeSizes> {
  const top = options.top ?? 10;
  if (!(Number.isSafeInteger(top) && top >= 0)) {
    throw new InvalidArgumentError(
      `Invalid top: ${String(options.top)}. Pass a non-negative integer (how many largest objects to list), or omit it.`,
    );
  }
  if (options.revision !== undefined && !(Number.isSafeInteger(options.revision) && options.revision > 0)) {
    throw new InvalidArgumentError(
      `Invalid revision: ${String(options.revision)}. Pass a positive integer etcd revision, or omit it.`,
    );
  }
  const source = client.source;
  const status = await source.status();
  const revision = options.revision ?? status.revision;
  const parseOptions = { prefix: client.prefix, resources: client.customResources };
  const byResource = new Map<string, SizeGroup>();
  const byNamespace = new Map<string, SizeGroup>();
  const total: Omit<SizeGroup, 'name'> = { keys: 0, bytes: 0 };
  const largest = new TopList<LargestValue>(top, (v) => v.bytes);
  const index = snapshotIndex(source);
  let mostRevisions: MostRevisedKey[] | undefined;
  if (index !== undefined) {
    // Checks the revision as any read does (compacted, future): the index pass below reads no records.
    for await (const _kv of source.range({ prefix: '' }, { revision, keysOnly: true, limit: 1 })) break;
    mostRevisions = indexSizes(index, revision, {
      parseOptions,
      byResource,
      byNamespace,
      total,
      largest,
      top,
      signal: options.signal,
    });
  } else {
    const td = new TextDecoder();
    // Live etcd does not report value sizes on keys-only reads: read the values there.
    const readOptions = {
      revision,
      keysOnly: source.capabilities.valueBytesOnKeysOnly,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    };
    for await (const kv of source.range({ prefix: '' }, readOptions)) {
      const key = td.decode(kv.key);
      const g = groupsOf(parseKey(key, parseOptions));
      addLatest(g, kv.valueBytes, { byResource, byNamespace, total });
      if (top > 0 && largest.accepts(kv.valueBytes)) largest.offer(largestValue(key, kv.valueBytes, g));
    }
  }

  const result: KubeSizes = {
    revision,
    source: source.kind,
    compactRevision: status.compactRevision,
    total,
    byResource: [],
    byNamespace: [],
    largest: largest.items,
    notes: ['`bytes` are value bytes at the revision measured (keys, MVCC metadata and bbolt pages not included).'],
  };
  if (status.dbSizeBytes !== undefined) result.dbSizeBytes = status.dbSizeBytes;

  if (index !== undefined) {
    result.mostRevisions = mostRevisions ?? [];
    result.notes.push(
      '`revisions` and `allRevisionsBytes` count every revision the snapshot keeps (those after the compaction, ' +
        "plus the last one before it), deletions included; groups with keys = 0 hold only deleted keys' history.",
      '`dbSizeBytes` is the snapshot file: it also holds keys, metadata, free pages and bbolt overhead.',
    );
  } else if (source.kind === 'live') {
    result.notes.push(
      "Older revisions: unknown on live etcd (it would mean replaying every key's history). `dbSizeBytes` (etcd status) " +
        'includes them, plus free pages: save a snapshot (etcdctl snapshot save) and open it for per-revision sizes, ' +
        'or compact and defragment to reclaim the space.',
    );
  } else {
    result.notes.push('Older revisions: unknown (an etcdctl dump holds the latest values only).');
  }
  result.byResource = sorted(byResource);
  result.byNamespace = sorted(byNamespace);
  return result;
}
