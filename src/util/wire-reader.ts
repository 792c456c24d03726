/**
 * The one protobuf wire reader: a bounds-checked cursor over a byte array (absolute positions, no
 * copies). Every read takes the end of the data it may use (the end of the enclosing message), so a
 * nested message is read with the same cursor and its own end. Every length is checked against what
 * remains before it is used; a failed check throws a {@link DecodeError} naming the absolute byte offset
 * and what was expected (or the error a caller's {@link WireErrorFactory} makes, for another floor's
 * own error class).
 *
 * Used by the codec (the generated message decoders, the envelope, the schema-less dump), the hex dump,
 * and the snapshot's etcd records (`mvccpb.KeyValue`, `leasepb.Lease`, and the index build's in-place
 * record scan).
 */
import { DecodeError } from '../errors';

/** Wire type of varint fields (int32, int64, uint32, uint64, sint32, sint64, bool, enum). */
export const VARINT = 0;
/** Wire type of fixed64, sfixed64 and double fields. */
export const FIXED64 = 1;
/** Wire type of length-delimited fields (string, bytes, messages, packed repeated scalars). */
export const BYTES = 2;
/** Wire type of the (deprecated) start-group tag. */
export const START_GROUP = 3;
/** Wire type of the (deprecated) end-group tag. */
export const END_GROUP = 4;
/** Wire type of fixed32, sfixed32 and float fields. */
export const FIXED32 = 5;

const TWO_32 = 4294967296;

/** Nesting limit of groups skipped by {@link WireReader.skip}. */
const MAX_GROUP_DEPTH = 100;

/**
 * Makes the error a failed read throws: `what` describes the problem (`truncated varint`), `offset` is
 * the absolute byte offset (`base` + position).
 */
export type WireErrorFactory = (what: string, offset: number) => Error;

/**
 * A cursor reading protobuf primitives from `buf`. Positions are indexes into `buf`; error offsets add
 * `base` (where `buf[0]` sits in the value the caller was given).
 * @example
 * const r = new WireReader(new Uint8Array([0x08, 0x96, 0x01]));
 * const tag = r.uint32(3); // 8: field 1, wire type VARINT
 * r.uint32(3) // 150
 */
export class WireReader {
  pos: number;
  /** Low/high 32 bits of the last varint read by {@link readVarint64Bits}. */
  lo = 0;
  hi = 0;

  /** A DataView of `buf`, made on first use by {@link words} (read it directly when set). */
  view: DataView | undefined = undefined;

  constructor(
    readonly buf: Uint8Array,
    pos = 0,
    readonly base = 0,
    /** Makes the errors of failed reads (default: a {@link DecodeError} "Cannot decode protobuf at byte N: …"). */
    readonly makeError: WireErrorFactory | undefined = undefined,
  ) {
    this.pos = pos;
  }

