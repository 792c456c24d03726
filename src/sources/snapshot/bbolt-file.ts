/**
 * A read-only reader of bbolt files (format version 2), the storage behind etcd: meta pages, page reads
 * through a few recycled blocks, the SHA-256 trailer of `etcdctl snapshot save`. Every offset and length
 * read from the file is checked against the file; every structural problem is a SnapshotFormatError
 * naming the page id and byte offset.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { InvalidArgumentError, SnapshotFormatError } from '../../errors';
import { BboltBucket } from './bbolt-cursor';
import {
  BBOLT_MAGIC,
  BBOLT_VERSION,
  BLOCK_BYTES,
  DEFAULT_WHOLE_FILE_BYTES,
  ELEMENT_BYTES,
  hex32,
  MAX_CACHED_BLOCKS,
  MAX_PAGE_SIZE,
  META_BYTES,
  META_CHECKSUMMED_BYTES,
  MIN_PAGE_SIZE,
  PAGE_FLAGS,
  PAGE_HEADER_BYTES,
  readU64,
  SNAPSHOT_TRAILER_BYTES,
  checkTreePage,
  fnv1a64,
  type BboltMeta,
  type BboltOpenOptions,
  type BboltPage,
} from './bbolt-page';

export {
  BBOLT_MAGIC,
  BBOLT_VERSION,
  BUCKET_HEADER_BYTES,
  BUCKET_LEAF_FLAG,
  ELEMENT_BYTES,
  fnv1a64,
  MAX_CACHED_BLOCKS,
  PAGE_FLAGS,
  PAGE_HEADER_BYTES,
  SNAPSHOT_TRAILER_BYTES,
  type BboltEntry,
  type BboltMeta,
  type BboltOpenOptions,
  type BboltPage,
} from './bbolt-page';
export { BboltBucket, BboltCursor, openSubBucket } from './bbolt-cursor';

/**
 * The error for a snapshot whose SHA-256 trailer does not match its data.
 * @example
 * throw snapshotHashError('snap.db', 4096 * 10, expected, actual);
 */
export function snapshotHashError(
  path: string,
  dataBytes: number,
  expected: Buffer,
  actual: Buffer,
): SnapshotFormatError {
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
    if (n <= 0)
      throw new SnapshotFormatError(
        `Short read at byte ${position + done}: the file shrank while open. Read a file that is not being written.`,
        { offset: position + done },
      );
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
      throw new InvalidArgumentError(
        `Cannot open "${path}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}. Check the path.`,
        { path },
        { cause: e },
      );
    }
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile())
        throw new InvalidArgumentError(
          `Cannot open "${path}" as a bbolt file: it is not a regular file. Pass a snapshot or a member/snap/db file.`,
          { path },
        );
      this.fileBytes = stat.size;
      const bytes = new ByteSource(
        fd,
        this.fileBytes,
        options.wholeFileBytes ?? DEFAULT_WHOLE_FILE_BYTES,
        Math.max(4096, options.blockBytes ?? BLOCK_BYTES),
      );
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
      this.hasSnapshotTrailer =
        this.fileBytes % ps === SNAPSHOT_TRAILER_BYTES && this.fileBytes >= SNAPSHOT_TRAILER_BYTES + 2 * ps;
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
      errors[page] =
        `page size ${pageSize} at offset ${at + 8} is not a power of two in ${MIN_PAGE_SIZE}..${MAX_PAGE_SIZE}`;
      return undefined;
    }
    return {
      metaPage: page,
      magic,
      version,
      pageSize,
      flags: buf.readUInt32LE(12),
      rootPgid: readU64(buf, 16),
      rootSequence: buf.readBigUInt64LE(24),
      freelistPgid: buf.readBigUInt64LE(32),
      pageCount: readU64(buf, 40),
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
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset + length > this.dataBytes
    ) {
      throw new SnapshotFormatError(
        `Bad bbolt file "${this.path}": ${length} bytes at offset ${offset}${pageId >= 0 ? ` (page ${pageId})` : ''} run past the end of the data (${this.dataBytes} bytes). The file is truncated or damaged.`,
        { path: this.path, pageId, offset },
      );
    }
  }

  private source(): ByteSource {
    if (!this.bytes)
      throw new SnapshotFormatError(`The bbolt file "${this.path}" is closed. Open it again.`, { path: this.path });
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
    const id = readU64(header, 0);
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
    throw new SnapshotFormatError(`Bad bbolt file "${this.path}": page ${pgid} failed a check. The file is damaged.`, {
      path: this.path,
      pageId: pgid,
      offset: pgid * ps,
    });
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
