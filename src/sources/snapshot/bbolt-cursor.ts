/**
 * Buckets and cursors of a bbolt file: a bucket's B+tree walked in key order, with a cycle check and a
 * depth limit, over views of the file's recycled blocks.
 */
import { SnapshotFormatError } from '../../errors';
import {
  BUCKET_HEADER_BYTES,
  ELEMENT_BYTES,
  MAX_CACHED_BLOCKS,
  MAX_TREE_DEPTH,
  PAGE_FLAGS,
  PAGE_HEADER_BYTES,
  readU64,
  branchChild,
  checkTreePage,
  copyEntry,
  elementError,
  elementKey,
  layoutError,
  leafEntry,
  type BboltEntry,
  type BboltPage,
  type BboltPages,
} from './bbolt-page';

/** A bucket: a B+tree of sorted keys, possibly holding sub-buckets. */
export class BboltBucket {
  /** @internal */
  constructor(
    readonly file: BboltPages,
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
    return e?.key.equals(k) ? copyEntry(e) : undefined;
  }

  /**
   * The sub-bucket named `name`, or undefined when absent or not a bucket.
   * @example
   * const members = file.root().bucket('members');
   */
  bucket(name: string | Uint8Array): BboltBucket | undefined {
    const e = this.get(name);
    if (!e?.isBucket) return undefined;
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
export function openSubBucket(file: BboltPages, entry: BboltEntry, names: Buffer[]): BboltBucket {
  const v = entry.value;
  if (v.length < BUCKET_HEADER_BYTES) {
    throw new SnapshotFormatError(
      `Bad bbolt file "${file.path}": bucket "${entry.key.toString('latin1')}" on page ${entry.pageId} has a ${v.length}-byte value at offset ${entry.valueOffset}; a bucket header needs ${BUCKET_HEADER_BYTES}. The file is damaged.`,
      { path: file.path, pageId: entry.pageId, offset: entry.valueOffset },
    );
  }
  const root = readU64(v, 0);
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
      throw new SnapshotFormatError(
        `Bad bbolt file "${file.path}": the tree under page ${this.bucket.rootPgid} is deeper than ${MAX_TREE_DEPTH} levels at page ${pgid}. The file is damaged.`,
        {
          path: file.path,
          pageId: pgid,
          offset: pgid * file.pageSize,
        },
      );
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
    if (
      frame.page.inline ||
      frame.page.flags !== PAGE_FLAGS.leaf ||
      file.blockLoads - frame.loads < MAX_CACHED_BLOCKS - 1
    )
      return;
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
  scan(
    visit: (
      bytes: Buffer,
      keyStart: number,
      keyBytes: number,
      valueBytes: number,
      flags: number,
      pageId: number,
      fileBase: number,
    ) => void,
  ): void {
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
    visit: (
      bytes: Buffer,
      keyStart: number,
      keyBytes: number,
      valueBytes: number,
      flags: number,
      pageId: number,
      fileBase: number,
    ) => void,
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
        if (start + ksize + vsize > end)
          throw elementError(file.path, page, i, `key of ${ksize} and value of ${vsize} bytes at +${start - el}`);
        throw layoutError(file.path, page, i, start - at, expected - at, count);
      }
      expected = start + ksize + vsize;
      visit(b, start, ksize, vsize, flags, pageId, fileBase);
    }
  }

  private scanPage(
    pgid: number,
    depth: number,
    visit: (
      bytes: Buffer,
      keyStart: number,
      keyBytes: number,
      valueBytes: number,
      flags: number,
      pageId: number,
      fileBase: number,
    ) => void,
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
      if (el + pos + ksize > pageBytes)
        throw elementError(file.path, file.page(pgid), i, `key of ${ksize} bytes at +${pos}`);
      const child = readU64(branch, el + 8);
      if (this.visited.has(child)) {
        throw new SnapshotFormatError(
          `Bad bbolt file "${file.path}": page ${child} (offset ${child * ps}) is reached twice from page ${pgid}: the tree has a cycle or a shared page. The file is damaged.`,
          { path: file.path, pageId: child, offset: child * ps },
        );
      }
      if (depth + 1 >= MAX_TREE_DEPTH) {
        throw new SnapshotFormatError(
          `Bad bbolt file "${file.path}": the tree under page ${this.bucket.rootPgid} is deeper than ${MAX_TREE_DEPTH} levels at page ${child}. The file is damaged.`,
          {
            path: file.path,
            pageId: child,
            offset: child * ps,
          },
        );
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
