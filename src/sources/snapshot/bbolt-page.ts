/**
 * bbolt's on-disk page layout (format version 2): sizes, flags, the meta, page and leaf-entry shapes, and
 * the checks of a tree page's element table. Every offset read from a page is checked against the page.
 */
import { SnapshotFormatError } from '../../errors';

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

/** Bytes of a meta (magic to checksum), of which the first META_CHECKSUMMED_BYTES are checksummed. */
export const META_BYTES = 64; // magic .. checksum
export const META_CHECKSUMMED_BYTES = 56;
/** Deeper trees are refused (a cycle or damage, not data). */
export const MAX_TREE_DEPTH = 64;
/** Page sizes accepted from a meta page. */
export const MIN_PAGE_SIZE = 512;
export const MAX_PAGE_SIZE = 1 << 20;
/** Files up to this size are read whole; larger ones in blocks of BLOCK_BYTES. */
export const DEFAULT_WHOLE_FILE_BYTES = 8 << 20;
export const BLOCK_BYTES = 1 << 20;
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

/** A little-endian u64 as a number (exact below 2^53). */
export function readU64(buf: Buffer, offset: number): number {
  return buf.readUInt32LE(offset) + buf.readUInt32LE(offset + 4) * 0x100000000;
}

/** `n` as `0x` and 8 hex digits. */
export function hex32(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

/** Throws unless `page` is a branch or leaf page whose element table fits in it. */
export function checkTreePage(path: string, page: BboltPage): void {
  const where = page.inline
    ? `inline page at offset ${page.fileOffset}`
    : `page ${page.id} at offset ${page.fileOffset}`;
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
    throw new SnapshotFormatError(
      `Bad bbolt file "${path}": ${where} is a branch page with no elements. The file is damaged.`,
      {
        path,
        pageId: page.id,
        offset: page.fileOffset + 10,
      },
    );
  }
}

/** Key bytes of element `index` of a checked page. */
export function elementKey(path: string, page: BboltPage, index: number): Buffer {
  const el = PAGE_HEADER_BYTES + index * ELEMENT_BYTES;
  const b = page.bytes;
  const isBranch = page.flags === PAGE_FLAGS.branch;
  const pos = isBranch ? b.readUInt32LE(el) : b.readUInt32LE(el + 4);
  const ksize = isBranch ? b.readUInt32LE(el + 4) : b.readUInt32LE(el + 8);
  const start = el + pos;
  if (start + ksize > b.length) throw elementError(path, page, index, `key of ${ksize} bytes at +${pos}`);
  return b.subarray(start, start + ksize);
}

/** The error for element `index` of `page`. */
export function elementError(path: string, page: BboltPage, index: number, what: string): SnapshotFormatError {
  const where = page.inline
    ? `inline page at offset ${page.fileOffset}`
    : `page ${page.id} (offset ${page.fileOffset})`;
  return new SnapshotFormatError(
    `Bad bbolt file "${path}": element ${index} of ${where}: ${what} runs past the page's ${page.bytes.length} bytes. The file is damaged.`,
    { path, pageId: page.id, offset: page.fileOffset + PAGE_HEADER_BYTES + index * ELEMENT_BYTES },
  );
}

/** The error for an element whose key or value is not where the layout puts it. */
export function layoutError(
  path: string,
  page: BboltPage,
  index: number,
  at: number,
  expected: number,
  count: number,
): SnapshotFormatError {
  const where = page.inline
    ? `inline page at offset ${page.fileOffset}`
    : `page ${page.id} (offset ${page.fileOffset})`;
  return new SnapshotFormatError(
    `Bad bbolt file "${path}": element ${index} of the ${count} on ${where} starts at byte ${at} of the page, where ${index === 0 ? 'the element headers end' : 'the previous element ends'} at byte ${expected}. ` +
      "The page's element count or headers are damaged, so its records cannot be trusted. Restore the file from another backup, or read a live member.",
    { path, pageId: page.id, offset: page.fileOffset + PAGE_HEADER_BYTES + index * ELEMENT_BYTES },
  );
}

/** Leaf element `index` of `page`, bounds-checked (views into the page). */
export function leafEntry(path: string, page: BboltPage, index: number): BboltEntry {
  const el = PAGE_HEADER_BYTES + index * ELEMENT_BYTES;
  const b = page.bytes;
  const flags = b.readUInt32LE(el);
  const pos = b.readUInt32LE(el + 4);
  const ksize = b.readUInt32LE(el + 8);
  const vsize = b.readUInt32LE(el + 12);
  const start = el + pos;
  if (start + ksize + vsize > b.length)
    throw elementError(path, page, index, `key of ${ksize} and value of ${vsize} bytes at +${pos}`);
  return {
    key: b.subarray(start, start + ksize),
    value: b.subarray(start + ksize, start + ksize + vsize),
    valueOffset: page.fileOffset + start + ksize,
    flags,
    isBucket: (flags & BUCKET_LEAF_FLAG) !== 0,
    pageId: page.id,
  };
}

/** The child page id of branch element `index`, bounds-checked. */
export function branchChild(path: string, page: BboltPage, index: number): number {
  elementKey(path, page, index); // bounds-checks the element
  return readU64(page.bytes, PAGE_HEADER_BYTES + index * ELEMENT_BYTES + 8);
}

/** An entry with its own copies of key and value. */
export function copyEntry(e: BboltEntry): BboltEntry {
  return { ...e, key: Buffer.from(e.key), value: Buffer.from(e.value) };
}

/**
 * What a bucket and its cursor read of the file they belong to (implemented by BboltFile): pages by id,
 * and the path for messages.
 */
export interface BboltPages {
  readonly path: string;
  readonly pageSize: number;
  /** The valid meta page chosen at open. */
  readonly meta: BboltMeta;
  /** Bytes of the file that hold pages (a snapshot's SHA-256 trailer excluded). */
  readonly dataBytes: number;
  /** Blocks read so far (a cursor re-reads its stack when another read may have replaced them). */
  readonly blockLoads: number;
  /** Where {@link BboltPages.pageView}'s page starts in the buffer it returned. */
  readonly viewStart: number;
  page(pgid: number): BboltPage;
  pageView(pgid: number): Buffer;
}
