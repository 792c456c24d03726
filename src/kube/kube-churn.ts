/**
 * Churn: how many writes (etcd revisions) each resource, namespace and key took over the history the
 * source keeps (after the compaction revision, up to the latest), and who made them, read from the
 * managers that `metadata.managedFields` names. One pass over the kept history: a snapshot's MVCC index,
 * or live etcd's watch replayed from the compaction revision (each event with the value before it).
 */
import { createProjector, type Projector } from '../codec/project';
import type { KubeObject } from '../codec/types';
import { AbortedError, InvalidArgumentError } from '../errors';
import type { MvccIndex } from '../sources/snapshot/mvcc-index';
import type { KvSource, KvWatchEvent } from '../sources/types';
import { parseKey, type ParseKeyOptions } from './keys';
import type { KubeContext } from './context';
import { qualifiedResourceName } from './resources';

/** Options of {@link keyChurn}. Every field is optional. */
export interface ChurnOptions {
  /** How many rows each list keeps (writers, resources, namespaces, keys); default 20. */
  limit?: number;
  signal?: AbortSignal;
}

/** Writes to one group of keys. */
export interface ChurnGroup {
  /** The resource, namespace or key. */
  name: string;
  /** Writes (revisions: creations, updates and deletions). */
  writes: number;
  /** Of them, deletions. */
  deletes: number;
  /** Distinct keys written. */
  keys: number;
}

/** One key's writes. */
export interface ChurnKey {
  key: string;
  resource?: string;
  namespace?: string;
  name?: string;
  writes: number;
  deletes: number;
  /** Its writes per manager (see {@link keyChurn} for the rule), most first. */
  managers: Record<string, number>;
}

/** One writer's writes. */
export interface ChurnWriter {
  /** The manager named in managedFields (`kubelet`, `kube-controller-manager`), or `unknown`. */
  manager: string;
  writes: number;
  /** Its writes per resource, most first. */
  resources: Record<string, number>;
}

/** Why writes were attributed to `unknown`, from {@link keyChurn}. */
export interface ChurnUnknown {
  /** Deletions (a tombstone carries no value, so no managedFields). */
  deletes: number;
  /** Values with no managedFields (events of older clusters, keys that are not objects, objects written around the API server). */
  noManagedFields: number;
  /** Values that could not be decoded (encrypted without the key, damaged). */
  undecoded: number;
  /** No entry's time moved, and no single entry holds the latest time. */
  noChange: number;
  /** Two managers' changed entries share the latest time (one-second precision). */
  ambiguous: number;
}

/** The result of {@link keyChurn}. */
export interface KubeChurn {
  /** Writes after this revision are counted (the compaction revision; 0 when never compacted). */
  fromRevision: number;
  /** Up to this revision (the latest). */
  toRevision: number;
  source: KvSource['kind'];
  /** Every write counted. */
  writes: number;
  deletes: number;
  /** Distinct keys written. */
  keys: number;
  /** Top writers first (at most `limit`; `unknown` among them). */
  writers: ChurnWriter[];
  byResource: ChurnGroup[];
  byNamespace: ChurnGroup[];
  /** The most written keys. */
  byKey: ChurnKey[];
  /** Writes attributed to `unknown`, by reason. */
  unknown: ChurnUnknown;
  /** Writes attributed to the manager that wrote the entry with the latest time in the same second as before (no entry's time moved). */
  sameSecond: number;
  /** How many writers, resources, namespaces and keys there were before `limit` cut the lists. */
  totals: { writers: number; resources: number; namespaces: number; keys: number };
  limit: number;
  /** How the writers were found. */
  notes: string[];
}

/**
 * The manager name for writes nobody can be named for (see {@link ChurnUnknown}).
 * @example
 * (await k.churn()).writers.find((w) => w.manager === UNKNOWN_WRITER)?.writes
 */
export const UNKNOWN_WRITER = 'unknown';

interface FieldsEntry {
  manager: string;
  id: string;
  time: string;
}

/** The managedFields entries of an object: manager, identity (manager, operation, subresource) and time. */
function entriesOf(object: KubeObject | undefined): FieldsEntry[] | undefined {
  const meta = object?.metadata as { managedFields?: unknown } | undefined;
  const list = meta?.managedFields;
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const out: FieldsEntry[] = [];
  for (const e of list as Array<Record<string, unknown>>) {
    if (e === null || typeof e !== 'object') continue;
    const manager = typeof e.manager === 'string' ? e.manager : '';
    const time = typeof e.time === 'string' ? e.time : '';
    out.push({ manager, id: `${manager}\u0000${String(e.operation ?? '')}\u0000${String(e.subresource ?? '')}`, time });
  }
  return out;
}

