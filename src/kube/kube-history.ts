/**
 * Every kept revision of one Kubernetes object (tombstones included), each decoded and diffed against
 * the revision before it: what changed, where, from what to what. Works on any KvSource with history.
 */
import { lodash } from '../util/lazy-modules';
import { decode } from '../codec';
import type { KubeObject } from '../codec/types';
import { InvalidArgumentError, NotFoundError } from '../errors';
import { keyFor, parseKey } from './keys';
import type { KubeContext } from './context';
import type { ResourceInfo } from './resources';
import { isSecrets, redactChanges, redactSecret } from './secret-redaction';
import { withResourceVersion } from './verb-support';

/** Options of {@link objectHistory}. Every field is optional. */
export interface HistoryOptions {
  /** The namespace (default `default` for namespaced resources); ignored when a full key is given. */
  namespace?: string;
  /** Show Secrets' `data`/`stringData` values (redacted by default). */
  reveal?: boolean;
  /** Cancel the read. */
  signal?: AbortSignal;
}

/** One difference between two revisions of an object. */
export interface HistoryChange {
  /** Dotted path with `[i]` for list items; keys that are not plain words are quoted: `metadata.labels["app.kubernetes.io/name"]`. */
  path: string;
  op: 'added' | 'removed' | 'changed';
  /** The value before (absent for `added`). */
  from?: unknown;
  /** The value after (absent for `removed`). */
  to?: unknown;
}

/** One kept revision of one object, from {@link objectHistory}. */
export interface HistoryEntry {
  /** The etcd revision that wrote (or deleted) the key: its modRevision. */
  revision: number;
  /** The key's version at this revision (1 after creation; 0 for a deletion). */
  version: number;
  /** True when this revision deleted the key. */
  deleted: boolean;
  /**
   * The decoded object (absent for deletions and values that could not be decoded), with
   * `metadata.resourceVersion` set to `revision`, as get() returns it at that revision.
   */
  object?: KubeObject;
  /** Why the value could not be decoded. */
  error?: string;
  /**
   * Differences from the previous revision's object. Empty for the first revision, for a deletion,
   * for a re-creation after a deletion, and when either side could not be decoded.
   */
  changes: HistoryChange[];
}

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

