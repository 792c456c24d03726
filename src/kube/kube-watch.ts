/**
 * `kubectl get -w` over etcd: the changes to one resource as Kubernetes watch events (ADDED, MODIFIED,
 * DELETED), decoded, filtered by namespace and selectors, each diffed against the object before it.
 * Live etcd only (a snapshot never changes). Selectors behave like kube-apiserver's watch cache: an
 * object that stops matching is reported as DELETED (with its last matching state), one that starts
 * matching as ADDED.
 */
import { lodash } from '../util/lazy-modules';
import { decode } from '../codec';
import type { KubeObject } from '../codec/types';
import { CompactedRevisionError, InvalidArgumentError } from '../errors';
import type { KvRecord, WatchOptions } from '../sources/types';
import { parseFieldSelector } from './field-selector';
import { listPrefixFor } from './keys';
import type { KubeContext } from './context';
import type { WherePredicate } from './kube-list';
import { diffObjects, type HistoryChange } from './kube-history';
import { parseLabelSelector } from './label-selector';
import { qualifiedResourceName } from './resources';
import { isSecrets, redactChanges, redactSecret } from './secret-redaction';
import { withResourceVersion } from './verb-support';

/** Options of {@link watchResource}, named after kubectl flags. Every field is optional. */
export interface KubeWatchOptions {
  /** Only this namespace (watches its sub-prefix only). */
  namespace?: string;
  /** A label selector, as for `kubectl get -l`. */
  labels?: string;
  /** A field selector (any dotted path). */
  fields?: string;
  /** A lodash predicate applied to each decoded object, like list's `where`. */
  where?: WherePredicate;
  /**
   * Replay every change from this etcd revision on (inclusive), then go on live. Default: changes made
   * after the watch started. To continue a list made at revision R, pass R + 1.
   */
  fromRevision?: number;
  /** Show Secrets' `data`/`stringData` values (redacted by default). */
  reveal?: boolean;
  /** Stop the watch: the gRPC watch is closed and the loop throws an `AbortedError`. */
  signal?: AbortSignal;
}

/** One change, as a Kubernetes watch event. */
export interface KubeWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  key: string;
  /** The etcd revision of the change (the deleting revision for a deletion). */
  revision: number;
  /**
   * ADDED, MODIFIED: the object after the change. DELETED: its last state before (as kube-apiserver
   * sends). Absent when the value could not be decoded (`error` says why).
   */
  object?: KubeObject;
  /** MODIFIED (and ADDED/DELETED caused by a selector): the object before the change. */
  previous?: KubeObject;
  /** Differences from `previous` to the new state (empty for creations and deletions). */
  changes: HistoryChange[];
  /**
   * Set when the event comes from a selector, not from a creation or deletion: `entered` (ADDED: the
   * object started matching) or `left` (DELETED: it still exists but stopped matching).
   */
  selector?: 'entered' | 'left';
  /** Why a value could not be decoded (the event is reported whatever the selectors say). */
  error?: string;
  /**
   * On the first event after the watch moved to another etcd member because the one it watched failed
   * or hung: from where to where, why, and the revision it resumed at (no change was lost or repeated).
   */
  resumed?: { from: string; to: string; reason: string; revision: number };
}

/**
 * What {@link watchResource} returns: an AsyncIterable of events, plus two ways in that need no `for
 * await` (tslab, the notebook kernel, cannot run `for await` at the top of a cell).
 */
export interface KubeWatch extends AsyncIterable<KubeWatchEvent> {
  /**
   * The next `count` events, or fewer if `timeoutMs` passes first (then the watch is closed).
   * @example
   * const events = await k.watch('pods', { namespace: 'default' }).take(5, { timeoutMs: 30_000 });
   */
  take(count: number, options?: { timeoutMs?: number }): Promise<KubeWatchEvent[]>;
  /**
   * Calls `fn` on each event until it returns `false`, the signal aborts or `timeoutMs` passes;
   * resolves to the number of events seen.
   * @example
   * await k.watch('pods').forEach((e) => console.log(e.type, e.key), { timeoutMs: 60_000 });
   */
  forEach(fn: (event: KubeWatchEvent) => unknown, options?: { timeoutMs?: number }): Promise<number>;
}

function checkCount(what: string, n: unknown, allowInfinite: boolean): void {
  if (
    typeof n !== 'number' ||
    !(n > 0) ||
    (!allowInfinite && !Number.isSafeInteger(n)) ||
    (allowInfinite && !Number.isFinite(n) && n !== Infinity)
  ) {
    throw new InvalidArgumentError(
      `Invalid ${what}: ${String(n)}. Pass a positive ${allowInfinite ? 'number' : 'integer'}.`,
    );
  }
}