type Attribution = { manager: string } | { unknown: Exclude<keyof ChurnUnknown, 'deletes'> } | { sameSecond: string };

/**
 * The rule. The entries that this write changed are those of the object after it that are new or whose
 * `time` differs from the object before it (all of them for a creation, or when the value before is not
 * kept). The writer is the manager of the changed entry with the latest time (times are RFC 3339 in UTC,
 * to the second, so they compare as text), when no other manager's changed entry has that time. When no
 * entry changed (the same manager wrote again within the same second), it is the manager of the entry
 * with the latest time overall, when that manager alone has it.
 */
function attribute(after: FieldsEntry[] | undefined, before: FieldsEntry[] | undefined): Attribution {
  if (after === undefined) return { unknown: 'noManagedFields' };
  const previous = new Map((before ?? []).map((e) => [e.id, e.time]));
  const changed = before === undefined ? after : after.filter((e) => previous.get(e.id) !== e.time);
  const pick = (entries: FieldsEntry[]): string | undefined => {
    let latest = '';
    for (const e of entries) if (e.time > latest) latest = e.time;
    const names = new Set(entries.filter((e) => e.time === latest).map((e) => e.manager));
    return names.size === 1 ? [...names][0] : undefined;
  };
  if (changed.length > 0) {
    const m = pick(changed);
    return m !== undefined ? { manager: m } : { unknown: 'ambiguous' };
  }
  const m = pick(after);
  return m !== undefined ? { sameSecond: m } : { unknown: 'noChange' };
}

/** One write from the pass over history. */
interface Write {
  key: Uint8Array;
  deleted: boolean;
  /** The value written (empty for a deletion). */
  value: Uint8Array;
  /** The key's value before it, when kept (absent for a creation, or after a deletion). */
  previous?: Uint8Array;
}

function snapshotIndex(source: KvSource): MvccIndex | undefined {
  return source.capabilities.mvccIndex && source.mvccIndex !== undefined ? source.mvccIndex() : undefined;
}

/**
 * Every write after `from` up to `to` under the prefix, each with the value before it: in key order on a
 * snapshot (its index lists deleted keys too), in revision order from live etcd (a watch of every key
 * from `from` + 1, which ends at the first event of revision `to`: every revision has one).
 */
async function* writes(
  source: KvSource,
  prefix: string,
  from: number,
  to: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<Write> {
  const start = Buffer.from(prefix);
  const inPrefix = (key: Uint8Array): boolean =>
    key.length >= start.length && Buffer.compare(key.subarray(0, start.length), start) === 0;
  if (source.capabilities.watch && typeof source.watch === 'function') {
    if (from >= to) return;
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    signal?.addEventListener('abort', stop, { once: true });
    const it = source
      .watch({ prefix: '' }, { fromRevision: from + 1, signal: controller.signal })
      [Symbol.asyncIterator]();
    let pending: Promise<IteratorResult<KvWatchEvent>> | undefined;
    try {
      let atEnd = false;
      for (;;) {
        let r: IteratorResult<KvWatchEvent> | undefined;
        pending = it.next();
        if (!atEnd) r = await pending;
        else {
          // The events of revision `to` came in one watch response: those not yet handed out are queued
          // and come before a macrotask can run. When none does, every write of `to` was seen.
          r = await Promise.race([
            pending,
            new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined))),
          ]);
          if (r === undefined) break;
        }
        pending = undefined;
        if (r.done) return;
        const e = r.value;
        const rev = e.record.modRevision;
        if (rev > to) break;
        if (rev === to) atEnd = true;
        if (!inPrefix(e.record.key)) continue;
        const w: Write = { key: e.record.key, deleted: e.type === 'delete', value: e.record.value };
        if (e.previous !== undefined && e.record.version !== 1) w.previous = e.previous.value;
        yield w;
      }
    } catch (e) {
      if (signal?.aborted) throw new AbortedError('Reading churn was cancelled by its AbortSignal.', { revision: to });
      throw e;
    } finally {
      signal?.removeEventListener('abort', stop);
      if (pending !== undefined) {
        // a next() still waiting for etcd: end it by aborting the watch, then close the iterator
        controller.abort();
        await pending.catch(() => undefined);
      }
      await it.return?.();
    }
    return;
  }
  const index = snapshotIndex(source);
  const keys: AsyncIterable<Uint8Array> =
    index !== undefined ? indexKeys(index, start, inPrefix) : rangeKeys(source, prefix, to, signal);
  for await (const key of keys) {
    let previous: Uint8Array | undefined;
    for await (const h of source.history(key, signal !== undefined ? { signal } : {})) {
      if (h.modRevision > to) break;
      if (h.modRevision > from) {
        const w: Write = { key, deleted: h.deleted, value: h.value };
        if (previous !== undefined && h.version !== 1) w.previous = previous;
        yield w;
      }
      previous = h.deleted ? undefined : h.value;
    }
  }
}

