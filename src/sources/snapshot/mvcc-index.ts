/**
 * The MVCC index of a snapshot: the sorted user keys in one buffer and, per revision record, its revision,
 * tombstone flag, metadata and file location (never the values), in columns as narrow as their values
 * allow. Built in one pass over the `key` bucket; converted to and from the index cache's columns.
 */
import { AbortedError, SnapshotFormatError } from '../../errors';
import { memoryReleased, releaseMemory } from '../../util/release-memory';
import type { BboltBucket } from './bbolt-file';
import type { IndexColumns } from './index-cache';
import { EMPTY, LeanKeyValue, TWO_32 } from './mvcc-records';

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
    const arrays = [
      this.keyStarts,
      this.keyEnds,
      this.recStart,
      this.recIndex,
      this.main,
      this.sub,
      this.tombstone,
      this.createRevision,
      this.version,
      this.leaseSlot,
      this.valueBytes,
      this.recordOffset,
      this.recordBytes,
    ];
    return this.keyBytes.length + arrays.reduce((s, a) => s + a.byteLength, 0);
  }
}

/** A 32-bit hash of `b[start, end)` (murmur3-style mixing, four bytes a step). */
function hashBytes(b: Buffer, start: number, end: number): number {
  let h = 0x9747b28c ^ (end - start);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    let k =
      (b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24);
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
        throw new SnapshotFormatError(
          `The snapshot "${this.path}" holds more than 4 GiB of distinct keys, more than this reader indexes.`,
          { path: this.path },
        );
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
  const keys = new KeyTable(
    path,
    Math.min(256 << 20, Math.max(1 << 20, Math.floor(bucket.file.dataBytes / 16))),
    Math.min(1 << 21, Math.max(1024, pages)),
  );
  // A record takes at least 40 bytes of a leaf page (16-byte element header, 17-byte revision key, a
  // KeyValue of a few bytes), so dataBytes / 40 bounds the record count: reserving that much up front
  // means the columns never grow by copying (which doubled the resident peak on large snapshots).
  // Untouched capacity stays virtual; where the system refuses that much address space, start smaller.
  let cols: RecordColumns;
  try {
    cols = new RecordColumns(
      Math.min(1 << 26, Math.max(1024, pages, Math.ceil(bucket.file.dataBytes / 40))),
      bucket.file.dataBytes,
    );
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    cols = new RecordColumns(Math.min(1 << 22, Math.max(1024, pages)), bucket.file.dataBytes);
  }
  let prevMain = -1;
  let prevSub = -1;
  let n = 0;
  const kv = new LeanKeyValue(path);
  const whereOf = (pageId: number, offset: number): string =>
    `on page ${pageId} (value at offset ${offset}) of "${path}"`;
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
      throw new SnapshotFormatError(
        `Bad etcd snapshot: the record of revision ${rMain}_${rSub} ${whereOf(pageId, valueOffset)} has no key. The file is damaged.`,
        {
          path,
          pageId: pageId,
          offset: valueOffset,
        },
      );
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

/**
 * A bbolt file as a {@link KvSource}: reads any revision kept since the last compaction. Ranges of 4096
 * keys or more (values wanted) read their records ahead in a worker thread, one batch at a time.
 */
/** The columns of an index, for the index cache. */
export function indexColumns(index: MvccIndex): IndexColumns {
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
export function indexFromColumns({ columns: c, leaseIds }: IndexColumns): MvccIndex | string {
  const u32 = (name: string): Uint32Array | undefined =>
    c[name] instanceof Uint32Array ? (c[name] as Uint32Array) : undefined;
  const rev = (name: string): RevisionColumn | undefined => {
    const a = c[name];
    return a instanceof Uint16Array || a instanceof Uint32Array || a instanceof Float64Array ? a : undefined;
  };
  const keyBytes = c['keyBytes'];
  const tombstone = c['tombstone'];
  const [keyStarts, keyEnds, recStart, recIndex, leaseSlot, valueBytes, recordBytes] = [
    'keyStarts',
    'keyEnds',
    'recStart',
    'recIndex',
    'leaseSlot',
    'valueBytes',
    'recordBytes',
  ].map(u32);
  const [main, sub, createRevision, version, recordOffset] = [
    'main',
    'sub',
    'createRevision',
    'version',
    'recordOffset',
  ].map(rev);
  if (
    !(keyBytes instanceof Uint8Array) ||
    !(tombstone instanceof Uint8Array) ||
    !keyStarts ||
    !keyEnds ||
    !recStart ||
    !recIndex ||
    !leaseSlot ||
    !valueBytes ||
    !recordBytes ||
    !main ||
    !sub ||
    !createRevision ||
    !version ||
    !recordOffset
  ) {
    return 'lacks a column';
  }
  const keys = keyStarts.length;
  const records = main.length;
  if (keyEnds.length !== keys || recStart.length !== keys + 1 || recIndex.length !== records)
    return 'has columns of different lengths';
  for (const a of [sub, tombstone, createRevision, version, leaseSlot, valueBytes, recordOffset, recordBytes])
    if (a.length !== records) return 'has columns of different lengths';
  for (let i = 0; i < keys; i++) {
    if (!((keyStarts[i] as number) <= (keyEnds[i] as number) && (keyEnds[i] as number) <= keyBytes.length))
      return `has key ${i} outside its bytes`;
    if (!((recStart[i] as number) <= (recStart[i + 1] as number))) return `has the records of key ${i} out of order`;
  }
  if (recStart[0] !== 0 || recStart[keys] !== records) return 'has record lists that do not cover the records';
  for (let j = 0; j < records; j++) {
    if (!((recIndex[j] as number) < records)) return `has record ${j} out of range`;
    if (!((leaseSlot[j] as number) <= leaseIds.length)) return `has record ${j} with an unknown lease`;
  }
  return new MvccIndex(
    Buffer.from(keyBytes.buffer, keyBytes.byteOffset, keyBytes.byteLength),
    keyStarts,
    keyEnds,
    recStart,
    recIndex,
    main,
    sub,
    tombstone,
    createRevision,
    version,
    leaseSlot,
    leaseIds,
    valueBytes,
    recordOffset,
    recordBytes,
  );
}
