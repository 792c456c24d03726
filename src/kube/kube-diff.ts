/**
 * What changed between two states of a cluster's etcd data: two snapshots, a snapshot and a live etcd,
 * or one source at two revisions. Both sides are read as key-ordered streams and merged, so memory holds
 * one record of each side at a time (plus the entries found), never either listing.
 */
import { decode, type KubeObject } from '../codec';
import { InvalidArgumentError } from '../errors';
import type { KvRecord } from '../sources/types';
import { listPrefixFor, parseKey } from './keys';
import type { KubeContext } from './context';
import { diffObjects, type HistoryChange } from './kube-history';
import { qualifiedResourceName, type ResourceInfo } from './resources';
import { isSecrets, redactChanges, redactSecret } from './secret-redaction';

/** One side of a diff: a KubeClient (or a notebook client: the members a diff reads). */
export type DiffSide = Pick<KubeContext, 'source' | 'prefix' | 'customResources' | 'decodeOptions' | 'resolve'>;

/** Options of {@link diffKube}. Every field is optional. */
export interface DiffOptions {
  /** Read the first side at this revision (default: its latest). */
  fromRevision?: number;
  /** Read the second side at this revision (default: its latest). */
  toRevision?: number;
  /** Only this resource (`pods`, `deploy`, `widgets.example.com`). */
  resource?: string;
  /** Only this namespace. */
  namespace?: string;
  /** Keep the noise ({@link DIFF_NOISE}): managedFields, resourceVersion, heartbeat times. */
  all?: boolean;
  /** Show Secrets' `data`/`stringData` values (redacted by default; a change still shows). */
  reveal?: boolean;
  /** Keep at most this many entries (counts go on over every key; `truncated` then says so). */
  limit?: number;
  signal?: AbortSignal;
}

/** One object added, deleted or changed between the two sides. */
export interface DiffEntry {
  change: 'added' | 'deleted' | 'changed';
  /** The etcd key (the second side's; the first side's for a deletion). */
  key: string;
  /** The qualified resource name; absent for keys not shaped like objects. */
  resource?: string;
  namespace?: string;
  name?: string;
  /** The key's modRevision on the first side (absent when added). */
  fromModRevision?: number;
  /** The key's modRevision on the second side (absent when deleted). */
  toModRevision?: number;
  /** For a change: the field differences (`path`, `op`, `from`, `to`), noise left out unless `all`. */
  changes?: HistoryChange[];
  /** For a change: how many noise differences were left out. */
  hiddenChanges?: number;
  /** Why a side could not be decoded (then compared by its bytes). */
  error?: string;
}

/** Counts of a diff, in all or for one resource. */
export interface DiffCounts {
  added: number;
  deleted: number;
  changed: number;
  /** Objects whose bytes differ only in noise: not listed unless `all`. */
  hidden: number;
}

/** The result of {@link diffKube}. */
export interface KubeDiff {
  from: { origin: string; revision: number };
  to: { origin: string; revision: number };
  /** The etcd range compared. */
  range: { prefix: string };
  /** Every entry in key order (at most `limit`). */
  entries: DiffEntry[];
  counts: DiffCounts;
  /** Per resource (`<other keys>` for keys not shaped like objects), sorted by name; only those with a difference. */
  byResource: Array<DiffCounts & { resource: string }>;
  /** True when `limit` cut the entries (the counts are complete). */
  truncated: boolean;
  /** The noise rules applied (empty with `all`). */
  noise: readonly string[];
}

/**
 * The fields left out of a diff by default, because they move without anyone changing the object's
 * meaning. A path is noise when it is (or is under) `metadata.managedFields` or `metadata.resourceVersion`,
 * or when its last field's name ends in `HeartbeatTime` or is `renewTime`.
 * @example
 * DIFF_NOISE.forEach((rule) => console.log(rule)); // what a diff leaves out unless { all: true }
 */