/**
 * Runs a watch of its own (aborted when done, so the gRPC stream closes even while etcd is quiet) until
 * `each` returns false, `timeoutMs` passes, or the caller's signal aborts (which throws, as a loop would).
 */
async function drain(
  open: (signal: AbortSignal) => AsyncIterable<KubeWatchEvent>,
  outer: AbortSignal | undefined,
  each: (e: KubeWatchEvent) => boolean,
  timeoutMs: number | undefined,
): Promise<void> {
  if (timeoutMs !== undefined) checkCount('timeoutMs', timeoutMs, true);
  const own = new AbortController();
  const onOuter = (): void => own.abort();
  outer?.addEventListener('abort', onOuter, { once: true });
  let timedOut = false;
  const timer =
    timeoutMs !== undefined && timeoutMs !== Infinity
      ? setTimeout(() => {
          timedOut = true;
          own.abort();
        }, timeoutMs)
      : undefined;
  try {
    for await (const e of open(own.signal)) if (!each(e)) break;
  } catch (e) {
    if (!(timedOut && (e as { name?: unknown }).name === 'AbortedError')) throw e;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
    own.abort();
  }
}

function checkFromRevision(revision: number | undefined): void {
  if (revision !== undefined && !(Number.isSafeInteger(revision) && revision > 0)) {
    throw new InvalidArgumentError(
      `Invalid fromRevision: ${String(revision)}. Pass a positive integer etcd revision, or omit it to watch from now.`,
    );
  }
}

/**
 * Watches a resource like `kubectl get -w`: an AsyncIterable of ADDED / MODIFIED / DELETED events,
 * decoded and diffed, filtered by namespace, labels, fields and `where`. Replays from `fromRevision`.
 * Leave with `break` or abort the `signal`: either closes the gRPC watch. Throws InvalidArgumentError at
 * once on a snapshot or dump (watching needs live etcd), and CompactedRevisionError (with the oldest
 * kept revision) when `fromRevision` was compacted.
 * @example
 * for await (const e of watchResource(k, 'pods', { namespace: 'default', labels: 'app=web' })) {
 *   console.log(e.type, e.key, e.changes.map((c) => c.path));
 * }
 */
