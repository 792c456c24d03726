/**
 * A consistency check of an etcd snapshot or member db, as `bbolt check` does it and more: every page
 * reached once from the root, none both used and free, no page neither used nor free, the meta pages,
 * the SHA-256 trailer, and every record of etcd's key bucket. It reports every problem it finds (up
 * to a limit) instead of stopping at the first, and never changes the file.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { isKubetcdError } from '../../errors';
import {
  BUCKET_LEAF_FLAG,
  ELEMENT_BYTES,
  openBboltFile,
  openSubBucket,
  PAGE_FLAGS,
  PAGE_HEADER_BYTES,
  type BboltBucket,
  type BboltFile,
  type BboltPage,
} from './bbolt-file';
import { openSnapshotSource } from './snapshot-source';

/** One thing wrong with the file. */
export interface CheckProblem {
  /** The page it concerns, when there is one. */
  page?: number;
  message: string;
}

/** What {@link checkSnapshotFile} found. */
export interface CheckReport {
  path: string;
  ok: boolean;
  problems: CheckProblem[];
  /** More problems than were listed (the list stops at `maxProblems`). */
  moreProblems: number;
  pageSize: number;
  /** Pages of the file (the high-water mark, metas included). */
  pages: number;
  /** Pages reached from the root bucket (overflow included). */
  reachable: number;
  /** Pages on the freelist (0 when etcd did not write one: NoFreelistSync). */
  free: number;
  /** Whether the file has a freelist that could be read: without one, unreached pages are simply free. */
  freelist: boolean;
  /** The page the meta names as the freelist; absent when etcd wrote none (bbolt's NoFreelistSync). */
  freelistPage?: number;
  /** The SHA-256 trailer of `etcdctl snapshot save`: `match`, `mismatch`, or `absent` (a member db). */
  hash: 'match' | 'mismatch' | 'absent';
  /** Keys live at the file's latest revision, when etcd's key bucket could be read. */
  keys?: number;
}

/** Options of {@link checkSnapshotFile}. */
export interface CheckOptions {
  /** Problems listed at most (default 100); the rest are counted in `moreProblems`. */
  maxProblems?: number;
}

const NO_FREELIST = 0xffffffffffffffffn;
const USE = { none: 0, meta: 1, freelist: 2, free: 3, tree: 4 } as const;

/**
 * Checks a snapshot or member db file and reports every problem found.
 * @example
 * const report = await checkSnapshotFile('./backup.db');
 * if (!report.ok) for (const p of report.problems) console.log(p.message);
 */