export const DIFF_NOISE: readonly string[] = [
  'metadata.managedFields (rewritten by every write: who owns which field, and when)',
  'metadata.resourceVersion (the etcd revision)',
  "fields named *HeartbeatTime (Node status.conditions[].lastHeartbeatTime, the kubelet's heartbeat)",
  'fields named renewTime (Lease spec.renewTime: leader election and node heartbeats)',
];

const LAST_FIELD = /(?:^|\.)([A-Za-z_$][A-Za-z0-9_$-]*)$/;

/**
 * Whether a diff path is noise (see {@link DIFF_NOISE}).
 * @example
 * isDiffNoise('status.conditions[2].lastHeartbeatTime') // true
 * isDiffNoise('spec.replicas') // false
 */
export function isDiffNoise(path: string): boolean {
  for (const p of ['metadata.managedFields', 'metadata.resourceVersion']) {
    if (path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`)) return true;
  }
  const last = LAST_FIELD.exec(path)?.[1];
  return last !== undefined && (last.endsWith('HeartbeatTime') || last === 'renewTime');
}

const td = new TextDecoder();

function checkRevision(name: string, revision: number | undefined): void {
  if (revision !== undefined && !(Number.isSafeInteger(revision) && revision > 0)) {
    throw new InvalidArgumentError(
      `Invalid ${name}: ${String(revision)}. Pass a positive integer etcd revision, or omit it.`,
    );
  }
}

interface Located {
  resource?: string;
  namespace?: string;
  name?: string;
  info?: ResourceInfo;
}

function locate(side: DiffSide, key: string): Located {
  const parsed = parseKey(key, { prefix: side.prefix, resources: side.customResources });
  if (parsed.kind !== 'object') return {};
  const out: Located = {
    resource: parsed.info
      ? qualifiedResourceName(parsed.info)
      : parsed.group
        ? `${parsed.resource}.${parsed.group}`
        : parsed.resource,
    name: parsed.name,
  };
  if (parsed.namespace !== undefined) out.namespace = parsed.namespace;
  if (parsed.info !== undefined) out.info = parsed.info;
  return out;
}

function decodeSide(side: DiffSide, key: string, kv: KvRecord): { object?: KubeObject; error?: string } {
  const d = decode(kv.value, side.decodeOptions(key));
  if (d.object !== undefined)
    return d.error !== undefined ? { object: d.object, error: d.error.message } : { object: d.object };
  if (d.encoding === 'encrypted' && d.error === undefined) {
    return {
      error: `${key} is encrypted at rest${d.encryption ? ` (${d.encryption.provider}, key "${d.encryption.keyName}")` : ''}.`,
    };
  }
  return { error: d.error?.message ?? `${key} does not hold a Kubernetes object (${d.encoding}).` };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** What {@link streamDiff} yields: an entry, or an object whose difference was noise only. */
export type DiffStreamItem = { entry: DiffEntry } | { hidden: { key: string; resource?: string } };

/**
 * The diff as a stream, in key order: one item per key that differs (an entry, or a mark for an object
 * that differs in noise only). Holds one record per side; see {@link diffKube} for the options.
 * @example
 * for await (const item of streamDiff(before, after, { resource: 'deployments' })) if ('entry' in item) console.log(item.entry.change, item.entry.key);
 */
export async function* streamDiff(
  from: DiffSide,
  to: DiffSide,
  options: DiffOptions & { fromRevision: number; toRevision: number },
): AsyncGenerator<DiffStreamItem> {
  const info = options.resource !== undefined ? from.resolve(options.resource) : undefined;
  const rangeOf = (side: DiffSide): string =>
    info !== undefined ? listPrefixFor(info, options.namespace, side.prefix) : `${side.prefix}/`;
  const signal = options.signal;
  const read = (side: DiffSide, revision: number): AsyncIterator<KvRecord> =>
    side.source
      .range({ prefix: rangeOf(side) }, { revision, ...(signal !== undefined ? { signal } : {}) })
      [Symbol.asyncIterator]();
  const same = from.source === to.source;
  const a = read(from, options.fromRevision);
  const b = read(to, options.toRevision);
  const aCut = Buffer.byteLength(from.prefix);
  const bCut = Buffer.byteLength(to.prefix);
  try {
    let ra = await a.next();
    let rb = await b.next();
    while (!ra.done || !rb.done) {
      // keys compared past each side's prefix, bytewise (etcd's order)
      const order = ra.done
        ? 1
        : rb.done
          ? -1
          : Buffer.compare(ra.value.key.subarray(aCut), rb.value.key.subarray(bCut));
      const kvA = order <= 0 && !ra.done ? ra.value : undefined;
      const kvB = order >= 0 && !rb.done ? rb.value : undefined;
      const item = compare(from, to, kvA, kvB, same, options);
      if (kvA !== undefined) ra = await a.next();
      if (kvB !== undefined) rb = await b.next();
      if (item !== undefined) yield item;
    }
  } finally {
    await a.return?.();
    await b.return?.();
  }
}

function compare(
  from: DiffSide,
  to: DiffSide,
  kvA: KvRecord | undefined,
  kvB: KvRecord | undefined,
  same: boolean,
  options: DiffOptions,
): DiffStreamItem | undefined {
  const kv = (kvB ?? kvA) as KvRecord;
  const side = kvB !== undefined ? to : from;
  const key = td.decode(kv.key);
  const where = locate(side, key);
  if (options.namespace !== undefined && where.namespace !== options.namespace) return undefined;
  if (kvA !== undefined && kvB !== undefined) {
    // One source: the same mod revision is the same value. Two sources: the same bytes are.
    if ((same && kvA.modRevision === kvB.modRevision) || equalBytes(kvA.value, kvB.value)) return undefined;
  }
  const entry: DiffEntry = { change: kvA === undefined ? 'added' : kvB === undefined ? 'deleted' : 'changed', key };
  if (where.resource !== undefined) entry.resource = where.resource;
  if (where.namespace !== undefined) entry.namespace = where.namespace;
  if (where.name !== undefined) entry.name = where.name;
  if (kvA !== undefined) entry.fromModRevision = kvA.modRevision;
  if (kvB !== undefined) entry.toModRevision = kvB.modRevision;
  if (kvA === undefined || kvB === undefined) return { entry };
  const before = decodeSide(from, key, kvA);
  const after = decodeSide(to, key, kvB);
  const error = [before.error && `before: ${before.error}`, after.error && `after: ${after.error}`]
    .filter(Boolean)
    .join(' ');
  if (error !== '') entry.error = error;
  if (before.object === undefined || after.object === undefined) return { entry };
  let changes = diffObjects(before.object, after.object);
  if (isSecrets(where.info) && options.reveal !== true)
    changes = redactChanges(changes, redactSecret(before.object), redactSecret(after.object));
  if (options.all !== true) {
    const kept = changes.filter((c) => !isDiffNoise(c.path));
    if (kept.length === 0 && error === '')
      return { hidden: { key, ...(where.resource !== undefined ? { resource: where.resource } : {}) } };
    if (kept.length < changes.length) entry.hiddenChanges = changes.length - kept.length;
    changes = kept;
  }
  entry.changes = changes;
  return { entry };
}

function zero(): DiffCounts {
  return { added: 0, deleted: 0, changed: 0, hidden: 0 };
}

/**
 * Every object added, deleted or changed from one side to the other, with a field diff of each change
 * that leaves out the noise ({@link DIFF_NOISE}) unless `all`. Pass the same client twice with
 * `fromRevision`/`toRevision` to compare one source at two revisions.
 * @example
 * const d = await diffKube(backup, live, { resource: 'deployments' });
 * d.entries.map((e) => `${e.change} ${e.key}`); d.counts; // { added: 1, deleted: 2, changed: 3, hidden: 40 }
 */
export async function diffKube(from: DiffSide, to: DiffSide, options: DiffOptions = {}): Promise<KubeDiff> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(
      `Invalid diff options: ${JSON.stringify(options)}. Pass an object such as { fromRevision: 100, toRevision: 200 } or omit it.`,
    );
  }
  checkRevision('fromRevision', options.fromRevision);
  checkRevision('toRevision', options.toRevision);
  if (options.limit !== undefined && !(Number.isSafeInteger(options.limit) && options.limit > 0)) {
    throw new InvalidArgumentError(
      `Invalid limit: ${String(options.limit)}. Pass a positive integer (how many entries to keep), or omit it.`,
    );
  }
  const [fromStatus, toStatus] = await Promise.all([
    from.source.status(),
    from.source === to.source ? undefined : to.source.status(),
  ]);
  const fromRevision = options.fromRevision ?? fromStatus.revision;
  const toRevision = options.toRevision ?? (toStatus ?? fromStatus).revision;
  if (from.source === to.source && fromRevision === toRevision) {
    throw new InvalidArgumentError(
      `Nothing to compare: both sides are ${from.source.origin} at revision ${fromRevision}. Pass { fromRevision, toRevision } (--from-revision, --to-revision), or another source.`,
    );
  }
  const info = options.resource !== undefined ? from.resolve(options.resource) : undefined;
  const result: KubeDiff = {
    from: { origin: from.source.origin, revision: fromRevision },
    to: { origin: to.source.origin, revision: toRevision },
    range: { prefix: info !== undefined ? listPrefixFor(info, options.namespace, to.prefix) : `${to.prefix}/` },
    entries: [],
    counts: zero(),
    byResource: [],
    truncated: false,
    noise: options.all === true ? [] : DIFF_NOISE,
  };
  const byResource = new Map<string, DiffCounts & { resource: string }>();
  const bump = (resource: string | undefined): DiffCounts => {
    const name = resource ?? '<other keys>';
    let c = byResource.get(name);
    if (c === undefined) byResource.set(name, (c = { resource: name, ...zero() }));
    return c;
  };
  for await (const item of streamDiff(from, to, { ...options, fromRevision, toRevision })) {
    if ('hidden' in item) {
      result.counts.hidden++;
      bump(item.hidden.resource).hidden++;
      continue;
    }
    const e = item.entry;
    result.counts[e.change]++;
    bump(e.resource)[e.change]++;
    if (options.limit !== undefined && result.entries.length >= options.limit) result.truncated = true;
    else result.entries.push(e);
  }
  result.byResource = [...byResource.values()].sort((x, y) =>
    x.resource < y.resource ? -1 : x.resource > y.resource ? 1 : 0,
  );
  return result;
}

/** The other side of {@link diffWith}: another opened source, or two revisions of this one. */
export type DiffTarget = DiffSide | { fromRevision?: number; toRevision?: number };

/**
 * `k.diff(other, options)`: this source against another opened one (a KubeClient or a notebook client),
 * or, given `{ fromRevision, toRevision }`, this source at two revisions. See {@link diffKube}.
 * @example
 * await diffWith(k, { fromRevision: 1200, toRevision: 1400 }, { resource: 'deployments' });
 */
export async function diffWith(client: DiffSide, other: DiffTarget, options: DiffOptions = {}): Promise<KubeDiff> {
  if (other === null || typeof other !== 'object' || Array.isArray(other)) {
    throw new InvalidArgumentError(
      `Cannot diff against ${JSON.stringify(other)}: pass another opened source (k.diff(await open('./before.db'))) or two revisions of this one (k.diff({ fromRevision: 100, toRevision: 200 })).`,
    );
  }
  return 'source' in other ? diffKube(client, other, options) : diffKube(client, client, { ...options, ...other });
}
