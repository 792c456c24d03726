/**
 * A range read of live etcd in pages pinned to one revision, each next page requested while the current
 * one is handed out, bounded by the sub-prefix of the last key so that etcd does not walk the whole rest
 * of the range for every page; resumed at a newer revision when the pinned one is compacted mid-read and
 * what was handed out is unchanged.
 */
import { AbortedError, CompactedRevisionError } from '../../errors';
import type { KvRecord, RangeOptions } from '../types';
import type { EndpointPool } from './endpoint-pool';
import type { EtcdKeyValue, EtcdRangeRequest } from './etcd3-gateway';
import {
  bufferEquals,
  describeRange,
  isToEnd,
  minEnd,
  NUL,
  num,
  prefixEnd,
  throwIfAborted,
  toRecord,
  type NormalRange,
} from './live-keys';

/** A cheap order-sensitive digest (two 32-bit FNV-1a variants) of (key, modRevision) pairs. */
class RecordDigest {
  count = 0;
  private a = 0x811c9dc5;
  private b = 0x01000193;
  add(key: Uint8Array, modRevision: number): void {
    let a = this.a;
    let b = this.b;
    for (let i = 0; i < key.length; i++) {
      const c = key[i] as number;
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 13);
    }
    const lo = modRevision >>> 0;
    const hi = Math.floor(modRevision / 0x100000000);
    a = Math.imul(a ^ lo ^ 0xff, 0x01000193);
    b = Math.imul(b ^ hi ^ lo, 0x5bd1e995) ^ (b >>> 13);
    this.a = a;
    this.b = b;
    this.count++;
  }
  equals(o: RecordDigest): boolean {
    return this.count === o.count && this.a === o.a && this.b === o.b;
  }
}

interface PageResult {
  kvs: EtcdKeyValue[];
  more: boolean;
  revision: number;
  count: number;
}

