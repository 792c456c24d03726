/**
 * etcd's MVCC store read from a bbolt file (an `etcdctl snapshot save` file or a stopped member's
 * `member/snap/db`) as a {@link KvSource}: the MVCC index is built on first use (or read back from the
 * index cache), values are read from the file as they are iterated, big ranges ahead in a worker.
 */
import { CompactedRevisionError, FutureRevisionError, InvalidArgumentError, SnapshotFormatError } from '../../errors';
import * as fs from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { crc32c } from '../../util/crc32c';
import type {
  HashKvOptions,
  KeyRange,
  KvTombstone,
  KvHash,
  KvHistoryEntry,
  KvRecord,
  KvSource,
  LeaseInfo,
  MemberInfo,
  RangeOptions,
  ReadOptions,
  SourceCapabilities,
  SourceStatus,
} from '../types';
import { openBboltFile, type BboltBucket, type BboltFile, type BboltOpenOptions } from './bbolt-file';
import { checkHashInWorker, RecordPrefetcher } from './file-workers';
import { indexCachePath, readIndexFile, writeIndexFile, type IndexIdentity } from './index-cache';
import { checkSignal, copyBytes, resolveKeyRange, toBytes } from './key-range';
import { buildMvccIndex, buildMvccIndexAsync, indexColumns, indexFromColumns, type MvccIndex } from './mvcc-index';
import { decodeLease, decodeMvccKeyValue, EMPTY, parseRevisionKey, TWO_32, type MvccKeyValue } from './mvcc-records';

export {
  decodeLease,
  decodeMvccKeyValue,
  parseRevisionKey,
  type MvccKeyValue,
  type RecordPlace,
  type Revision,
} from './mvcc-records';
export { buildMvccIndex, buildMvccIndexAsync, MvccIndex, type RevisionColumn } from './mvcc-index';
export { prefixEnd, resolveKeyRange } from './key-range';

/** Options of {@link openSnapshotSource}. */
export interface SnapshotSourceOptions extends BboltOpenOptions {
  /** Text for `origin` (default: the path). */
  origin?: string;
  /**
   * Snapshots at least this big have their SHA-256 trailer checked in a worker thread while the index is
   * built (the first read waits for the verdict); smaller ones are checked at open. Default 32 MiB.
   */
  hashInWorkerBytes?: number;
  /**
   * What reads do while a worker checks the SHA-256 trailer (large files): `'before-reads'` (default) makes
   * the first read wait for the verdict and fail with a SnapshotFormatError on a mismatch; `'alongside'`
   * lets reads go on while the file is hashed, and the caller learns the verdict from
   * {@link SnapshotSource.hashVerdict}, which it must await before trusting (or vouching for) what it read.
   */
  hashCheck?: 'before-reads' | 'alongside';
  /**
   * A directory where the index of the snapshot is kept between processes (see index-cache.ts): the first
   * open builds and saves it, later ones read it back. Default: `$KUBETCD_INDEX_CACHE`, else none (nothing
   * is written). `false` turns it off whatever the environment says.
   */
  indexCache?: string | false;
}

/** Big ranges read their records ahead in a worker thread (positional reads cost a system call each). */
const PREFETCH_MIN_RECORDS = 4096;
const PREFETCH_BATCH_RECORDS = 2048;
const PREFETCH_BATCH_BYTES = 1 << 20;

interface PrefetchBatch {
  keys: Uint32Array;
  recs: Uint32Array;
  count: number;
  done: Promise<ArrayBuffer>;
}

/** Progress is reported every this many records. */
const PROGRESS_EVERY = 1000;

const KEY_BUCKET_NAME = Buffer.from('key');

/** What the snapshot's `meta` bucket and bbolt meta page say. */
export interface SnapshotMetaInfo {
  consistentIndex?: number;
  term?: number;
  scheduledCompactRevision: number;
  finishedCompactRevision: number;
  confState?: unknown;
  storageVersion?: string;
  clusterVersion?: string;
  members: MemberInfo[];
}

function beNumber(b: Buffer): number | undefined {
  if (b.length < 8) return undefined;
  const hi = b.readUInt32BE(0);
  if (hi >= 0x200000) return undefined;
  return hi * TWO_32 + b.readUInt32BE(4);
}

