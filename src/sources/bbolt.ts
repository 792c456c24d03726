/**
 * A read-only reader of bbolt files (format version 2), the storage behind etcd: `etcdctl snapshot save`
 * output and a stopped member's `member/snap/db`. Pure TypeScript, positional reads, no native code.
 *
 * Every offset and length read from the file is checked against the file before it is used; every
 * structural problem is a {@link SnapshotFormatError} naming the page id and byte offset. Tree walks keep
 * the set of pages they entered, so a page that points at itself (or any cycle) fails instead of hanging.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { InvalidArgumentError, SnapshotFormatError } from '../errors';

/** The bbolt meta magic number (`0xED0CDAED`), at byte 16 of pages 0 and 1. */
export const BBOLT_MAGIC = 0xed0cdaed;
/** The only bbolt file format version there is. */
export const BBOLT_VERSION = 2;
/** Bytes of a page header: `id u64, flags u16, count u16, overflow u32`. */
export const PAGE_HEADER_BYTES = 16;
/** Bytes of a branch or leaf element. */
export const ELEMENT_BYTES = 16;
/** Bytes of a bucket header `{root u64, sequence u64}` at the start of a bucket value. */
export const BUCKET_HEADER_BYTES = 16;
/** Bytes of an `etcdctl snapshot save` trailer (SHA-256 of everything before it). */
export const SNAPSHOT_TRAILER_BYTES = 32;

/** Page flags. */
export const PAGE_FLAGS = { branch: 0x01, leaf: 0x02, meta: 0x04, freelist: 0x10 } as const;
/** Leaf element flag of a sub-bucket. */
export const BUCKET_LEAF_FLAG = 0x01;

const META_BYTES = 64; // magic .. checksum
const META_CHECKSUMMED_BYTES = 56;
const MAX_TREE_DEPTH = 64;
const MIN_PAGE_SIZE = 512;
const MAX_PAGE_SIZE = 1 << 20;
const DEFAULT_WHOLE_FILE_BYTES = 8 << 20;
const BLOCK_BYTES = 1 << 20;
/** Blocks kept (and recycled) by a file's block cache. */
export const MAX_CACHED_BLOCKS = 8;

/** A bbolt meta page, as read from page 0 or 1. */
export interface BboltMeta {
  /** 0 or 1: the page this meta was read from. */
  metaPage: number;
  magic: number;
  version: number;
  /** Page size in bytes, as the file says (not assumed). */
  pageSize: number;
  flags: number;
  /** Page id of the root bucket's root page. */
  rootPgid: number;
  rootSequence: bigint;
  /** Page id of the freelist; 0xFFFFFFFFFFFFFFFF (as bigint) when etcd runs with NoFreelistSync. */
  freelistPgid: bigint;
  /** Number of pages in the file (high-water mark). */
  pageCount: number;
  txid: bigint;
  checksum: bigint;
}

/** Options of {@link openBboltFile}. */
export interface BboltOpenOptions {
  /** Check a trailing SHA-256 (as `etcdctl snapshot save` writes) when one seems present. Default true. */
  verifyHash?: boolean;
  /** Files up to this size are read into memory in one go; larger ones through a block cache. Default 8 MiB. */
  wholeFileBytes?: number;
  /** Block size of the block cache (default 1 MiB; at least 4096). */
  blockBytes?: number;
}

/** A decoded page: header fields plus the page's bytes (overflow included). */
export interface BboltPage {
  /** Page id (0 for a page inlined in a bucket value). */
  id: number;
  flags: number;
  count: number;
  overflow: number;
  /** The page's bytes, header included. */
  bytes: Buffer;
  /** Absolute file offset of `bytes[0]`. */
  fileOffset: number;
  /** True for a page embedded in a bucket value (an inline bucket). */
  inline: boolean;
}

/**
 * One leaf entry. From {@link BboltBucket.entries} and {@link BboltBucket.get}: owned copies. From a
 * {@link BboltCursor}: views into the reader's recycled blocks, valid until the cursor moves on.
 */
export interface BboltEntry {
  key: Buffer;
  /** The value bytes (for a sub-bucket: its 16-byte header, plus the inline page when inline). */
  value: Buffer;
  /** Absolute file offset of the value's first byte. */
  valueOffset: number;
  /** Leaf element flags; `flags & 1` marks a sub-bucket. */
  flags: number;
  isBucket: boolean;
  /** Id of the leaf page holding the entry (0 when inline). */
  pageId: number;
}

/** FNV-1a 64 over bytes, as bbolt checksums its meta pages. */
export function fnv1a64(bytes: Uint8Array): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const b of bytes) {
    hash ^= BigInt(b);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash;
}

function u64(buf: Buffer, offset: number): number {
  return buf.readUInt32LE(offset) + buf.readUInt32LE(offset + 4) * 0x100000000;
}

