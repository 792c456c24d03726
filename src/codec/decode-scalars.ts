/**
 * What the generated message decoders read below the level of messages: strings (with a cache of short
 * ASCII strings), base64 bytes, the other scalars by type code, Go's zero values, fields the schema does
 * not know (kept in unknownFields with their path), and map keys in Go's order.
 */
import { BYTES, FIXED32, FIXED64, VARINT, type WireReader } from '../util/wire-reader';
import {
  TYPE_BOOL,
  TYPE_BYTES,
  TYPE_DOUBLE,
  TYPE_FIXED32,
  TYPE_FIXED64,
  TYPE_FLOAT,
  TYPE_INT32,
  TYPE_INT64,
  TYPE_SFIXED32,
  TYPE_SFIXED64,
  TYPE_SINT32,
  TYPE_SINT64,
  TYPE_STRING,
  TYPE_UINT32,
  TYPE_UINT64,
  type DecodeState,
} from './decode-plan';
import { decodeGoString, utf8ByteCompare } from './go-utf8';
import { bytesHex, printableText } from './proto-dump';

/** The path of the message at `depth` (`spec.containers[0]`), for unknownFields and errors. */
export function pathText(ctx: DecodeState, depth: number): string {
  let out = '';
  for (let d = 1; d <= depth; d++) {
    const n = ctx.names[d];
    if (n === null || n === undefined) continue;
    out += out === '' ? n : `.${n}`;
    const k = ctx.keys[d];
    if (typeof k === 'number') out += `[${k}]`;
    else if (typeof k === 'string') out += `[${JSON.stringify(k)}]`;
  }
  return out;
}

/** Sets `obj[k]`, as an own property even for `__proto__`. */
export function setKey(obj: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__')
    Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
  else obj[k] = v;
}

/** Records a field the schema does not know (in `ctx.unknown`, with its path), after reading its value. */
export function readUnknownField(
  ctx: DecodeState,
  num: number,
  wt: number,
  end: number,
  depth: number,
  suffix = '',
): void {
  const r = ctx.r;
  let value: unknown;
  switch (wt) {
    case VARINT:
      value = r.int64(end);
      break;
    case FIXED64:
      value = r.fixed64(end);
      break;
    case FIXED32:
      value = r.fixed32(end);
      break;
    case BYTES: {
      const e = r.lengthEnd(end);
      value = printableText(ctx.buf, r.pos, e) ?? bytesHex(ctx.buf, r.pos, e);
      r.pos = e;
      break;
    }
    default:
      r.skip(wt, end, num);
      value = null;
  }
  const base = pathText(ctx, depth);
  const path = suffix === '' ? base : base === '' ? suffix : `${base}.${suffix}`;
  ctx.unknown.push({ path, number: num, wireType: wt, value });
}

/** Reads one scalar of type code `type` (its tag already consumed). */
export function readScalar(ctx: DecodeState, type: number, end: number): unknown {
  const r = ctx.r;
  switch (type) {
    case TYPE_STRING:
      return readString(r, ctx.buf, end);
    case TYPE_INT32:
      return r.int32(end);
    case TYPE_INT64:
      return r.int64(end);
    case TYPE_BOOL:
      return r.bool(end);
    case TYPE_BYTES:
      return readBase64(r, ctx.buf, end);
    case TYPE_UINT32:
      return r.uint32(end);
    case TYPE_UINT64:
      return r.uint64(end);
    case TYPE_SINT32:
      return r.sint32(end);
    case TYPE_SINT64:
      return r.sint64(end);
    case TYPE_FIXED32:
      return r.fixed32(end);
    case TYPE_FIXED64:
      return r.fixed64(end);
    case TYPE_SFIXED32:
      return r.sfixed32(end);
    case TYPE_SFIXED64:
      return r.sfixed64(end);
    case TYPE_DOUBLE:
      return r.double(end);
    case TYPE_FLOAT:
      return r.float(end);
    default:
      throw r.fail(`unsupported scalar type code ${type}`);
  }
}

/** Go's zero value of a scalar of type code `type`, as printed (bytes: null). */
export function zeroScalar(type: number): unknown {
  switch (type) {
    case TYPE_STRING:
      return '';
    case TYPE_BOOL:
      return false;
    case TYPE_BYTES:
      return null;
    default:
      return 0;
  }
}

/** Node's Buffer has native string slicing (undocumented in the type definitions, stable since Node 0.x). */
interface NativeSlices {
  latin1Slice(start: number, end: number): string;
  base64Slice(start: number, end: number): string;
}

