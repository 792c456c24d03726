/**
 * A small bbolt (format 2) writer for tests: lays out buckets as B+trees of any page size, with branch
 * pages, overflow pages, inline and nested buckets, both meta pages and an optional snapshot SHA-256
 * trailer. It exists to test the reader on layouts real etcd files rarely show (page sizes other than
 * 4096, deep trees) and to build precisely damaged files.
 */
import * as crypto from 'node:crypto';

export interface WriterBucket {
  /** Entries in any order (sorted bytewise when written). A WriterBucket value is a sub-bucket. */
  entries: [Buffer, Buffer | WriterBucket][];
  /** Write this bucket inline in its parent's leaf (only when it holds no sub-buckets). */
  inline?: boolean;
  sequence?: bigint;
}

export interface WriterOptions {
  pageSize: number;
  /** Most elements per leaf page (default: as many as fit one page). */
  maxLeafElements?: number;
  /** Most elements per branch page (default 64). */
  maxBranchElements?: number;
  /** Append `etcdctl snapshot save`'s SHA-256 trailer. */
  trailer?: boolean;
}

export interface WrittenFile {
  bytes: Buffer;
  pageSize: number;
  pageCount: number;
  rootPgid: number;
  /** Page ids of branch pages, in allocation order (for damage tests). */
  branchPages: number[];
  leafPages: number[];
}

function isBucket(v: Buffer | WriterBucket): v is WriterBucket {
  return !Buffer.isBuffer(v);
}

/** FNV-1a 64 (the meta checksum), written independently of the reader's. */
function fnv(bytes: Buffer): bigint {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < bytes.length; i++) h = ((h ^ BigInt(bytes[i] as number)) * 0x100000001b3n) % 0x10000000000000000n;
  return h;
}

/** Rewrite the checksum of the meta page at `offset` after editing it. */
export function fixMetaChecksum(file: Buffer, offset: number): void {
  file.writeBigUInt64LE(fnv(file.subarray(offset + 16, offset + 16 + 56)), offset + 16 + 56);
}

/**
 * Write a bbolt file holding `root`'s entries as top-level buckets.
 * @example
 * const { bytes } = writeBbolt({ entries: [[Buffer.from('key'), { entries: [] }]] }, { pageSize: 8192 });
 */