function hex32(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

/**
 * The error for a snapshot whose SHA-256 trailer does not match its data.
 * @example
 * throw snapshotHashError('snap.db', 4096 * 10, expected, actual);
 */
export function snapshotHashError(path: string, dataBytes: number, expected: Buffer, actual: Buffer): SnapshotFormatError {
  return new SnapshotFormatError(
    `Snapshot "${path}" fails its SHA-256 check: the last 32 bytes (at offset ${dataBytes}) are ${expected.toString('hex')}, the data hashes to ${actual.toString('hex')}. The file is damaged; save the snapshot again, or pass { verifyHash: false } to read it anyway.`,
    { path, offset: dataBytes },
  );
}

/**
 * Reads byte ranges of a file: small files whole, larger ones through a few reused blocks (fresh memory
 * is expensive to fault in, so block buffers are recycled). A view returned by `read` stays valid until
 * {@link MAX_CACHED_BLOCKS} other blocks have been loaded: callers copy what they keep.
 */
class ByteSource {
  private whole: Buffer | undefined;
  /** Cached blocks in LRU order (oldest first): block index -> bytes (a view of a recycled buffer). */
  private readonly blocks = new Map<number, Buffer>();
  private lastIndex = -1;
  private lastBlock: Buffer | undefined;
  /** Blocks loaded so far: a view taken when this was n is valid while it is < n + MAX_CACHED_BLOCKS. */
  loads = 0;
  constructor(
    private readonly fd: number,
    readonly size: number,
    wholeFileBytes: number,
    private readonly blockBytes: number,
  ) {
    if (size <= wholeFileBytes) {
      const buf = Buffer.allocUnsafe(size);
      readFully(fd, buf, 0, size, 0);
      this.whole = buf;
    }
  }

  /** Bytes at `offset`; `cache` loads (and keeps) the surrounding block, else a miss reads just the range. */
  read(offset: number, length: number, cache = true, scratch?: Buffer): Buffer {
    if (this.whole) return this.whole.subarray(offset, offset + length);
    const first = Math.floor(offset / this.blockBytes);
    const last = Math.floor((offset + length - 1) / this.blockBytes);
    if (length > 0 && first === last && (cache || this.blocks.has(first))) {
      const block = this.block(first);
      const start = offset - first * this.blockBytes;
      return block.subarray(start, start + length);
    }
    const out = scratch && scratch.length >= length ? scratch.subarray(0, length) : Buffer.allocUnsafe(length);
    readFully(this.fd, out, 0, length, offset);
    return out;
  }

  /** Where {@link ByteSource.view}'s range starts in the buffer it returned. */
  viewStart = 0;

  /**
   * The buffer holding `[offset, offset + length)` without making a view object: the whole file, a cached
   * block, or (for a range across blocks) a fresh copy; the range starts at `viewStart` in it.
   */
  view(offset: number, length: number): Buffer {
    if (this.whole) {
      this.viewStart = offset;
      return this.whole;
    }
    const first = Math.floor(offset / this.blockBytes);
    if (length > 0 && first === Math.floor((offset + length - 1) / this.blockBytes)) {
      this.viewStart = offset - first * this.blockBytes;
      return this.block(first);
    }
    const out = Buffer.allocUnsafe(length);
    readFully(this.fd, out, 0, length, offset);
    this.viewStart = 0;
    return out;
  }

  private block(index: number): Buffer {
    if (index === this.lastIndex && this.lastBlock) return this.lastBlock;
    let block = this.blocks.get(index);
    if (block) {
      this.lastIndex = index;
      this.lastBlock = block;
      this.blocks.delete(index);
      this.blocks.set(index, block);
      return block;
    }
    let buffer: Buffer | undefined;
    if (this.blocks.size >= MAX_CACHED_BLOCKS) {
      const oldest = this.blocks.keys().next().value as number;
      const old = this.blocks.get(oldest) as Buffer;
      this.blocks.delete(oldest);
      buffer = Buffer.from(old.buffer, old.byteOffset, this.blockBytes);
    }
    buffer ??= Buffer.allocUnsafeSlow(this.blockBytes);
    this.loads++;
    const start = index * this.blockBytes;
    const length = Math.min(this.blockBytes, this.size - start);
    readFully(this.fd, buffer, 0, length, start);
    block = buffer.subarray(0, length);
    this.blocks.set(index, block);
    this.lastIndex = index;
    this.lastBlock = block;
    return block;
  }

  release(): void {
    this.whole = undefined;
    this.lastBlock = undefined;
    this.blocks.clear();
  }
}

function readFully(fd: number, buf: Buffer, at: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, at + done, length - done, position + done);
    if (n <= 0) throw new SnapshotFormatError(`Short read at byte ${position + done}: the file shrank while open. Read a file that is not being written.`, { offset: position + done });
    done += n;
  }
}

/**
 * An open bbolt file. Create with {@link openBboltFile}; release with {@link BboltFile.close}.
 */
export class BboltFile {
  /** The meta page in use (the valid one with the highest txid). */
  readonly meta: BboltMeta;
  /** Both meta pages as read; `undefined` where the page is invalid, with the reason in `metaErrors`. */
  readonly metas: (BboltMeta | undefined)[];
  readonly metaErrors: string[];
  /** File size in bytes. */
  readonly fileBytes: number;
  /** Bytes of bbolt data (file size minus a verified snapshot trailer). */
  readonly dataBytes: number;
  /** True when the file ends with a verified `etcdctl snapshot save` SHA-256 trailer. */
  readonly hasSnapshotHash: boolean;
  /** True when the file's size says it ends with a snapshot trailer (verified or not). */
  readonly hasSnapshotTrailer: boolean;
  private fd: number | undefined;
  private bytes: ByteSource | undefined;

