/**
 * A strict RFC 8949 CBOR decoder for Kubernetes values (custom resources stored as CBOR begin with the
 * self-described CBOR tag `d9 d9 f7`). The result is shaped like the JSON Kubernetes would print:
 * byte strings become base64 text (Go's JSON of `[]byte`), integers beyond 2^53 become `bigint`,
 * tag 0 (RFC 3339 text) keeps its text and tag 1 (epoch seconds) becomes RFC 3339 text in UTC
 * (as Kubernetes' `TimeTagToRFC3339Nano` option does), other tags are dropped around their content.
 *
 * Like Kubernetes' decoder it refuses invalid UTF-8 in text strings, duplicate map keys, map keys that
 * are not strings (integer keys are written as decimal text instead), unknown simple values, NaN and
 * infinite floats, reserved additional information and trailing bytes.
 */
import { DecodeError } from '../errors';
import { formatTime } from './kube-time';

const MAX_DEPTH = 100;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const BREAK = Symbol('break');

class CborReader {
  pos: number;
  constructor(
    private readonly bytes: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }

  fail(message: string, at: number = this.pos): DecodeError {
    return new DecodeError(
      `CBOR decoding failed at byte ${at}: ${message}. The value is not CBOR as Kubernetes writes it.`,
      at,
    );
  }

  private need(n: number, what: string): void {
    if (n > this.bytes.length - this.pos) {
      throw this.fail(`${what} needs ${n} bytes but only ${this.bytes.length - this.pos} remain`);
    }
  }

  private u8(): number {
    this.need(1, 'an item');
    return this.bytes[this.pos++] as number;
  }

  /** Reads the argument of an initial byte. Returns -1 for indefinite length (ai 31). */
  private argument(ai: number, start: number): number | bigint {
    if (ai < 24) return ai;
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    switch (ai) {
      case 24:
        this.need(1, 'a 1-byte argument');
        return this.bytes[this.pos++] as number;
      case 25: {
        this.need(2, 'a 2-byte argument');
        const v = view.getUint16(this.pos);
        this.pos += 2;
        return v;
      }
      case 26: {
        this.need(4, 'a 4-byte argument');
        const v = view.getUint32(this.pos);
        this.pos += 4;
        return v;
      }
      case 27: {
        this.need(8, 'an 8-byte argument');
        const v = view.getBigUint64(this.pos);
        this.pos += 8;
        return v <= MAX_SAFE ? Number(v) : v;
      }
      case 31:
        return -1;
      default:
        throw this.fail(`reserved additional information ${ai}`, start);
    }
  }

  private length(ai: number, start: number, what: string, minBytesEach: number): number {
    const n = this.argument(ai, start);
    if (typeof n === 'bigint' || n * minBytesEach > this.bytes.length - this.pos) {
      throw this.fail(
        `${what} of length ${n} is longer than the ${this.bytes.length - this.pos} bytes that remain`,
        start,
      );
    }
    return n;
  }

