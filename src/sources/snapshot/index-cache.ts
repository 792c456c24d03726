/**
 * A snapshot's MVCC index kept on disk (opt-in: `indexCache` or `KUBETCD_INDEX_CACHE`), so that only the
 * first process to open a snapshot pays for indexing it. One file per snapshot, named by a hash of what
 * identifies it; a file that does not match in any way is ignored and rebuilt.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const MAGIC = Buffer.from('KUBETCD-INDEX\0', 'latin1');
const VERSION = 1;
const HASH_BYTES = 32;

/** What identifies one snapshot file's content well enough to reuse its index. */
export interface IndexIdentity {
  path: string;
  size: number;
  mtimeMs: number;
  ino: number;
  /** bbolt meta: transaction id and page count (decimal strings). */
  txid: string;
  pageCount: number;
  /** The SHA-256 trailer of an `etcdctl snapshot save` file, hex, or ''. */
  trailer: string;
}

/** The columns of an index, by name (typed arrays or a Buffer), and its lease ids. */
export interface IndexColumns {
  columns: Record<string, Uint8Array | Uint16Array | Uint32Array | Float64Array>;
  leaseIds: readonly bigint[];
}

type ColumnType = 'u8' | 'u16' | 'u32' | 'f64';

interface Header {
  version: number;
  identity: IndexIdentity;
  leaseIds: string[];
  columns: Array<{ name: string; type: ColumnType; length: number; offset: number }>;
}

function typeOf(a: IndexColumns['columns'][string]): ColumnType {
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Uint32Array) return 'u32';
  if (a instanceof Uint16Array) return 'u16';
  return 'u8';
}

function view(bytes: Buffer, type: ColumnType, offset: number, length: number): IndexColumns['columns'][string] {
  const at = bytes.byteOffset + offset;
  switch (type) {
    case 'f64':
      return new Float64Array(bytes.buffer, at, length);
    case 'u32':
      return new Uint32Array(bytes.buffer, at, length);
    case 'u16':
      return new Uint16Array(bytes.buffer, at, length);
    default:
      return Buffer.from(bytes.buffer, at, length);
  }
}

/**
 * The cache file of a snapshot in `dir`.
 * @example
 * indexCachePath('/home/me/.cache/kubetcd', identity) // '/home/me/.cache/kubetcd/3f9c…e1.index'
 */
export function indexCachePath(dir: string, identity: IndexIdentity): string {
  const id = crypto.createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 32);
  return path.join(dir, `${id}.index`);
}

const same = (a: IndexIdentity, b: IndexIdentity): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Reads the index of `identity` from `file`; undefined when there is none or it does not match in any
 * way (the reason is returned beside it, for the source's status).
 * @example
 * const { index } = readIndexFile(indexCachePath(dir, identity), identity);
 */
export function readIndexFile(file: string, identity: IndexIdentity): { index?: IndexColumns; why?: string } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    return {
      why:
        (e as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'no cached index yet'
          : `cannot read ${file}: ${(e as Error).message}`,
    };
  }
  const bad = (what: string): { why: string } => ({ why: `the cached index ${file} ${what}; it is rebuilt` });
  if (bytes.length < MAGIC.length + 8 + HASH_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC))
    return bad('is not a kubetcd index file');
  const body = bytes.length - HASH_BYTES;
  const digest = crypto.createHash('sha256').update(bytes.subarray(0, body)).digest();
  if (!digest.equals(bytes.subarray(body))) return bad('fails its SHA-256 check (damaged or cut short)');
  const headerBytes = bytes.readUInt32LE(MAGIC.length + 4);
  if (bytes.readUInt32LE(MAGIC.length) !== VERSION || MAGIC.length + 8 + headerBytes > body)
    return bad('has another format version');
  let header: Header;
  try {
    header = JSON.parse(bytes.toString('utf8', MAGIC.length + 8, MAGIC.length + 8 + headerBytes)) as Header;
  } catch {
    return bad('has an unreadable header');
  }
  if (header === null || typeof header !== 'object' || !same(header.identity, identity))
    return bad('belongs to another version of the snapshot');
  const columns: IndexColumns['columns'] = {};
  const width: Record<string, number> = { u8: 1, u16: 2, u32: 4, f64: 8 };
  // typed arrays need aligned offsets: copy the file into an 8-aligned buffer if it is not one
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : Buffer.from(new Uint8Array(bytes));
  try {
    for (const c of header.columns) {
      const w = width[c.type];
      if (
        !(
          w !== undefined &&
          Number.isSafeInteger(c.offset) &&
          Number.isSafeInteger(c.length) &&
          c.offset >= 0 &&
          c.length >= 0 &&
          c.offset % 8 === 0 &&
          c.offset + c.length * w <= body
        )
      ) {
        return bad(`has a column (${String(c.name)}) outside the file`);
      }
      columns[String(c.name)] = view(aligned, c.type, c.offset, c.length);
    }
    return { index: { columns, leaseIds: header.leaseIds.map((l) => BigInt(l)) } };
  } catch {
    return bad('has an unreadable header');
  }
}

/**
 * Writes the index of `identity` to `file` (a temporary file, then renamed). Returns why it could not,
 * or undefined when written.
 * @example
 * writeIndexFile(indexCachePath(dir, identity), identity, { columns, leaseIds });
 */
export function writeIndexFile(file: string, identity: IndexIdentity, index: IndexColumns): string | undefined {
  const layout: Header['columns'] = [];
  const entries = Object.entries(index.columns);
  const header = (): Buffer =>
    Buffer.from(
      JSON.stringify({
        version: VERSION,
        identity,
        leaseIds: index.leaseIds.map(String),
        columns: layout,
      } satisfies Header),
    );
  // the offsets depend on the header's length, which depends on the offsets: lay out twice
  let start = 0;
  for (let pass = 0; pass < 2; pass++) {
    start = Math.ceil((MAGIC.length + 8 + header().length + 64) / 8) * 8;
    layout.length = 0;
    let at = start;
    for (const [name, a] of entries) {
      layout.push({ name, type: typeOf(a), length: a.length, offset: at });
      at = Math.ceil((at + a.byteLength) / 8) * 8;
    }
  }
  const h = header();
  if (MAGIC.length + 8 + h.length > start)
    return `cannot write ${file}: its header outgrew its room (${h.length} bytes)`;
  const prefix = Buffer.alloc(start);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(VERSION, MAGIC.length);
  prefix.writeUInt32LE(h.length, MAGIC.length + 4);
  h.copy(prefix, MAGIC.length + 8);
  const tmp = `${file}.${process.pid}.tmp`;
  let fd: number | undefined;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fd = fs.openSync(tmp, 'w');
    const hash = crypto.createHash('sha256');
    let written = 0;
    const put = (b: Uint8Array): void => {
      hash.update(b);
      for (let done = 0; done < b.length; ) done += fs.writeSync(fd as number, b, done, b.length - done);
      written += b.length;
    };
    put(prefix);
    for (const [i, [, a]] of entries.entries()) {
      const col = layout[i] as Header['columns'][number];
      if (written < col.offset) put(Buffer.alloc(col.offset - written));
      put(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
    put(Buffer.alloc(Math.ceil(written / 8) * 8 - written));
    const digest = hash.digest();
    fs.writeSync(fd, digest);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
    return undefined;
  } catch (e) {
    try {
      if (fd !== undefined) fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing was written, or it cannot be removed either: the reason below is what matters
    }
    return `cannot write ${file}: ${(e as Error).message}`;
  }
}