/** range() of a live source (see the file comment); `resumable` false for the re-read after a compaction. */
export async function* pagedRange(
  pool: EndpointPool,
  r: NormalRange,
  revisionIn: number | undefined,
  options: RangeOptions,
  resumable = true,
): AsyncGenerator<KvRecord> {
  const keysOnly = options.keysOnly === true;
  const limit = options.limit;
  const signal = options.signal;
  const what = `Reading ${describeRange(r)}`;
  if (limit === 0) return;
  let revision = revisionIn ?? 0;
  let records = 0;
  let valueBytes = 0;
  const pageSize = Math.min(pool.config.pageSize, limit ?? Infinity);
  // The current window: [position, windowEnd) within [r.start, r.end).
  let position = r.start;
  let windowEnd = r.end;
  let avgBytes = 0;
  // Where the last non-empty window ended, and how many empty windows followed it.
  let anchor: Buffer | undefined;
  let level = 0;
  const fetch = (from: Buffer, end: Buffer, size: number): Promise<PageResult> => {
    const request: EtcdRangeRequest = { key: from, range_end: end, limit: size };
    if (keysOnly) request.keys_only = true;
    if (revision !== 0) request.revision = revision;
    return pool.rangeCall(what, request, signal).then((res) => ({
      kvs: res.kvs,
      more: res.more,
      revision: num(res.header.revision),
      count: num(res.count),
    }));
  };
  // What was handed out so far, to resume after a compaction: the last key and a digest of every
  // (key, modRevision) given to the caller.
  const given = new RecordDigest();
  let lastGiven: Buffer | undefined;
  let restarts = 0;
  // The first page is small: value sizes are unknown until it arrives. Sized for values of 64 KiB
  // (pageBytes / 64 KiB keys, 64 by default), so even a range of 1 MB ConfigMaps starts with a page of
  // tens of MB, not 1000 values (a GB) that would also exceed the receive limit.
  let requestSize = Math.min(pageSize, keysOnly ? 1000 : Math.max(8, Math.floor(pool.config.pageBytes / 65_536)));
  let pending: Promise<PageResult> | undefined = fetch(position, windowEnd, requestSize);
  pending.catch(() => undefined);
  while (pending) {
    let page: PageResult;
    try {
      page = await pending;
    } catch (e) {
      // The pinned revision was compacted mid-read. Resume at the current revision only if the
      // records already handed out are exactly the state at that revision; else say so and stop.
      if (!(e instanceof CompactedRevisionError) || revisionIn !== undefined || !resumable || restarts >= 3) throw e;
      const resumed = await resumeAt(pool, r, lastGiven, given, signal, what, revision);
      restarts++;
      revision = resumed;
      options.onProgress?.({ records, valueBytes, revision, restarts });
      // Go on right after the last key handed out, over the whole rest of the range: the page that
      // failed may have started a later window, and keys written since the pinned revision between
      // the last key handed out and that window's start belong to the state at the new revision.
      position = lastGiven === undefined ? r.start : Buffer.concat([lastGiven, NUL]);
      windowEnd = r.end;
      anchor = undefined;
      level = 0;
      pending = fetch(position, windowEnd, requestSize);
      pending.catch(() => undefined);
      continue;
    }
    pending = undefined;
    throwIfAborted(signal, what);
    if (revision === 0) {
      // Pinned by the first page: say so before its records are handed out.
      revision = page.revision;
      options.onProgress?.({ records, valueBytes, revision });
    }
    // Plan and request the next page before handing out this one.
    const last = page.kvs[page.kvs.length - 1];
    if (!keysOnly && page.kvs.length > 0) {
      let bytes = 0;
      for (const kv of page.kvs) bytes += kv.value.length + kv.key.length;
      const pageAvg = bytes / page.kvs.length;
      avgBytes = avgBytes === 0 ? pageAvg : (avgBytes + pageAvg) / 2;
    }
    const remaining = limit === undefined ? Infinity : limit - records - page.kvs.length;
    if (remaining > 0) {
      let nextFrom: Buffer | undefined;
      let nextEnd = r.end;
      if (page.more && last !== undefined) {
        // More in this window: continue after the last key, bounded by its sub-prefix.
        nextFrom = Buffer.concat([last.key, NUL]);
        nextEnd = windowEnd;
        // etcd walks the whole window for `count` on every page: when the rest of this window is
        // more than a few pages, narrow it to the sub-prefix of the last key.
        const restOfWindow = page.count - page.kvs.length;
        if (pool.config.subPrefixPaging && restOfWindow > 4 * page.kvs.length) {
          const sub = narrowerSubPrefix(r.prefix, last.key, windowEnd);
          if (sub !== undefined) nextEnd = minEnd(windowEnd, prefixEnd(sub));
        }
        anchor = undefined;
      } else if (!bufferEquals(windowEnd, r.end)) {
        // The window is done: the next one starts at its end and, rather than the whole rest of the
        // range, covers the siblings of the keys just read, widening after each empty window.
        nextFrom = windowEnd;
        if (page.kvs.length > 0 || anchor === undefined) {
          anchor = windowEnd;
          level = 0;
        } else {
          level++;
        }
        nextEnd = gallopEnd(anchor, level, r);
        while (!isToEnd(nextEnd) && Buffer.compare(nextEnd, nextFrom) <= 0) nextEnd = gallopEnd(anchor, ++level, r);
      }
      if (nextFrom !== undefined) {
        position = nextFrom;
        windowEnd = nextEnd;
        let size = pool.config.pageSize;
        if (!keysOnly && avgBytes > 0)
          size = Math.max(16, Math.min(size, Math.floor(pool.config.pageBytes / avgBytes)));
        size = Math.min(size, remaining);
        requestSize = size;
        pending = fetch(position, windowEnd, size);
        pending.catch(() => undefined);
      }
    }
    for (const kv of page.kvs) {
      if (limit !== undefined && records >= limit) break;
      records++;
      const record = toRecord(kv, keysOnly);
      valueBytes += record.valueBytes;
      given.add(kv.key, record.modRevision);
      lastGiven = kv.key;
      yield record;
      if (signal?.aborted) {
        pending?.catch(() => undefined);
        throw new AbortedError(`${what} was cancelled by its AbortSignal after ${records} records.`, {
          records,
          revision,
        });
      }
    }
    options.onProgress?.(
      restarts > 0 ? { records, valueBytes, revision, restarts } : { records, valueBytes, revision },
    );
    if (limit !== undefined && records >= limit) return;
  }
}