function joinKey(path: string, key: string): string {
  const part = PLAIN_KEY.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (path === '') return part;
  return part.startsWith('[') ? `${path}${part}` : `${path}.${part}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return lodash().isPlainObject(v);
}

function diffInto(before: unknown, after: unknown, path: string, out: HistoryChange[]): void {
  if (isRecord(before) && isRecord(after)) {
    const keys = lodash().union(Object.keys(before), Object.keys(after)).sort();
    for (const k of keys) {
      const p = joinKey(path, k);
      const inBefore = Object.hasOwn(before, k) && before[k] !== undefined;
      const inAfter = Object.hasOwn(after, k) && after[k] !== undefined;
      if (inBefore && !inAfter) out.push({ path: p, op: 'removed', from: before[k] });
      else if (!inBefore && inAfter) out.push({ path: p, op: 'added', to: after[k] });
      else if (inBefore && inAfter) diffInto(before[k], after[k], p, out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const n = Math.max(before.length, after.length);
    for (let i = 0; i < n; i++) {
      const p = `${path}[${i}]`;
      if (i >= after.length) out.push({ path: p, op: 'removed', from: before[i] });
      else if (i >= before.length) out.push({ path: p, op: 'added', to: after[i] });
      else diffInto(before[i], after[i], p, out);
    }
    return;
  }
  if (!lodash().isEqual(before, after)) out.push({ path, op: 'changed', from: before, to: after });
}

/**
 * A structural diff of two decoded objects: maps key by key (sorted), lists item by item.
 * @example
 * diffObjects({ status: { containerStatuses: [{ restartCount: 0 }] } }, { status: { containerStatuses: [{ restartCount: 1 }] } })
 * // [{ path: 'status.containerStatuses[0].restartCount', op: 'changed', from: 0, to: 1 }]
 */
export function diffObjects(before: unknown, after: unknown): HistoryChange[] {
  const out: HistoryChange[] = [];
  diffInto(before, after, '', out);
  return out;
}

/**
 * Every kept revision of one object, oldest first: decoded (Secrets redacted unless `reveal`) and
 * diffed against the revision before. Throws NotFoundError when the source keeps no revision of it.
 * @example
 * const h = await objectHistory(k, 'pods', 'web-1', { namespace: 'default' });
 * h.map((e) => [e.revision, e.deleted, e.changes.map((c) => c.path)]);
 */
export async function objectHistory(
  client: KubeContext,
  keyOrResource: string,
  name?: string,
  options: HistoryOptions = {},
): Promise<HistoryEntry[]> {
  if (typeof keyOrResource !== 'string' || keyOrResource === '') {
    throw new InvalidArgumentError(
      `Cannot read the history of ${JSON.stringify(keyOrResource)}: pass a resource and a name (k.history('pods', 'web', { namespace: 'default' })) or a key starting with "${client.prefix}/".`,
    );
  }
  let key: string;
  let info: ResourceInfo | undefined;
  if (name === undefined) {
    if (!keyOrResource.startsWith(`${client.prefix}/`)) {
      throw new InvalidArgumentError(
        `Cannot read the history of ${JSON.stringify(keyOrResource)}: no name given, and it is not a key under the prefix "${client.prefix}/". ` +
          `Pass a resource and a name (k.history('pods', 'web', { namespace: 'default' })) or a full key.`,
      );
    }
    key = keyOrResource;
    const parsed = parseKey(key, { prefix: client.prefix, resources: client.customResources });
    info = parsed.kind === 'object' ? parsed.info : undefined;
  } else {
    info = client.resolve(keyOrResource);
    const namespace = info.namespaced ? (options.namespace ?? 'default') : options.namespace;
    key = keyFor(info, name, namespace, client.prefix);
  }
  const redact = isSecrets(info) && options.reveal !== true;
  const out: HistoryEntry[] = [];
  let previous: KubeObject | undefined;
  let previousShown: KubeObject | undefined;
  const opts = options.signal !== undefined ? { signal: options.signal } : {};
  for await (const kv of client.source.history(key, opts)) {
    const entry: HistoryEntry = { revision: kv.modRevision, version: kv.version, deleted: kv.deleted, changes: [] };
    let current: KubeObject | undefined;
    let shown: KubeObject | undefined;
    if (!kv.deleted) {
      const d = decode(kv.value, client.decodeOptions(key));
      current = d.object;
      // shown: a copy with metadata.resourceVersion, as get() returns it; the diff runs on the stored values
      if (current !== undefined)
        shown = withResourceVersion({ ...(redact ? redactSecret(current) : current) }, kv.modRevision);
      if (shown !== undefined) entry.object = shown;
      else {
        entry.error =
          d.encoding === 'encrypted' && d.error === undefined
            ? `${key} is encrypted at rest${d.encryption ? ` (${d.encryption.provider}, key "${d.encryption.keyName}")` : ''}.`
            : (d.error?.message ??
              `${key} does not hold a Kubernetes object at revision ${kv.modRevision} (${d.encoding}).`);
      }
      if (previous !== undefined && current !== undefined) {
        // Diffed on the real values (a same-length change still shows), printed from the redacted ones.
        const changes = diffObjects(previous, current);
        entry.changes = redact ? redactChanges(changes, previousShown as KubeObject, shown as KubeObject) : changes;
      }
    }
    previous = current;
    previousShown = shown;
    out.push(entry);
  }
  if (out.length === 0) {
    throw new NotFoundError(
      `No kept revision of ${key}: the key never existed or its history was compacted. k.keys() lists the keys this source holds.`,
      {
        key,
      },
    );
  }
  return out;
}