export async function checkSnapshotFile(path: string, options: CheckOptions = {}): Promise<CheckReport> {
  const maxProblems = options.maxProblems ?? 100;
  const problems: CheckProblem[] = [];
  let more = 0;
  const report = (message: string, page?: number): void => {
    if (problems.length < maxProblems) problems.push(page === undefined ? { message } : { page, message });
    else more++;
  };
  const result: CheckReport = {
    path,
    ok: false,
    problems,
    moreProblems: 0,
    pageSize: 0,
    pages: 0,
    reachable: 0,
    free: 0,
    freelist: false,
    hash: 'absent',
  };
  let file: BboltFile;
  try {
    file = openBboltFile(path, { verifyHash: false });
  } catch (e) {
    report(messageOf(e));
    result.moreProblems = more;
    return result;
  }
  try {
    const ps = file.meta.pageSize;
    const pageCount = file.meta.pageCount;
    result.pageSize = ps;
    result.pages = pageCount;
    for (const [i, error] of file.metaErrors.entries()) if (error) report(`meta page ${i}: ${error}`, i);

    if (file.hasSnapshotTrailer) {
      const expected = file.trailerHash();
      const actual = await sha256Prefix(path, file.dataBytes);
      result.hash = expected !== undefined && actual.equals(expected) ? 'match' : 'mismatch';
      if (result.hash === 'mismatch') {
        report(
          `the SHA-256 trailer is ${expected?.toString('hex') ?? '?'}, the first ${file.dataBytes} bytes hash to ${actual.toString('hex')}: the file changed after etcdctl saved it`,
        );
      }
    }

    const use = new Uint8Array(pageCount);
    use[0] = USE.meta;
    if (pageCount > 1) use[1] = USE.meta;
    const mark = (first: number, count: number, as: number, what: string): void => {
      for (let id = first; id < first + count; id++) {
        if (id >= pageCount) {
          report(`page ${id} (${what}) is past the file's ${pageCount} pages`, id);
          return;
        }
        const was = use[id] as number;
        if (was === USE.none) use[id] = as;
        else if (was === USE.free && as === USE.tree)
          report(`page ${id}: reachable freed (the tree uses a page the freelist gives away)`, id);
        else if (was === USE.tree && as === USE.free)
          report(`page ${id}: reachable freed (the freelist gives away a page the tree uses)`, id);
        else if (was === as && as === USE.free) report(`page ${id}: already freed (listed twice on the freelist)`, id);
        else if (was === as && as === USE.tree)
          report(`page ${id}: multiple references (reached twice from the root)`, id);
        else report(`page ${id}: used as ${name(was)} and as ${name(as)}`, id);
      }
    };

    // The freelist, when etcd wrote one.
    if (file.meta.freelistPgid !== NO_FREELIST) {
      result.freelist = true;
      const fl = Number(file.meta.freelistPgid);
      result.freelistPage = fl;
      try {
        const page = rawPage(file, fl);
        if (page.flags !== PAGE_FLAGS.freelist) {
          // Without a freelist to trust, pages the tree does not reach cannot be told from free ones.
          result.freelist = false;
          report(
            `page ${fl}: the meta names it the freelist, but its flags are 0x${page.flags.toString(16)}, not 0x10 (bbolt loads its freelist from there when it opens the file for writing)`,
            fl,
          );
        } else {
          mark(fl, 1 + page.overflow, USE.freelist, 'freelist');
          for (const id of freelistIds(page)) {
            if (id < 2n || id >= BigInt(pageCount))
              report(`freelist page ${fl}: free page id ${id} is outside pages 2..${pageCount - 1}`, fl);
            else mark(Number(id), 1, USE.free, 'free');
          }
        }
      } catch (e) {
        result.freelist = false;
        report(`freelist page ${fl}: ${messageOf(e)}`, fl);
      }
    }

    // Every bucket's pages, from the root.
    const walkBucket = (bucket: BboltBucket, depth: number): void => {
      if (depth > 64) {
        report(
          `buckets nested deeper than 64 levels under "${bucket.names.map((n) => n.toString('latin1')).join('/')}"`,
        );
        return;
      }
      if (bucket.inlinePage !== undefined) walkPage(bucket, bucket.inlinePage, depth, 0);
      else walkTree(bucket, bucket.rootPgid, depth, 0);
    };
    const walkTree = (bucket: BboltBucket, pgid: number, depth: number, level: number): void => {
      if (level > 64) {
        report(`page ${pgid}: the tree is deeper than 64 levels`, pgid);
        return;
      }
      let page: BboltPage;
      try {
        page = file.page(pgid);
      } catch (e) {
        report(messageOf(e), pgid);
        return;
      }
      if ((use[pgid] as number) === USE.tree) {
        report(`page ${pgid}: multiple references (reached twice from the root)`, pgid);
        return;
      }
      mark(pgid, 1 + page.overflow, USE.tree, 'tree');
      walkPage(bucket, page, depth, level);
    };
    const walkPage = (bucket: BboltBucket, page: BboltPage, depth: number, level: number): void => {
      const b = page.bytes;
      let previous: Buffer | undefined;
      for (let i = 0; i < page.count; i++) {
        const el = PAGE_HEADER_BYTES + i * ELEMENT_BYTES;
        if (el + ELEMENT_BYTES > b.length) {
          report(`page ${page.id}: element ${i} of ${page.count} is past the page`, page.id);
          return;
        }
        if (page.flags === PAGE_FLAGS.branch) {
          const pos = b.readUInt32LE(el);
          const ksize = b.readUInt32LE(el + 4);
          const key = b.subarray(el + pos, el + pos + ksize);
          if (previous !== undefined && Buffer.compare(previous, key) >= 0)
            report(`page ${page.id}: branch keys out of order at element ${i}`, page.id);
          previous = Buffer.from(key);
          walkTree(bucket, Number(b.readBigUInt64LE(el + 8)), depth, level + 1);
          continue;
        }
        const flags = b.readUInt32LE(el);
        const start = el + b.readUInt32LE(el + 4);
        const ksize = b.readUInt32LE(el + 8);
        const vsize = b.readUInt32LE(el + 12);
        if (start + ksize + vsize > b.length) {
          report(
            `page ${page.id}: element ${i} (key of ${ksize}, value of ${vsize} bytes) runs past the page`,
            page.id,
          );
          return;
        }
        const key = b.subarray(start, start + ksize);
        if (previous !== undefined && Buffer.compare(previous, key) >= 0)
          report(`page ${page.id}: keys out of order at element ${i}`, page.id);
        previous = Buffer.from(key);
        if ((flags & BUCKET_LEAF_FLAG) === 0) continue;
        try {
          const entry = {
            key,
            value: b.subarray(start + ksize, start + ksize + vsize),
            valueOffset: page.fileOffset + start + ksize,
            flags,
            isBucket: true,
            pageId: page.id,
          };
          walkBucket(openSubBucket(file, entry, [...bucket.names, Buffer.from(key)]), depth + 1);
        } catch (e) {
          report(messageOf(e), page.id);
        }
      }
    };
    walkBucket(file.root(), 0);

    let reachable = 0;
    let free = 0;
    for (let id = 2; id < pageCount; id++) {
      const u = use[id] as number;
      if (u === USE.tree) reachable++;
      else if (u === USE.free) free++;
      else if (u === USE.none && result.freelist)
        report(`page ${id}: unreachable unfreed (neither in the tree nor on the freelist)`, id);
    }
    result.reachable = reachable;
    result.free = free;
  } finally {
    file.close();
  }

  // etcd's key bucket, record by record (revision keys in order, each KeyValue whole): building the
  // index reads every record, and any damage there is an error naming its page and offset.
  try {
    const source = await openSnapshotSource(path, { verifyHash: false, indexCache: false });
    try {
      const status = await source.status();
      let keys = 0;
      for await (const _kv of source.range({ prefix: '' }, { keysOnly: true, revision: status.revision })) keys++;
      result.keys = keys;
    } finally {
      await source.close();
    }
  } catch (e) {
    report(`etcd's key bucket: ${messageOf(e)}`);
  }
  result.moreProblems = more;
  result.ok = problems.length === 0;
  return result;
}