/**
 * After revision `was` was compacted mid-read: reads the part of the range already handed out
 * (keys only) at the current revision R' and returns R' if it holds exactly the records handed out
 * (same keys, same mod revisions), so the read can go on at R' and stay consistent. Otherwise throws a
 * CompactedRevisionError saying that the listing cannot continue.
 */
async function resumeAt(
  pool: EndpointPool,
  r: NormalRange,
  lastGiven: Buffer | undefined,
  given: RecordDigest,
  signal: AbortSignal | undefined,
  what: string,
  was: number,
): Promise<number> {
  if (lastGiven === undefined) {
    // Nothing handed out yet: simply start again at the current revision.
    const head = await pool.rangeCall(what, { key: r.start, keys_only: true }, signal);
    return num(head.header.revision);
  }
  const done: NormalRange = { start: r.start, end: Buffer.concat([lastGiven, NUL]), prefix: r.prefix };
  const again = new RecordDigest();
  let now = 0;
  for await (const kv of pagedRange(
    pool,
    done,
    undefined,
    { keysOnly: true, ...(signal !== undefined ? { signal } : {}), onProgress: (p) => (now = p.revision) },
    false,
  )) {
    again.add(kv.key, kv.modRevision);
  }
  if (now === 0 || !again.equals(given)) {
    throw new CompactedRevisionError(
      `${what}: revision ${was} was compacted mid-read, and the ${given.count} records already returned ` +
        `are no longer the current state (${again.count} keys there now, or some changed). The listing cannot ` +
        'continue consistently: run it again (it starts at the current revision).',
      { revision: was, returned: given.count },
    );
  }
  return now;
}

/**
 * The end of the `level`-th window after `anchor`: the prefix end of `anchor` itself, then shortened
 * by 1, 2, 4, ... bytes (so windows cover ever wider key-space siblings), or the range end once that would cut into
 * the range's own prefix. Empty windows cost etcd almost nothing; a window's `count` walk covers only it.
 */
function gallopEnd(anchor: Buffer, level: number, r: NormalRange): Buffer {
  const cut = anchor.length - (level === 0 ? 0 : 2 ** Math.min(level - 1, 30));
  if (cut <= r.prefix.length || cut <= 0) return r.end;
  return minEnd(prefixEnd(anchor.subarray(0, cut)), r.end);
}

/** The range prefix plus the `/`-terminated segment of `key` after it, or undefined when none. */
function subPrefix(prefix: Buffer, key: Buffer): Buffer | undefined {
  if (key.length <= prefix.length) return undefined;
  const slash = key.indexOf(0x2f, prefix.length + (key[prefix.length] === 0x2f ? 1 : 0));
  if (slash < 0 || slash === key.length - 1) return undefined;
  return key.subarray(0, slash + 1);
}

/**
 * The shallowest sub-prefix of `key` below `prefix` whose range ends before `windowEnd`: one segment deeper
 * than the window being read. So a read of everything (`prefix` empty) narrows from `/registry/` to
 * `/registry/pods/` to `/registry/pods/<namespace>/` as long as each window stays large.
 */
function narrowerSubPrefix(prefix: Buffer, key: Buffer, windowEnd: Buffer): Buffer | undefined {
  let p = prefix;
  for (;;) {
    const sub = subPrefix(p, key);
    if (sub === undefined) return undefined;
    const end = prefixEnd(sub);
    if (isToEnd(windowEnd) ? !isToEnd(end) : Buffer.compare(end, windowEnd) < 0) return sub;
    p = sub;
  }
}