/** Strings up to this many bytes go through the short-string cache (see {@link readString}). */
const STRING_CACHE_MAX_BYTES = 64;
const STRING_CACHE_MASK = 4095;
/** Recently decoded short ASCII strings, by hash of their bytes… */
const STRING_CACHE: string[] = new Array<string>(STRING_CACHE_MASK + 1).fill('');
/** …their lengths (-1: empty slot)… */
const STRING_CACHE_LENGTH = new Int32Array(STRING_CACHE_MASK + 1).fill(-1);
/** …and their bytes (slot i at i * STRING_CACHE_MAX_BYTES): a hit compares bytes, not characters. */
const STRING_CACHE_BYTES = new Uint8Array((STRING_CACHE_MASK + 1) * STRING_CACHE_MAX_BYTES);
/** The same bytes, read four at a time. */
const STRING_CACHE_WORDS = new DataView(STRING_CACHE_BYTES.buffer);

/** A character that is not ASCII (in a string made of bytes by latin1Slice). */
const NON_ASCII = /[^\u0000-\u007f]/;

/**
 * Reads a length-prefixed string at `r.pos` (`buf` is `r.buf`, a Buffer) as Go prints it: ASCII through
 * Node's Latin-1 slicing (short strings from the cache), anything else by {@link decodeGoString}.
 */
export function readString(r: WireReader, buf: Uint8Array, end: number): string {
  const p = r.pos;
  const len = buf[p] as number;
  let s: number;
  let e: number;
  if (len < 0x80 && p + 1 + len <= end) {
    s = p + 1;
    e = s + len;
  } else {
    e = r.lengthEnd(end);
    s = r.pos;
  }
  r.pos = e;
  const n = e - s;
  if (n > STRING_CACHE_MAX_BYTES) {
    // Latin-1 is the bytes as they are: right when all are ASCII (checked four bytes at a time).
    const words = r.view ?? r.words();
    let i = s;
    while (i + 4 <= e && (words.getInt32(i) & 0x80808080) === 0) i += 4;
    while (i < e && (buf[i] as number) < 0x80) i++;
    return i === e ? (buf as unknown as NativeSlices).latin1Slice(s, e) : decodeGoString(buf, s, e);
  }
  if (n === 0) return '';
  // Short strings repeat a lot (keys, label values, enum-like values): look them up by a hash of
  // their length and a few of their bytes, then compare every byte (a hit is ASCII by construction).
  const last = e - 1;
  let h = Math.imul(n ^ (buf[s] as number), 0x01000193);
  h = Math.imul(h ^ (buf[last] as number), 0x01000193);
  h = Math.imul(h ^ (buf[s + (n >> 1)] as number), 0x01000193);
  h = Math.imul(h ^ (buf[last - 1] as number), 0x01000193);
  h = Math.imul(h ^ (buf[s + (n >> 2)] as number), 0x01000193);
  const slot = (h ^ (h >>> 15)) & STRING_CACHE_MASK;
  const bytes = STRING_CACHE_BYTES;
  const at = slot * STRING_CACHE_MAX_BYTES - s;
  if (STRING_CACHE_LENGTH[slot] === n) {
    const words = r.view ?? r.words();
    let i = s;
    while (i + 4 <= e && STRING_CACHE_WORDS.getInt32(at + i) === words.getInt32(i)) i += 4;
    if (i + 4 > e) while (i < e && bytes[at + i] === buf[i]) i++;
    if (i === e) return STRING_CACHE[slot] as string;
  }
  let out: string;
  if (n <= 8) {
    out = '';
    for (let i = s; i < e; i++) {
      const c = buf[i] as number;
      if (c >= 0x80) return decodeGoString(buf, s, e);
      out += String.fromCharCode(c);
    }
  } else {
    out = (buf as unknown as NativeSlices).latin1Slice(s, e);
    if (NON_ASCII.test(out)) return decodeGoString(buf, s, e);
  }
  STRING_CACHE[slot] = out;
  STRING_CACHE_LENGTH[slot] = n;
  for (let i = s; i < e; i++) bytes[at + i] = buf[i] as number;
  return out;
}
/** Reads a length-prefixed bytes field at `r.pos` as the base64 text Go's encoding/json prints for []byte. */
export function readBase64(r: WireReader, buf: Uint8Array, end: number): string {
  const e = r.lengthEnd(end);
  const s = (buf as unknown as NativeSlices).base64Slice(r.pos, e);
  r.pos = e;
  return s;
}

/**
 * A map's keys in Go's order: by their bytes. utf8ByteCompare gives that order for decoded keys too,
 * invalid bytes included (decodeGoString keeps each as U+DC80..U+DCFF, which it compares as the byte).
 */
export function sortedMap(obj: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(obj);
  if (keys.length < 2) return obj;
  let ordered = true;
  for (let i = 1; i < keys.length; i++) {
    if (utf8ByteCompare(keys[i - 1] as string, keys[i] as string) > 0) {
      ordered = false;
      break;
    }
  }
  if (ordered) return obj;
  keys.sort(utf8ByteCompare);
  const out: Record<string, unknown> = {};
  for (const k of keys) setKey(out, k, obj[k]);
  return out;
}
