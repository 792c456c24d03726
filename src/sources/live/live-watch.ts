/**
 * Watches of live etcd: {@link watchRange} (changes as they happen, with progress requests that find a
 * hung member and fail-over that resumes after the last revision received), and the bounded watches
 * that replay one key's history and the deletions kept since the compaction.
 */
import {
  AbortedError,
  CompactedRevisionError,
  EtcdConnectionError,
  InvalidArgumentError,
  KubetcdError,
} from '../../errors';
import type { KeyRange, KvHistoryEntry, KvTombstone, KvWatchEvent, WatchOptions } from '../types';
import type { EndpointPool } from './endpoint-pool';
import type { EtcdKeyValue, EtcdWatchCreateRequest, EtcdWatchResponse, EtcdWatchStream } from './etcd3-gateway';
import { isConnectionFailure, mapEtcdError, reasonOf, sanitise } from './etcd-errors';
import { compactRevision } from './live-status';
import {
  bufferEquals,
  checkRevision,
  describeRange,
  eventRecord,
  isToEnd,
  normaliseRange,
  NUL,
  num,
  printable,
  throwIfAborted,
  toBuffer,
  toRecord,
  type NormalRange,
} from './live-keys';

interface WatchCreate {
  key: Buffer;
  range_end?: Buffer;
  start_revision: number;
  prev_kv?: boolean;
}

/** A watch stream; the gRPC duplex stream also pauses and resumes (flow control for slow consumers). */
type WatchStream = EtcdWatchStream & { pause?(): unknown; resume?(): unknown };
/** Events queued before the gRPC stream is paused, and the level at which it resumes. */
const WATCH_HIGH_WATER = 4096;
const WATCH_LOW_WATER = 512;