function name(use: number): string {
  return ['nothing', 'meta', 'freelist', 'free', 'tree'][use] ?? String(use);
}

function messageOf(e: unknown): string {
  return isKubetcdError(e) || e instanceof Error ? e.message : String(e);
}

/** A page as it is, checked only for its id and size (the freelist page is not a tree page). */
function rawPage(file: BboltFile, pgid: number): BboltPage {
  const ps = file.meta.pageSize;
  if (pgid < 2 || pgid >= file.meta.pageCount)
    throw new Error(`page id ${pgid} is outside pages 2..${file.meta.pageCount - 1}`);
  const header = file.readBytes(pgid * ps, ps, pgid);
  const id = Number(header.readBigUInt64LE(0));
  if (id !== pgid) throw new Error(`the page at offset ${pgid * ps} says it is page ${id}`);
  const overflow = header.readUInt32LE(12);
  if (pgid + 1 + overflow > file.meta.pageCount)
    throw new Error(`it claims ${overflow} overflow pages, past the file's ${file.meta.pageCount} pages`);
  const bytes = overflow > 0 ? file.readBytes(pgid * ps, (1 + overflow) * ps, pgid) : Buffer.from(header);
  return {
    id,
    flags: header.readUInt16LE(8),
    count: header.readUInt16LE(10),
    overflow,
    bytes,
    fileOffset: pgid * ps,
    inline: false,
  };
}

/** The page ids a freelist page lists (a count of 0xFFFF means the real count is the first u64). */
function freelistIds(page: BboltPage): bigint[] {
  let count = page.count;
  let at = PAGE_HEADER_BYTES;
  if (count === 0xffff) {
    count = Number(page.bytes.readBigUInt64LE(at));
    at += 8;
  }
  if (at + count * 8 > page.bytes.length)
    throw new Error(`it lists ${count} free pages, more than its ${page.bytes.length} bytes hold`);
  const ids: bigint[] = [];
  for (let i = 0; i < count; i++) ids.push(page.bytes.readBigUInt64LE(at + i * 8));
  return ids;
}

async function sha256Prefix(path: string, length: number): Promise<Buffer> {
  const hash = crypto.createHash('sha256');
  const stream = fs.createReadStream(path, { start: 0, end: length - 1, highWaterMark: 1 << 20 });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest();
}