/** A key for messages: JSON-quoted UTF-8, cut after 200 characters. */
function quotedKey(key: Uint8Array): string {
  const text = Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('utf8');
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

/** What a snapshot can do: every read at the revisions it keeps and an MVCC index; it never changes. */
const SNAPSHOT_CAPABILITIES: SourceCapabilities = Object.freeze({
  current: false,
  history: true,
  watch: false,
  valueBytesOnKeysOnly: true,
  mvccIndex: true,
  hashKV: true,
  tombstones: true,
  writes: false,
});

/** A snapshot or member db file as a KvSource. Open with {@link openSnapshotSource}. */
export class SnapshotSource implements KvSource {
  readonly kind = 'snapshot' as const;
  readonly capabilities = SNAPSHOT_CAPABILITIES;
  readonly origin: string;
  private file: BboltFile | undefined;
  private index: MvccIndex | undefined;
  /** The index being built by a read (see ready()). */
  private indexing: Promise<MvccIndex> | undefined;
  private metaInfo: SnapshotMetaInfo;
  private currentRevision: number | undefined;
  /** The verdict of a SHA-256 check running in a worker (undefined once known to be fine, or when none). */
  private readonly indexCacheDir: string | undefined;
  /** What the index cache did: off, read, built and saved, or why it could not. */
  indexCacheStatus = 'off';
  private hashCheck: Promise<Error | undefined> | undefined;
  private hashWorker: Worker | undefined;
  /** With hashCheck 'alongside': reads do not wait for the verdict. */
  private readonly hashAlongside: boolean;
  /** The verdict for {@link hashVerdict}, kept after reads have consumed `hashCheck`. */
  private readonly verdict: Promise<Error | undefined>;

  /** @internal Use {@link openSnapshotSource}. */
  constructor(file: BboltFile, origin: string, verifyInWorker = false, indexCache?: string, hashAlongside = false) {
    this.file = file;
    this.hashAlongside = hashAlongside;
    this.origin = origin;
    this.indexCacheDir = indexCache;
    if (indexCache !== undefined) this.indexCacheStatus = 'not used yet';
    const expected = verifyInWorker ? file.trailerHash() : undefined;
    if (expected) {
      const { worker, verdict } = checkHashInWorker(file.path, file.dataBytes, expected);
      this.hashWorker = worker;
      this.hashCheck = verdict;
    }
    this.verdict = this.hashCheck ?? Promise.resolve(undefined);
    if (!file.bucket('key')) {
      throw new SnapshotFormatError(
        `Cannot read "${origin}" as an etcd snapshot: the bbolt file has no "key" bucket (buckets: ${
          file
            .root()
            .bucketNames()
            .map((n) => JSON.stringify(n.toString('latin1')))
            .join(', ') || 'none'
        }). Pass an etcd snapshot or a member/snap/db file.`,
        { path: file.path },
      );
    }
    this.metaInfo = this.readMetaInfo();
  }

  private bbolt(): BboltFile {
    if (!this.file)
      throw new InvalidArgumentError(`The snapshot source "${this.origin}" is closed. Open the file again.`);
    return this.file;
  }

  private readMetaInfo(): SnapshotMetaInfo {
    const file = this.bbolt();
    const info: SnapshotMetaInfo = { scheduledCompactRevision: 0, finishedCompactRevision: 0, members: [] };
    const meta = file.bucket('meta');
    if (meta) {
      for (const e of meta.entries()) {
        if (e.isBucket) continue;
        const k = e.key.toString('latin1');
        const n = beNumber(e.value);
        if (k === 'consistent_index' && n !== undefined) info.consistentIndex = n;
        else if (k === 'term' && n !== undefined) info.term = n;
        else if (k === 'scheduledCompactRev') info.scheduledCompactRevision = parseRevisionKey(e.value)?.main ?? 0;
        else if (k === 'finishedCompactRev') info.finishedCompactRevision = parseRevisionKey(e.value)?.main ?? 0;
        else if (k === 'storageVersion') info.storageVersion = e.value.toString('utf8');
        else if (k === 'confState') {
          try {
            info.confState = JSON.parse(e.value.toString('utf8'));
          } catch {
            info.confState = e.value.toString('utf8');
          }
        }
      }
    }
    const cv = file.bucket('cluster')?.get('clusterVersion');
    if (cv && !cv.isBucket) info.clusterVersion = cv.value.toString('utf8');
    const members = file.bucket('members');
    if (members) {
      for (const e of members.entries()) {
        if (e.isBucket) continue;
        let parsed: Record<string, unknown> = {};
        try {
          const v: unknown = JSON.parse(e.value.toString('utf8'));
          if (v && typeof v === 'object') parsed = v as Record<string, unknown>;
        } catch {
          /* a damaged member record still lists its id */
        }
        const strings = (x: unknown): string[] =>
          Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : [];
        const m: MemberInfo = {
          id: e.key.toString('latin1'),
          name: typeof parsed.name === 'string' ? parsed.name : '',
          peerUrls: strings(parsed.peerURLs),
          clientUrls: strings(parsed.clientURLs),
        };
        if (typeof parsed.isLearner === 'boolean') m.isLearner = parsed.isLearner;
        info.members.push(m);
      }
    }
    return info;
  }

  /**
   * The MVCC index, built on first use (one pass over the key bucket).
   * @example
   * console.log(source.mvccIndex().keyCount);
   */
  mvccIndex(signal?: AbortSignal): MvccIndex {
    if (!this.index) {
      this.index = this.cachedIndex();
      if (!this.index) this.saveIndex((this.index = buildMvccIndex(this.bbolt().bucket('key') as BboltBucket, signal)));
    }
    return this.index;
  }

  /** What identifies this file's content for the index cache. */
  private identity(): IndexIdentity {
    const file = this.bbolt();
    const st = fs.statSync(file.path);
    return {
      path: fs.realpathSync(file.path),
      size: st.size,
      mtimeMs: st.mtimeMs,
      ino: st.ino,
      txid: file.meta.txid.toString(),
      pageCount: file.meta.pageCount,
      trailer: file.hasSnapshotTrailer ? (file.trailerHash()?.toString('hex') ?? '') : '',
    };
  }

  /** The index from the cache directory, when one is set and holds this file's (checked). */
  private cachedIndex(): MvccIndex | undefined {
    if (this.indexCacheDir === undefined) return undefined;
    const identity = this.identity();
    const file = indexCachePath(this.indexCacheDir, identity);
    const { index, why } = readIndexFile(file, identity);
    if (index === undefined) {
      this.indexCacheStatus = why ?? 'no cached index';
      return undefined;
    }
    const restored = indexFromColumns(index);
    if (typeof restored === 'string') {
      this.indexCacheStatus = `the cached index ${file} ${restored}; it is rebuilt`;
      return undefined;
    }
    this.indexCacheStatus = `read from ${file}`;
    return restored;
  }

  private saveIndex(index: MvccIndex): void {
    if (this.indexCacheDir === undefined) return;
    const identity = this.identity();
    const file = indexCachePath(this.indexCacheDir, identity);
    const failed = writeIndexFile(file, identity, indexColumns(index));
    this.indexCacheStatus = failed === undefined ? `built, and saved to ${file}` : `built; ${failed}`;
  }

  /** Build the index (once) and wait for a pending SHA-256 verdict: every read goes through here. */
  private async ready(signal?: AbortSignal): Promise<MvccIndex> {
    let index: MvccIndex | undefined;
    let failure: unknown;
    try {
      this.index ??= this.cachedIndex();
      if (this.index === undefined) {
        this.indexing ??= buildMvccIndexAsync(this.bbolt().bucket('key') as BboltBucket, signal).finally(
          () => (this.indexing = undefined),
        );
        const built = await this.indexing;
        if (this.index === undefined) this.saveIndex((this.index = built));
      }
      index = this.index;
    } catch (e) {
      failure = e;
    }
    if (this.hashCheck && !this.hashAlongside) {
      const bad = await this.hashCheck;
      if (bad) throw bad;
      this.hashCheck = undefined;
      this.hashWorker = undefined;
    }
    if (failure !== undefined) throw failure;
    return index as MvccIndex;
  }

  /**
   * The verdict of the SHA-256 trailer check: undefined when the file matched its trailer (or has none,
   * or was checked at open, or the check was skipped), else the SnapshotFormatError to report. Resolves
   * as soon as the worker has hashed the file; with `hashCheck: 'alongside'` reads do not wait for it, so
   * await it before vouching for what was read. Call it before close(): closing stops the check.
   * @example
   * const source = await openSnapshotSource(file, { hashCheck: 'alongside' });
   * const pod = await source.get('/registry/pods/default/web');
   * const bad = await source.hashVerdict(); if (bad) throw bad;
   */
  hashVerdict(): Promise<Error | undefined> {
    return this.verdict;
  }

  /** The compaction revision: reads below it are refused. */
  get compactRevision(): number {
    return Math.max(this.metaInfo.finishedCompactRevision, this.metaInfo.scheduledCompactRevision);
  }

  /**
   * The latest revision (highest main revision in the key bucket, at least the compaction revision).
   * @example
   * const rev = source.revision();
   */
  revision(): number {
    if (this.currentRevision === undefined) {
      const index = this.mvccIndex();
      const last = index.recordCount > 0 ? (index.main[index.recordCount - 1] as number) : 0;
      this.currentRevision = Math.max(last, this.compactRevision);
    }
    return this.currentRevision;
  }

  private pin(revision: number | undefined): number {
    const current = this.revision();
    if (revision === undefined || revision === 0) return current;
    if (!Number.isSafeInteger(revision) || revision < 0) {
      throw new InvalidArgumentError(
        `Bad revision: ${revision}. Pass a positive integer, or omit { revision } for the latest.`,
      );
    }
    if (revision < this.compactRevision) {
      throw new CompactedRevisionError(
        `Revision ${revision} was compacted (oldest kept: ${this.compactRevision}). Omit { revision } or pass one >= ${this.compactRevision}.`,
        {
          revision,
          compactRevision: this.compactRevision,
        },
      );
    }
    if (revision > current) {
      throw new FutureRevisionError(
        `Revision ${revision} is newer than the snapshot "${this.origin}" (its revision: ${current}). Omit { revision } or pass one <= ${current}.`,
        {
          revision,
          currentRevision: current,
        },
      );
    }
    return revision;
  }

  private record(
    index: MvccIndex,
    i: number,
    r: number,
    keysOnly: boolean,
    prefetched?: Buffer,
    copyPrefetched = true,
  ): KvRecord {
    const lease = index.leaseOf(r);
    const rec: KvRecord = {
      // a view into the index's key bytes (read-only, like every record's bytes: copy before changing them)
      key: index.key(i),
      value: EMPTY,
      createRevision: index.createRevision[r] as number,
      modRevision: index.main[r] as number,
      version: index.version[r] as number,
      lease: lease === 0n ? '0' : lease.toString(),
      valueBytes: index.valueBytes[r] as number,
    };
    if (!keysOnly && index.tombstone[r] === 0) {
      const file = this.bbolt();
      const at = index.recordOffset[r] as number;
      const length = index.recordBytes[r] as number;
      // Read straight into the record's own buffer (length was checked against its page when indexed, and
      // readBytes checks it against the file): the value is then a view of it, not a second copy.
      const own = prefetched ? EMPTY : Buffer.allocUnsafe(length);
      const bytes = prefetched ?? file.readBytes(at, length, -1, false, own);
      let kv: MvccKeyValue;
      try {
        kv = decodeMvccKeyValue(bytes, 'a record');
      } catch (e) {
        // the same failure, with which record and where (its message is only built when one fails)
        decodeMvccKeyValue(bytes, {
          what: `the record of key ${quotedKey(rec.key)} at revision ${rec.modRevision} (offset ${at}) of "${this.origin}"`,
          fileOffset: at,
          path: file.path,
        });
        throw e;
      }
      // A view of the record's own buffer, or (transient values) of its prefetched batch; a copy when the
      // bytes sit in a buffer that is reused: a prefetched batch, or a block of the file's cache.
      const ownBytes =
        prefetched !== undefined ? !copyPrefetched : bytes.buffer === own.buffer && bytes.byteOffset === own.byteOffset;
      rec.value = ownBytes ? kv.value : copyBytes(kv.value);
      rec.modRevision = kv.modRevision || rec.modRevision;
    }
    return rec;
  }

  /**
   * One key at the latest revision or at `revision`.
   * @example
   * const kv = await source.get('/registry/namespaces/default');
   */
  async get(key: string | Uint8Array, options: ReadOptions = {}): Promise<KvRecord | undefined> {
    checkSignal(options.signal, 'get');
    const index = await this.ready(options.signal);
    const rev = this.pin(options.revision);
    const k = toBytes(key);
    const i = index.lowerBound(k);
    if (i >= index.keyCount || !index.key(i).equals(k)) return undefined;
    const r = index.recordAt(i, rev);
    if (r < 0 || index.tombstone[r] === 1) return undefined;
    return this.record(index, i, r, false);
  }

  /**
   * Stream a range in key order at one revision.
   * @example
   * for await (const kv of source.range({ prefix: '/registry/pods/' }, { revision: 1234 })) console.log(kv.key.toString());
   */
  async *range(range: KeyRange, options: RangeOptions = {}): AsyncGenerator<KvRecord> {
    const { start, end } = resolveKeyRange(range);
    checkSignal(options.signal, 'range');
    const index = await this.ready(options.signal);
    const rev = this.pin(options.revision);
    const limit = options.limit ?? Infinity;
    let records = 0;
    let valueBytes = 0;
    const stop = end === undefined ? index.keyCount : index.lowerBound(end);
    const first = index.lowerBound(start);
    if (options.keysOnly !== true && stop - first >= PREFETCH_MIN_RECORDS && limit >= PREFETCH_MIN_RECORDS) {
      yield* this.rangePrefetched(index, first, stop, rev, options);
      return;
    }
    for (let i = first; i < stop && records < limit; i++) {
      const r = index.recordAt(i, rev);
      if (r < 0 || index.tombstone[r] === 1) continue;
      checkSignal(options.signal, 'range');
      const rec = this.record(index, i, r, options.keysOnly === true);
      records++;
      valueBytes += rec.valueBytes;
      if (options.onProgress && records % PROGRESS_EVERY === 0)
        options.onProgress({ records, valueBytes, revision: rev });
      yield rec;
    }
    options.onProgress?.({ records, valueBytes, revision: rev });
  }

  /**
   * {@link SnapshotSource.range} for big ranges: the records of the next batch of keys are read by a worker
   * thread (into a buffer of their own, handed over) while this batch is decoded and yielded. Same checks,
   * same order.
   */
  private async *rangePrefetched(
    index: MvccIndex,
    first: number,
    stop: number,
    rev: number,
    options: RangeOptions,
  ): AsyncGenerator<KvRecord> {
    const file = this.bbolt();
    const limit = options.limit ?? Infinity;
    const reader = new RecordPrefetcher(file.path);
    const copy = options.transientValues !== true;
    // Two buffers go back and forth: one is being read into while the records of the other are yielded.
    const spare: ArrayBuffer[] = [new ArrayBuffer(PREFETCH_BATCH_BYTES), new ArrayBuffer(PREFETCH_BATCH_BYTES)];
    let i = first;
    let planned = 0;
    const plan = (): PrefetchBatch | undefined => {
      const keys = new Uint32Array(PREFETCH_BATCH_RECORDS);
      const recs = new Uint32Array(PREFETCH_BATCH_RECORDS);
      const offsets = new Float64Array(PREFETCH_BATCH_RECORDS);
      const lengths = new Uint32Array(PREFETCH_BATCH_RECORDS);
      let count = 0;
      let bytes = 0;
      while (i < stop && count < PREFETCH_BATCH_RECORDS && planned < limit) {
        const r = index.recordAt(i, rev);
        if (r >= 0 && index.tombstone[r] === 0) {
          const at = index.recordOffset[r] as number;
          const length = index.recordBytes[r] as number;
          if (count > 0 && bytes + length > PREFETCH_BATCH_BYTES) break;
          file.checkRange(at, length);
          keys[count] = i;
          recs[count] = r;
          offsets[count] = at;
          lengths[count] = length;
          count++;
          bytes += length;
          planned++;
        }
        i++;
      }
      if (count === 0) return undefined;
      let into = spare.pop();
      if (into === undefined || into.byteLength < bytes) into = new ArrayBuffer(Math.max(bytes, PREFETCH_BATCH_BYTES)); // one record above the batch size
      return { keys, recs, count, done: reader.read(into, offsets, lengths, count) };
    };
    let records = 0;
    let valueBytes = 0;
    try {
      let current = plan();
      let next = current ? plan() : undefined;
      while (current) {
        checkSignal(options.signal, 'range');
        const filled = await current.done;
        const buf = Buffer.from(filled);
        let pos = 0;
        for (let j = 0; j < current.count; j++) {
          checkSignal(options.signal, 'range');
          const r = current.recs[j] as number;
          const length = index.recordBytes[r] as number;
          const rec = this.record(index, current.keys[j] as number, r, false, buf.subarray(pos, pos + length), copy);
          pos += length;
          records++;
          valueBytes += rec.valueBytes;
          if (options.onProgress && records % PROGRESS_EVERY === 0)
            options.onProgress({ records, valueBytes, revision: rev });
          yield rec;
        }
        // the consumer has asked past this batch's records: with transient values, it is done with them
        spare.push(filled);
        current = next;
        next = current ? plan() : undefined;
      }
    } finally {
      await reader.close();
    }
    options.onProgress?.({ records, valueBytes, revision: rev });
  }

  /**
   * How many keys a range holds at a revision (from the index alone).
   * @example
   * await source.count({ prefix: '/registry/pods/' }) // 1204
   */
  async count(range: KeyRange, options: ReadOptions = {}): Promise<number> {
    const { start, end } = resolveKeyRange(range);
    checkSignal(options.signal, 'count');
    const index = await this.ready(options.signal);
    const rev = this.pin(options.revision);
    const stop = end === undefined ? index.keyCount : index.lowerBound(end);
    let n = 0;
    for (let i = index.lowerBound(start); i < stop; i++) {
      const r = index.recordAt(i, rev);
      if (r >= 0 && index.tombstone[r] === 0) n++;
    }
    return n;
  }

  /**
   * Every kept revision of one key, oldest first, deletions included.
   * @example
   * for await (const h of source.history('/registry/pods/default/web')) console.log(h.modRevision, h.deleted);
   */
  async *history(key: string | Uint8Array, options: { signal?: AbortSignal } = {}): AsyncGenerator<KvHistoryEntry> {
    const index = await this.ready(options.signal);
    const k = toBytes(key);
    const i = index.lowerBound(k);
    if (i >= index.keyCount || !index.key(i).equals(k)) return;
    for (let j = index.recStart[i] as number; j < (index.recStart[i + 1] as number); j++) {
      checkSignal(options.signal, 'history');
      const r = index.recIndex[j] as number;
      const deleted = index.tombstone[r] === 1;
      yield { ...this.record(index, i, r, false), deleted };
    }
  }

  /**
   * Every kept tombstone of a key in the range, in key order (each key's oldest first), with the record
   * before it (a compaction keeps the put a later delete ends, so it is there).
   * @example
   * for await (const d of source.tombstones({ prefix: '/registry/pods/' })) console.log(d.key.toString(), d.revision);
   */
  async *tombstones(range: KeyRange, options: { signal?: AbortSignal } = {}): AsyncGenerator<KvTombstone> {
    const { start, end } = resolveKeyRange(range);
    const index = await this.ready(options.signal);
    const stop = end === undefined ? index.keyCount : index.lowerBound(end);
    for (let i = index.lowerBound(start); i < stop; i++) {
      for (let j = index.recStart[i] as number; j < (index.recStart[i + 1] as number); j++) {
        const r = index.recIndex[j] as number;
        if (index.tombstone[r] !== 1) continue;
        checkSignal(options.signal, 'tombstones');
        const d: KvTombstone = { key: index.key(i), revision: index.main[r] as number };
        const before = j > (index.recStart[i] as number) ? (index.recIndex[j - 1] as number) : -1;
        if (before >= 0 && index.tombstone[before] === 0) d.previous = this.record(index, i, before, false);
        yield d;
      }
    }
  }

  /**
   * etcd's HashKV computed from the file, as etcd's mvcc store computes it (`etcdctl endpoint hashkv`
   * on a member restarted from this file prints the same): the CRC-32C of the bucket name `key`, then of
   * the raw revision key and `mvccpb.KeyValue` bytes of each record in bucket order up to `revision`,
   * leaving out records at or below the compaction revision that a compaction at `revision` would not
   * keep (every record is hashed when no key is live at `revision`). etcd 3.5 answers a hash at exactly
   * a compaction revision it ran from memory (the records that compaction removed included), which no
   * file can give; etcd 3.4 refuses that revision.
   * @example
   * const { hash, compactRevision, revision } = await source.hashKV();
   */
  async hashKV(options: HashKvOptions = {}): Promise<KvHash> {
    checkSignal(options.signal, 'hashKV');
    const index = await this.ready(options.signal);
    const current = Math.max(1, this.revision());
    const rev = options.revision === undefined || options.revision === 0 ? current : this.pin(options.revision);
    const m = this.metaInfo;
    const compact = m.finishedCompactRevision === 0 && m.scheduledCompactRevision === 0 ? -1 : this.compactRevision;
    // The records at or below the compaction revision that etcd's Keep(rev) holds: per key, its record
    // visible at rev when that is not a tombstone. Keep is "non-empty" when any key is live at rev.
    const keep = new Uint8Array(index.recordCount);
    let anyLive = false;
    for (let i = 0; i < index.keyCount; i++) {
      const r = index.recordAt(i, rev);
      if (r < 0 || index.tombstone[r] === 1) continue;
      anyLive = true;
      keep[r] = 1;
    }
    let crc = crc32c(KEY_BUCKET_NAME);
    let r = 0;
    const stop = new Error('past the revision');
    const file = this.bbolt();
    try {
      (file.bucket('key') as BboltBucket).cursor().scan((b, ks, klen, vlen) => {
        if ((r & 0xffff) === 0xffff) checkSignal(options.signal, 'hashKV');
        const main = index.main[r] as number;
        if (
          r >= index.recordCount ||
          b[ks + 8] !== 0x5f ||
          b.readUInt32BE(ks + 4) !== main % TWO_32 ||
          b.readUInt32BE(ks + 13) !== (index.sub[r] as number) % TWO_32
        ) {
          throw new SnapshotFormatError(
            `The key bucket of "${this.origin}" changed since it was indexed (record ${r}). Open the file again; read a file that is not being written.`,
            { path: file.path },
          );
        }
        if (main > rev) throw stop;
        if (!(main <= compact && anyLive && keep[r] === 0)) crc = crc32c(b.subarray(ks, ks + klen + vlen), crc);
        r++;
      });
    } catch (e) {
      if (e !== stop) throw e;
    }
    return {
      hash: crc,
      compactRevision: compact,
      hashRevision: rev,
      revision: current,
      ...(m.members.length === 1 ? { memberId: (m.members[0] as MemberInfo).id } : {}),
    };
  }

  /**
   * Revision, compaction, members and cluster version.
   * @example
   * const { revision, compactRevision } = await source.status();
   */
  async status(): Promise<SourceStatus> {
    await this.ready();
    const file = this.bbolt();
    const m = this.metaInfo;
    const revision = this.revision();
    const status: SourceStatus = {
      kind: 'snapshot',
      origin: this.origin,
      revision,
      compactRevision: this.compactRevision,
      members: m.members.map((x) => ({ ...x })),
      dbSizeBytes: file.fileBytes,
      keyCount: await this.count({ prefix: '' }),
    };
    if (m.clusterVersion !== undefined) status.clusterVersion = m.clusterVersion;
    if (m.term !== undefined) status.raftTerm = m.term;
    if (m.consistentIndex !== undefined) status.consistentIndex = m.consistentIndex;
    if (m.members.length === 1) status.memberId = (m.members[0] as MemberInfo).id;
    return status;
  }

  /**
   * What the meta, cluster and members buckets hold.
   * @example
   * source.snapshotMeta().consistentIndex
   */
  snapshotMeta(): SnapshotMetaInfo {
    return { ...this.metaInfo, members: this.metaInfo.members.map((x) => ({ ...x })) };
  }

  /**
   * The leases in the `lease` bucket, with the keys attached to each at the latest revision.
   * @example
   * (await source.leases()).map((l) => `${l.id} ttl=${l.ttlSeconds}s keys=${l.keys?.length}`)
   */
  async leases(): Promise<LeaseInfo[]> {
    await this.ready();
    const file = this.bbolt();
    const bucket = file.bucket('lease');
    const out: LeaseInfo[] = [];
    if (!bucket) return out;
    const byId = new Map<bigint, LeaseInfo>();
    for (const e of bucket.entries()) {
      if (e.isBucket) continue;
      const l = decodeLease(e.value, {
        what: `the lease record ${e.key.toString('hex')} on page ${e.pageId} (value at offset ${e.valueOffset}) of "${this.origin}"`,
        fileOffset: e.valueOffset,
        path: file.path,
      });
      const info: LeaseInfo = { id: l.id.toString(), ttlSeconds: l.ttlSeconds, keys: [] };
      byId.set(l.id, info);
      out.push(info);
    }
    if (byId.size > 0) {
      const index = this.mvccIndex();
      const rev = this.revision();
      for (let i = 0; i < index.keyCount; i++) {
        const r = index.recordAt(i, rev);
        if (r < 0 || index.tombstone[r] === 1) continue;
        const info = byId.get(index.leaseOf(r));
        if (info) info.keys?.push(Buffer.from(index.key(i)));
      }
    }
    return out;
  }

  /**
   * Close the file and drop the index. Safe to call twice.
   * @example
   * await source.close();
   */
  async close(): Promise<void> {
    const worker = this.hashWorker;
    this.hashWorker = undefined;
    this.hashCheck = undefined;
    if (worker) await worker.terminate();
    this.index = undefined;
    this.file?.close();
    this.file = undefined;
  }
}

/**
 * Open an etcd snapshot (`etcdctl snapshot save`) or a stopped member's `member/snap/db` as a
 * {@link KvSource}. The MVCC index is built on first read. A snapshot's SHA-256 trailer is checked at open
 * (small files) or in a worker thread alongside the index build (large files; the first read then fails
 * with a SnapshotFormatError on a mismatch). Big ranges read their records ahead in a worker thread.
 * @example
 * const source = await openSnapshotSource('./snapshot.db');
 * console.log(await source.status());
 */
export async function openSnapshotSource(path: string, options: SnapshotSourceOptions = {}): Promise<SnapshotSource> {
  const verify = options.verifyHash !== false;
  const envCache = process.env['KUBETCD_INDEX_CACHE'];
  const cache =
    options.indexCache === false
      ? undefined
      : (options.indexCache ?? (envCache !== undefined && envCache !== '' ? envCache : undefined));
  if (cache !== undefined && (typeof cache !== 'string' || cache === '')) {
    throw new InvalidArgumentError(`Invalid indexCache: ${JSON.stringify(cache)}. Pass a directory path, or false.`);
  }
  if (options.hashCheck !== undefined && options.hashCheck !== 'before-reads' && options.hashCheck !== 'alongside') {
    throw new InvalidArgumentError(
      `Invalid hashCheck: ${JSON.stringify(options.hashCheck)}. Pass 'before-reads' (the default) or 'alongside'.`,
    );
  }
  const file = openBboltFile(path, { ...options, verifyHash: false });
  try {
    if (verify && file.hasSnapshotTrailer && file.dataBytes < (options.hashInWorkerBytes ?? 32 << 20)) {
      file.close();
      return new SnapshotSource(openBboltFile(path, options), options.origin ?? path, false, cache);
    }
    return new SnapshotSource(
      file,
      options.origin ?? path,
      verify && file.hasSnapshotTrailer,
      cache,
      options.hashCheck === 'alongside',
    );
  } catch (e) {
    file.close();
    throw e;
  }
}
