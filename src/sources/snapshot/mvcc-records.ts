/**
 * etcd's MVCC records as bbolt stores them: the revision key (`main`, `_`, `sub`, `t` for a tombstone) and
 * the protobuf `mvccpb.KeyValue` and `leasepb.Lease` values, each decoded with every length checked.
 */
import { SnapshotFormatError } from '../../errors';
import { BYTES, VARINT, WireReader } from '../../util/wire-reader';

/** An empty buffer, shared. */
export const EMPTY = Buffer.alloc(0);
/** 2^32, to build 64-bit numbers from two 32-bit halves. */
export const TWO_32 = 0x100000000;

/** etcd's revision key: `main u64 BE, '_', sub u64 BE` (+ `'t'` for a tombstone). */
export interface Revision {
  main: number;
  sub: number;
  tombstone: boolean;
}

const REVISION_BYTES = 17;

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

/**
 * A {@link WireReader} over `buf` whose failed reads throw a SnapshotFormatError naming `what` (the
 * record) and the byte of it (plus, in its details, the file offset when `fileOffset` is known).
 */
function recordReader(
  buf: Uint8Array,
  what: string,
  fileOffset: number | undefined,
  path: string | undefined,
): WireReader {
  return new WireReader(buf, 0, 0, (why, at) => {
    if (fileOffset === undefined)
      return new SnapshotFormatError(`Cannot decode ${what}: ${why} at byte ${at}. The file is damaged.`, {
        offset: at,
      });
    return new SnapshotFormatError(
      `Cannot decode ${what}: ${why} at byte ${at} (file offset ${fileOffset + at}). The file is damaged.`,
      {
        offset: fileOffset + at,
        ...(path === undefined ? {} : { path }),
      },
    );
  });
}

/** A length-delimited field of a record as a view of its Buffer (no copy). */
function bufferField(r: WireReader, buf: Buffer, end: number): Buffer {
  const e = r.lengthEnd(end);
  const out = buf.subarray(r.pos, e);
  r.pos = e;
  return out;
}

/**
 * Where a record sits, for the errors of a damaged one.
 * @example
 * decodeMvccKeyValue(bytes, { what: 'the record at offset 8192 of "snap.db"', fileOffset: 8192, path: 'snap.db' })
 */
export interface RecordPlace {
  /** What the record is, for messages (default: the message type, `an mvccpb.KeyValue`). */
  what?: string;
  /** Absolute file offset of the record's first byte (error details then give file offsets). */
  fileOffset?: number;
  /** The file, for error details. */
  path?: string;
}

/**
 * Decode etcd's `mvccpb.KeyValue` protobuf. A damaged one throws a SnapshotFormatError naming `what`
 * (a string, or the `what` of a {@link RecordPlace}) and the byte of the record where it fails.
 * @example
 * decodeMvccKeyValue(fs.readFileSync('page2item0.bin')).key.toString() // '/registry/namespaces/default'
 */
export function decodeMvccKeyValue(bytes: Uint8Array, place: string | RecordPlace = {}): MvccKeyValue {
  const p = typeof place === 'string' ? { what: place } : place;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = buf.length;
  const r = recordReader(buf, p.what ?? 'an mvccpb.KeyValue', p.fileOffset, p.path);
  const kv: MvccKeyValue = { key: EMPTY, createRevision: 0, modRevision: 0, version: 0, value: EMPTY, lease: 0n };
  while (r.pos < end) {
    const tag = r.uint32(end);
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === BYTES) kv.key = bufferField(r, buf, end);
    else if (field === 2 && wire === VARINT) kv.createRevision = r.safeUint(end);
    else if (field === 3 && wire === VARINT) kv.modRevision = r.safeUint(end);
    else if (field === 4 && wire === VARINT) kv.version = r.safeUint(end);
    else if (field === 5 && wire === BYTES) kv.value = bufferField(r, buf, end);
    else if (field === 6 && wire === VARINT) kv.lease = r.int64BigInt(end);
    else r.skip(wire, end, field);
  }
  return kv;
}

/**
 * Decode etcd's `leasepb.Lease` {ID = 1, TTL = 2, RemainingTTL = 3}. A damaged one throws a
 * SnapshotFormatError naming `what` (a string, or the `what` of a {@link RecordPlace}).
 * @example
 * decodeLease(bytes) // { id: 7587869291382335748n, ttlSeconds: 600, remainingTtlSeconds: 0 }
 */
export function decodeLease(
  bytes: Uint8Array,
  place: string | RecordPlace = {},
): { id: bigint; ttlSeconds: number; remainingTtlSeconds: number } {
  const p = typeof place === 'string' ? { what: place } : place;
  const end = bytes.byteLength;
  const r = recordReader(bytes, p.what ?? 'a leasepb.Lease', p.fileOffset, p.path);
  const out = { id: 0n, ttlSeconds: 0, remainingTtlSeconds: 0 };
  while (r.pos < end) {
    const tag = r.uint32(end);
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === VARINT) out.id = r.int64BigInt(end);
    else if (field === 2 && wire === VARINT) out.ttlSeconds = Number(r.int64(end));
    else if (field === 3 && wire === VARINT) out.remainingTtlSeconds = Number(r.int64(end));
    else r.skip(wire, end, field);
  }
  return out;
}

/**
 * Decodes the metadata of an `mvccpb.KeyValue` in place with the shared {@link WireReader}, allocating
 * nothing per record (for indexing: one reader per buffer, moved from record to record).
 */
export class LeanKeyValue {
  keyStart = 0;
  keyEnd = 0;
  createRevision = 0;
  version = 0;
  valueBytes = 0;
  lease = 0n;
  private start = 0;
  private main = 0;
  private sub = 0;
  private pageId = 0;
  private offset = 0;
  /** Errors of the record being decoded; `at` is a position in its buffer. */
  private readonly makeError = (why: string, at: number): SnapshotFormatError =>
    new SnapshotFormatError(
      `Cannot decode the record of revision ${this.main}_${this.sub} on page ${this.pageId} (value at offset ${this.offset}) of "${this.path}": ${why} at byte ${at - this.start} of the record. The file is damaged.`,
      { path: this.path, pageId: this.pageId, offset: this.offset + at - this.start },
    );
  private r = new WireReader(EMPTY, 0, 0, this.makeError);

  constructor(private readonly path: string) {}

  /** Decode b[start, end), the record of revision main_sub at file offset `offset` on page `pageId`. */
  decode(b: Buffer, start: number, end: number, main: number, sub: number, pageId: number, offset: number): void {
    this.keyStart = this.keyEnd = this.createRevision = this.version = this.valueBytes = 0;
    this.lease = 0n;
    this.start = start;
    this.main = main;
    this.sub = sub;
    this.pageId = pageId;
    this.offset = offset;
    let r = this.r;
    if (r.buf !== b) r = this.r = new WireReader(b, start, 0, this.makeError);
    else r.pos = start;
    while (r.pos < end) {
      const tag = r.uint32(end);
      const field = tag >>> 3;
      const wire = tag & 7;
      if (wire === BYTES) {
        const e = r.lengthEnd(end);
        if (field === 1) {
          this.keyStart = r.pos;
          this.keyEnd = e;
        } else if (field === 5) this.valueBytes = e - r.pos;
        r.pos = e;
      } else if (wire === VARINT) {
        if (field === 2) this.createRevision = r.safeUint(end);
        else if (field === 4) this.version = r.safeUint(end);
        else if (field === 6) this.lease = r.int64BigInt(end);
        else r.readVarint64Bits(end);
      } else r.skip(wire, end, field);
    }
  }
}