export function writeBbolt(root: WriterBucket, options: WriterOptions): WrittenFile {
  const ps = options.pageSize;
  const pages: { id: number; bytes: Buffer }[] = [];
  let next = 2;
  const branchPages: number[] = [];
  const leafPages: number[] = [];

  const leafBytes = (items: [Buffer, Buffer, number][]): Buffer => {
    const size = 16 + items.length * 16 + items.reduce((s, [k, v]) => s + k.length + v.length, 0);
    const b = Buffer.alloc(size);
    b.writeUInt16LE(0x02, 8);
    b.writeUInt16LE(items.length, 10);
    let data = 16 + items.length * 16;
    items.forEach(([k, v, flags], i) => {
      const el = 16 + i * 16;
      b.writeUInt32LE(flags, el);
      b.writeUInt32LE(data - el, el + 4);
      b.writeUInt32LE(k.length, el + 8);
      b.writeUInt32LE(v.length, el + 12);
      k.copy(b, data);
      v.copy(b, data + k.length);
      data += k.length + v.length;
    });
    return b;
  };

  const place = (content: Buffer): number => {
    const n = Math.max(1, Math.ceil(content.length / ps));
    const id = next;
    next += n;
    const bytes = Buffer.alloc(n * ps);
    content.copy(bytes);
    bytes.writeUInt32LE(id % 0x100000000, 0);
    bytes.writeUInt32LE(Math.floor(id / 0x100000000), 4);
    bytes.writeUInt32LE(n - 1, 12);
    pages.push({ id, bytes });
    return id;
  };

  const writeBucket = (bucket: WriterBucket): number => {
    const sorted = [...bucket.entries].sort((a, b) => Buffer.compare(a[0], b[0]));
    const items: [Buffer, Buffer, number][] = sorted.map(([k, v]) => {
      if (!isBucket(v)) return [k, v, 0];
      const header = Buffer.alloc(16);
      header.writeBigUInt64LE(v.sequence ?? 0n, 8);
      if (v.inline)
        return [
          k,
          Buffer.concat([
            header,
            leafBytes(
              v.entries
                .map(([ik, iv]) => {
                  if (isBucket(iv)) throw new Error('inline buckets hold no sub-buckets');
                  return [ik, iv, 0] as [Buffer, Buffer, number];
                })
                .sort((a, b) => Buffer.compare(a[0], b[0])),
            ),
          ]),
          1,
        ];
      const rootId = writeBucket(v);
      header.writeBigUInt64LE(BigInt(rootId), 0);
      return [k, header, 1];
    });
    // leaves
    const maxLeaf = options.maxLeafElements ?? Infinity;
    let level: { id: number; first: Buffer }[] = [];
    let chunk: [Buffer, Buffer, number][] = [];
    let chunkBytes = 16;
    const flush = (): void => {
      const id = place(leafBytes(chunk));
      leafPages.push(id);
      level.push({ id, first: chunk[0]?.[0] ?? Buffer.alloc(0) });
      chunk = [];
      chunkBytes = 16;
    };
    for (const it of items) {
      const size = 16 + it[0].length + it[1].length;
      if (chunk.length > 0 && (chunk.length >= maxLeaf || chunkBytes + size > ps)) flush();
      chunk.push(it);
      chunkBytes += size;
    }
    if (chunk.length > 0 || level.length === 0) flush();
    // branches
    const maxBranch = options.maxBranchElements ?? 64;
    while (level.length > 1) {
      const up: { id: number; first: Buffer }[] = [];
      for (let i = 0; i < level.length; i += maxBranch) {
        const kids = level.slice(i, i + maxBranch);
        const size = 16 + kids.length * 16 + kids.reduce((s, k) => s + k.first.length, 0);
        const b = Buffer.alloc(size);
        b.writeUInt16LE(0x01, 8);
        b.writeUInt16LE(kids.length, 10);
        let data = 16 + kids.length * 16;
        kids.forEach((kid, j) => {
          const el = 16 + j * 16;
          b.writeUInt32LE(data - el, el);
          b.writeUInt32LE(kid.first.length, el + 4);
          b.writeBigUInt64LE(BigInt(kid.id), el + 8);
          kid.first.copy(b, data);
          data += kid.first.length;
        });
        const id = place(b);
        branchPages.push(id);
        up.push({ id, first: kids[0]?.first ?? Buffer.alloc(0) });
      }
      level = up;
    }
    return (level[0] as { id: number }).id;
  };

  const rootPgid = writeBucket(root);
  const pageCount = next;
  const file = Buffer.alloc(pageCount * ps);
  for (const p of pages) p.bytes.copy(file, p.id * ps);
  for (const m of [0, 1]) {
    const off = m * ps;
    file.writeUInt32LE(m, off);
    file.writeUInt16LE(0x04, off + 8);
    const meta = off + 16;
    file.writeUInt32LE(0xed0cdaed, meta);
    file.writeUInt32LE(2, meta + 4);
    file.writeUInt32LE(ps, meta + 8);
    file.writeBigUInt64LE(BigInt(rootPgid), meta + 16);
    file.writeBigUInt64LE(0xffffffffffffffffn, meta + 32);
    file.writeBigUInt64LE(BigInt(pageCount), meta + 40);
    file.writeBigUInt64LE(BigInt(m + 1), meta + 48);
    fixMetaChecksum(file, off);
  }
  const bytes = options.trailer ? Buffer.concat([file, crypto.createHash('sha256').update(file).digest()]) : file;
  return { bytes, pageSize: ps, pageCount, rootPgid, branchPages, leafPages };
}