/** history() of a live source: the key at the compaction revision, then its events since, replayed by watches. */
export async function* keyHistory(
  pool: EndpointPool,
  key: string | Uint8Array,
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<KvHistoryEntry> {
  const k = toBuffer('key', key);
  if (k.length === 0) throw new InvalidArgumentError('Invalid key: the empty key. Pass a non-empty key.');
  const what = `Reading the history of ${printable(k)}`;
  const signal = options.signal;
  const now = await pool.rangeCall(what, { key: k }, signal);
  const current = num(now.header.revision);
  const currentKv = now.kvs[0];
  const compact = await compactRevision(pool, signal);
  const entries: KvHistoryEntry[] = [];
  let atCompact: EtcdKeyValue | undefined;
  if (compact > 0) {
    const response = await pool.rangeCall(what, { key: k, revision: compact }, signal);
    atCompact = response.kvs[0];
    if (atCompact) entries.push({ ...toRecord(atCompact, false), deleted: false });
  }
  // Whether there are events after the compaction revision at all.
  const currentMod = currentKv ? num(currentKv.mod_revision) : 0;
  const hasEvents = currentKv ? currentMod > compact : atCompact !== undefined || undefined;
  if (hasEvents !== false && compact < current) {
    const events = await watchHistory(pool, k, compact + 1, current, currentKv ? currentMod : undefined, signal, what);
    entries.push(...events);
  }
  for (const entry of entries) {
    throwIfAborted(signal, what);
    yield entry;
  }
}

/**
 * Events of one key in [fromRevision, current] through watches, with an exact end (a watch never
 * says "history done", and etcd 3.4 answers a progress request before a new watcher has caught up):
 * - the key exists at `current`: watch exactly the key; the event at `lastMod` is the last one;
 * - the key is absent at `current`: first find a key S that changed at revision `current` (a watch
 *   over all keys from `current`: only the newest events), then watch the range between the key and
 *   S, keep the key's events, and stop at the first event at `current` or later: etcd sends events in
 *   revision order, so every earlier event of the key has arrived. Events of keys in between are
 *   read and dropped. This needs read access to all keys (under etcd auth, a user limited to a
 *   prefix gets a permission error naming the user).
 */
async function watchHistory(
  pool: EndpointPool,
  key: Buffer,
  fromRevision: number,
  current: number,
  lastMod: number | undefined,
  signal: AbortSignal | undefined,
  what: string,
): Promise<KvHistoryEntry[]> {
  let low = key;
  let high = key;
  if (lastMod === undefined) {
    let sentinel: Buffer | undefined;
    await watchUntil(pool, what, { key: NUL, range_end: NUL, start_revision: current }, signal, (events) => {
      const event = events.find((e) => num(e.kv.mod_revision) >= current);
      if (event) sentinel = event.kv.key;
      return event !== undefined;
    });
    if (sentinel === undefined) throw new KubetcdError(`${what}: etcd sent no event at revision ${current}.`);
    if (Buffer.compare(sentinel, low) < 0) low = sentinel;
    if (Buffer.compare(sentinel, high) > 0) high = sentinel;
  }
  const entries: KvHistoryEntry[] = [];
  const request: WatchCreate = { key: low, start_revision: Math.max(1, fromRevision) };
  if (!bufferEquals(low, high)) request.range_end = Buffer.concat([high, NUL]);
  await watchUntil(pool, what, request, signal, (events) => {
    for (const event of events) {
      const rev = num(event.kv.mod_revision);
      if (rev > current) return true;
      if (bufferEquals(event.kv.key, key)) {
        const { record, deleted } = eventRecord(event);
        entries.push({ ...record, deleted });
        if (rev === lastMod) return true;
      }
      if (lastMod === undefined && rev >= current) return true;
    }
    return false;
  });
  return entries;
}

/**
 * One watcher: feeds each response's events to `onEvents` until it returns true; one deadline for the
 * whole watch, or (`idle`) for each response: a long replay then only has to keep going.
 */
export function watchUntil(
  pool: EndpointPool,
  what: string,
  request: WatchCreate,
  signal: AbortSignal | undefined,
  onEvents: (events: EtcdWatchResponse['events']) => boolean,
  idle = false,
): Promise<void> {
  const timeoutMs = pool.config.callTimeoutMs;
  return pool.call(
    what,
    (client) =>
      new Promise<void>((resolve, reject) => {
        let finished = false;
        let stream: EtcdWatchStream | undefined;
        const expire = (): void =>
          finish(
            new EtcdConnectionError(
              idle
                ? `${what}: the watch sent nothing for ${timeoutMs} ms (deadline exceeded).`
                : `${what}: the watch did not finish within ${timeoutMs} ms (deadline exceeded).`,
            ),
          );
        let timer = setTimeout(expire, timeoutMs);
        const onAbort = (): void => finish(new AbortedError(`${what} was cancelled by its AbortSignal.`));
        signal?.addEventListener('abort', onAbort, { once: true });
        function finish(error?: Error): void {
          if (finished) return;
          finished = true;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          try {
            stream?.cancel();
          } catch {
            /* already closed */
          }
          if (error) reject(error);
          else resolve();
        }
        client.watchClient
          .watch()
          .then((s) => {
            stream = s;
            if (finished) {
              s.cancel();
              return;
            }
            s.on('data', (res: EtcdWatchResponse) => {
              if (finished) return;
              if (idle) {
                clearTimeout(timer);
                timer = setTimeout(expire, timeoutMs);
              }
              if (res.canceled) {
                const compactRev = num(res.compact_revision);
                finish(
                  compactRev > 0
                    ? new CompactedRevisionError(
                        `${what}: revision ${String(request.start_revision)} was compacted meanwhile (oldest kept: ${compactRev}). Run it again.`,
                        { revision: request.start_revision, compactRevision: compactRev },
                      )
                    : mapEtcdError(new Error(res.cancel_reason || 'watch cancelled'), what, pool.config, pool.origin),
                );
                return;
              }
              if (res.events.length > 0 && onEvents(res.events)) finish();
            });
            s.on('error', (e: Error) => finish(e));
            s.on('end', () => finish(new KubetcdError(`${what}: the watch stream ended early.`)));
            s.write({ create_request: request });
          })
          .catch((e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
      }),
    signal,
  );
}

/**
 * Changes to a range as they happen, each with the key's previous state (etcd's `prev_kv`); replays
 * from `fromRevision` when given. If the answering member fails mid-watch, the watch moves to the next
 * endpoint and resumes after the last revision received (etcd never splits one revision's events
 * across responses, so nothing is lost or repeated). Leaving the loop or aborting closes the gRPC stream.
 * @example
 * for await (const e of etcd.watch({ prefix: '/registry/pods/' })) console.log(e.type, e.record.key.toString());
 */
export function watchRange(
  pool: EndpointPool,
  range: KeyRange,
  options: WatchOptions = {},
): AsyncIterable<KvWatchEvent> {
  const r = normaliseRange(range);
  const from = checkRevision(options.fromRevision);
  return { [Symbol.asyncIterator]: () => watchEvents(pool, r, from, options.signal) };
}

async function* watchEvents(
  pool: EndpointPool,
  r: NormalRange,
  fromRevision: number | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<KvWatchEvent> {
  const what = `Watching ${describeRange(r)}`;
  const queue: Array<KvWatchEvent | undefined> = [];
  let head = 0;
  let failure: Error | undefined;
  let lost: Error | undefined;
  let wake: (() => void) | undefined;
  let stream: WatchStream | undefined;
  let paused = false;
  // The first revision not yet received (set once etcd confirms a watch that starts "now").
  let next = fromRevision;
  let moves = 0;
  // Liveness: when the stream last said anything, and when a progress request went unanswered.
  let heardAt = Date.now();
  let askedAt: number | undefined;
  let endpoint = '';
  let resumed: KvWatchEvent['resumed'];
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onAbort = (): void => {
    failure = new AbortedError(`${what} was cancelled by its AbortSignal.`);
    notify();
  };
  const open = async (): Promise<void> => {
    const s = (await pool.call(what, (client) => client.watchClient.watch(), signal)) as WatchStream;
    stream = s;
    endpoint = pool.connections[pool.preferred]?.endpoint ?? pool.origin;
    heardAt = Date.now();
    askedAt = undefined;
    s.on('data', (res: EtcdWatchResponse) => {
      if (stream !== s) return;
      heardAt = Date.now();
      askedAt = undefined;
      if (res.canceled) {
        const compactRev = num(res.compact_revision);
        failure =
          compactRev > 0
            ? new CompactedRevisionError(
                `${what}: revision ${next ?? '?'} was compacted (oldest kept: ${compactRev}). Watch from revision ${compactRev} or later, or read the current state first and watch from its revision + 1.`,
                { revision: next, compactRevision: compactRev },
              )
            : mapEtcdError(
                new Error(res.cancel_reason || 'watch cancelled by etcd'),
                what,
                pool.config,
                pool.origin,
                next,
              );
        notify();
        return;
      }
      if (res.created && next === undefined) next = num(res.header.revision) + 1;
      for (const event of res.events) {
        const { record, deleted } = eventRecord(event);
        const out: KvWatchEvent = { type: deleted ? 'delete' : 'put', record };
        if (event.prev_kv) out.previous = toRecord(event.prev_kv, false);
        if (resumed !== undefined) {
          out.resumed = resumed;
          resumed = undefined;
        }
        queue.push(out);
        next = record.modRevision + 1;
        moves = 0;
      }
      if (queue.length - head >= WATCH_HIGH_WATER && !paused && typeof s.pause === 'function') {
        paused = true;
        s.pause();
      }
      notify();
    });
    const drop = (e: Error): void => {
      if (stream !== s) return;
      stream = undefined;
      lost = e;
      notify();
    };
    dropCurrent = (e: Error): void => {
      drop(e);
      try {
        s.cancel();
      } catch {
        /* already closed */
      }
    };
    s.on('error', drop);
    s.on('end', () => drop(new KubetcdError(`${what}: etcd ended the watch stream.`)));
    const request: EtcdWatchCreateRequest = { key: r.start, range_end: r.end, prev_kv: true };
    if (next !== undefined) request.start_revision = next;
    s.write({ create_request: request });
  };
  let dropCurrent: ((e: Error) => void) | undefined;
  // A member can hang with its connection open (SIGSTOP, a full disk, a partition that drops
  // packets): no error ever comes. Ask for progress when the stream is quiet, and give up on a
  // member that does not answer.
  const hungAfterMs = pool.config.dialTimeoutMs;
  const quietMs = pool.config.watchProgressMs;
  const liveness = setInterval(
    () => {
      const s = stream;
      if (s === undefined) return;
      const now = Date.now();
      if (askedAt !== undefined && now - askedAt >= hungAfterMs) {
        dropCurrent?.(
          new Error(
            `${endpoint} did not answer a watch progress request within ${hungAfterMs} ms (timed out): the member is hung or unreachable`,
          ),
        );
      } else if (askedAt === undefined && now - heardAt >= quietMs) {
        askedAt = now;
        try {
          s.write({ progress_request: {} });
        } catch (e) {
          dropCurrent?.(e as Error);
        }
      }
    },
    Math.max(50, Math.min(quietMs, hungAfterMs) / 4),
  );
  liveness.unref();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    throwIfAborted(signal, what);
    await open();
    for (;;) {
      throwIfAborted(signal, what);
      if (head < queue.length) {
        const event = queue[head] as KvWatchEvent;
        queue[head++] = undefined;
        if (head >= 1024 && head * 2 >= queue.length) {
          queue.splice(0, head);
          head = 0;
        }
        if (paused && queue.length - head <= WATCH_LOW_WATER) {
          paused = false;
          stream?.resume?.();
        }
        yield event;
        continue;
      }
      if (failure) throw failure;
      if (lost) {
        const e = lost;
        lost = undefined;
        if (!isConnectionFailure(e) || moves >= 2 * pool.connections.length) {
          throw isConnectionFailure(e)
            ? new EtcdConnectionError(
                `${what}: the watch lost its connection to etcd at ${pool.origin} (${moves + 1} time${moves === 0 ? '' : 's'} in a row: ${reasonOf(e)}). Check the members' health, then watch again from the last revision seen + 1.`,
                { endpoints: pool.config.endpoints },
              )
            : mapEtcdError(e, what, pool.config, pool.origin, next);
        }
        moves++;
        const from = endpoint;
        pool.preferred = (pool.preferred + 1) % pool.connections.length;
        paused = false;
        await open();
        resumed = { from, to: endpoint, reason: sanitise(e, pool.config).message, revision: next ?? 0 };
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    clearInterval(liveness);
    signal?.removeEventListener('abort', onAbort);
    const s = stream;
    stream = undefined;
    if (s) {
      try {
        s.end();
      } catch {
        /* already closed */
      }
      try {
        s.cancel();
      } catch {
        /* already closed */
      }
    }
  }
}

/**
 * Every delete kept since the compaction revision, with the state before it: a watch over all keys from
 * the compaction revision + 1 with `prev_kv`, up to the revision current when it began (every revision
 * has an event, so the first one at that revision ends it exactly). Reads every change since the
 * compaction (its deadline, callTimeoutMs, is per response, not for the whole replay): on a big cluster
 * a snapshot answers much faster.
 * @example
 * for await (const d of etcd.tombstones({ prefix: '/registry/pods/' })) console.log(d.key.toString(), d.revision);
 */
export async function* deletions(
  pool: EndpointPool,
  range: KeyRange,
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<KvTombstone> {
  const r = normaliseRange(range);
  const what = `Listing the deletions in ${describeRange(r)}`;
  const signal = options.signal;
  const head = await pool.rangeCall(what, { key: NUL, limit: 1, keys_only: true }, signal);
  const current = num(head.header.revision);
  const compact = await compactRevision(pool, signal);
  if (compact >= current) return;
  const inRange = (k: Buffer): boolean =>
    Buffer.compare(k, r.start) >= 0 && (isToEnd(r.end) || Buffer.compare(k, r.end) < 0);
  const found: KvTombstone[] = [];
  await watchUntil(
    pool,
    what,
    { key: NUL, range_end: NUL, start_revision: Math.max(1, compact + 1), prev_kv: true },
    signal,
    (events) => {
      for (const event of events) {
        const rev = num(event.kv.mod_revision);
        if (rev > current) return true;
        if (event.type === 'Delete' && inRange(event.kv.key)) {
          const d: KvTombstone = { key: event.kv.key, revision: rev };
          if (event.prev_kv) d.previous = toRecord(event.prev_kv, false);
          found.push(d);
        }
        if (rev >= current) return true;
      }
      return false;
    },
    true,
  );
  // in key order, each key's deletes oldest first (the watch gave them in revision order)
  found.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)) || a.revision - b.revision);
  for (const d of found) {
    throwIfAborted(signal, what);
    yield d;
  }
}