  private chunks(major: number, ai: number, start: number): Uint8Array {
    if (ai !== 31) {
      const n = this.length(ai, start, major === 2 ? 'byte string' : 'text string', 1);
      const out = this.bytes.subarray(this.pos, this.pos + n);
      this.pos += n;
      return out;
    }
    const parts: Uint8Array[] = [];
    for (;;) {
      const at = this.pos;
      const ib = this.u8();
      if (ib === 0xff) break;
      if (ib >> 5 !== major || (ib & 31) === 31)
        throw this.fail('an indefinite-length string holds a chunk of another type', at);
      parts.push(this.chunks(major, ib & 31, at));
    }
    const total = parts.reduce((sum, p) => sum + p.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  private text(ai: number, start: number): string {
    const raw = this.chunks(3, ai, start);
    try {
      return UTF8.decode(raw);
    } catch {
      throw this.fail('a text string is not valid UTF-8', start);
    }
  }

  item(depth: number): unknown {
    const start = this.pos;
    const ib = this.u8();
    const major = ib >> 5;
    const ai = ib & 31;
    switch (major) {
      case 0: {
        const v = this.argument(ai, start);
        if (v === -1) throw this.fail('an integer cannot have indefinite length', start);
        return v;
      }
      case 1: {
        const v = this.argument(ai, start);
        if (v === -1) throw this.fail('an integer cannot have indefinite length', start);
        if (typeof v === 'bigint' || v >= Number.MAX_SAFE_INTEGER) {
          const b = -1n - BigInt(v);
          return b < -MAX_SAFE ? b : Number(b);
        }
        return -1 - v;
      }
      case 2:
        return Buffer.from(this.chunks(2, ai, start)).toString('base64');
      case 3:
        return this.text(ai, start);
      case 4:
        return this.array(ai, start, depth + 1);
      case 5:
        return this.map(ai, start, depth + 1);
      case 6:
        return this.tag(ai, start, depth + 1);
      default:
        return this.simple(ai, start);
    }
  }

  private checkDepth(depth: number, start: number): void {
    if (depth > MAX_DEPTH) throw this.fail(`nesting deeper than ${MAX_DEPTH} levels`, start);
  }

  private array(ai: number, start: number, depth: number): unknown[] {
    this.checkDepth(depth, start);
    const out: unknown[] = [];
    if (ai === 31) {
      for (;;) {
        const v = this.itemOrBreak(depth);
        if (v === BREAK) return out;
        out.push(v);
      }
    }
    const n = this.length(ai, start, 'array', 1);
    for (let i = 0; i < n; i++) out.push(this.item(depth));
    return out;
  }

  private itemOrBreak(depth: number): unknown {
    this.need(1, 'an item or break');
    if (this.bytes[this.pos] === 0xff) {
      this.pos++;
      return BREAK;
    }
    return this.item(depth);
  }

  private key(depth: number): string | typeof BREAK {
    const at = this.pos;
    this.need(1, 'a map key');
    const ib = this.bytes[this.pos] as number;
    if (ib === 0xff) {
      this.pos++;
      return BREAK;
    }
    const major = ib >> 5;
    if (major === 3) return this.item(depth) as string;
    if (major === 2) {
      this.pos++;
      const raw = this.chunks(2, ib & 31, at);
      try {
        return UTF8.decode(raw);
      } catch {
        throw this.fail('a byte-string map key is not valid UTF-8', at);
      }
    }
    if (major === 0 || major === 1) return String(this.item(depth));
    throw this.fail(`a map key of major type ${major} is not a string`, at);
  }

  private map(ai: number, start: number, depth: number): Record<string, unknown> {
    this.checkDepth(depth, start);
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    const entry = (k: string, at: number): void => {
      if (seen.has(k)) throw this.fail(`duplicate map key ${JSON.stringify(k)}`, at);
      seen.add(k);
      const v = this.item(depth);
      if (k === '__proto__')
        Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      else out[k] = v;
    };
    if (ai === 31) {
      for (;;) {
        const at = this.pos;
        const k = this.key(depth);
        if (k === BREAK) return out;
        entry(k, at);
      }
    }
    const n = this.length(ai, start, 'map', 2);
    for (let i = 0; i < n; i++) {
      const at = this.pos;
      const k = this.key(depth);
      if (k === BREAK) throw this.fail('unexpected break in a definite-length map', at);
      entry(k, at);
    }
    return out;
  }

  private tag(ai: number, start: number, depth: number): unknown {
    this.checkDepth(depth, start);
    const tag = this.argument(ai, start);
    if (tag === -1) throw this.fail('a tag cannot have indefinite length', start);
    const contentAt = this.pos;
    const content = this.item(depth);
    if (tag === 0) {
      if (typeof content !== 'string') throw this.fail('tag 0 (date/time) must hold a text string', contentAt);
      return content;
    }
    if (tag === 1)
      return epochToRfc3339(content, () => this.fail('tag 1 (epoch time) must hold a finite number', contentAt));
    return content;
  }

  /**
   * A float read from `bytes` bytes: NaN and infinities are refused, as Kubernetes' decoder does
   * (NaNDecodeForbidden, InfDecodeForbidden): JSON has no form for them, so no object could print them.
   */
  private finite(v: number, start: number, bytes: number): number {
    if (!Number.isFinite(v))
      throw this.fail(`the float ${String(v)} is not allowed (NaN and infinities have no JSON form)`, start);
    this.pos += bytes;
    return v;
  }

  private simple(ai: number, start: number): unknown {
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    switch (ai) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
      case 23:
        return null;
      case 25: {
        this.need(2, 'a half-precision float');
        const v = halfToNumber(view.getUint16(this.pos));
        return this.finite(v, start, 2);
      }
      case 26: {
        this.need(4, 'a single-precision float');
        const v = view.getFloat32(this.pos);
        return this.finite(v, start, 4);
      }
      case 27: {
        this.need(8, 'a double-precision float');
        const v = view.getFloat64(this.pos);
        return this.finite(v, start, 8);
      }
      case 31:
        throw this.fail('unexpected break', start);
      default:
        throw this.fail(`unsupported simple value (additional information ${ai})`, start);
    }
  }
}

function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function epochToRfc3339(content: unknown, bad: () => DecodeError): string {
  let seconds: bigint;
  let nanos = 0;
  if (typeof content === 'bigint') seconds = content;
  else if (typeof content === 'number' && Number.isFinite(content)) {
    const whole = Math.floor(content);
    seconds = BigInt(whole);
    nanos = Math.round((content - whole) * 1e9);
    if (nanos >= 1e9) {
      seconds += 1n;
      nanos -= 1e9;
    }
  } else throw bad();
  const base = formatTime(seconds, 0).slice(0, -1);
  if (nanos === 0) return base + 'Z';
  return `${base}.${String(nanos).padStart(9, '0').replace(/0+$/, '')}Z`;
}

/**
 * Decodes one CBOR data item starting at `offset` (the whole rest of `bytes` must be that item).
 * Throws DecodeError naming the absolute byte offset of the problem.
 * @example
 * decodeCbor(new Uint8Array([0xd9, 0xd9, 0xf7, 0xa1, 0x61, 0x61, 0x01])) // { a: 1 }
 */
export function decodeCbor(bytes: Uint8Array, offset = 0): unknown {
  const reader = new CborReader(bytes, offset);
  if (offset < 0 || offset >= bytes.length) throw reader.fail('there is no data to decode', offset);
  const value = reader.item(0);
  if (reader.pos !== bytes.length) throw reader.fail(`${bytes.length - reader.pos} bytes follow the data item`);
  return value;
}