async function* indexKeys(
  index: MvccIndex,
  start: Buffer,
  inPrefix: (key: Uint8Array) => boolean,
): AsyncGenerator<Uint8Array> {
  for (let i = index.lowerBound(start); i < index.keyCount; i++) {
    const key = index.key(i);
    if (!inPrefix(key)) return;
    yield key;
  }
}

async function* rangeKeys(
  source: KvSource,
  prefix: string,
  revision: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  for await (const kv of source.range(
    { prefix },
    { keysOnly: true, revision, ...(signal !== undefined ? { signal } : {}) },
  ))
    yield Buffer.from(kv.key);
}

function top<T extends { name?: string; writes: number }>(
  items: Iterable<T>,
  limit: number,
  nameOf: (t: T) => string,
): T[] {
  return [...items]
    .sort((a, b) => b.writes - a.writes || (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0))
    .slice(0, limit);
}

function sortedCounts(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0)));
}

/** One key's writes while counting: its managers as one name while only one wrote it. */
interface KeyTally {
  writes: number;
  deletes: number;
  managers: string | Map<string, number>;
}

/** The `limit` most written keys, most first; among equals, the key first in byte order first. */
class TopKeys {
  readonly items: Array<{ key: string; tally: KeyTally }> = [];
  constructor(private readonly limit: number) {}
  offer(key: string, tally: KeyTally): void {
    const items = this.items;
    const before = (i: number): boolean => {
      const o = items[i] as { key: string; tally: KeyTally };
      return o.tally.writes > tally.writes || (o.tally.writes === tally.writes && o.key < key);
    };
    if (items.length >= this.limit && before(items.length - 1)) return;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(mid)) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, { key, tally });
    if (items.length > this.limit) items.pop();
  }
}

function rankedKeys(ranked: TopKeys, open: Map<string, KeyTally>, parseOptions: ParseKeyOptions): ChurnKey[] {
  for (const [key, tally] of open) ranked.offer(key, tally);
  return ranked.items.map(({ key, tally }) => {
    const out: ChurnKey = {
      key,
      writes: tally.writes,
      deletes: tally.deletes,
      managers: typeof tally.managers === 'string' ? { [tally.managers]: tally.writes } : sortedCounts(tally.managers),
    };
    const parsed = parseKey(key, parseOptions);
    if (parsed.kind === 'object') {
      out.resource = parsed.info
        ? qualifiedResourceName(parsed.info)
        : parsed.group
          ? `${parsed.resource}.${parsed.group}`
          : parsed.resource;
      if (parsed.namespace !== undefined) out.namespace = parsed.namespace;
      out.name = parsed.name;
    }
    return out;
  });
}

let managersProjector: Projector | undefined;

/**
 * Writes per resource, namespace and key over the kept history (after the compaction revision, up to the
 * latest), top writers first, each write attributed to the manager named in the object's managedFields:
 * the one whose entry's `time` this write moved (see `notes` and {@link ChurnUnknown} for the `unknown`
 * ones). One pass over the history a snapshot keeps, or over live etcd's changes since its compaction.
 * @example
 * const c = await keyChurn(k, { limit: 5 });
 * c.writers.map((w) => `${w.manager}: ${w.writes}`); c.byKey[0]; // the most written key
 */