  /** `buf` as a DataView (to compare bytes four at a time). */
  words(): DataView {
    return (this.view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
  }

  /**
   * The error for a problem at position `at` (absolute offset `base + at`). A DecodeError carries no
   * stack frames: it describes the data, not the code, and capturing a stack costs ten times more than
   * the rest of a failed decode.
   */
  fail(what: string, at: number = this.pos): Error {
    const offset = this.base + at;
    if (this.makeError !== undefined) return this.makeError(what, offset);
    return dataError(`Cannot decode protobuf at byte ${offset}: ${what}.`, offset);
  }

  /** Reads a varint and returns its low 32 bits as an unsigned number (for tags, lengths, uint32). */
  uint32(end: number): number {
    const buf = this.buf;
    let p = this.pos;
    if (end - p >= 10) {
      // fast path: enough bytes left for any varint, no bounds checks per byte
      let b = buf[p++] as number;
      let v = b & 0x7f;
      if (b >= 0x80) {
        b = buf[p++] as number;
        v |= (b & 0x7f) << 7;
        if (b >= 0x80) {
          b = buf[p++] as number;
          v |= (b & 0x7f) << 14;
          if (b >= 0x80) {
            b = buf[p++] as number;
            v |= (b & 0x7f) << 21;
            if (b >= 0x80) {
              b = buf[p++] as number;
              v |= (b & 0x0f) << 28;
              // bytes beyond the 5th only carry high bits of a 64-bit value
              for (let i = 0; b >= 0x80 && i < 5; i++) b = buf[p++] as number;
              if (b >= 0x80) throw this.fail('varint longer than 10 bytes', this.pos);
            }
          }
        }
      }
      this.pos = p;
      return v >>> 0;
    }
    if (p >= end) throw this.fail('expected a varint, found the end of the data');
    let v = 0;
    for (let i = 0; i < 10; i++) {
      if (p >= end) throw this.fail('truncated varint', p);
      const b = buf[p++] as number;
      if (i < 4) v |= (b & 0x7f) << (7 * i);
      else if (i === 4) v |= (b & 0x0f) << 28;
      if (b < 0x80) {
        this.pos = p;
        return v >>> 0;
      }
    }
    throw this.fail('varint longer than 10 bytes', this.pos);
  }

  /** Reads a varint into `lo`/`hi` (both unsigned 32-bit). */
  readVarint64Bits(end: number): void {
    const buf = this.buf;
    let p = this.pos;
    let lo = 0;
    let hi = 0;
    let b = 0;
    let i = 0;
    for (; i < 4; i++) {
      if (p >= end) throw this.fail(i === 0 ? 'expected a varint, found the end of the data' : 'truncated varint', p);
      b = buf[p++] as number;
      lo = (lo | ((b & 0x7f) << (i * 7))) >>> 0;
      if (b < 0x80) {
        this.pos = p;
        this.lo = lo;
        this.hi = 0;
        return;
      }
    }
    // 5th byte: 4 bits to lo, 3 bits to hi
    if (p >= end) throw this.fail('truncated varint', p);
    b = buf[p++] as number;
    lo = (lo | ((b & 0x0f) << 28)) >>> 0;
    hi = (b & 0x7f) >> 4;
    if (b >= 0x80) {
      for (i = 0; i < 5; i++) {
        if (p >= end) throw this.fail('truncated varint', p);
        b = buf[p++] as number;
        hi = (hi | ((b & 0x7f) << (i * 7 + 3))) >>> 0;
        if (b < 0x80) break;
      }
      if (b >= 0x80) throw this.fail('varint longer than 10 bytes', this.pos);
    }
    this.pos = p;
    this.lo = lo;
    this.hi = hi;
  }

  /** int64 varint: a number when within ±2^53, else a bigint. */
  int64(end: number): number | bigint {
    this.readVarint64Bits(end);
    return bitsToInt64(this.lo, this.hi);
  }

  /** uint64 varint: a number when below 2^53, else a bigint. */
  uint64(end: number): number | bigint {
    this.readVarint64Bits(end);
    return bitsToUint64(this.lo, this.hi);
  }

  /** int64 varint, always as a bigint (ids that must stay exact, like etcd's lease ids). */
  int64BigInt(end: number): bigint {
    this.readVarint64Bits(end);
    return BigInt.asIntN(64, (BigInt(this.hi) << 32n) | BigInt(this.lo));
  }

  /** uint64 varint, always as a bigint. */
  uint64BigInt(end: number): bigint {
    this.readVarint64Bits(end);
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /**
   * A varint that must be a non-negative safe integer (below 2^53: revisions, counts, lengths of
   * 64-bit fields); anything larger fails.
   */
  safeUint(end: number): number {
    const at = this.pos;
    this.readVarint64Bits(end);
    if (this.hi >= 0x200000) throw this.fail(`integer ${String(bitsToUint64(this.lo, this.hi))} beyond 2^53`, at);
    return this.hi * TWO_32 + this.lo;
  }

  /** int32 varint (negative values are sign-extended 10-byte varints). */
  int32(end: number): number {
    return this.uint32(end) | 0;
  }

  /** sint32 varint (zigzag). */
  sint32(end: number): number {
    const v = this.uint32(end);
    return (v >>> 1) ^ -(v & 1);
  }

  /** sint64 varint (zigzag): a number when within ±2^53, else a bigint. */
  sint64(end: number): number | bigint {
    this.readVarint64Bits(end);
    const v = (BigInt(this.hi) << 32n) | BigInt(this.lo);
    const z = (v >> 1n) ^ -(v & 1n);
    return narrow(z);
  }

  /** bool varint: any non-zero value is true. */
  bool(end: number): boolean {
    this.readVarint64Bits(end);
    return this.lo !== 0 || this.hi !== 0;
  }

  private need(n: number, end: number, what: string): void {
    if (end - this.pos < n) throw this.fail(`expected ${n} bytes of ${what}, only ${Math.max(0, end - this.pos)} left`);
  }

  /** fixed32: four bytes, little-endian, unsigned. */
  fixed32(end: number): number {
    this.need(4, end, 'fixed32');
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return (
      ((b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16)) + (b[p + 3] as number) * 0x1000000
    );
  }

  /** sfixed32: four bytes, little-endian, two's complement. */
  sfixed32(end: number): number {
    return this.fixed32(end) | 0;
  }

  /** fixed64: a number when below 2^53, else a bigint. */
  fixed64(end: number): number | bigint {
    const lo = this.fixed32(end);
    const hi = this.fixed32(end);
    return bitsToUint64(lo, hi);
  }

  /** sfixed64: a number when within ±2^53, else a bigint. */
  sfixed64(end: number): number | bigint {
    const lo = this.fixed32(end);
    const hi = this.fixed32(end);
    return bitsToInt64(lo, hi);
  }

  /** double: eight bytes, little-endian IEEE 754. */
  double(end: number): number {
    this.need(8, end, 'double');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  /** float: four bytes, little-endian IEEE 754. */
  float(end: number): number {
    this.need(4, end, 'float');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  /**
   * Reads a length prefix and returns the end of the bytes it announces (checked against `end`); `pos`
   * is then at their start.
   */
  lengthEnd(end: number): number {
    const at = this.pos;
    const b = this.buf[at] as number;
    if (b < 0x80 && at + 1 + b <= end) {
      this.pos = at + 1;
      return at + 1 + b;
    }
    const len = this.uint32(end);
    if (this.pos - at > 5) throw this.fail('length prefix longer than 5 bytes', at);
    if (len > end - this.pos) {
      throw this.fail(`length ${len} runs past the end of the enclosing data (${end - this.pos} bytes left)`, at);
    }
    return this.pos + len;
  }

  /** A length-delimited value as a view of `buf` (no copy); `pos` moves past it. */
  bytes(end: number): Uint8Array {
    const e = this.lengthEnd(end);
    const out = this.buf.subarray(this.pos, e);
    this.pos = e;
    return out;
  }

  /** Skips a field's value of the given wire type (a group up to its matching end-group tag). */
  skip(wireType: number, end: number, fieldNumber = 0, depth = 0): void {
    switch (wireType) {
      case VARINT:
        this.readVarint64Bits(end);
        return;
      case FIXED64:
        this.need(8, end, 'fixed64');
        this.pos += 8;
        return;
      case BYTES:
        this.pos = this.lengthEnd(end);
        return;
      case FIXED32:
        this.need(4, end, 'fixed32');
        this.pos += 4;
        return;
      case START_GROUP: {
        if (depth > MAX_GROUP_DEPTH) throw this.fail(`groups nested deeper than ${MAX_GROUP_DEPTH}`);
        for (;;) {
          const at = this.pos;
          const tag = this.uint32(end);
          const wt = tag & 7;
          if (wt === END_GROUP) {
            if (tag >>> 3 !== fieldNumber)
              throw this.fail(`end of group ${tag >>> 3} does not match group ${fieldNumber}`, at);
            return;
          }
          this.skip(wt, end, tag >>> 3, depth + 1);
        }
      }
      default:
        throw this.fail(`invalid wire type ${wireType}`);
    }
  }
}

/**
 * A DecodeError without stack frames (see {@link WireReader.fail}).
 * @example
 * dataError('Cannot decode protobuf at byte 3: truncated varint.', 3).offset // 3
 */
export function dataError(message: string, offset: number): DecodeError {
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 0;
  } catch {
    // frozen intrinsics: keep the stack
  }
  try {
    return new DecodeError(message, offset);
  } finally {
    try {
      Error.stackTraceLimit = limit;
    } catch {
      // as above
    }
  }
}

/**
 * Name of a wire type, for messages (`length-delimited`).
 * @example
 * wireTypeName(2) // 'length-delimited'
 */
export function wireTypeName(wireType: number): string {
  return (
    ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32'][wireType] ??
    `wire type ${wireType}`
  );
}

/**
 * Exact value of a two's-complement 64-bit integer: a number when safe, else a bigint.
 * @example
 * bitsToInt64(0xffffffff, 0xffffffff) // -1
 */
export function bitsToInt64(lo: number, hi: number): number | bigint {
  if (hi < 0x200000) return hi * TWO_32 + lo;
  if (hi >= 0xffe00000 && (hi !== 0xffe00000 || lo !== 0)) {
    // negative, magnitude below 2^53
    return -((~hi >>> 0) * TWO_32 + (~lo >>> 0) + 1);
  }
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

/**
 * Exact value of an unsigned 64-bit integer: a number when safe, else a bigint.
 * @example
 * bitsToUint64(0, 0x200000) // 9007199254740992n
 */
export function bitsToUint64(lo: number, hi: number): number | bigint {
  if (hi < 0x200000) return hi * TWO_32 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function narrow(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}
