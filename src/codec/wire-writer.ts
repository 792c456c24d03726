/**
 * The protobuf wire writer of the encoder: a growable buffer with varints, zigzag, fixed-width numbers and
 * length-delimited bodies (the reader is `util/wire-reader.ts`).
 */
import { EncodeError } from '../errors';

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
    if (start === undefined)
      throw new EncodeError(
        'Cannot end a length-delimited body: WireWriter.end() was called without a matching begin(). This is a bug in the encoder.',
      );
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
