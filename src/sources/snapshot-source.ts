/**
 * etcd's MVCC store read from a bbolt file (an `etcdctl snapshot save` file or a stopped member's
 * `member/snap/db`), as a {@link KvSource}. One compact index per file, built lazily on first use: the
 * sorted user keys in one buffer, and per revision record its revision, tombstone flag, metadata and
 * file location — never the values, which are read from the file as they are iterated.
 *
 * Memory, for a 1.2 GB snapshot of 1.1 million keys: the index holds about 0.1 KB per key (columns as
 * narrow as their values allow, widened on demand); the scratch arrays of its build are given back as
 * soon as it is done with them. Big ranges read their records ahead in a worker thread, into two buffers
 * passed back and forth; records are copies unless the reader asks for `transientValues`.
 */
import {
  AbortedError,
  CompactedRevisionError,
  FutureRevisionError,
  InvalidArgumentError,
  SnapshotFormatError,
} from '../errors';
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { memoryReleased, releaseMemory } from '../util/release-memory';
import { BboltBucket, BboltFile, BboltOpenOptions, openBboltFile, snapshotHashError } from './bbolt';
import { indexCachePath, readIndexFile, writeIndexFile, type IndexColumns, type IndexIdentity } from './index-cache';
import { crc32c } from '../util/crc32c';
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
  SourceStatus,
} from './types';

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

/** The heap of our workers, which only read a file into buffers: small (the default costs ~10 MB more each). */
const SMALL_WORKER_HEAP = { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 32 };

const HASH_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const fd = fs.openSync(workerData.path, 'r');
const hash = crypto.createHash('sha256');
const buf = Buffer.allocUnsafe(1 << 20);
for (let pos = 0; pos < workerData.length; ) {
  const n = fs.readSync(fd, buf, 0, Math.min(buf.length, workerData.length - pos), pos);
  if (n <= 0) throw new Error('short read at byte ' + pos);
  hash.update(buf.subarray(0, n));
  pos += n;
}
fs.closeSync(fd);
parentPort.postMessage(hash.digest());
`;

/** Hash the first `length` bytes of a file in a worker thread; resolves to the error to report, if any. */
function checkHashInWorker(path: string, length: number, expected: Buffer): { worker: Worker; verdict: Promise<Error | undefined> } {
  const worker = new Worker(HASH_WORKER_SOURCE, { eval: true, workerData: { path, length }, resourceLimits: SMALL_WORKER_HEAP });
  const verdict = new Promise<Error | undefined>((resolve) => {
    worker.once('message', (digest: Uint8Array) => {
      const actual = Buffer.from(digest);
      resolve(actual.equals(expected) ? undefined : snapshotHashError(path, length, expected, actual));
    });
    worker.once('error', (e) => resolve(new SnapshotFormatError(`Could not check the SHA-256 of "${path}": ${e.message}. Pass { verifyHash: false } to skip the check.`, { path }, { cause: e })));
    worker.once('exit', (code) => resolve(code === 0 ? undefined : new SnapshotFormatError(`The SHA-256 check of "${path}" stopped (exit code ${code}).`, { path })));
  });
  return { worker, verdict };
}

const READ_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const fd = fs.openSync(workerData.path, 'r');
parentPort.on('message', (m) => {
  const bytes = m.bytes;
  try {
    const buf = Buffer.from(bytes);
    let at = 0;
    for (let i = 0; i < m.count; i++) {
      const length = m.lengths[i];
      const offset = m.offsets[i];
      for (let done = 0; done < length; ) {
        const n = fs.readSync(fd, buf, at + done, length - done, offset + done);
        if (n <= 0) throw new Error('short read at byte ' + (offset + done));
        done += n;
      }
      at += length;
    }
    parentPort.postMessage({ id: m.id, bytes }, [bytes]);
  } catch (e) {
    parentPort.postMessage({ id: m.id, bytes, error: String(e && e.message) }, [bytes]);
  }
});
`;

/** Big ranges read their records ahead in a worker thread (positional reads cost a system call each). */
const PREFETCH_MIN_RECORDS = 4096;
const PREFETCH_BATCH_RECORDS = 2048;
const PREFETCH_BATCH_BYTES = 1 << 20;

/**
 * Reads lists of (offset, length) ranges of a file in a worker thread, into buffers passed back and forth
 * (transferred, never copied): the same few buffers serve a whole range, so reading leaves no garbage.
 */
class RecordPrefetcher {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (bytes: ArrayBuffer) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(private readonly path: string) {
    this.worker = new Worker(READ_WORKER_SOURCE, { eval: true, workerData: { path }, resourceLimits: SMALL_WORKER_HEAP });
    this.worker.on('message', (m: { id: number; bytes?: ArrayBuffer; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (!p) return;
      if (m.error === undefined && m.bytes !== undefined) p.resolve(m.bytes);
      else p.reject(new SnapshotFormatError(`Reading records of "${path}" failed: ${m.error ?? 'no bytes came back'}. The file shrank or changed while open; read a file that is not being written.`, { path }));
    });
    this.worker.on('error', (e) => this.fail(new SnapshotFormatError(`Reading records of "${path}" failed: ${e.message}.`, { path }, { cause: e })));
    this.worker.on('exit', (code) => this.fail(new SnapshotFormatError(`The record reader of "${path}" stopped (exit code ${code}).`, { path })));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /** Read the ranges one after another into `bytes` (which must hold their sum; it is handed over, then back). */
  read(bytes: ArrayBuffer, offsets: Float64Array, lengths: Uint32Array, count: number): Promise<ArrayBuffer> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const done = new Promise<ArrayBuffer>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    done.catch(() => undefined); // awaited later (read-ahead); a failure then surfaces there
    this.worker.postMessage({ id, bytes, offsets, lengths, count }, [bytes]);
    return done;
  }