export async function keyChurn(k: KubeContext, options: ChurnOptions = {}): Promise<KubeChurn> {
  const limit = options.limit ?? 20;
  if (!(Number.isSafeInteger(limit) && limit > 0)) {
    throw new InvalidArgumentError(
      `Invalid limit: ${String(options.limit)}. Pass a positive integer (rows per list), or omit it.`,
    );
  }
  const source = k.source;
  if (!source.capabilities.history) {
    throw new InvalidArgumentError(
      `Cannot count writes in ${source.origin}: an "etcdctl get -w json" dump holds one revision of each key, not the history. Use a snapshot ("etcdctl snapshot save") or live etcd.`,
    );
  }
  const status = await source.status();
  const from = status.compactRevision;
  const to = status.revision;
  managersProjector ??= createProjector([
    'metadata.managedFields.manager',
    'metadata.managedFields.operation',
    'metadata.managedFields.subresource',
    'metadata.managedFields.time',
  ]);
  const projector = managersProjector;
  const td = new TextDecoder();
  const parseOptions = { prefix: k.prefix, resources: k.customResources };
  const unknown: ChurnUnknown = { deletes: 0, noManagedFields: 0, undecoded: 0, noChange: 0, ambiguous: 0 };
  const writers = new Map<string, { writes: number; resources: Map<string, number> }>();
  const byResource = new Map<string, ChurnGroup>();
  const byNamespace = new Map<string, ChurnGroup>();
  // Per key while it is being written: its counts, and its managers (one name until a second one comes).
  // A snapshot gives each key's writes together: a key is then ranked when the next begins and dropped,
  // so memory holds the `limit` most written; a live watch gives them in revision order: every key is held.
  const byKey = new Map<string, KeyTally>();
  const ranked = new TopKeys(limit);
  const ordered = !source.capabilities.watch;
  let current: string | undefined;
  let keys = 0;
  let total = 0;
  let deletes = 0;
  let sameSecond = 0;
  // distinct keys are counted when a key is first met (byKey), as a live watch gives writes in revision order
  const group = (map: Map<string, ChurnGroup>, name: string, deleted: boolean): void => {
    let g = map.get(name);
    if (g === undefined) map.set(name, (g = { name, writes: 0, deletes: 0, keys: 0 }));
    g.writes++;
    if (deleted) g.deletes++;
  };
  const managers = (key: string, value: Uint8Array): FieldsEntry[] | undefined | 'undecoded' => {
    const p = projector.project(value, k.decodeOptions(key));
    if (p.object === undefined) return 'undecoded';
    return entriesOf(p.object);
  };
  for await (const w of writes(source, `${k.prefix}/`, from, to, options.signal)) {
    const key = td.decode(w.key);
    const parsed = parseKey(key, parseOptions);
    const resource =
      parsed.kind === 'object'
        ? parsed.info
          ? qualifiedResourceName(parsed.info)
          : parsed.group
            ? `${parsed.resource}.${parsed.group}`
            : parsed.resource
        : '(other keys)';
    const namespace = parsed.kind === 'object' ? (parsed.namespace ?? '(cluster-scoped)') : '(not objects)';
    let manager = UNKNOWN_WRITER;
    if (w.deleted) unknown.deletes++;
    else {
      const after = managers(key, w.value);
      if (after === 'undecoded') unknown.undecoded++;
      else {
        const beforeEntries = w.previous !== undefined ? managers(key, w.previous) : undefined;
        const a = attribute(after, beforeEntries === 'undecoded' ? undefined : beforeEntries);
        if ('manager' in a) manager = a.manager;
        else if ('sameSecond' in a) {
          manager = a.sameSecond;
          sameSecond++;
        } else unknown[a.unknown]++;
      }
    }
    total++;
    if (w.deleted) deletes++;
    group(byResource, resource, w.deleted);
    group(byNamespace, namespace, w.deleted);
    let kc = byKey.get(key);
    if (kc === undefined) {
      if (ordered && current !== undefined) {
        ranked.offer(current, byKey.get(current) as KeyTally);
        byKey.delete(current);
      }
      current = key;
      kc = { writes: 0, deletes: 0, managers: manager };
      byKey.set(key, kc);
      keys++;
      byResource.get(resource)!.keys++;
      byNamespace.get(namespace)!.keys++;
    }
    kc.writes++;
    if (w.deleted) kc.deletes++;
    if (typeof kc.managers === 'string') {
      if (kc.managers !== manager)
        kc.managers = new Map([
          [kc.managers, kc.writes - 1],
          [manager, 1],
        ]);
    } else kc.managers.set(manager, (kc.managers.get(manager) ?? 0) + 1);
    let wr = writers.get(manager);
    if (wr === undefined) writers.set(manager, (wr = { writes: 0, resources: new Map() }));
    wr.writes++;
    wr.resources.set(resource, (wr.resources.get(resource) ?? 0) + 1);
  }
  return {
    fromRevision: from,
    toRevision: to,
    source: source.kind,
    writes: total,
    deletes,
    keys,
    writers: top(
      [...writers].map(([manager, w]) => ({ manager, writes: w.writes, resources: sortedCounts(w.resources) })),
      limit,
      (w) => w.manager,
    ),
    byResource: top(byResource.values(), limit, (g) => g.name),
    byNamespace: top(byNamespace.values(), limit, (g) => g.name),
    byKey: rankedKeys(ranked, byKey, parseOptions),
    unknown,
    sameSecond,
    totals: { writers: writers.size, resources: byResource.size, namespaces: byNamespace.size, keys },
    limit,
    notes: [
      `Writes after revision ${from} (the compaction) up to ${to}: creations, updates and deletions under ${k.prefix}/.`,
      'Each write goes to the manager of the managedFields entry it changed (new, or its time moved) with the latest time; ' +
        'when no entry moved (the same manager again within the second), to the manager with the latest time.',
      '`unknown`: deletions (a tombstone has no value), values without managedFields or not decoded, and writes two managers share the latest second of.',
    ],
  };
}