  /** @internal Use {@link openBboltFile}. */
  constructor(
    readonly path: string,
    options: BboltOpenOptions = {},
  ) {
    let fd: number;
    try {
      fd = fs.openSync(path, 'r');
    } catch (e) {
      throw new InvalidArgumentError(`Cannot open "${path}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}. Check the path.`, { path }, { cause: e });
    }
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) throw new InvalidArgumentError(`Cannot open "${path}" as a bbolt file: it is not a regular file. Pass a snapshot or a member/snap/db file.`, { path });
      this.fileBytes = stat.size;
      const bytes = new ByteSource(fd, this.fileBytes, options.wholeFileBytes ?? DEFAULT_WHOLE_FILE_BYTES, Math.max(4096, options.blockBytes ?? BLOCK_BYTES));
      this.fd = fd;
      this.bytes = bytes;
      const { metas, errors } = this.readMetas();
      this.metas = metas;
      this.metaErrors = errors;
      const valid = metas.filter((m): m is BboltMeta => m !== undefined);
      if (valid.length === 0) {
        throw new SnapshotFormatError(
          `Cannot open "${path}" as a bbolt file: both meta pages are invalid (page 0: ${errors[0]}; page 1: ${errors[1]}). The file is damaged or not an etcd snapshot / member/snap/db.`,
          { path, pageId: 0, offset: 16 },
        );
      }
      valid.sort((a, b) => (a.txid > b.txid ? -1 : a.txid < b.txid ? 1 : a.metaPage - b.metaPage));
      this.meta = valid[0] as BboltMeta;
      const ps = this.meta.pageSize;
      let dataBytes = this.fileBytes;
      let hasHash = false;
      this.hasSnapshotTrailer = this.fileBytes % ps === SNAPSHOT_TRAILER_BYTES && this.fileBytes >= SNAPSHOT_TRAILER_BYTES + 2 * ps;
      if (this.hasSnapshotTrailer) {
        dataBytes = this.fileBytes - SNAPSHOT_TRAILER_BYTES;
        if (options.verifyHash !== false) this.verifyHash(dataBytes);
        hasHash = options.verifyHash !== false;
      }
      this.dataBytes = dataBytes;
      this.hasSnapshotHash = hasHash;
      const needed = this.meta.pageCount * ps;
      if (needed > dataBytes) {
        throw new SnapshotFormatError(
          `Truncated bbolt file "${path}": meta page ${this.meta.metaPage} says ${this.meta.pageCount} pages of ${ps} bytes (${needed} bytes) but the file holds ${dataBytes} bytes of data. Copy the file again completely.`,
          { path, pageId: this.meta.metaPage, offset: dataBytes },
        );
      }
      if (this.meta.rootPgid < 2 || this.meta.rootPgid >= this.meta.pageCount) {
        throw new SnapshotFormatError(
          `Bad bbolt file "${path}": meta page ${this.meta.metaPage} points the root bucket at page ${this.meta.rootPgid}, outside pages 2..${this.meta.pageCount - 1}. The file is damaged.`,
          { path, pageId: this.meta.rootPgid, offset: this.meta.metaPage * ps + 32 },
        );
      }
    } catch (e) {
      this.bytes?.release();
      fs.closeSync(fd);
      this.fd = undefined;
      throw e;
    }
  }

  private verifyHash(dataBytes: number): void {
    const fd = this.fd as number;
    const hash = crypto.createHash('sha256');
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, Math.max(dataBytes, 1)));
    for (let pos = 0; pos < dataBytes; pos += chunk.length) {
      const n = Math.min(chunk.length, dataBytes - pos);
      readFully(fd, chunk, 0, n, pos);
      hash.update(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
    const expected = Buffer.allocUnsafe(SNAPSHOT_TRAILER_BYTES);
    readFully(fd, expected, 0, SNAPSHOT_TRAILER_BYTES, dataBytes);
    const actual = hash.digest();
    if (!actual.equals(expected)) throw snapshotHashError(this.path, dataBytes, expected, actual);
  }

  /**
   * The SHA-256 stored in the snapshot trailer (undefined without one).
   * @example
   * file.trailerHash()?.toString('hex')
   */
  trailerHash(): Buffer | undefined {
    if (!this.hasSnapshotTrailer || this.fd === undefined) return undefined;
    const out = Buffer.alloc(SNAPSHOT_TRAILER_BYTES);
    readFully(this.fd, out, 0, SNAPSHOT_TRAILER_BYTES, this.dataBytes);
    return out;
  }

  private readMetas(): { metas: (BboltMeta | undefined)[]; errors: string[] } {
    const errors: string[] = ['', ''];
    const meta0 = this.parseMeta(0, 0, errors);
    let meta1: BboltMeta | undefined;
    if (meta0) {
      meta1 = this.parseMeta(1, meta0.pageSize, errors);
    } else {
      // Page 0 is unreadable: find page 1 at each plausible page size, as bbolt does.
      for (let ps = MIN_PAGE_SIZE; ps <= MAX_PAGE_SIZE && !meta1; ps *= 2) {
        const probeErrors = ['', ''];
        const m = this.parseMeta(1, ps, probeErrors);
        if (m && m.pageSize === ps) meta1 = m;
        else if (ps === 4096) errors[1] = probeErrors[1] || `page size ${m?.pageSize} does not match its offset ${ps}`;
      }
    }
    return { metas: [meta0, meta1], errors };
  }

  private parseMeta(page: number, offset: number, errors: string[]): BboltMeta | undefined {
    const at = offset + PAGE_HEADER_BYTES;
    if (at + META_BYTES > this.fileBytes) {
      errors[page] = `the file (${this.fileBytes} bytes) ends before byte ${at + META_BYTES}`;
      return undefined;
    }
    const buf = (this.bytes as ByteSource).read(at, META_BYTES);
    const magic = buf.readUInt32LE(0);
    if (magic !== BBOLT_MAGIC) {
      errors[page] = `magic ${hex32(magic)} at offset ${at}, expected ${hex32(BBOLT_MAGIC)}`;
      return undefined;
    }
    const version = buf.readUInt32LE(4);
    if (version !== BBOLT_VERSION) {
      errors[page] = `version ${version} at offset ${at + 4}, expected ${BBOLT_VERSION}`;
      return undefined;
    }
    const checksum = buf.readBigUInt64LE(56);
    const computed = fnv1a64(buf.subarray(0, META_CHECKSUMMED_BYTES));
    if (checksum !== computed) {
      errors[page] = `checksum 0x${checksum.toString(16)} at offset ${at + 56}, computed 0x${computed.toString(16)}`;
      return undefined;
    }
    const pageSize = buf.readUInt32LE(8);
    if (pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE || (pageSize & (pageSize - 1)) !== 0) {
      errors[page] = `page size ${pageSize} at offset ${at + 8} is not a power of two in ${MIN_PAGE_SIZE}..${MAX_PAGE_SIZE}`;
      return undefined;
    }
    return {
      metaPage: page,
      magic,
      version,
      pageSize,
      flags: buf.readUInt32LE(12),
      rootPgid: u64(buf, 16),
      rootSequence: buf.readBigUInt64LE(24),
      freelistPgid: buf.readBigUInt64LE(32),
      pageCount: u64(buf, 40),
      txid: buf.readBigUInt64LE(48),
      checksum,
    };
  }

  /** @internal Block loads so far (views of cached blocks may be recycled after MAX_CACHED_BLOCKS more). */
  get blockLoads(): number {
    return this.bytes?.loads ?? 0;
  }

  /**
   * Page size in bytes, from the meta page.
   * @example
   * file.pageSize // 4096
   */
  get pageSize(): number {
    return this.meta.pageSize;
  }

  /**
   * Read `length` bytes at absolute `offset`, checked against the data part of the file. With `cache`
   * false, a range outside the cached blocks is read on its own (for random access such as key order), into
   * `scratch` when it is large enough. The result is a view: valid until the next reads; copy what you keep.
   * @example
   * const bytes = file.readBytes(entry.valueOffset, entry.value.length);
   */
  readBytes(offset: number, length: number, pageId = -1, cache = true, scratch?: Buffer): Buffer {
    const bytes = this.source();
    this.checkRange(offset, length, pageId);
    return bytes.read(offset, length, cache, scratch);
  }

  /**
   * Throw unless `length` bytes at `offset` lie inside the data part of the file (what {@link
   * BboltFile.readBytes} checks before reading; for callers that read the range elsewhere).
   * @example
   * file.checkRange(entry.valueOffset, entry.value.length);
   */
  checkRange(offset: number, length: number, pageId = -1): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.dataBytes) {
      throw new SnapshotFormatError(
        `Bad bbolt file "${this.path}": ${length} bytes at offset ${offset}${pageId >= 0 ? ` (page ${pageId})` : ''} run past the end of the data (${this.dataBytes} bytes). The file is truncated or damaged.`,
        { path: this.path, pageId, offset },
      );
    }
  }

  private source(): ByteSource {
    if (!this.bytes) throw new SnapshotFormatError(`The bbolt file "${this.path}" is closed. Open it again.`, { path: this.path });
    return this.bytes;
  }

  /**
   * Read page `pgid` (with its overflow pages), checking its id, flags and size against the file.
   * @example
   * const root = file.page(file.meta.rootPgid);
   */
  page(pgid: number): BboltPage {
    const ps = this.meta.pageSize;
    if (!Number.isSafeInteger(pgid) || pgid < 2 || pgid >= this.meta.pageCount) {
      throw new SnapshotFormatError(
        `Bad bbolt file "${this.path}": page id ${pgid} is outside the tree's pages 2..${this.meta.pageCount - 1} (offset ${pgid * ps}). The file is damaged.`,
        { path: this.path, pageId: pgid, offset: pgid * ps },
      );
    }
    const offset = pgid * ps;
    let bytes = this.readBytes(offset, ps, pgid);
    const header = bytes;
    const id = u64(header, 0);
    const flags = header.readUInt16LE(8);
    const count = header.readUInt16LE(10);
    const overflow = header.readUInt32LE(12);
    if (id !== pgid) {
      throw new SnapshotFormatError(
        `Bad bbolt file "${this.path}": page ${pgid} at offset ${offset} says it is page ${id}. The file is damaged.`,
        { path: this.path, pageId: pgid, offset },
      );
    }
    if (pgid + 1 + overflow > this.meta.pageCount) {
      throw new SnapshotFormatError(
        `Bad bbolt file "${this.path}": page ${pgid} at offset ${offset} claims ${overflow} overflow pages, past the file's ${this.meta.pageCount} pages. The file is damaged.`,
        { path: this.path, pageId: pgid, offset: offset + 12 },
      );
    }
    if ((pgid + 1 + overflow) * ps > this.dataBytes) {
      throw new SnapshotFormatError(
        `Bad bbolt file "${this.path}": page ${pgid} at offset ${offset} with its ${overflow} overflow pages ends at byte ${(pgid + 1 + overflow) * ps}, past the ${this.dataBytes} bytes of data in the file. The file is damaged or was cut short.`,
        { path: this.path, pageId: pgid, offset: offset + 12 },
      );
    }
    if (overflow > 0) {
      this.checkOverflow(pgid, offset, flags, count, overflow);
      bytes = this.readBytes(offset, (1 + overflow) * ps, pgid);
    }
    // Branch pages stay on a cursor's stack while many leaves are read: keep them out of the block cache.
    if (flags === PAGE_FLAGS.branch) bytes = Buffer.from(bytes);
    const page: BboltPage = { id, flags, count, overflow, bytes, fileOffset: offset, inline: false };
    checkTreePage(this.path, page);
    return page;
  }

  /**
   * bbolt gives a page exactly the pages its elements need: the last element's end decides the overflow.
   * Checked before the overflow pages are read, so a damaged count never makes a read of gigabytes.
   */
  private checkOverflow(pgid: number, offset: number, flags: number, count: number, overflow: number): void {
    if (count === 0 || (flags !== PAGE_FLAGS.leaf && flags !== PAGE_FLAGS.branch)) return;
    const ps = this.meta.pageSize;
    const headers = PAGE_HEADER_BYTES + count * ELEMENT_BYTES;
    if (headers > (1 + overflow) * ps) return; // checkTreePage names this one
    const b = this.readBytes(offset, headers, pgid, false);
    const el = PAGE_HEADER_BYTES + (count - 1) * ELEMENT_BYTES;
    const end =
      flags === PAGE_FLAGS.leaf
        ? el + b.readUInt32LE(el + 4) + b.readUInt32LE(el + 8) + b.readUInt32LE(el + 12)
        : el + b.readUInt32LE(el) + b.readUInt32LE(el + 4);
    const needed = Math.max(1, Math.ceil(end / ps));
    if (needed !== 1 + overflow) {
      throw new SnapshotFormatError(
        `Bad bbolt file "${this.path}": page ${pgid} at offset ${offset} claims ${overflow} overflow pages, but its last element ends at byte ${end} of the page, which needs ${needed - 1}. The page header is damaged.`,
        { path: this.path, pageId: pgid, offset: offset + 12 },
      );
    }
  }

  /** @internal Where {@link BboltFile.pageView}'s page starts in the buffer it returned. */
  viewStart = 0;

  /**
   * @internal The fast path of {@link BboltFile.page} for tree walks: checks the same things (id, bounds,
   * overflow, flags, element count) but returns the buffer holding the page (valid until other pages are
   * read) with the page at `viewStart`, allocating nothing. Anything wrong is reported by `page(pgid)`.
   */
  pageView(pgid: number): Buffer {
    const meta = this.meta;
    const ps = meta.pageSize;
    const bytes = this.source();
    if (pgid >= 2 && pgid < meta.pageCount && (pgid + 1) * ps <= this.dataBytes) {
      const offset = pgid * ps;
      let buf = bytes.view(offset, ps);
      let at = bytes.viewStart;
      const overflow = buf.readUInt32LE(at + 12);
      let fits = pgid + 1 + overflow <= meta.pageCount && (pgid + 1 + overflow) * ps <= this.dataBytes;
      if (overflow > 0 && fits) {
        try {
          this.checkOverflow(pgid, offset, buf.readUInt16LE(at + 8), buf.readUInt16LE(at + 10), overflow);
        } catch {
          fits = false; // page() below names the problem
        }
      }
      if (overflow > 0 && fits) {
        buf = bytes.view(offset, (1 + overflow) * ps);
        at = bytes.viewStart;
      }
      const flags = buf.readUInt16LE(at + 8);
      const count = buf.readUInt16LE(at + 10);
      if (
        fits &&
        buf.readUInt32LE(at) === pgid &&
        buf.readUInt32LE(at + 4) === 0 &&
        (flags === PAGE_FLAGS.leaf || (flags === PAGE_FLAGS.branch && count > 0)) &&
        PAGE_HEADER_BYTES + count * ELEMENT_BYTES <= (1 + overflow) * ps
      ) {
        this.viewStart = at;
        return buf;
      }
    }
    this.page(pgid); // throws the precise error
    throw new SnapshotFormatError(`Bad bbolt file "${this.path}": page ${pgid} failed a check. The file is damaged.`, { path: this.path, pageId: pgid, offset: pgid * ps });
  }

  /**
   * The root bucket (the top-level buckets are its sub-buckets).
   * @example
   * for (const name of file.root().bucketNames()) console.log(name.toString());
   */
  root(): BboltBucket {
    return new BboltBucket(this, this.meta.rootPgid, undefined, this.meta.rootSequence, []);
  }

  /**
   * A bucket by its path of names from the root (`file.bucket('key')`), or undefined when absent.
   * @example
   * const keys = file.bucket('key');
   */
  bucket(...names: (string | Uint8Array)[]): BboltBucket | undefined {
    let b: BboltBucket | undefined = this.root();
    for (const name of names) {
      b = b.bucket(name);
      if (!b) return undefined;
    }
    return b;
  }

  /**
   * True once closed.
   * @example
   * file.closed // false
   */
  get closed(): boolean {
    return this.fd === undefined;
  }

  /**
   * Close the file descriptor and drop cached bytes. Safe to call twice.
   * @example
   * file.close();
   */
  close(): void {
    if (this.fd === undefined) return;
    this.bytes?.release();
    this.bytes = undefined;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

function checkTreePage(path: string, page: BboltPage): void {
  const where = page.inline ? `inline page at offset ${page.fileOffset}` : `page ${page.id} at offset ${page.fileOffset}`;
  if (page.flags !== PAGE_FLAGS.branch && page.flags !== PAGE_FLAGS.leaf) {
    throw new SnapshotFormatError(
      `Bad bbolt file "${path}": ${where} has flags 0x${page.flags.toString(16)} where a branch (0x01) or leaf (0x02) page belongs. The file is damaged.`,
      { path, pageId: page.id, offset: page.fileOffset + 8 },
    );
  }
  if (PAGE_HEADER_BYTES + page.count * ELEMENT_BYTES > page.bytes.length) {
    throw new SnapshotFormatError(
      `Bad bbolt file "${path}": ${where} claims ${page.count} elements, more than its ${page.bytes.length} bytes hold. The file is damaged.`,
      { path, pageId: page.id, offset: page.fileOffset + 10 },
    );
  }
  if (page.flags === PAGE_FLAGS.branch && page.count === 0) {
    throw new SnapshotFormatError(`Bad bbolt file "${path}": ${where} is a branch page with no elements. The file is damaged.`, {
      path,
      pageId: page.id,
      offset: page.fileOffset + 10,
    });
  }
}

/** Key bytes of element `index` of a checked page. */
function elementKey(path: string, page: BboltPage, index: number): Buffer {
  const el = PAGE_HEADER_BYTES + index * ELEMENT_BYTES;
  const b = page.bytes;
  const isBranch = page.flags === PAGE_FLAGS.branch;
  const pos = isBranch ? b.readUInt32LE(el) : b.readUInt32LE(el + 4);
  const ksize = isBranch ? b.readUInt32LE(el + 4) : b.readUInt32LE(el + 8);
  const start = el + pos;
  if (start + ksize > b.length) throw elementError(path, page, index, `key of ${ksize} bytes at +${pos}`);
  return b.subarray(start, start + ksize);
}

function elementError(path: string, page: BboltPage, index: number, what: string): SnapshotFormatError {
  const where = page.inline ? `inline page at offset ${page.fileOffset}` : `page ${page.id} (offset ${page.fileOffset})`;
  return new SnapshotFormatError(
    `Bad bbolt file "${path}": element ${index} of ${where}: ${what} runs past the page's ${page.bytes.length} bytes. The file is damaged.`,
    { path, pageId: page.id, offset: page.fileOffset + PAGE_HEADER_BYTES + index * ELEMENT_BYTES },
  );
}

function layoutError(path: string, page: BboltPage, index: number, at: number, expected: number, count: number): SnapshotFormatError {
  const where = page.inline ? `inline page at offset ${page.fileOffset}` : `page ${page.id} (offset ${page.fileOffset})`;
  return new SnapshotFormatError(
    `Bad bbolt file "${path}": element ${index} of the ${count} on ${where} starts at byte ${at} of the page, where ${index === 0 ? 'the element headers end' : 'the previous element ends'} at byte ${expected}. ` +
      "The page's element count or headers are damaged, so its records cannot be trusted. Restore the file from another backup, or read a live member.",
    { path, pageId: page.id, offset: page.fileOffset + PAGE_HEADER_BYTES + index * ELEMENT_BYTES },
  );
}

function leafEntry(path: string, page: BboltPage, index: number): BboltEntry {
  const el = PAGE_HEADER_BYTES + index * ELEMENT_BYTES;
  const b = page.bytes;
  const flags = b.readUInt32LE(el);
  const pos = b.readUInt32LE(el + 4);
  const ksize = b.readUInt32LE(el + 8);
  const vsize = b.readUInt32LE(el + 12);
  const start = el + pos;
  if (start + ksize + vsize > b.length) throw elementError(path, page, index, `key of ${ksize} and value of ${vsize} bytes at +${pos}`);
  return {
    key: b.subarray(start, start + ksize),
    value: b.subarray(start + ksize, start + ksize + vsize),
    valueOffset: page.fileOffset + start + ksize,
    flags,
    isBucket: (flags & BUCKET_LEAF_FLAG) !== 0,
    pageId: page.id,
  };
}

function branchChild(path: string, page: BboltPage, index: number): number {
  elementKey(path, page, index); // bounds-checks the element
  return u64(page.bytes, PAGE_HEADER_BYTES + index * ELEMENT_BYTES + 8);
}

function copyEntry(e: BboltEntry): BboltEntry {
  return { ...e, key: Buffer.from(e.key), value: Buffer.from(e.value) };
}

/** A bucket: a B+tree of sorted keys, possibly holding sub-buckets. */
export class BboltBucket {
  /** @internal */
  constructor(
    readonly file: BboltFile,
    /** Root page id; 0 for an inline bucket. */
    readonly rootPgid: number,
    /** The embedded page of an inline bucket. */
    readonly inlinePage: BboltPage | undefined,
    /** The bucket's sequence counter. */
    readonly sequence: bigint,
    /** Names from the root bucket to this one. */
    readonly names: Buffer[],
  ) {}

  /**
   * A cursor over the bucket's entries in key order.
   * @example
   * const c = bucket.cursor(); for (let e = c.first(); e; e = c.next()) console.log(e.key);
   */
  cursor(): BboltCursor {
    return new BboltCursor(this);
  }

  /**
   * Every entry in key order (sub-buckets included, with `isBucket`).
   * @example
   * for (const e of file.bucket('meta')!.entries()) console.log(e.key.toString(), e.value);
   */
  *entries(): IterableIterator<BboltEntry> {
    const c = this.cursor();
    for (let e = c.first(); e; e = c.next()) yield copyEntry(e);
  }

  /**
   * The entry stored under `key` (a value or a sub-bucket), or undefined.
   * @example
   * const v = file.bucket('cluster')?.get('clusterVersion')?.value.toString();
   */
  get(key: string | Uint8Array): BboltEntry | undefined {
    const k = typeof key === 'string' ? Buffer.from(key) : Buffer.from(key.buffer, key.byteOffset, key.byteLength);
    const e = this.cursor().seek(k);
    return e && e.key.equals(k) ? copyEntry(e) : undefined;
  }

  /**
   * The sub-bucket named `name`, or undefined when absent or not a bucket.
   * @example
   * const members = file.root().bucket('members');
   */
  bucket(name: string | Uint8Array): BboltBucket | undefined {
    const e = this.get(name);
    if (!e || !e.isBucket) return undefined;
    return openSubBucket(this.file, e, [...this.names, Buffer.from(e.key)]);
  }

  /**
   * Names of the sub-buckets, in key order.
   * @example
   * file.root().bucketNames().map(String) // ['alarm', 'auth', ..., 'key', 'lease', 'members', 'meta']
   */
  bucketNames(): Buffer[] {
    const out: Buffer[] = [];
    for (const e of this.entries()) if (e.isBucket) out.push(Buffer.from(e.key));
    return out;
  }
}

/**
 * Open the sub-bucket held by a leaf entry with the bucket flag (inline or not).
 * @example
 * const sub = openSubBucket(file, entry, [entry.key]);
 */
export function openSubBucket(file: BboltFile, entry: BboltEntry, names: Buffer[]): BboltBucket {
  const v = entry.value;
  if (v.length < BUCKET_HEADER_BYTES) {
    throw new SnapshotFormatError(
      `Bad bbolt file "${file.path}": bucket "${entry.key.toString('latin1')}" on page ${entry.pageId} has a ${v.length}-byte value at offset ${entry.valueOffset}; a bucket header needs ${BUCKET_HEADER_BYTES}. The file is damaged.`,
      { path: file.path, pageId: entry.pageId, offset: entry.valueOffset },
    );
  }
  const root = u64(v, 0);
  const sequence = v.readBigUInt64LE(8);
  if (root !== 0) return new BboltBucket(file, root, undefined, sequence, names);
  const bytes = Buffer.from(v.subarray(BUCKET_HEADER_BYTES));
  const fileOffset = entry.valueOffset + BUCKET_HEADER_BYTES;
  if (bytes.length < PAGE_HEADER_BYTES) {
    throw new SnapshotFormatError(
      `Bad bbolt file "${file.path}": inline bucket "${entry.key.toString('latin1')}" on page ${entry.pageId} at offset ${fileOffset} holds ${bytes.length} bytes, too few for a page header. The file is damaged.`,
      { path: file.path, pageId: entry.pageId, offset: fileOffset },
    );
  }
  const page: BboltPage = {
    id: 0,
    flags: bytes.readUInt16LE(8),
    count: bytes.readUInt16LE(10),
    overflow: bytes.readUInt32LE(12),
    bytes,
    fileOffset,
    inline: true,
  };
  checkTreePage(file.path, page);
  if (page.flags !== PAGE_FLAGS.leaf) {
    throw new SnapshotFormatError(
      `Bad bbolt file "${file.path}": inline bucket "${entry.key.toString('latin1')}" at offset ${fileOffset} holds a branch page; inline buckets hold one leaf. The file is damaged.`,
      { path: file.path, pageId: entry.pageId, offset: fileOffset },
    );
  }
  return new BboltBucket(file, 0, page, sequence, names);
}

interface Frame {
  page: BboltPage;
  index: number;
  /** `file.blockLoads` when the page was read (to re-read a leaf whose block may have been recycled). */
  loads: number;
}

/**
 * Walks one bucket's tree in key order. Branch pages entered since the last `first()`/`seek()` are
 * remembered: entering one twice (a cycle, or a page shared by two parents) is a {@link SnapshotFormatError},
 * so the walk is bounded by the file's size.
 */
export class BboltCursor {
  private stack: Frame[] = [];
  private visited = new Set<number>();

  /** @internal */
  constructor(readonly bucket: BboltBucket) {}

  private load(pgid: number, parent: BboltPage): BboltPage {
    const file = this.bucket.file;
    if (this.visited.has(pgid)) {
      throw new SnapshotFormatError(
        `Bad bbolt file "${file.path}": page ${pgid} (offset ${pgid * file.pageSize}) is reached twice from page ${parent.id}: the tree has a cycle or a shared page. The file is damaged.`,
        { path: file.path, pageId: pgid, offset: pgid * file.pageSize },
      );
    }
    if (this.stack.length >= MAX_TREE_DEPTH) {
      throw new SnapshotFormatError(`Bad bbolt file "${file.path}": the tree under page ${this.bucket.rootPgid} is deeper than ${MAX_TREE_DEPTH} levels at page ${pgid}. The file is damaged.`, {
        path: file.path,
        pageId: pgid,
        offset: pgid * file.pageSize,
      });
    }
    const page = file.page(pgid);
    // Only branch pages can lead back up; leaves are not remembered (a big walk meets many).
    if (page.flags === PAGE_FLAGS.branch) this.visited.add(pgid);
    return page;
  }

  private reset(): void {
    this.stack = [];
    this.visited = new Set();
    const root = this.bucket.inlinePage ?? this.bucket.file.page(this.bucket.rootPgid);
    if (!root.inline) this.visited.add(root.id);
    this.stack.push({ page: root, index: 0, loads: this.bucket.file.blockLoads });
  }

  /** Re-read a leaf whose cached block may have been recycled by other reads since it was loaded. */
  private refresh(frame: Frame): void {
    const file = this.bucket.file;
    if (frame.page.inline || frame.page.flags !== PAGE_FLAGS.leaf || file.blockLoads - frame.loads < MAX_CACHED_BLOCKS - 1) return;
    frame.page = file.page(frame.page.id);
    frame.loads = file.blockLoads;
  }

  /** Descend from the top frame along first children down to a leaf. */
  private descendFirst(): void {
    for (;;) {
      const top = this.stack[this.stack.length - 1] as Frame;
      if (top.page.flags === PAGE_FLAGS.leaf) return;
      const child = this.load(branchChild(this.bucket.file.path, top.page, top.index), top.page);
      this.stack.push({ page: child, index: 0, loads: this.bucket.file.blockLoads });
    }
  }

  private current(): BboltEntry | undefined {
    const top = this.stack[this.stack.length - 1];
    if (!top || top.index >= top.page.count) return undefined;
    this.refresh(top);
    return leafEntry(this.bucket.file.path, top.page, top.index);
  }

  /** Move to the next element, skipping empty leaves; false at the end. */
  private advance(): boolean {
    for (;;) {
      let i = this.stack.length - 1;
      for (; i >= 0; i--) {
        const f = this.stack[i] as Frame;
        if (f.index < f.page.count - 1) {
          f.index++;
          break;
        }
      }
      if (i < 0) {
        const top = this.stack[this.stack.length - 1];
        if (top) top.index = top.page.count;
        return false;
      }
      this.stack.length = i + 1;
      this.descendFirst();
      const top = this.stack[this.stack.length - 1] as Frame;
      if (top.page.count > 0) return true;
    }
  }

  /**
   * Visit every leaf element in key order, without allocating an entry (or a page) per element: the fast
   * path for indexing. `bytes` is a buffer holding the leaf page (valid during the call only); offsets are
   * into `bytes`, and `bytes[x]` is at file offset `fileBase + x`. Every length is checked first.
   * @example
   * let n = 0; bucket.cursor().scan(() => { n++; });
   */
  scan(visit: (bytes: Buffer, keyStart: number, keyBytes: number, valueBytes: number, flags: number, pageId: number, fileBase: number) => void): void {
    this.stack = [];
    const bucket = this.bucket;
    if (bucket.inlinePage) {
      const page = bucket.inlinePage;
      this.scanLeaf(page.bytes, 0, page.count, page.bytes.length, page.id, page.fileOffset, visit);
      return;
    }
    this.visited = new Set([bucket.rootPgid]);
    this.scanPage(bucket.rootPgid, 0, visit);
  }

  private scanLeaf(
    b: Buffer,
    at: number,
    count: number,
    pageBytes: number,
    pageId: number,
    fileBase: number,
    visit: (bytes: Buffer, keyStart: number, keyBytes: number, valueBytes: number, flags: number, pageId: number, fileBase: number) => void,
  ): void {
    const end = at + pageBytes;
    // bbolt writes a page's keys and values back to back, right after its element headers: any other
    // layout means a damaged count or header, which would otherwise drop or invent records silently.
    let expected = at + PAGE_HEADER_BYTES + count * ELEMENT_BYTES;
    for (let i = 0; i < count; i++) {
      const el = at + PAGE_HEADER_BYTES + i * ELEMENT_BYTES;
      const flags = b.readUInt32LE(el);
      const start = el + b.readUInt32LE(el + 4);
      const ksize = b.readUInt32LE(el + 8);
      const vsize = b.readUInt32LE(el + 12);
      if (start + ksize + vsize > end || start !== expected) {
        const file = this.bucket.file;
        const page = pageId === 0 && this.bucket.inlinePage ? this.bucket.inlinePage : file.page(pageId);
        if (start + ksize + vsize > end) throw elementError(file.path, page, i, `key of ${ksize} and value of ${vsize} bytes at +${start - el}`);
        throw layoutError(file.path, page, i, start - at, expected - at, count);
      }
      expected = start + ksize + vsize;
      visit(b, start, ksize, vsize, flags, pageId, fileBase);
    }
  }

  private scanPage(
    pgid: number,
    depth: number,
    visit: (bytes: Buffer, keyStart: number, keyBytes: number, valueBytes: number, flags: number, pageId: number, fileBase: number) => void,
  ): void {
    const file = this.bucket.file;
    const ps = file.pageSize;
    const b = file.pageView(pgid);
    const at = file.viewStart;
    const flags = b.readUInt16LE(at + 8);
    const count = b.readUInt16LE(at + 10);
    const pageBytes = (1 + b.readUInt32LE(at + 12)) * ps;
    if (flags === PAGE_FLAGS.leaf) {
      this.scanLeaf(b, at, count, pageBytes, pgid, pgid * ps - at, visit);
      return;
    }
    // A branch page: keep a copy (reading its children recycles the cached blocks).
    const branch = Buffer.from(b.subarray(at, at + pageBytes));
    for (let i = 0; i < count; i++) {
      const el = PAGE_HEADER_BYTES + i * ELEMENT_BYTES;
      const pos = branch.readUInt32LE(el);
      const ksize = branch.readUInt32LE(el + 4);
      if (el + pos + ksize > pageBytes) throw elementError(file.path, file.page(pgid), i, `key of ${ksize} bytes at +${pos}`);
      const child = u64(branch, el + 8);
      if (this.visited.has(child)) {
        throw new SnapshotFormatError(
          `Bad bbolt file "${file.path}": page ${child} (offset ${child * ps}) is reached twice from page ${pgid}: the tree has a cycle or a shared page. The file is damaged.`,
          { path: file.path, pageId: child, offset: child * ps },
        );
      }
      if (depth + 1 >= MAX_TREE_DEPTH) {
        throw new SnapshotFormatError(`Bad bbolt file "${file.path}": the tree under page ${this.bucket.rootPgid} is deeper than ${MAX_TREE_DEPTH} levels at page ${child}. The file is damaged.`, {
          path: file.path,
          pageId: child,
          offset: child * ps,
        });
      }
      const childView = file.pageView(child);
      if (childView.readUInt16LE(file.viewStart + 8) === PAGE_FLAGS.branch) this.visited.add(child);
      this.scanPage(child, depth + 1, visit);
    }
  }

  /**
   * Move to the first entry; undefined when the bucket is empty.
   * @example
   * const e = file.bucket('key')!.cursor().first();
   */
  first(): BboltEntry | undefined {
    this.reset();
    this.descendFirst();
    const top = this.stack[this.stack.length - 1] as Frame;
    if (top.page.count === 0 && !this.advance()) return undefined;
    return this.current();
  }

  /**
   * Move to the next entry; undefined at the end.
   * @example
   * for (let e = c.first(); e; e = c.next()) n++;
   */
  next(): BboltEntry | undefined {
    if (this.stack.length === 0) return this.first();
    const top = this.stack[this.stack.length - 1] as Frame;
    if (top.index >= top.page.count) return undefined;
    if (!this.advance()) return undefined;
    return this.current();
  }

  /**
   * Move to the first entry whose key is >= `key`; undefined when none.
   * @example
   * const e = file.bucket('key')!.cursor().seek(Buffer.from('0000000000000005', 'hex'));
   */
  seek(key: string | Uint8Array): BboltEntry | undefined {
    const k = typeof key === 'string' ? Buffer.from(key) : Buffer.from(key.buffer, key.byteOffset, key.byteLength);
    const path = this.bucket.file.path;
    this.reset();
    for (;;) {
      const top = this.stack[this.stack.length - 1] as Frame;
      const page = top.page;
      // first element with key >= k
      let lo = 0;
      let hi = page.count;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (Buffer.compare(elementKey(path, page, mid), k) < 0) lo = mid + 1;
        else hi = mid;
      }
      if (page.flags === PAGE_FLAGS.leaf) {
        top.index = lo;
        if (lo >= page.count) {
          top.index = Math.max(0, page.count - 1);
          if (page.count === 0 || !this.advance()) return undefined;
        }
        return this.current();
      }
      let index = lo;
      if (index >= page.count || !elementKey(path, page, index).equals(k)) index = Math.max(0, index - 1);
      top.index = index;
      const child = this.load(branchChild(path, page, index), page);
      this.stack.push({ page: child, index: 0, loads: this.bucket.file.blockLoads });
    }
  }
}

/**
 * Open a bbolt file for reading: checks both meta pages, picks the valid one with the highest txid, and
 * verifies an `etcdctl snapshot save` SHA-256 trailer when present.
 * @example
 * const file = openBboltFile('snapshot.db');
 * try { console.log(file.root().bucketNames().map(String)); } finally { file.close(); }
 */
export function openBboltFile(path: string, options: BboltOpenOptions = {}): BboltFile {
  return new BboltFile(path, options);
}