  async close(): Promise<void> {
    this.failure ??= new SnapshotFormatError(`The record reader of "${this.path}" is closed.`, { path: this.path });
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/** One planned batch of a prefetched range: key and record numbers, and where their bytes land. */
interface PrefetchBatch {
  keys: Uint32Array;
  recs: Uint32Array;
  count: number;
  done: Promise<ArrayBuffer>;
}

/** etcd's revision key: `main u64 BE, '_', sub u64 BE` (+ `'t'` for a tombstone). */
export interface Revision {
  main: number;
  sub: number;
  tombstone: boolean;
}

const REVISION_BYTES = 17;
const TWO_32 = 0x100000000;
const PROGRESS_EVERY = 1000;

/**
 * Parse etcd's 17- or 18-byte revision key; undefined when it is not one.
 * @example
 * parseRevisionKey(Buffer.from('00000000000000045f0000000000000000', 'hex')) // { main: 4, sub: 0, tombstone: false }
 */
export function parseRevisionKey(key: Uint8Array): Revision | undefined {
  if (key.length !== REVISION_BYTES && key.length !== REVISION_BYTES + 1) return undefined;
  if (key[8] !== 0x5f) return undefined;
  if (key.length === REVISION_BYTES + 1 && key[17] !== 0x74) return undefined;
  const b = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  const mainHi = b.readUInt32BE(0);
  const subHi = b.readUInt32BE(9);
  if (mainHi >= 0x200000 || subHi >= 0x200000) return undefined; // beyond 2^53
  return {
    main: mainHi * TWO_32 + b.readUInt32BE(4),
    sub: subHi * TWO_32 + b.readUInt32BE(13),
    tombstone: key.length === REVISION_BYTES + 1,
  };
}

/** The fields of etcd's `mvccpb.KeyValue`. */
export interface MvccKeyValue {
  key: Buffer;
  createRevision: number;
  modRevision: number;
  version: number;
  value: Buffer;
  /** int64 lease id, exact. */
  lease: bigint;
}

/** Minimal protobuf reader for the two etcd messages this file reads (kept here: src/codec is another floor). */
class ProtoReader {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly what: string,
  ) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  fail(why: string): never {
    throw new SnapshotFormatError(`Cannot decode ${this.what}: ${why} at byte ${this.pos}. The file is damaged.`, { offset: this.pos });
  }
  /** A varint as an unsigned 64-bit bigint. */
  varint64(): bigint {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) this.fail('varint runs past the end');
      const b = this.buf[this.pos++] as number;
      if (i < 4) lo += (b & 0x7f) * 2 ** (7 * i);
      else if (i === 4) {
        lo += (b & 0x0f) * 2 ** 28;
        hi += (b & 0x7f) >>> 4;
      } else hi += (b & 0x7f) * 2 ** (7 * i - 32);
      if ((b & 0x80) === 0) return (BigInt(hi % TWO_32) << 32n) | BigInt(lo);
    }
    return this.fail('varint longer than 10 bytes');
  }
  /** A varint as a number (int64 fields etcd keeps below 2^53). */
  varint(): number {
    let result = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) this.fail('varint runs past the end');
      const b = this.buf[this.pos++] as number;
      result += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) {
        if (result > Number.MAX_SAFE_INTEGER) this.fail(`integer ${result} beyond 2^53`);
        return result;
      }
    }
    return this.fail('varint longer than 10 bytes');
  }
  bytes(): Buffer {
    const n = this.varint();
    if (n > this.buf.length - this.pos) this.fail(`length ${n} beyond the ${this.buf.length - this.pos} bytes left`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint64();
        return;
      case 1:
        if (this.buf.length - this.pos < 8) this.fail('fixed64 past the end');
        this.pos += 8;
        return;
      case 2:
        this.bytes();
        return;
      case 5:
        if (this.buf.length - this.pos < 4) this.fail('fixed32 past the end');
        this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${wireType}`);
    }
  }
}

/**
 * Decode etcd's `mvccpb.KeyValue` protobuf.
 * @example
 * decodeMvccKeyValue(fs.readFileSync('page2item0.bin')).key.toString() // '/registry/namespaces/default'
 */
export function decodeMvccKeyValue(bytes: Uint8Array, what = 'an mvccpb.KeyValue'): MvccKeyValue {
  const r = new ProtoReader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), what);
  const kv: MvccKeyValue = { key: EMPTY, createRevision: 0, modRevision: 0, version: 0, value: EMPTY, lease: 0n };
  while (!r.done) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 1 && wire === 2) kv.key = r.bytes();
    else if (field === 2 && wire === 0) kv.createRevision = r.varint();
    else if (field === 3 && wire === 0) kv.modRevision = r.varint();
    else if (field === 4 && wire === 0) kv.version = r.varint();
    else if (field === 5 && wire === 2) kv.value = r.bytes();
    else if (field === 6 && wire === 0) kv.lease = BigInt.asIntN(64, r.varint64());
    else r.skip(wire);
  }
  return kv;
}

/**
 * Decode etcd's `leasepb.Lease` {ID = 1, TTL = 2, RemainingTTL = 3}.
 * @example
 * decodeLease(bytes) // { id: 7587869291382335748n, ttlSeconds: 600, remainingTtlSeconds: 0 }
 */
export function decodeLease(bytes: Uint8Array): { id: bigint; ttlSeconds: number; remainingTtlSeconds: number } {
  const r = new ProtoReader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'a leasepb.Lease');
  const out = { id: 0n, ttlSeconds: 0, remainingTtlSeconds: 0 };
  while (!r.done) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 1 && wire === 0) out.id = BigInt.asIntN(64, r.varint64());
    else if (field === 2 && wire === 0) out.ttlSeconds = Number(BigInt.asIntN(64, r.varint64()));
    else if (field === 3 && wire === 0) out.remainingTtlSeconds = Number(BigInt.asIntN(64, r.varint64()));
    else r.skip(wire);
  }
  return out;
}

const EMPTY = Buffer.alloc(0);
/** etcd hashes its key bucket's name first. */
const KEY_BUCKET_NAME = Buffer.from('key');

/**
 * A column of revisions, versions or file offsets: as narrow as its values allow (sub-revisions and
 * versions are almost always under 65 536, revisions under 4 billion), widened on the first value that
 * does not fit, up to 64-bit floats (exact up to 2^53).
 */
export type RevisionColumn = Uint16Array | Uint32Array | Float64Array;

/** A column one step wider than `c` (16 → 32 bits → float), holding the same first `n` values. */
function widen(c: RevisionColumn, n: number): RevisionColumn {
  const wide = c instanceof Uint16Array ? new Uint32Array(c.length) : new Float64Array(c.length);
  for (let i = 0; i < n; i++) wide[i] = c[i] as number;
  return wide;
}

/** The largest value a column holds. */
function columnMax(c: RevisionColumn): number {
  return c instanceof Uint16Array ? 0xffff : c instanceof Uint32Array ? 0xffffffff : Number.MAX_SAFE_INTEGER;
}

/** The per-record columns of the index, grown together (one capacity check per record). Fresh slots are 0. */
class RecordColumns {
  n = 0;
  key: Uint32Array;
  main: RevisionColumn;
  sub: RevisionColumn;
  tombstone: Uint8Array;
  createRevision: RevisionColumn;
  version: RevisionColumn;
  /** 0 for no lease, else 1 + the lease's place in `leaseIds` (a cluster has few leases). */
  leaseSlot: Uint32Array;
  readonly leaseIds: bigint[] = [];
  private readonly leaseSlots = new Map<bigint, number>();
  valueBytes: Uint32Array;
  recordOffset: RevisionColumn;
  recordBytes: Uint32Array;

  constructor(capacity: number, fileBytes: number) {
    this.key = new Uint32Array(capacity);
    this.main = new Uint32Array(capacity);
    this.sub = new Uint16Array(capacity);
    this.tombstone = new Uint8Array(capacity);
    this.createRevision = new Uint32Array(capacity);
    this.version = new Uint16Array(capacity);
    this.leaseSlot = new Uint32Array(capacity);
    this.valueBytes = new Uint32Array(capacity);
    this.recordOffset = fileBytes < TWO_32 ? new Uint32Array(capacity) : new Float64Array(capacity);
    this.recordBytes = new Uint32Array(capacity);
  }

  /** Room for one more record; returns its number. */
  add(): number {
    if (this.n === this.main.length) {
      const size = this.n * 2;
      const grow = <T extends RevisionColumn | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(size);
        b.set(a as never);
        return b;
      };
      this.key = grow(this.key);
      this.main = grow(this.main);
      this.sub = grow(this.sub);
      this.tombstone = grow(this.tombstone);
      this.createRevision = grow(this.createRevision);
      this.version = grow(this.version);
      this.leaseSlot = grow(this.leaseSlot);
      this.valueBytes = grow(this.valueBytes);
      this.recordOffset = grow(this.recordOffset);
      this.recordBytes = grow(this.recordBytes);
    }
    return this.n++;
  }

  /** Sets record r of a narrow column, widening the column first when the value does not fit. */
  setNumber(column: 'main' | 'sub' | 'createRevision' | 'version' | 'recordOffset', r: number, value: number): void {
    let c = this[column];
    while (value > columnMax(c)) this[column] = c = widen(c, this.n);
    c[r] = value;
  }

  setLease(r: number, id: bigint): void {
    let slot = this.leaseSlots.get(id);
    if (slot === undefined) {
      this.leaseIds.push(id);
      slot = this.leaseIds.length;
      this.leaseSlots.set(id, slot);
    }
    this.leaseSlot[r] = slot;
  }
}
/**
 * The MVCC index of one file. Keys in one buffer (in the order first met), sorted bytewise through
 * `keyStarts`/`keyEnds`; per key, its records (oldest first) through `recStart`/`recIndex`; per record (in
 * revision order): revision, tombstone flag, metadata and the file location of its `mvccpb.KeyValue`.
 */
export class MvccIndex {
  constructor(
    /** The bytes of every user key, each once. */
    readonly keyBytes: Buffer,
    /** Start of the i-th key in sorted order in `keyBytes`; length keyCount. */
    readonly keyStarts: Uint32Array,
    /** End of the i-th key in sorted order in `keyBytes`; length keyCount. */
    readonly keyEnds: Uint32Array,
    /** First entry of key i in `recIndex`; length keyCount + 1. */
    readonly recStart: Uint32Array,
    /** Record numbers grouped by key, oldest first. */
    readonly recIndex: Uint32Array,
    readonly main: RevisionColumn,
    readonly sub: RevisionColumn,
    readonly tombstone: Uint8Array,
    readonly createRevision: RevisionColumn,
    readonly version: RevisionColumn,
    /** Per record: 0 for no lease, else 1 + its lease's place in `leaseIds`. */
    readonly leaseSlot: Uint32Array,
    /** The distinct lease ids of the records. */
    readonly leaseIds: readonly bigint[],
    readonly valueBytes: Uint32Array,
    /** File offset and length of each record's protobuf. */
    readonly recordOffset: RevisionColumn,
    readonly recordBytes: Uint32Array,
  ) {}

  get keyCount(): number {
    return this.keyStarts.length;
  }
  get recordCount(): number {
    return this.main.length;
  }
  /**
   * The i-th key in sorted order (a view into the key buffer).
   * @example
   * index.key(0).toString()
   */
  key(i: number): Buffer {
    return this.keyBytes.subarray(this.keyStarts[i] as number, this.keyEnds[i] as number);
  }
  /**
   * First key index whose key is >= `k` (or > when `after`).
   * @example
   * const i = index.lowerBound(Buffer.from('/registry/pods/'));
   */
  lowerBound(k: Buffer, after = false): number {
    let lo = 0;
    let hi = this.keyCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.keyBytes.compare(k, 0, k.length, this.keyStarts[mid] as number, this.keyEnds[mid] as number);
      if (c < 0 || (after && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  /**
   * The record of key i visible at revision `rev` (highest main <= rev), or -1. Tombstones included.
   * @example
   * const r = index.recordAt(i, 1234); const deleted = r >= 0 && index.tombstone[r] === 1;
   */
  recordAt(i: number, rev: number): number {
    let lo = this.recStart[i] as number;
    let hi = this.recStart[i + 1] as number;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.main[this.recIndex[mid] as number] as number) <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo === (this.recStart[i] as number) ? -1 : (this.recIndex[lo - 1] as number);
  }
  /**
   * The lease id of record r (0n when none).
   * @example
   * index.leaseOf(r).toString() // '7587869318418292227'
   */
  leaseOf(r: number): bigint {
    const slot = this.leaseSlot[r] as number;
    return slot === 0 ? 0n : (this.leaseIds[slot - 1] as bigint);
  }
  /** Approximate bytes held by the index. */
  get memoryBytes(): number {
    const arrays = [this.keyStarts, this.keyEnds, this.recStart, this.recIndex, this.main, this.sub, this.tombstone, this.createRevision, this.version, this.leaseSlot, this.valueBytes, this.recordOffset, this.recordBytes];
    return this.keyBytes.length + arrays.reduce((s, a) => s + a.byteLength, 0);
  }
}

/** A 32-bit hash of `b[start, end)` (murmur3-style mixing, four bytes a step). */
function hashBytes(b: Buffer, start: number, end: number): number {
  let h = 0x9747b28c ^ (end - start);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    let k = (b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  for (let shift = 0; i < end; i++, shift += 8) k |= (b[i] as number) << shift;
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/**
 * The distinct user keys met while indexing, interned by their bytes (no strings): the bytes of each new key
 * are appended to one arena, and an open-addressing hash table (a 32-bit hash of the bytes, linear probing)
 * maps key bytes to their id (the order of first sight).
 */
class KeyTable {
  private arena: Buffer;
  private used = 0;
  /** Start of key id i in the arena; `starts[count]` is `used` (so key i ends at `starts[i + 1]`). */
  private starts: Uint32Array;
  private hashes: Int32Array;
  /** Open addressing: id + 1 per slot, 0 = empty (fresh zeroed memory costs nothing until written). */
  private table: Int32Array;
  private count = 0;

  constructor(
    private readonly path: string,
    arenaBytes: number,
    expectedKeys: number,
  ) {
    this.arena = Buffer.allocUnsafeSlow(arenaBytes);
    this.starts = new Uint32Array(expectedKeys + 1);
    this.hashes = new Int32Array(expectedKeys);
    let size = 1024;
    while (size < expectedKeys * 2) size *= 2;
    this.table = new Int32Array(size);
  }

  /** The id of the key `b[start, end)`, added if new. */
  intern(b: Buffer, start: number, end: number): number {
    const length = end - start;
    const h = hashBytes(b, start, end);
    const table = this.table;
    const mask = table.length - 1;
    const hashes = this.hashes;
    const starts = this.starts;
    const arena = this.arena;
    let slot = h & mask;
    for (;;) {
      const id = (table[slot] as number) - 1;
      if (id < 0) break;
      if (hashes[id] === h) {
        const s = starts[id] as number;
        if ((starts[id + 1] as number) - s === length) {
          let i = 0;
          while (i < length && arena[s + i] === b[start + i]) i++;
          if (i === length) return id;
        }
      }
      slot = (slot + 1) & mask;
    }
    if (this.used + length > arena.length) {
      if (this.used + length >= TWO_32) {
        throw new SnapshotFormatError(`The snapshot "${this.path}" holds more than 4 GiB of distinct keys, more than this reader indexes.`, { path: this.path });
      }
      const grown = Buffer.allocUnsafeSlow(Math.min(TWO_32 - 1, Math.max(arena.length * 2, this.used + length)));
      arena.copy(grown, 0, 0, this.used);
      this.arena = grown;
    }
    const into = this.arena;
    for (let i = 0, at = this.used; i < length; i++) into[at + i] = b[start + i] as number;
    const id = this.count++;
    if (this.count + 1 > this.starts.length) {
      const more = new Uint32Array(this.starts.length * 2);
      more.set(this.starts);
      releaseMemory(this.starts);
      this.starts = more;
      const moreHashes = new Int32Array(this.hashes.length * 2);
      moreHashes.set(this.hashes);
      releaseMemory(this.hashes);
      this.hashes = moreHashes;
    }
    this.hashes[id] = h;
    this.used += length;
    this.starts[id + 1] = this.used;
    table[slot] = id + 1;
    if (this.count * 2 > table.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    const hashes = this.hashes;
    for (let id = 0; id < this.count; id++) {
      let slot = (hashes[id] as number) & mask;
      while ((table[slot] as number) !== 0) slot = (slot + 1) & mask;
      table[slot] = id + 1;
    }
    releaseMemory(this.table);
    this.table = table;
  }

  /** Frees the hash lookup (no more interning): before sorting, so that the two never take memory together. */
  dropLookup(): void {
    releaseMemory(this.table, this.hashes);
    this.table = new Int32Array(0);
    this.hashes = new Int32Array(0);
  }

  /**
   * The keys sorted bytewise: the arena itself (not copied: a copy doubled the resident peak on large
   * snapshots), each sorted position's start and end in it, and `rank[id]` = sorted position.
   */
  sorted(): { keyBytes: Buffer; keyStarts: Uint32Array; keyEnds: Uint32Array; rank: Uint32Array } {
    const n = this.count;
    const arena = this.arena;
    const starts = this.starts;
    this.dropLookup();
    // Bytes every key shares with key 0: comparisons start after them.
    let common = n > 0 ? (starts[1] as number) - (starts[0] as number) : 0;
    for (let id = 1; id < n && common > 0; id++) {
      const s = starts[id] as number;
      const max = Math.min(common, (starts[id + 1] as number) - s);
      let i = 0;
      while (i < max && arena[i] === arena[s + i]) i++;
      common = i;
    }
    const compare = (x: number, y: number): number => {
      let i = (starts[x] as number) + common;
      let j = (starts[y] as number) + common;
      const ie = starts[x + 1] as number;
      const je = starts[y + 1] as number;
      while (i < ie && j < je) {
        const d = (arena[i] as number) - (arena[j] as number);
        if (d !== 0) return d;
        i++;
        j++;
      }
      return ie - i - (je - j);
    };
    const order: number[] = new Array<number>(n);
    for (let id = 0; id < n; id++) order[id] = id;
    order.sort(compare);
    const keyStarts = new Uint32Array(n);
    const keyEnds = new Uint32Array(n);
    const rank = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const id = order[i] as number;
      rank[id] = i;
      keyStarts[i] = starts[id] as number;
      keyEnds[i] = starts[id + 1] as number;
    }
    const keyBytes = arena.subarray(0, this.used);
    this.arena = EMPTY;
    releaseMemory(starts);
    this.starts = new Uint32Array(0);
    return { keyBytes, keyStarts, keyEnds, rank };
  }
}

/**
 * Build the MVCC index of the `key` bucket: one pass in revision order, then keys sorted.
 * @example
 * const index = buildMvccIndex(openBboltFile('snap.db').bucket('key')!);
 */
export function buildMvccIndex(bucket: BboltBucket, signal?: AbortSignal): MvccIndex {
  return finishIndex(scanKeyBucket(bucket, signal));
}

/**
 * {@link buildMvccIndex}, giving the memory of its key lookup table back before sorting the keys, and of
 * its other scratch arrays before returning (a lower peak on large snapshots; see util/release-memory).
 * @example
 * const index = await buildMvccIndexAsync(openBboltFile('snap.db').bucket('key')!);
 */
export async function buildMvccIndexAsync(bucket: BboltBucket, signal?: AbortSignal): Promise<MvccIndex> {
  const scanned = scanKeyBucket(bucket, signal);
  scanned.keys.dropLookup();
  await memoryReleased();
  const index = finishIndex(scanned);
  await memoryReleased();
  return index;
}

/** The first pass of the index: every record of the `key` bucket, in revision order, its key interned. */
function scanKeyBucket(bucket: BboltBucket, signal?: AbortSignal): { keys: KeyTable; cols: RecordColumns } {
  const path = bucket.file.path;
  // Capacity hints: memory reserved but never written stays virtual (not resident).
  const pages = bucket.file.meta.pageCount;
  const keys = new KeyTable(path, Math.min(256 << 20, Math.max(1 << 20, Math.floor(bucket.file.dataBytes / 16))), Math.min(1 << 21, Math.max(1024, pages)));
  // A record takes at least 40 bytes of a leaf page (16-byte element header, 17-byte revision key, a
  // KeyValue of a few bytes), so dataBytes / 40 bounds the record count: reserving that much up front
  // means the columns never grow by copying (which doubled the resident peak on large snapshots).
  // Untouched capacity stays virtual; where the system refuses that much address space, start smaller.
  let cols: RecordColumns;
  try {
    cols = new RecordColumns(Math.min(1 << 26, Math.max(1024, pages, Math.ceil(bucket.file.dataBytes / 40))), bucket.file.dataBytes);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    cols = new RecordColumns(Math.min(1 << 22, Math.max(1024, pages)), bucket.file.dataBytes);
  }
  let prevMain = -1;
  let prevSub = -1;
  let n = 0;
  const kv = new LeanKeyValue(path);
  const whereOf = (pageId: number, offset: number): string => `on page ${pageId} (value at offset ${offset}) of "${path}"`;
  bucket.cursor().scan((b, ks, klen, vlen, flags, pageId, fileBase) => {
    if ((++n & 0xffff) === 0 && signal?.aborted) throw new AbortedError('Indexing the snapshot was cancelled.');
    if (flags & 1) {
      // etcd's key bucket holds revisions only; a sub-bucket there is a damaged flag hiding a record.
      throw new SnapshotFormatError(
        `Bad etcd snapshot: key bucket entry ${b.toString('hex', ks, ks + Math.min(klen, 32))} ${whereOf(pageId, fileBase + ks + klen)} is marked as a sub-bucket, which etcd never writes there. The file is damaged: restore it from another backup.`,
        { path, pageId, offset: fileBase + ks + klen },
      );
    }
    const valueOffset = fileBase + ks + klen;
    const tombstone = klen === 18 && b[ks + 17] === 0x74;
    const isRevision = klen === 17 || tombstone;
    const mainHi = isRevision ? b.readUInt32BE(ks) : 0;
    const subHi = isRevision ? b.readUInt32BE(ks + 9) : 0;
    if (!isRevision || b[ks + 8] !== 0x5f || mainHi >= 0x200000 || subHi >= 0x200000) {
      throw new SnapshotFormatError(
        `Bad etcd snapshot: key bucket entry ${b.toString('hex', ks, ks + Math.min(klen, 32))} ${whereOf(pageId, valueOffset)} is not a revision (main u64, '_', sub u64, optional 't'). The file is damaged or not an etcd backend.`,
        { path, pageId: pageId, offset: valueOffset },
      );
    }
    const rMain = mainHi * TWO_32 + b.readUInt32BE(ks + 4);
    const rSub = subHi * TWO_32 + b.readUInt32BE(ks + 13);
    if (rMain < prevMain || (rMain === prevMain && rSub <= prevSub)) {
      throw new SnapshotFormatError(
        `Bad etcd snapshot: revision ${rMain}_${rSub} ${whereOf(pageId, valueOffset)} comes after ${prevMain}_${prevSub}: the key bucket is out of order. The file is damaged.`,
        { path, pageId: pageId, offset: valueOffset },
      );
    }
    prevMain = rMain;
    prevSub = rSub;
    kv.decode(b, ks + klen, ks + klen + vlen, rMain, rSub, pageId, valueOffset);
    if (kv.keyEnd === kv.keyStart) {
      throw new SnapshotFormatError(`Bad etcd snapshot: the record of revision ${rMain}_${rSub} ${whereOf(pageId, valueOffset)} has no key. The file is damaged.`, {
        path,
        pageId: pageId,
        offset: valueOffset,
      });
    }
    const r = cols.add();
    cols.key[r] = keys.intern(b, kv.keyStart, kv.keyEnd);
    cols.setNumber('main', r, rMain);
    cols.setNumber('sub', r, rSub);
    cols.setNumber('recordOffset', r, valueOffset);
    cols.recordBytes[r] = vlen;
    if (!tombstone) {
      cols.setNumber('createRevision', r, kv.createRevision);
      cols.setNumber('version', r, kv.version);
      cols.valueBytes[r] = kv.valueBytes;
      if (kv.lease !== 0n) cols.setLease(r, kv.lease);
    } else cols.tombstone[r] = 1;
  });
  return { keys, cols };
}

/** The second pass: keys sorted, and each key's records grouped (oldest first). */
function finishIndex({ keys, cols }: { keys: KeyTable; cols: RecordColumns }): MvccIndex {
  const { keyBytes, keyStarts, keyEnds, rank } = keys.sorted();
  const keyCount = rank.length;
  const records = cols.key.subarray(0, cols.n);
  const recStart = new Uint32Array(keyCount + 1);
  for (let r = 0; r < records.length; r++) {
    const k = (rank[records[r] as number] as number) + 1;
    recStart[k] = (recStart[k] as number) + 1;
  }
  for (let i = 0; i < keyCount; i++) recStart[i + 1] = (recStart[i + 1] as number) + (recStart[i] as number);
  const fill = recStart.slice(0, keyCount);
  const recIndex = new Uint32Array(records.length);
  for (let r = 0; r < records.length; r++) {
    const k = rank[records[r] as number] as number;
    recIndex[fill[k] as number] = r;
    fill[k] = (fill[k] as number) + 1;
  }
  releaseMemory(fill, rank, cols.key);
  return new MvccIndex(
    keyBytes,
    keyStarts,
    keyEnds,
    recStart,
    recIndex,
    cols.main.subarray(0, cols.n),
    cols.sub.subarray(0, cols.n),
    cols.tombstone.subarray(0, cols.n),
    cols.createRevision.subarray(0, cols.n),
    cols.version.subarray(0, cols.n),
    cols.leaseSlot.subarray(0, cols.n),
    cols.leaseIds,
    cols.valueBytes.subarray(0, cols.n),
    cols.recordOffset.subarray(0, cols.n),
    cols.recordBytes.subarray(0, cols.n),
  );
}

/** Decodes the metadata of an `mvccpb.KeyValue` in place, allocating nothing (for indexing). */
class LeanKeyValue {
  keyStart = 0;
  keyEnd = 0;
  createRevision = 0;
  version = 0;
  valueBytes = 0;
  lease = 0n;
  private b: Buffer = EMPTY;
  private pos = 0;
  private start = 0;
  private end = 0;
  private main = 0;
  private sub = 0;
  private pageId = 0;
  private offset = 0;

  constructor(private readonly path: string) {}

  private fail(why: string): never {
    throw new SnapshotFormatError(
      `Cannot decode the record of revision ${this.main}_${this.sub} on page ${this.pageId} (value at offset ${this.offset}) of "${this.path}": ${why} at byte ${this.pos - this.start} of the record. The file is damaged.`,
      { path: this.path, pageId: this.pageId, offset: this.offset + this.pos - this.start },
    );
  }

  private varint(): number {
    const b = this.b;
    let result = 0;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) this.fail('varint runs past the end');
      const x = b[this.pos++] as number;
      result += (x & 0x7f) * 2 ** (7 * i);
      if ((x & 0x80) === 0) return result;
    }
    return this.fail('integer beyond 2^53');
  }

  private varint64(): bigint {
    let v = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('varint runs past the end');
      const x = this.b[this.pos++] as number;
      v |= BigInt(x & 0x7f) << BigInt(7 * i);
      if ((x & 0x80) === 0) return BigInt.asIntN(64, v);
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** Decode b[start, end), the record of revision main_sub at file offset `offset` on page `pageId`. */
  decode(b: Buffer, start: number, end: number, main: number, sub: number, pageId: number, offset: number): void {
    this.keyStart = this.keyEnd = this.createRevision = this.version = this.valueBytes = 0;
    this.lease = 0n;
    this.b = b;
    this.pos = this.start = start;
    this.end = end;
    this.main = main;
    this.sub = sub;
    this.pageId = pageId;
    this.offset = offset;
    while (this.pos < end) {
      const tag = this.varint();
      const field = tag >>> 3;
      const wire = tag & 7;
      if (wire === 2) {
        const n = this.varint();
        if (n > end - this.pos) this.fail(`length ${n} beyond the ${end - this.pos} bytes left`);
        if (field === 1) {
          this.keyStart = this.pos;
          this.keyEnd = this.pos + n;
        } else if (field === 5) this.valueBytes = n;
        this.pos += n;
      } else if (wire === 0) {
        if (field === 2) this.createRevision = this.varint();
        else if (field === 4) this.version = this.varint();
        else if (field === 6) this.lease = this.varint64();
        else this.varint64();
      } else if (wire === 1) {
        if (end - this.pos < 8) this.fail('fixed64 past the end');
        this.pos += 8;
      } else if (wire === 5) {
        if (end - this.pos < 4) this.fail('fixed32 past the end');
        this.pos += 4;
      } else this.fail(`unsupported wire type ${wire}`);
    }
  }
}

/** A copy of `b` in a buffer of its own (small ones from Node's pool). */
function copyBytes(b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(b.length);
  b.copy(out, 0, 0, b.length);
  return out;
}

function toBytes(k: string | Uint8Array): Buffer {
  return typeof k === 'string' ? Buffer.from(k, 'utf8') : Buffer.from(k.buffer, k.byteOffset, k.byteLength);
}

/**
 * The key after every key starting with `prefix` (etcd's prefix range end); undefined: no end.
 * @example
 * prefixEnd(Buffer.from('/registry/pods/')) // '/registry/pods0'
 */
export function prefixEnd(prefix: Uint8Array): Buffer | undefined {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}

/**
 * Normalise a {@link KeyRange} to `[start, end)` bytes (end undefined = to the end of the keyspace).
 * @example
 * resolveKeyRange({ prefix: '/a' }) // { start: <'/a'>, end: <'/b'> }
 */
export function resolveKeyRange(range: KeyRange): { start: Buffer; end: Buffer | undefined } {
  if (range === null || typeof range !== 'object') {
    throw new InvalidArgumentError(`Bad key range: ${String(range)}. Pass { prefix } or { start, end? }.`);
  }
  if ('prefix' in range) {
    const p = toBytes(range.prefix);
    return { start: p, end: p.length === 0 ? undefined : prefixEnd(p) };
  }
  if ('start' in range) return { start: toBytes(range.start), end: range.end === undefined ? undefined : toBytes(range.end) };
  throw new InvalidArgumentError(`Bad key range: ${JSON.stringify(range)}. Pass { prefix } or { start, end? }.`);
}

function checkSignal(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new AbortedError(`${what} was cancelled by its AbortSignal.`, { reason: String(signal.reason) });
}

/** What the `meta`, `cluster` and `members` buckets say. */
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

/**
 * A bbolt file as a {@link KvSource}: reads any revision kept since the last compaction. Ranges of 4096
 * keys or more (values wanted) read their records ahead in a worker thread, one batch at a time.
 */
/** The columns of an index, for the index cache. */
function indexColumns(index: MvccIndex): IndexColumns {
  return {
    columns: {
      keyBytes: index.keyBytes,
      keyStarts: index.keyStarts,
      keyEnds: index.keyEnds,
      recStart: index.recStart,
      recIndex: index.recIndex,
      main: index.main,
      sub: index.sub,
      tombstone: index.tombstone,
      createRevision: index.createRevision,
      version: index.version,
      leaseSlot: index.leaseSlot,
      valueBytes: index.valueBytes,
      recordOffset: index.recordOffset,
      recordBytes: index.recordBytes,
    },
    leaseIds: index.leaseIds,
  };
}

/**
 * An index from cached columns, after checking that they fit together (counts, bounds, order of the
 * record lists): a string saying what is wrong otherwise.
 */
function indexFromColumns({ columns: c, leaseIds }: IndexColumns): MvccIndex | string {
  const u32 = (name: string): Uint32Array | undefined => (c[name] instanceof Uint32Array ? (c[name] as Uint32Array) : undefined);
  const rev = (name: string): RevisionColumn | undefined => {
    const a = c[name];
    return a instanceof Uint16Array || a instanceof Uint32Array || a instanceof Float64Array ? a : undefined;
  };
  const keyBytes = c['keyBytes'];
  const tombstone = c['tombstone'];
  const [keyStarts, keyEnds, recStart, recIndex, leaseSlot, valueBytes, recordBytes] = ['keyStarts', 'keyEnds', 'recStart', 'recIndex', 'leaseSlot', 'valueBytes', 'recordBytes'].map(u32);
  const [main, sub, createRevision, version, recordOffset] = ['main', 'sub', 'createRevision', 'version', 'recordOffset'].map(rev);
  if (!(keyBytes instanceof Uint8Array) || !(tombstone instanceof Uint8Array) || !keyStarts || !keyEnds || !recStart || !recIndex || !leaseSlot || !valueBytes || !recordBytes || !main || !sub || !createRevision || !version || !recordOffset) {
    return 'lacks a column';
  }
  const keys = keyStarts.length;
  const records = main.length;
  if (keyEnds.length !== keys || recStart.length !== keys + 1 || recIndex.length !== records) return 'has columns of different lengths';
  for (const a of [sub, tombstone, createRevision, version, leaseSlot, valueBytes, recordOffset, recordBytes]) if (a.length !== records) return 'has columns of different lengths';
  for (let i = 0; i < keys; i++) {
    if (!((keyStarts[i] as number) <= (keyEnds[i] as number) && (keyEnds[i] as number) <= keyBytes.length)) return `has key ${i} outside its bytes`;
    if (!((recStart[i] as number) <= (recStart[i + 1] as number))) return `has the records of key ${i} out of order`;
  }
  if (recStart[0] !== 0 || recStart[keys] !== records) return 'has record lists that do not cover the records';
  for (let j = 0; j < records; j++) {
    if (!((recIndex[j] as number) < records)) return `has record ${j} out of range`;
    if (!((leaseSlot[j] as number) <= leaseIds.length)) return `has record ${j} with an unknown lease`;
  }
  return new MvccIndex(Buffer.from(keyBytes.buffer, keyBytes.byteOffset, keyBytes.byteLength), keyStarts, keyEnds, recStart, recIndex, main, sub, tombstone, createRevision, version, leaseSlot, leaseIds, valueBytes, recordOffset, recordBytes);
}

export class SnapshotSource implements KvSource {
  readonly kind = 'snapshot' as const;
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
        `Cannot read "${origin}" as an etcd snapshot: the bbolt file has no "key" bucket (buckets: ${file
          .root()
          .bucketNames()
          .map((n) => JSON.stringify(n.toString('latin1')))
          .join(', ') || 'none'}). Pass an etcd snapshot or a member/snap/db file.`,
        { path: file.path },
      );
    }
    this.metaInfo = this.readMetaInfo();
  }

  private bbolt(): BboltFile {
    if (!this.file) throw new InvalidArgumentError(`The snapshot source "${this.origin}" is closed. Open the file again.`);
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
        if (k === 'consistent_index') info.consistentIndex = beNumber(e.value);
        else if (k === 'term') info.term = beNumber(e.value);
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
        const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);
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
        this.indexing ??= buildMvccIndexAsync(this.bbolt().bucket('key') as BboltBucket, signal).finally(() => (this.indexing = undefined));
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
      throw new InvalidArgumentError(`Bad revision: ${revision}. Pass a positive integer, or omit { revision } for the latest.`);
    }
    if (revision < this.compactRevision) {
      throw new CompactedRevisionError(`Revision ${revision} was compacted (oldest kept: ${this.compactRevision}). Omit { revision } or pass one >= ${this.compactRevision}.`, {
        revision,
        compactRevision: this.compactRevision,
      });
    }
    if (revision > current) {
      throw new FutureRevisionError(`Revision ${revision} is newer than the snapshot "${this.origin}" (its revision: ${current}). Omit { revision } or pass one <= ${current}.`, {
        revision,
        currentRevision: current,
      });
    }
    return revision;
  }

  private record(index: MvccIndex, i: number, r: number, keysOnly: boolean, prefetched?: Buffer, copyPrefetched = true): KvRecord {
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
        decodeMvccKeyValue(bytes, `the record at offset ${at} of "${this.origin}"`); // the same failure, with where
        throw e;
      }
      // A view of the record's own buffer, or (transient values) of its prefetched batch; a copy when the
      // bytes sit in a buffer that is reused: a prefetched batch, or a block of the file's cache.
      const ownBytes = prefetched !== undefined ? !copyPrefetched : bytes.buffer === own.buffer && bytes.byteOffset === own.byteOffset;
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
      if (options.onProgress && records % PROGRESS_EVERY === 0) options.onProgress({ records, valueBytes, revision: rev });
      yield rec;
    }
    options.onProgress?.({ records, valueBytes, revision: rev });
  }

  /**
   * {@link SnapshotSource.range} for big ranges: the records of the next batch of keys are read by a worker
   * thread (into a buffer of their own, handed over) while this batch is decoded and yielded. Same checks,
   * same order.
   */
  private async *rangePrefetched(index: MvccIndex, first: number, stop: number, rev: number, options: RangeOptions): AsyncGenerator<KvRecord> {
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
          if (options.onProgress && records % PROGRESS_EVERY === 0) options.onProgress({ records, valueBytes, revision: rev });
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
        if (r >= index.recordCount || b[ks + 8] !== 0x5f || b.readUInt32BE(ks + 4) !== main % TWO_32 || b.readUInt32BE(ks + 13) !== (index.sub[r] as number) % TWO_32) {
          throw new SnapshotFormatError(`The key bucket of "${this.origin}" changed since it was indexed (record ${r}). Open the file again; read a file that is not being written.`, { path: file.path });
        }
        if (main > rev) throw stop;
        if (!(main <= compact && anyLive && keep[r] === 0)) crc = crc32c(b.subarray(ks, ks + klen + vlen), crc);
        r++;
      });
    } catch (e) {
      if (e !== stop) throw e;
    }
    return { hash: crc, compactRevision: compact, hashRevision: rev, revision: current, ...(m.members.length === 1 ? { memberId: (m.members[0] as MemberInfo).id } : {}) };
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
      const l = decodeLease(e.value);
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
  const cache = options.indexCache === false ? undefined : (options.indexCache ?? (envCache !== undefined && envCache !== '' ? envCache : undefined));
  if (cache !== undefined && (typeof cache !== 'string' || cache === '')) {
    throw new InvalidArgumentError(`Invalid indexCache: ${JSON.stringify(cache)}. Pass a directory path, or false.`);
  }
  if (options.hashCheck !== undefined && options.hashCheck !== 'before-reads' && options.hashCheck !== 'alongside') {
    throw new InvalidArgumentError(`Invalid hashCheck: ${JSON.stringify(options.hashCheck)}. Pass 'before-reads' (the default) or 'alongside'.`);
  }
  const file = openBboltFile(path, { ...options, verifyHash: false });
  try {
    if (verify && file.hasSnapshotTrailer && file.dataBytes < (options.hashInWorkerBytes ?? 32 << 20)) {
      file.close();
      return new SnapshotSource(openBboltFile(path, options), options.origin ?? path, false, cache);
    }
    return new SnapshotSource(file, options.origin ?? path, verify && file.hasSnapshotTrailer, cache, options.hashCheck === 'alongside');
  } catch (e) {
    file.close();
    throw e;
  }
}
