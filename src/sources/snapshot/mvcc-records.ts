/**
 * etcd's MVCC records as bbolt stores them: the revision key (`main`, `_`, `sub`, `t` for a tombstone) and
 * the protobuf `mvccpb.KeyValue` and `leasepb.Lease` values, each decoded with every length checked.
 */
import { SnapshotFormatError } from '../../errors';

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
    throw new SnapshotFormatError(`Cannot decode ${this.what}: ${why} at byte ${this.pos}. The file is damaged.`, {
      offset: this.pos,
    });
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

/** Decodes the metadata of an `mvccpb.KeyValue` in place, allocating nothing (for indexing). */
export class LeanKeyValue {
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
