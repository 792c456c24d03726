/**
 * Protobuf wire format: a bounds-checked reader over a byte array (absolute positions, no copies) and
 * a growable writer. Errors are {@link DecodeError}s naming the absolute byte offset and what was expected.
 */
import { DecodeError } from '../errors';

/** Wire types. */
export const VARINT = 0;
export const FIXED64 = 1;
export const BYTES = 2;
export const START_GROUP = 3;
export const END_GROUP = 4;
export const FIXED32 = 5;

const TWO_32 = 4294967296;

/**
 * Reads protobuf primitives from `buf`. Positions are indexes into `buf`; error offsets add `base`
 * (where `buf[0]` sits in the value given to `decode`).
 * @example
 * const r = new WireReader(new Uint8Array([0x08, 0x96, 0x01]));
 * r.tag(); r.uint32() // 150
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
  ) {
    this.pos = pos;
  }

  /** `buf` as a DataView (to compare bytes four at a time). */
  words(): DataView {
    return (this.view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
  }

  /**
   * A DecodeError at absolute offset `base + at`. It carries no stack frames: it describes the data,
   * not the code, and capturing a stack costs ten times more than the rest of a failed decode.
   */
  fail(what: string, at: number = this.pos): DecodeError {
    const offset = this.base + at;
    return dataError(`Cannot decode protobuf at byte ${offset}: ${what}.`, offset);
  }

  /** Reads a varint and returns its low 32 bits as an unsigned number (for tags, lengths, int32). */
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

  /** int32 varint (negative values are sign-extended 10-byte varints). */
  int32(end: number): number {
    return this.uint32(end) | 0;
  }

  sint32(end: number): number {
    const v = this.uint32(end);
    return (v >>> 1) ^ -(v & 1);
  }

  sint64(end: number): number | bigint {
    this.readVarint64Bits(end);
    const v = (BigInt(this.hi) << 32n) | BigInt(this.lo);
    const z = (v >> 1n) ^ -(v & 1n);
    return narrow(z);
  }

  bool(end: number): boolean {
    this.readVarint64Bits(end);
    return this.lo !== 0 || this.hi !== 0;
  }

  private need(n: number, end: number, what: string): void {
    if (end - this.pos < n) throw this.fail(`expected ${n} bytes of ${what}, only ${Math.max(0, end - this.pos)} left`);
  }

  fixed32(end: number): number {
    this.need(4, end, 'fixed32');
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16)) + (b[p + 3] as number) * 0x1000000;
  }

  sfixed32(end: number): number {
    return this.fixed32(end) | 0;
  }

  fixed64(end: number): number | bigint {
    const lo = this.fixed32(end);
    const hi = this.fixed32(end);
    return bitsToUint64(lo, hi);
  }

  sfixed64(end: number): number | bigint {
    const lo = this.fixed32(end);
    const hi = this.fixed32(end);
    return bitsToInt64(lo, hi);
  }

  double(end: number): number {
    this.need(8, end, 'double');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  float(end: number): number {
    this.need(4, end, 'float');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  /** Reads a length prefix and returns the end of the bytes it announces (checked against `end`). */
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

  /** Skips a field's value of the given wire type. */
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
        if (depth > 100) throw this.fail('groups nested deeper than 100');
        for (;;) {
          const at = this.pos;
          const tag = this.uint32(end);
          const wt = tag & 7;
          if (wt === END_GROUP) {
            if (tag >>> 3 !== fieldNumber) throw this.fail(`end of group ${tag >>> 3} does not match group ${fieldNumber}`, at);
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

/**
 * A growable protobuf writer. Nested messages are written with {@link begin}/{@link end}: the length
 * prefix is inserted once the body is known.
 * @example
 * const w = new WireWriter();
 * w.tag(1, 0); w.varint(150);
 * w.finish() // Uint8Array [0x08, 0x96, 0x01]
 */
export class WireWriter {
  buf = new Uint8Array(256);
  pos = 0;
  private readonly starts: number[] = [];

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** Unsigned varint of a non-negative safe integer. */
  varint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  /** Varint of a signed or unsigned 64-bit value (negative values take 10 bytes). */
  varint64(v: number | bigint): void {
    if (typeof v === 'number' && v >= 0) {
      this.varint(v);
      return;
    }
    let b = BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    while (b >= 0x80n) {
      this.buf[this.pos++] = Number(b & 0x7fn) | 0x80;
      b >>= 7n;
    }
    this.buf[this.pos++] = Number(b);
  }

  /** int32 varint: negative values are sign-extended to 10 bytes, as Go does. */
  int32(v: number): void {
    if (v >= 0) this.varint(v);
    else this.varint64(v);
  }

  sint(v: number | bigint): void {
    const b = BigInt(v);
    this.varint64(BigInt.asUintN(64, (b << 1n) ^ (b >> 63n)));
  }

  fixed32(v: number): void {
    this.ensure(4);
    const u = v >>> 0;
    this.buf[this.pos++] = u & 0xff;
    this.buf[this.pos++] = (u >>> 8) & 0xff;
    this.buf[this.pos++] = (u >>> 16) & 0xff;
    this.buf[this.pos++] = u >>> 24;
  }

  fixed64(v: number | bigint): void {
    const b = BigInt.asUintN(64, BigInt(v));
    this.fixed32(Number(b & 0xffffffffn));
    this.fixed32(Number(b >> 32n));
  }

  double(v: number): void {
    this.ensure(8);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).setFloat64(0, v, true);
    this.pos += 8;
  }

  float(v: number): void {
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).setFloat32(0, v, true);
    this.pos += 4;
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.raw(b);
  }

  /** Starts a length-delimited body (after its tag has been written). */
  begin(): void {
    this.starts.push(this.pos);
  }

  /** Ends the body started by the matching {@link begin}: inserts its length prefix. */
  end(): void {
    const start = this.starts.pop();
    if (start === undefined) throw new Error('WireWriter.end without begin');
    const len = this.pos - start;
    let n = 1;
    for (let v = len; v >= 0x80; v = Math.floor(v / 0x80)) n++;
    this.ensure(n);
    this.buf.copyWithin(start + n, start, this.pos);
    let p = start;
    let v = len;
    while (v >= 0x80) {
      this.buf[p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[p] = v;
    this.pos += n;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