export function watchResource(client: KubeContext, resource: string, options: KubeWatchOptions = {}): KubeWatch {
  const info = client.resolve(resource);
  const name = qualifiedResourceName(info);
  const source = client.source;
  if (!source.capabilities.watch || typeof source.watch !== 'function') {
    throw new InvalidArgumentError(
      `Cannot watch ${name}: ${source.origin} is a ${source.kind === 'snapshot' ? 'snapshot' : 'dump'} source, and a watch needs live etcd ` +
        `(a ${source.kind} never changes). Open a live source (openSource('http://127.0.0.1:2379')) to watch; ` +
        `k.history(resource, name) shows the kept revisions of one object.`,
      { resource: name, origin: source.origin },
    );
  }
  checkFromRevision(options.fromRevision);
  const prefix = listPrefixFor(info, options.namespace, client.prefix);
  const labels = options.labels !== undefined ? parseLabelSelector(options.labels) : undefined;
  const fields = options.fields !== undefined ? parseFieldSelector(options.fields) : undefined;
  const where = options.where !== undefined ? lodash().iteratee(options.where) : undefined;
  const filtered = labels !== undefined || fields !== undefined || where !== undefined;
  const redact = isSecrets(info) && options.reveal !== true;
  const matches = (obj: KubeObject): boolean =>
    (!labels || labels.matches(lodash().get(obj, ['metadata', 'labels']) as Record<string, string> | undefined)) &&
    (!fields || fields.matches(obj)) &&
    (!where || Boolean(where(obj)));
  const td = new TextDecoder();
  const read = (record: KvRecord, key: string): { object?: KubeObject; real?: KubeObject; error?: string } => {
    const d = decode(record.value, client.decodeOptions(key));
    // object: a copy with metadata.resourceVersion (the record's mod revision); real: the stored value, diffed
    if (d.object !== undefined)
      return {
        object: withResourceVersion({ ...(redact ? redactSecret(d.object) : d.object) }, record.modRevision),
        real: d.object,
      };
    if (d.encoding === 'encrypted' && d.error === undefined) {
      const e = d.encryption;
      return {
        error: e ? `${key} is encrypted at rest (${e.provider}, key "${e.keyName}").` : `${key} is encrypted at rest.`,
      };
    }
    return {
      error:
        d.error?.message ??
        `${key} does not hold a Kubernetes object at revision ${record.modRevision} (${d.encoding}).`,
    };
  };
  const watchOptions: WatchOptions = {
    ...(options.fromRevision !== undefined ? { fromRevision: options.fromRevision } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  };
  const watch = source.watch.bind(source);

  // A move to another member is told on the next event given out (the one that moved may be filtered).
  let resumed: KubeWatchEvent['resumed'];
  async function* events(): AsyncGenerator<KubeWatchEvent> {
    try {
      for await (const ev of watch({ prefix }, watchOptions)) {
        if (ev.resumed !== undefined) resumed = ev.resumed;
        const key = td.decode(ev.record.key);
        const revision = ev.record.modRevision;
        const before = ev.previous !== undefined ? read(ev.previous, key) : undefined;
        const prev = before?.object;
        const prevMatch = prev !== undefined && matches(prev);
        if (ev.type === 'delete') {
          if (prev === undefined) {
            yield {
              type: 'DELETED',
              key,
              revision,
              changes: [],
              error:
                before?.error ??
                `${key} was deleted, but etcd no longer had its last value (compacted), so it could not be decoded${filtered ? ' nor checked against the selectors' : ''}.`,
            };
          } else if (prevMatch) {
            yield { type: 'DELETED', key, revision, object: prev, changes: [] };
          }
          continue;
        }
        const after = read(ev.record, key);
        const cur = after.object;
        const isUpdate = ev.previous !== undefined || ev.record.version > 1;
        if (cur === undefined) {
          yield {
            type: isUpdate ? 'MODIFIED' : 'ADDED',
            key,
            revision,
            changes: [],
            ...(prev ? { previous: prev } : {}),
            error: after.error as string,
          };
          continue;
        }
        const curMatch = matches(cur);
        // Diffed on the real values (a same-length Secret change still shows), printed from the redacted ones.
        const diff = (): HistoryChange[] =>
          redact
            ? redactChanges(diffObjects(before?.real, after.real), prev as KubeObject, cur)
            : diffObjects(before?.real, after.real);
        if (!isUpdate || prev === undefined) {
          // A creation, or an update whose previous value is unknown: report what matches now.
          if (curMatch) yield { type: isUpdate ? 'MODIFIED' : 'ADDED', key, revision, object: cur, changes: [] };
          continue;
        }
        if (prevMatch && curMatch) {
          yield { type: 'MODIFIED', key, revision, object: cur, previous: prev, changes: diff() };
        } else if (curMatch) {
          yield { type: 'ADDED', key, revision, object: cur, previous: prev, changes: diff(), selector: 'entered' };
        } else if (prevMatch) {
          yield { type: 'DELETED', key, revision, object: prev, previous: prev, changes: diff(), selector: 'left' };
        }
      }
    } catch (e) {
      const err = e as { name?: unknown; details?: { compactRevision?: unknown } };
      if (err?.name === 'CompactedRevisionError') {
        const oldest = Number(err.details?.compactRevision ?? 0);
        throw new CompactedRevisionError(
          `Cannot watch ${name} from revision ${options.fromRevision ?? '(now)'}: it was compacted` +
            `${oldest > 0 ? ` (oldest kept: ${oldest})` : ''}. Pass { fromRevision }${oldest > 0 ? ` >= ${oldest}` : ' newer'}, ` +
            'or list first (k.list) and watch from list.revision + 1.',
          { resource: name, revision: options.fromRevision, compactRevision: oldest },
          { cause: e },
        );
      }
      throw e;
    }
  }
  async function* told(): AsyncGenerator<KubeWatchEvent> {
    for await (const event of events()) {
      if (resumed !== undefined) {
        event.resumed = resumed;
        resumed = undefined;
      }
      yield event;
    }
  }
  const open = (signal: AbortSignal): AsyncIterable<KubeWatchEvent> =>
    watchResource(client, resource, { ...options, signal });
  return {
    [Symbol.asyncIterator]: () => told(),
    async take(count, takeOptions = {}) {
      checkCount('count', count, false);
      const out: KubeWatchEvent[] = [];
      await drain(open, options.signal, (e) => out.push(e) < count, takeOptions.timeoutMs);
      return out;
    },
    async forEach(fn, eachOptions = {}) {
      if (typeof fn !== 'function')
        throw new InvalidArgumentError(
          `Invalid forEach callback: ${typeof fn}. Pass a function such as (e) => console.log(e.type, e.key).`,
        );
      let n = 0;
      await drain(
        open,
        options.signal,
        (e) => {
          n++;
          return fn(e) !== false;
        },
        eachOptions.timeoutMs,
      );
      return n;
    },
  };
}
