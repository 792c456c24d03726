/**
 * Decoding of stored values into the JSON objects Kubernetes' Go code prints.
 *
 * The protobuf path works from per-message plans built lazily from the {@link CompiledSchema}. For each
 * plain message a decoding function is generated on first use (`new Function`, see
 * {@link generateMessageFn}): a `switch` over wire tags reading each field into a local variable, then
 * the object built in Go struct order with Go's `encoding/json` rules applied (omitempty, pointers, nil
 * slices and maps, structs that are always printed). Messages with custom JSON (Time, MicroTime,
 * Duration, IntOrString, Quantity, FieldsV1, RawExtension, named slices) are read by {@link readSpecial}.
 * Unknown fields are kept with their path; any malformed input becomes a DecodeError naming the byte.
 */
import { DecodeError } from '../errors';
import { decodeCbor } from './cbor';
import { decryptAndDecode, type EncryptionConfig } from './decrypt';
import { sniffValue, walksAsFields } from './envelope';
import { compactJson, parseKubeJson, toKubeJson } from './go-json';
import { markRawJson, markRawJsonField, type RawJsonMark } from './raw-json';
import { formatGoDuration } from './go-duration';
import { decodeGoString, holdsInvalidUtf8, utf8ByteCompare } from './go-utf8';
import { formatMicroTime, formatTime } from './kube-time';
import { dumpProtoFields } from './proto-dump';
import { decodeUnknownKind } from './unknown-kind';
import { canonicalQuantity } from './quantity';
import type { CompiledSchema, SchemaField, SchemaMessage } from './schema-types';
import type { Decoded, KubeObject, UnknownField } from './types';
import { BYTES, FIXED32, FIXED64, VARINT, WireReader } from './wire';

/** Options of `decode`. */
export interface DecodeOptions {
  /**
   * apiVersion and kind to use when the value does not name them (a protobuf envelope with an empty
   * TypeMeta, or an inner object without the `k8s\0` envelope when `bare` is set).
   */
  apiVersion?: string;
  kind?: string;
  /** The value is a bare protobuf message (runtime.Unknown's `raw`), not a `k8s\0` envelope. */
  bare?: boolean;
  /**
   * kube-apiserver's EncryptionConfiguration (from `loadEncryptionConfig`): a value encrypted at rest
   * is decrypted with it, then decoded as usual; `encryption.decrypted` says whether a key opened it.
   */
  decryption?: EncryptionConfig;
  /** The value's full etcd key: AES-GCM authenticates it (needed with `decryption`); errors name it. */
  key?: string | Uint8Array;
}

/** Nesting limit for messages (as Kubernetes' own decoder guards against deep recursion). */
export const MAX_DEPTH = 100;

// Field categories, decided once per field.
const K_DOUBLE = 1;
const K_FLOAT = 2;
const K_INT32 = 3;
const K_INT64 = 4;
const K_UINT32 = 5;
const K_UINT64 = 6;
const K_SINT32 = 7;
const K_SINT64 = 8;
const K_FIXED32 = 9;
const K_FIXED64 = 10;
const K_SFIXED32 = 11;
const K_SFIXED64 = 12;
const K_BOOL = 13;
const K_STRING = 14;
const K_BYTES = 15;
const K_MESSAGE = 16;
const K_MAP = 17;

const KIND_OF: Record<string, number> = {
  double: K_DOUBLE,
  float: K_FLOAT,
  int32: K_INT32,
  int64: K_INT64,
  uint32: K_UINT32,
  uint64: K_UINT64,
  sint32: K_SINT32,
  sint64: K_SINT64,
  fixed32: K_FIXED32,
  fixed64: K_FIXED64,
  sfixed32: K_SFIXED32,
  sfixed64: K_SFIXED64,
  bool: K_BOOL,
  string: K_STRING,
  bytes: K_BYTES,
  message: K_MESSAGE,
  map: K_MAP,
};

/** Wire type a scalar kind is written with. */
function wireTypeOf(k: number): number {
  switch (k) {
    case K_DOUBLE:
    case K_FIXED64:
    case K_SFIXED64:
      return FIXED64;
    case K_FLOAT:
    case K_FIXED32:
    case K_SFIXED32:
      return FIXED32;
    case K_STRING:
    case K_BYTES:
    case K_MESSAGE:
    case K_MAP:
      return BYTES;
    default:
      return VARINT;
  }
}

// How a field is printed, decided once per field.
const P_SCALAR = 1; // non-repeated scalar other than bytes
const P_NULLABLE = 2; // slices, maps, bytes, ListWrapper: nil → null / omitted
const P_MESSAGE = 3; // non-repeated message
const P_INLINE = 4;

// Special message codes.
const S_NONE = 0;
const S_TIME = 1;
const S_MICROTIME = 2;
const S_DURATION = 3;
const S_INTORSTRING = 4;
const S_QUANTITY = 5;
const S_FIELDSV1 = 6;
const S_RAWEXTENSION = 7;
const S_LISTWRAPPER = 8;

const SPECIAL_CODE: Record<string, number> = {
  Time: S_TIME,
  MicroTime: S_MICROTIME,
  Duration: S_DURATION,
  IntOrString: S_INTORSTRING,
  Quantity: S_QUANTITY,
  FieldsV1: S_FIELDSV1,
  RawExtension: S_RAWEXTENSION,
  ListWrapper: S_LISTWRAPPER,
};

/** A field ready for decoding. */
export interface FieldPlan {
  f: SchemaField;
  /** Index in the message's slots (Go order), -1 for proto-only fields (read, never printed). */
  slot: number;
  k: number;
  repeated: boolean;
  wireType: number;
  /** Printing category. */
  p: number;
  msg: MessagePlan | undefined;
  mapKeyK: number;
  mapValueK: number;
  mapValueMsg: MessagePlan | undefined;
}

/** A message ready for decoding. */
export interface MessagePlan {
  m: SchemaMessage;
  special: number;
  byNumber: (FieldPlan | undefined)[];
  /** Printed fields, in Go order (index = slot). */
  fields: FieldPlan[];
  typeMetaAt: number;
  /** The decoding function, generated on first use. */
  fn: MessageFn | undefined;
  /** Field numbers read past unread (a restricted plan, see {@link restrictPlan}). */
  skip?: number[];
}

/**
 * A copy of `plan` that reads and prints only the fields named in `keep` (JSON name → the plan to read
 * that field's message with, or undefined for its own), and reads past every other field without decoding
 * it. The kept fields decode exactly as in `plan`, Go's rules included, so the object it gives is the full
 * object cut down to those fields. Inline structs are kept when named by their field name.
 * @example
 * const pod = plans.get('k8s.io.api.core.v1.Pod')!;
 * const onlySpec = restrictPlan(pod, new Map([['spec', undefined]]));
 */
export function restrictPlan(plan: MessagePlan, keep: ReadonlyMap<string, MessagePlan | undefined>): MessagePlan {
  const out: MessagePlan = { m: plan.m, special: plan.special, byNumber: [], fields: [], typeMetaAt: -1, fn: undefined, skip: [] };
  const skip = out.skip as number[];
  plan.fields.forEach((fp, i) => {
    if (i === plan.typeMetaAt) out.typeMetaAt = out.fields.length;
    if (!keep.has(fp.f.name)) {
      if (fp.f.number > 0 && fp.f.number < 100000) skip.push(fp.f.number);
      return;
    }
    const copy: FieldPlan = { ...fp, slot: out.fields.length, msg: keep.get(fp.f.name) ?? fp.msg };
    out.fields.push(copy);
    if (fp.f.number > 0 && fp.f.number < 100000) out.byNumber[fp.f.number] = copy;
  });
  if (plan.typeMetaAt >= plan.fields.length) out.typeMetaAt = out.fields.length;
  // proto-only fields (read, never printed) are skipped too
  plan.byNumber.forEach((fp, n) => {
    if (fp !== undefined && fp.slot < 0) skip.push(n);
  });
  return out;
}

/**
 * Builds (and caches) decoding plans for the messages of one schema.
 * @example
 * const plans = new PlanCache(loadSchema());
 * plans.get('k8s.io.api.core.v1.Pod')?.fields.length // 3
 */
export class PlanCache {
  private readonly plans = new Map<string, MessagePlan>();
  constructor(readonly schema: CompiledSchema) {}

  get(name: string): MessagePlan | undefined {
    const have = this.plans.get(name);
    if (have !== undefined) return have;
    const m = this.schema.messages[name];
    if (m === undefined) return undefined;
    const plan: MessagePlan = {
      m,
      special: m.special !== undefined ? (SPECIAL_CODE[m.special] ?? S_NONE) : S_NONE,
      byNumber: [],
      fields: [],
      typeMetaAt: m.typeMetaAt ?? -1,
      fn: undefined,
    };
    this.plans.set(name, plan);
    const add = (f: SchemaField, slot: number): FieldPlan => {
      const k = KIND_OF[f.type] ?? K_STRING;
      const fp: FieldPlan = {
        f,
        slot,
        k,
        repeated: f.repeated,
        wireType: wireTypeOf(k),
        p: P_SCALAR,
        msg: undefined,
        mapKeyK: K_STRING,
        mapValueK: K_STRING,
        mapValueMsg: undefined,
      };
      if (k === K_MESSAGE && f.message !== undefined) fp.msg = this.get(f.message);
      if (k === K_MAP) {
        fp.mapKeyK = KIND_OF[f.mapKey ?? 'string'] ?? K_STRING;
        fp.mapValueK = KIND_OF[f.mapValue ?? 'string'] ?? K_STRING;
        if (f.mapValueMessage !== undefined) fp.mapValueMsg = this.get(f.mapValueMessage);
      }
      if (f.inline && k === K_MESSAGE && !f.repeated) fp.p = P_INLINE;
      else if (f.repeated || k === K_MAP || k === K_BYTES) fp.p = P_NULLABLE;
      else if (k === K_MESSAGE) fp.p = fp.msg !== undefined && fp.msg.special === S_LISTWRAPPER ? P_NULLABLE : P_MESSAGE;
      if (f.number > 0 && f.number < 100000) plan.byNumber[f.number] = fp;
      return fp;
    };
    m.fields.forEach((f, i) => plan.fields.push(add(f, i)));
    for (const f of m.protoOnly ?? []) add(f, -1);
    return plan;
  }
}

/** State of one decode call. */
interface Ctx {
  r: WireReader;
  buf: Uint8Array;
  unknown: UnknownField[];
  /**
   * Where the message at each depth sits in its parent (for unknownFields paths): the field name
   * (null for an inline struct) and the list index or map key (null when neither).
   */
  names: (string | null)[];
  keys: (number | string | null)[];
  /**
   * Set by the last RawExtension/FieldsV1 read when it held a bare number or string whose stored text
   * re-prints differently; the field reading it moves it onto the parent object (see `H.takeRaw`).
   */
  rawField: RawJsonMark | undefined;
  /** The first problem that did not stop decoding (an embedded JSON that is not JSON), reported beside the object. */
  partial: DecodeError | undefined;
}

function pathText(ctx: Ctx, depth: number): string {
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

function setKey(obj: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
  else obj[k] = v;
}

function isPrintableUtf8(buf: Uint8Array, start: number, end: number): string | undefined {
  for (let i = start; i < end; i++) {
    const c = buf[i] as number;
    if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0x7f) return undefined;
  }
  const s = decodeGoString(buf, start, end);
  return s.includes('\uFFFD') || holdsInvalidUtf8(s) ? undefined : s;
}

function hexOf(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('hex');
}

/** Records a field the schema does not know, after reading its value. */
function readUnknown(ctx: Ctx, num: number, wt: number, end: number, depth: number, suffix = ''): void {
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
      value = isPrintableUtf8(ctx.buf, r.pos, e) ?? hexOf(ctx.buf, r.pos, e);
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

/** Reads one scalar of kind `k` (its tag already consumed). */
function readScalar(ctx: Ctx, k: number, end: number): unknown {
  const r = ctx.r;
  switch (k) {
    case K_STRING:
      return H.str(r, ctx.buf, end);
    case K_INT32:
      return r.int32(end);
    case K_INT64:
      return r.int64(end);
    case K_BOOL:
      return r.bool(end);
    case K_BYTES:
      return H.b64(r, ctx.buf, end);
    case K_UINT32:
      return r.uint32(end);
    case K_UINT64:
      return r.uint64(end);
    case K_SINT32:
      return r.sint32(end);
    case K_SINT64:
      return r.sint64(end);
    case K_FIXED32:
      return r.fixed32(end);
    case K_FIXED64:
      return r.fixed64(end);
    case K_SFIXED32:
      return r.sfixed32(end);
    case K_SFIXED64:
      return r.sfixed64(end);
    case K_DOUBLE:
      return r.double(end);
    case K_FLOAT:
      return r.float(end);
    default:
      throw r.fail(`unsupported scalar kind ${k}`);
  }
}

function zeroScalar(k: number): unknown {
  switch (k) {
    case K_STRING:
      return '';
    case K_BOOL:
      return false;
    case K_BYTES:
      return null;
    default:
      return 0;
  }
}

function wireName(wt: number): string {
  return ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32'][wt] ?? `wire type ${wt}`;
}

/** The decoding function of a message: reads [r.pos, end) and returns the message's JSON value. */
type MessageFn = (
  r: WireReader,
  ctx: Ctx,
  end: number,
  depth: number,
  tm: TypeMetaOut | undefined,
  target?: Record<string, unknown>,
) => unknown;

/** Reads a message body spanning [r.pos, end) and returns its JSON value. */
function readMessage(ctx: Ctx, plan: MessagePlan, end: number, depth: number, typeMeta?: TypeMetaOut): unknown {
  return messageFn(plan)(ctx.r, ctx, end, depth, typeMeta, undefined);
}

/**
 * The (lazily generated) decoding function of a plan. Messages with custom JSON use {@link readSpecial};
 * the others get a function generated from the schema (see {@link generateMessageFn}).
 */
function messageFn(plan: MessagePlan): MessageFn {
  if (plan.fn !== undefined) return plan.fn;
  if (plan.special !== S_NONE) {
    plan.fn =
      plan.special === S_TIME
        ? (r, ctx, end, depth) => {
            if (depth > MAX_DEPTH) throw r.fail(`messages nested deeper than ${MAX_DEPTH}`);
            return readTime(ctx, plan, end, depth);
          }
        : (r, ctx, end, depth) => {
            if (depth > MAX_DEPTH) throw r.fail(`messages nested deeper than ${MAX_DEPTH}`);
            return readSpecial(ctx, plan, end, depth);
          };
    return plan.fn;
  }
  // Generated on first use; a stub first, so that messages can refer to each other.
  plan.fn = (r, ctx, end, depth, tm, target) => {
    const real = generateMessageFn(plan);
    plan.fn = real;
    return real(r, ctx, end, depth, tm, target);
  };
  return plan.fn;
}

/** Node's Buffer has native string slicing (undocumented in the type definitions, stable since Node 0.x). */
interface NativeSlices {
  latin1Slice(start: number, end: number): string;
  base64Slice(start: number, end: number): string;
}

/** Strings up to this many bytes go through the short-string cache (see `H.str`). */
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
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\u0000-\u007f]/;

/** Helpers the generated functions call (passed in as `H`). */
const H = {
  /** Reads a length-prefixed string at `r.pos` (`buf` is `r.buf`). */
  str(r: WireReader, buf: Uint8Array, end: number): string {
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
  },
  b64(r: WireReader, buf: Uint8Array, end: number): string {
    const e = r.lengthEnd(end);
    const s = (buf as unknown as NativeSlices).base64Slice(r.pos, e);
    r.pos = e;
    return s;
  },
  scalar(ctx: Ctx, k: number, end: number): unknown {
    return readScalar(ctx, k, end);
  },
  packed(r: WireReader, ctx: Ctx, k: number, end: number, arr: unknown[]): unknown[] {
    const e = r.lengthEnd(end);
    while (r.pos < e) arr.push(readScalar(ctx, k, e));
    return arr;
  },
  map(ctx: Ctx, fp: FieldPlan, end: number, depth: number, obj: Record<string, unknown>): Record<string, unknown> {
    if (fp.mapKeyK === K_STRING && (fp.mapValueK === K_STRING || fp.mapValueK === K_BYTES)) {
      // the common map<string, string> (and map<string, bytes>): key (field 1) then value (field 2)
      const r = ctx.r;
      const buf = ctx.buf;
      const save = r.pos;
      const e = r.lengthEnd(end);
      if (buf[r.pos] === 0x0a) {
        r.pos++;
        const key = H.str(r, buf, e);
        if (r.pos < e && buf[r.pos] === 0x12) {
          r.pos++;
          const value = fp.mapValueK === K_STRING ? H.str(r, buf, e) : H.b64(r, buf, e);
          if (r.pos === e) {
            if (key === '__proto__') setKey(obj, key, value);
            else obj[key] = value;
            return obj;
          }
        }
      }
      r.pos = save; // anything unusual: the general path
    } else if (fp.mapKeyK === K_STRING && fp.mapValueK === K_MESSAGE && fp.mapValueMsg !== undefined) {
      // map<string, message> (Quantities of resources, capacity…): key, then a value filling the entry
      const r = ctx.r;
      const buf = ctx.buf;
      const save = r.pos;
      const e = r.lengthEnd(end);
      if (buf[r.pos] === 0x0a) {
        r.pos++;
        const key = H.str(r, buf, e);
        if (r.pos < e && buf[r.pos] === 0x12) {
          r.pos++;
          const ve = r.lengthEnd(e);
          if (ve === e) {
            ctx.names[depth + 1] = fp.f.name;
            ctx.keys[depth + 1] = key;
            const value = messageFn(fp.mapValueMsg)(r, ctx, ve, depth + 1, undefined, undefined);
            if (r.pos !== ve) throw r.fail(`message ended at ${r.base + r.pos}, expected ${r.base + ve}`);
            setKey(obj, key, value);
            return obj;
          }
        }
      }
      r.pos = save;
    }
    readMapEntry(ctx, fp, obj, end, depth);
    return obj;
  },
  /** A tag the generated switch has no case for: a wrong wire type, or a field the schema does not know. */
  other(r: WireReader, ctx: Ctx, plan: MessagePlan, tag: number, tagAt: number, end: number, depth: number): void {
    const num = tag >>> 3;
    const wt = tag & 7;
    if (num === 0) throw r.fail(`invalid field number 0 (tag ${tag})`, tagAt);
    const fp = plan.byNumber[num];
    if (fp !== undefined) {
      throw r.fail(`field ${plan.m.name}.${fp.f.name} (${num}) expects ${wireName(fp.wireType)}, found ${wireName(wt)}`, tagAt);
    }
    if (wt === 4) throw r.fail(`unexpected end-group tag for field ${num}`, tagAt);
    readUnknown(ctx, num, wt, end, depth);
  },
  overrun(r: WireReader, e: number): never {
    throw r.fail(`message ended at ${r.base + r.pos}, expected ${r.base + e}`);
  },
  tooDeep(r: WireReader): never {
    throw r.fail(`messages nested deeper than ${MAX_DEPTH}`);
  },
  /** Go's zero value of a message absent from the wire. */
  zero(plan: MessagePlan, r: WireReader, ctx: Ctx, depth: number): unknown {
    switch (plan.special) {
      case S_NONE:
        return messageFn(plan)(r, ctx, r.pos, depth + 1, undefined, undefined);
      case S_DURATION:
        return '0s';
      case S_INTORSTRING:
        return 0;
      case S_QUANTITY:
        return '0';
      default:
        // Time, MicroTime, FieldsV1, RawExtension: null; ListWrapper: a nil slice
        return null;
    }
  },
  sortMap(obj: Record<string, unknown>): Record<string, unknown> {
    return sortedMap(obj);
  },
  /** The pending mark of the RawExtension/FieldsV1 just read (see `Ctx.rawField`), cleared. */
  takeRaw(ctx: Ctx): RawJsonMark | undefined {
    const m = ctx.rawField;
    ctx.rawField = undefined;
    return m;
  },
  markField(o: object, key: string, m: RawJsonMark): void {
    markRawJsonField(o, key, m.text, m.printed);
  },
  assign(o: Record<string, unknown>, v: unknown): void {
    const src = v as Record<string, unknown>;
    for (const k of Object.keys(src)) o[k] = src[k];
  },
};

/**
 * Generates the decoding function of a plain message: a `switch` over the wire tags reading each field
 * into a local variable, then the object built in Go field order with Go's JSON rules applied.
 */
function generateMessageFn(plan: MessagePlan): MessageFn {
  const subs: MessagePlan[] = [];
  const fps: FieldPlan[] = [];
  const subIndex = (p: MessagePlan): number => {
    let i = subs.indexOf(p);
    if (i < 0) {
      subs.push(p);
      messageFn(p);
      i = subs.length - 1;
    }
    return i;
  };
  const fpIndex = (fp: FieldPlan): number => {
    fps.push(fp);
    return fps.length - 1;
  };
  const readExpr = (k: number): string => {
    switch (k) {
      case K_STRING:
        return 'H.str(r, buf, end)';
      case K_INT32:
        return 'r.int32(end)';
      case K_INT64:
        return 'r.int64(end)';
      case K_BOOL:
        return 'r.bool(end)';
      case K_BYTES:
        return 'H.b64(r, buf, end)';
      default:
        return `H.scalar(ctx, ${k}, end)`;
    }
  };
  const missing = (fp: FieldPlan): string =>
    `throw r.fail(${JSON.stringify(`message type ${fp.f.message ?? '?'} of ${plan.m.name}.${fp.f.name} is not in the schema`)}, tagAt);`;

  const cases: string[] = [];
  for (const fp of plan.byNumber) {
    if (fp === undefined) continue;
    const v = fp.slot >= 0 ? `f${fp.slot}` : 'x';
    const tag = fp.f.number * 8 + fp.wireType;
    const name = JSON.stringify(fp.f.name);
    if (fp.k === K_MESSAGE) {
      if (fp.msg === undefined) {
        cases.push(`case ${tag}: ${missing(fp)}`);
        continue;
      }
      const s = subIndex(fp.msg);
      if (fp.repeated) {
        cases.push(
          `case ${tag}: { const e = r.lengthEnd(end); const a = (${v} ??= []); N[depth + 1] = ${name}; K[depth + 1] = a.length; ` +
            `a.push(S[${s}].fn(r, ctx, e, depth + 1, undefined, undefined)); if (r.pos !== e) H.overrun(r, e); ` +
            (isRaw(fp.msg) ? '{ const m = H.takeRaw(ctx); if (m !== undefined) H.markField(a, String(a.length - 1), m); } ' : '') +
            'break; }',
        );
      } else if (fp.p === P_INLINE && fp.msg.special !== S_NONE) {
        cases.push(
          `case ${tag}: { const e = r.lengthEnd(end); ${v} = S[${s}].fn(r, ctx, e, depth + 1, undefined, undefined); if (r.pos !== e) H.overrun(r, e); break; }`,
        );
      } else if (fp.p === P_INLINE) {
        cases.push(
          // an inline struct is read later, straight into this object (its range is kept: start, end)
          `case ${tag}: { const e = r.lengthEnd(end); ${v} = r.pos; ${v}e = e; r.pos = e; break; }`,
        );
      } else {
        cases.push(
          `case ${tag}: { const e = r.lengthEnd(end); N[depth + 1] = ${name}; K[depth + 1] = null; ${v} = S[${s}].fn(r, ctx, e, depth + 1, undefined, undefined); ` +
            `if (r.pos !== e) H.overrun(r, e); ${fp.slot >= 0 && isRaw(fp.msg) ? `${v}m = H.takeRaw(ctx); ` : ''}break; }`,
        );
      }
    } else if (fp.k === K_MAP) {
      cases.push(`case ${tag}: ${v} = H.map(ctx, FP[${fpIndex(fp)}], end, depth, ${v} ?? {}); break;`);
    } else if (fp.repeated) {
      cases.push(`case ${tag}: (${v} ??= []).push(${readExpr(fp.k)}); break;`);
      if (fp.wireType !== BYTES) {
        cases.push(`case ${fp.f.number * 8 + BYTES}: ${v} = H.packed(r, ctx, ${fp.k}, end, ${v} ?? []); break;`);
      }
    } else {
      cases.push(`case ${tag}: ${v} = ${readExpr(fp.k)}; break;`);
    }
  }

  const build: string[] = ['const o = target === undefined ? {} : target;'];
  const typeMeta = 'if (tm !== undefined) { if (tm.kind !== "") o.kind = tm.kind; if (tm.apiVersion !== "") o.apiVersion = tm.apiVersion; }';
  plan.fields.forEach((fp, i) => {
    if (i === plan.typeMetaAt) build.push(typeMeta);
    const f = fp.f;
    const v = `f${i}`;
    const key = `o[${JSON.stringify(f.name)}]`;
    switch (fp.p) {
      case P_SCALAR: {
        const zero = fp.k === K_STRING ? '""' : fp.k === K_BOOL ? 'false' : '0';
        // `omitzero` leaves out what `omitempty` does for scalars and pointers: the zero value, nil
        const omit = f.omitEmpty || f.omitZero === true;
        if (f.pointer) build.push(omit ? `if (${v} !== undefined) ${key} = ${v};` : `${key} = ${v} === undefined ? null : ${v};`);
        else if (omit) build.push(`if (${v} !== undefined && ${v} !== ${zero}) ${key} = ${v};`);
        else build.push(`${key} = ${v} === undefined ? ${zero} : ${v};`);
        break;
      }
      case P_NULLABLE:
        if (fp.k === K_MAP) build.push(f.omitEmpty || f.omitZero === true ? `if (${v} !== undefined) ${key} = H.sortMap(${v});` : `${key} = ${v} === undefined ? null : H.sortMap(${v});`);
        else if (fp.k === K_BYTES && !fp.repeated) build.push(f.omitEmpty ? `if (${v} !== undefined && ${v} !== "") ${key} = ${v};` : f.omitZero === true ? `if (${v} !== undefined) ${key} = ${v};` : `${key} = ${v} === undefined ? null : ${v};`);
        // `omitzero` on a slice leaves out only nil (an empty slice is not zero)
        else build.push(f.omitEmpty ? `if (${v} !== undefined && ${v} !== null && ${v}.length !== 0) ${key} = ${v};` : f.omitZero === true ? `if (${v} !== undefined && ${v} !== null) ${key} = ${v};` : `${key} = ${v} === undefined ? null : ${v};`);
        break;
      case P_MESSAGE:
        if (f.pointer) build.push(f.omitEmpty || f.omitZero === true ? `if (${v} !== undefined) ${key} = ${v};` : `${key} = ${v} === undefined ? null : ${v};`);
        else if (fp.msg === undefined) build.push(`${key} = ${v} === undefined ? {} : ${v};`);
        else if (f.omitZero === true && (fp.msg.special === S_TIME || fp.msg.special === S_MICROTIME)) {
          // `omitzero` (Kubernetes 1.36's creationTimestamp): Go leaves out a zero time, which prints null
          build.push(`if (${v} !== undefined && ${v} !== null) ${key} = ${v};`);
        } else build.push(`${key} = ${v} === undefined ? H.zero(S[${subIndex(fp.msg)}], r, ctx, depth) : ${v};`);
        // a bare number or string of embedded JSON keeps its stored text on this object
        if (isRaw(fp.msg)) build.push(`if (${v}m !== undefined && ${key} === ${v}) H.markField(o, ${JSON.stringify(f.name)}, ${v}m);`);
        break;
      default:
        if (fp.msg === undefined) break;
        if (fp.msg.special !== S_NONE) {
          build.push(`H.assign(o, ${v} === undefined ? H.zero(S[${subIndex(fp.msg)}], r, ctx, depth) : ${v});`);
        } else {
          build.push(
            `{ const save = r.pos; if (${v} !== undefined) { r.pos = ${v}; } else { ${v}e = r.pos; } N[depth + 1] = null; K[depth + 1] = null; ` +
              `S[${subIndex(fp.msg)}].fn(r, ctx, ${v}e, depth + 1, undefined, o); if (r.pos !== ${v}e) H.overrun(r, ${v}e); r.pos = save; }`,
          );
        }
    }
  });
  if (plan.typeMetaAt >= plan.fields.length) build.push(typeMeta);
  build.push('return o;');

  const locals = plan.fields.map((_, i) => `f${i}`);
  plan.fields.forEach((fp, i) => {
    if (fp.p === P_INLINE) locals.push(`f${i}e`);
    if (fp.p === P_MESSAGE && isRaw(fp.msg)) locals.push(`f${i}m`);
  });
  locals.push('x');
  const body = [
    `// ${plan.m.name}`,
    'return function decodeMessage(r, ctx, end, depth, tm, target) {',
    '  if (depth > MAX_DEPTH) H.tooDeep(r);',
    '  const buf = r.buf;',
    '  const N = ctx.names;',
    '  const K = ctx.keys;',
    `  let ${locals.join(', ')};`,
    '  while (r.pos < end) {',
    '    const tagAt = r.pos;',
    '    let tag = buf[tagAt];',
    '    if (tag < 128) r.pos = tagAt + 1; else tag = r.uint32(end);',
    '    switch (tag) {',
    ...cases.map((c) => `      ${c}`),
    ...(plan.skip ?? []).flatMap((n) => [VARINT, FIXED64, BYTES, FIXED32].map((wt) => `      case ${n * 8 + wt}: r.skip(${wt}, end, ${n}); break;`)),
    '      default: H.other(r, ctx, PLAN, tag, tagAt, end, depth);',
    '    }',
    '  }',
    '  if (r.pos !== end) throw r.fail(`field ran past the end of its message (ends at ${r.base + end})`);',
    '  void x;',
    ...build.map((b) => `  ${b}`),
    '};',
  ].join('\n');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function('H', 'S', 'FP', 'PLAN', 'MAX_DEPTH', body) as (
    h: typeof H,
    s: MessagePlan[],
    fp: FieldPlan[],
    plan: MessagePlan,
    maxDepth: number,
  ) => MessageFn;
  return factory(H, subs, fps, plan, MAX_DEPTH);
}

function readMapEntry(ctx: Ctx, fp: FieldPlan, obj: Record<string, unknown>, end: number, depth: number): void {
  const r = ctx.r;
  const e = r.lengthEnd(end);
  let key: unknown;
  let value: unknown;
  while (r.pos < e) {
    const tagAt = r.pos;
    const tag = r.uint32(e);
    const num = tag >>> 3;
    const wt = tag & 7;
    if (num === 1) {
      if (wt !== wireTypeOf(fp.mapKeyK)) throw r.fail(`map key of ${fp.f.name} expects ${wireName(wireTypeOf(fp.mapKeyK))}, found ${wireName(wt)}`, tagAt);
      if (fp.mapKeyK === K_STRING) {
        key = H.str(r, ctx.buf, e);
      } else key = readScalar(ctx, fp.mapKeyK, e);
    } else if (num === 2) {
      if (wt !== wireTypeOf(fp.mapValueK)) throw r.fail(`map value of ${fp.f.name} expects ${wireName(wireTypeOf(fp.mapValueK))}, found ${wireName(wt)}`, tagAt);
      if (fp.mapValueK === K_MESSAGE) {
        const ve = r.lengthEnd(e);
        const sub = fp.mapValueMsg;
        if (sub === undefined) throw r.fail(`message type ${fp.f.mapValueMessage ?? '?'} of map ${fp.f.name} is not in the schema`, tagAt);
        ctx.names[depth + 1] = fp.f.name;
        ctx.keys[depth + 1] = String(key ?? '');
        value = messageFn(sub)(r, ctx, ve, depth + 1, undefined, undefined);
        if (r.pos !== ve) throw r.fail(`message ended at ${r.base + r.pos}, expected ${r.base + ve}`);
      } else {
        value = fp.mapValueK === K_STRING ? H.str(r, ctx.buf, e) : readScalar(ctx, fp.mapValueK, e);
      }
    } else {
      if (num === 0) throw r.fail(`invalid field number 0 in a map entry of ${fp.f.name}`, tagAt);
      readUnknown(ctx, num, wt, e, depth, fp.f.name);
    }
  }
  if (r.pos !== e) throw r.fail(`map entry ran past its end (${r.base + e})`);
  if (value === undefined) {
    if (fp.mapValueK === K_MESSAGE) {
      const sub = fp.mapValueMsg;
      value = sub === undefined ? null : sub.special === S_LISTWRAPPER ? [] : H.zero(sub, r, ctx, depth);
    } else if (fp.mapValueK === K_BYTES) value = '';
    else value = zeroScalar(fp.mapValueK);
  }
  setKey(obj, key === undefined ? '' : String(key), value);
}

/** What the top-level object prints where TypeMeta sits. */
interface TypeMetaOut {
  kind: string;
  apiVersion: string;
}

/**
 * A map's keys in Go's order: by their bytes. utf8ByteCompare gives that order for decoded keys too,
 * invalid bytes included (decodeGoString keeps each as U+DC80..U+DCFF, which it compares as the byte).
 */
function sortedMap(obj: Record<string, unknown>): Record<string, unknown> {
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

const ZERO_TIME_SECONDS = -62135596800;
/**
 * Embedded JSON text that re-printing its parsed value might change (escapes, number forms, integer-like
 * keys that JavaScript reorders); other text prints back identically once compacted.
 */
const MAY_REPRINT_DIFFERENTLY = /\\[u/]|[0-9][.eE]|-0|"[0-9]+"\s*:/;
/** Canonical Quantities by their stored text: a cluster uses few distinct ones (`100m`, `1Gi`). */
const QUANTITY_CACHE = new Map<string, string>();
/** `YYYY-MM-DDT` by day since 1970: a cluster's timestamps fall on few distinct days. */
const DAY_PREFIX_CACHE = new Map<number, string>();
/** `HH:MM:SSZ` by second of the day, made on first use (one string each, shared by every Time printed). */
const TIME_OF_DAY: (string | undefined)[] = new Array<string | undefined>(86400);
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
/** Unix seconds of 10000-01-01T00:00:00Z: below it (and from 1970), the fast path of {@link timeText} applies. */
const YEAR_10000_SECONDS = 253402300800;

/**
 * How Kubernetes prints a metav1.Time of these Unix seconds (null for Go's zero time). Times from 1970 to
 * 9999 are built from their day's cached date and the time of day; others by formatTime's calendar.
 */
function timeText(seconds: number | bigint): string | null {
  if (seconds === ZERO_TIME_SECONDS) return null;
  if (typeof seconds !== 'number' || !(seconds >= 0 && seconds < YEAR_10000_SECONDS) || !Number.isInteger(seconds)) return formatTime(seconds, 0);
  const day = Math.floor(seconds / 86400);
  let prefix = DAY_PREFIX_CACHE.get(day);
  if (prefix === undefined) {
    if (DAY_PREFIX_CACHE.size >= 4096) DAY_PREFIX_CACHE.clear();
    prefix = formatTime(day * 86400, 0).slice(0, 11);
    DAY_PREFIX_CACHE.set(day, prefix);
  }
  const s = seconds - day * 86400;
  let time = TIME_OF_DAY[s];
  if (time === undefined) {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s - h * 3600) / 60);
    TIME_OF_DAY[s] = time = `${pad2(h)}:${pad2(m)}:${pad2(s - h * 3600 - m * 60)}Z`;
  }
  // one concatenation of two shared strings: a small node, not a chain of seven pieces kept per object
  return prefix + time;
}

/**
 * Reads a metav1.Time: the usual seconds (field 1) and nanos (field 2) directly; anything else (unknown
 * fields, wrong wire types) goes through {@link readSpecial} from the start of the message.
 */
function readTime(ctx: Ctx, plan: MessagePlan, end: number, depth: number): unknown {
  const r = ctx.r;
  const buf = ctx.buf;
  const start = r.pos;
  let seconds: number | bigint = 0;
  while (r.pos < end) {
    const tag = buf[r.pos];
    if (tag === 0x08) {
      r.pos++;
      seconds = r.int64(end);
    } else if (tag === 0x10) {
      r.pos++;
      r.int32(end); // nanos: metav1.Time prints whole seconds
    } else {
      r.pos = start;
      return readSpecial(ctx, plan, end, depth);
    }
  }
  return end === start ? null : timeText(seconds);
}

/** Whether a message is embedded JSON (RawExtension, FieldsV1). */
function isRaw(plan: MessagePlan | undefined): boolean {
  return plan !== undefined && (plan.special === S_RAWEXTENSION || plan.special === S_FIELDSV1);
}

/** Reads the message of a type with custom JSON. */
function readSpecial(ctx: Ctx, plan: MessagePlan, end: number, depth: number): unknown {
  const r = ctx.r;
  const start = r.pos;
  let seconds: number | bigint = 0;
  let nanos = 0;
  let i64: number | bigint = 0;
  let i32 = 0;
  let str: string | undefined;
  let rawStart = -1;
  let rawEnd = -1;
  let items: unknown[] | undefined;
  const special = plan.special;
  while (r.pos < end) {
    const tagAt = r.pos;
    const tag = r.uint32(end);
    const num = tag >>> 3;
    const wt = tag & 7;
    if (num === 0) throw r.fail(`invalid field number 0 in ${plan.m.name}`, tagAt);
    const fp = plan.byNumber[num];
    if (fp === undefined) {
      readUnknown(ctx, num, wt, end, depth);
      continue;
    }
    if (special === S_LISTWRAPPER) {
      items ??= [];
      if (wt === fp.wireType) {
        if (fp.k === K_MESSAGE && fp.msg !== undefined) {
          const e = r.lengthEnd(end);
          items.push(readMessage(ctx, fp.msg, e, depth + 1));
        } else items.push(readScalar(ctx, fp.k, end));
      } else if (wt === BYTES) {
        const e = r.lengthEnd(end);
        while (r.pos < e) items.push(readScalar(ctx, fp.k, e));
      } else throw r.fail(`field ${plan.m.name}.${fp.f.name} expects ${wireName(fp.wireType)}, found ${wireName(wt)}`, tagAt);
      continue;
    }
    if (wt !== fp.wireType) throw r.fail(`field ${plan.m.name}.${fp.f.name} (${num}) expects ${wireName(fp.wireType)}, found ${wireName(wt)}`, tagAt);
    switch (special) {
      case S_TIME:
      case S_MICROTIME:
        if (num === 1) seconds = r.int64(end);
        else if (num === 2) nanos = r.int32(end);
        else r.skip(wt, end, num);
        break;
      case S_DURATION:
        if (num === 1) i64 = r.int64(end);
        else r.skip(wt, end, num);
        break;
      case S_INTORSTRING:
        if (num === 1) i64 = r.int64(end);
        else if (num === 2) i32 = r.int32(end);
        else if (num === 3) str = readScalar(ctx, K_STRING, end) as string;
        else r.skip(wt, end, num);
        break;
      case S_QUANTITY:
        if (num === 1) {
          const at = r.pos;
          str = H.str(r, ctx.buf, end);
          let canonical = QUANTITY_CACHE.get(str);
          if (canonical === undefined) {
            try {
              canonical = canonicalQuantity(str);
            } catch (e) {
              throw r.fail(`invalid quantity ${JSON.stringify(str)} (${(e as Error).message})`, at);
            }
            if (QUANTITY_CACHE.size >= 4096) QUANTITY_CACHE.clear();
            QUANTITY_CACHE.set(str, canonical);
          }
          str = canonical;
        } else r.skip(wt, end, num);
        break;
      case S_FIELDSV1:
      case S_RAWEXTENSION:
        if (num === 1) {
          const e = r.lengthEnd(end);
          rawStart = r.pos;
          rawEnd = e;
          r.pos = e;
        } else r.skip(wt, end, num);
        break;
      default:
        r.skip(wt, end, num);
    }
  }
  if (r.pos !== end) throw r.fail(`field ran past the end of its message (ends at ${r.base + end})`);
  switch (special) {
    case S_TIME:
      return end === start ? null : timeText(seconds);
    case S_MICROTIME: {
      if (end === start) return null;
      if (nanos < 0 || nanos >= 1e9) {
        const carry = Math.floor(nanos / 1e9);
        nanos -= carry * 1e9;
        seconds = typeof seconds === 'bigint' ? seconds + BigInt(carry) : seconds + carry;
      }
      if (seconds === ZERO_TIME_SECONDS && nanos === 0) return null;
      return formatMicroTime(seconds, nanos);
    }
    case S_DURATION:
      return formatGoDuration(BigInt(i64));
    case S_INTORSTRING:
      if (i64 === 0) return i32;
      if (i64 === 1) return str ?? '';
      throw r.fail(`IntOrString type ${String(i64)} is neither 0 (int) nor 1 (string)`, start);
    case S_QUANTITY:
      return str ?? '0';
    case S_FIELDSV1:
    case S_RAWEXTENSION: {
      if (rawStart < 0) return null;
      const text = decodeGoString(ctx.buf, rawStart, rawEnd);
      ctx.rawField = undefined;
      try {
        const value = parseKubeJson(text);
        if (value !== null && MAY_REPRINT_DIFFERENTLY.test(text)) {
          // keep the stored text where re-printing the parsed value would not give it back: on the
          // value itself, or (a bare number or string) for the reading field to put on its parent
          const compact = compactJson(text, { escapeHtml: true });
          const printed = toKubeJson(value);
          if (printed !== compact) {
            if (typeof value === 'object') markRawJson(value, compact, printed);
            else ctx.rawField = { text: compact, printed };
          }
        }
        return value;
      } catch (e) {
        // Go cannot print such an object at all (kube-apiserver fails to serve it). Rather than lose the
        // whole object: the field reads null, its bytes stay visible in unknownFields, and the error says why.
        const path = pathText(ctx, depth);
        const what = special === S_FIELDSV1 ? 'FieldsV1' : 'RawExtension';
        ctx.unknown.push({ path, number: 1, wireType: 2, value: isPrintableUtf8(ctx.buf, rawStart, rawEnd) ?? hexOf(ctx.buf, rawStart, rawEnd) });
        ctx.partial ??= new DecodeError(
          `${path || 'The object'}: the ${what} at byte ${r.base + rawStart} does not hold valid JSON (${(e as Error).message}). ` +
            'Kubernetes could not print this object either; kubetcd shows the field as null and keeps its bytes in unknownFields.',
          r.base + rawStart,
          { path },
        );
        return null;
      }
    }
    case S_LISTWRAPPER:
      return items ?? [];
    default:
      return null;
  }
}

/** A decoder bound to one schema. */
export interface ProtobufDecoder {
  /** Decodes an object's own protobuf (`raw`) in [start, end) of `buf` as the message `messageName`. */
  decodeObject(
    buf: Uint8Array,
    start: number,
    end: number,
    base: number,
    messageName: string,
    typeMeta: { kind: string; apiVersion: string } | undefined,
  ): { object?: KubeObject; error?: DecodeError; unknownFields?: UnknownField[] };
  /** {@link ProtobufDecoder.decodeObject} with a plan of its own (such as a {@link restrictPlan}). */
  decodeWithPlan(
    buf: Uint8Array,
    start: number,
    end: number,
    base: number,
    plan: MessagePlan,
    typeMeta: { kind: string; apiVersion: string } | undefined,
  ): { object?: KubeObject; error?: DecodeError; unknownFields?: UnknownField[] };
  /** The message of a kind, or undefined. */
  messageFor(apiVersion: string, kind: string): string | undefined;
  /** The message of a kind and the Kubernetes version whose schema has it, or undefined. */
  kindFor(apiVersion: string, kind: string): KindLookup | undefined;
  plans: PlanCache;
}

/** What {@link ProtobufDecoder.kindFor} finds. */
export interface KindLookup {
  message: string;
  /** `SchemaSource.version` of the source the message comes from (undefined in a hand-made schema). */
  schemaVersion: string | undefined;
}

/**
 * Creates a protobuf decoder for a schema.
 * @example
 * const d = createProtobufDecoder(loadSchema());
 * d.messageFor('apps/v1', 'Deployment') // 'k8s.io.api.apps.v1.Deployment'
 */
export function createProtobufDecoder(schema: CompiledSchema): ProtobufDecoder {
  const plans = new PlanCache(schema);
  const newest = schema.sources?.[0]?.version;
  // the last lookup, as values of one resource come in runs
  let lastVersion = '';
  let lastKind = '';
  let lastFound: KindLookup | undefined;
  const kindFor = (apiVersion: string, kind: string): KindLookup | undefined => {
    if (apiVersion === lastVersion && kind === lastKind && lastFound !== undefined) return lastFound;
    const found = lookup(apiVersion, kind);
    lastVersion = apiVersion;
    lastKind = kind;
    lastFound = found;
    return found;
  };
  const lookup = (apiVersion: string, kind: string): KindLookup | undefined => {
    const k = schema.kinds[`${apiVersion}/${kind}`];
    if (k !== undefined) return { message: k.message, schemaVersion: k.schemaVersion };
    // meta/v1 types registered into every group version (WatchEvent, Status, DeleteOptions…): the newest's
    const meta = `k8s.io.apimachinery.pkg.apis.meta.v1.${kind}`;
    if (kind !== '' && schema.messages[meta] !== undefined) return { message: meta, schemaVersion: newest };
    return undefined;
  };
  return {
    plans,
    kindFor,
    messageFor: (apiVersion, kind) => kindFor(apiVersion, kind)?.message,
    decodeObject(buf, start, end, base, messageName, typeMeta) {
      const plan = plans.get(messageName);
      if (plan === undefined) {
        return { error: new DecodeError(`Cannot decode ${messageName}: the schema has no such message.`, base + start) };
      }
      return this.decodeWithPlan(buf, start, end, base, plan, typeMeta);
    },
    decodeWithPlan(buf, start, end, base, plan, typeMeta) {
      const messageName = plan.m.name;
      const view = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
      const ctx: Ctx = { r: new WireReader(view, start, base), buf: view, unknown: [], names: [], keys: [], rawField: undefined, partial: undefined };
      try {
        const object = readMessage(ctx, plan, end, 0, typeMeta) as KubeObject;
        const out: { object?: KubeObject; error?: DecodeError; unknownFields?: UnknownField[] } = { object };
        if (ctx.unknown.length > 0) out.unknownFields = ctx.unknown;
        if (ctx.partial !== undefined) out.error = ctx.partial;
        return out;
      } catch (e) {
        const error =
          e instanceof DecodeError
            ? e
            : new DecodeError(`Cannot decode ${messageName} at byte ${base + ctx.r.pos}: ${(e as Error).message}.`, base + ctx.r.pos);
        const out: { error: DecodeError; unknownFields?: UnknownField[] } = { error };
        if (ctx.unknown.length > 0) out.unknownFields = ctx.unknown;
        return out;
      }
    },
  };
}

interface Envelope {
  apiVersion: string;
  kind: string;
  rawStart: number;
  rawEnd: number;
  contentEncoding: string;
  contentType: string;
}

/**
 * Reads runtime.Unknown {typeMeta=1 {apiVersion=1, kind=2}, raw=2, contentEncoding=3, contentType=4}
 * from `buf[start, end)` (positions index `buf`; error offsets add `base`).
 */
function readEnvelope(buf: Buffer, start: number, end: number, base: number): Envelope {
  const r = new WireReader(buf, start, base);
  const env: Envelope = { apiVersion: '', kind: '', rawStart: -1, rawEnd: -1, contentEncoding: '', contentType: '' };

  while (r.pos < end) {
    const tagAt = r.pos;
    const tag = r.uint32(end);
    const num = tag >>> 3;
    const wt = tag & 7;
    if (num >= 1 && num <= 4 && wt !== BYTES) {
      throw r.fail(`runtime.Unknown field ${num} expects ${wireName(BYTES)}, found ${wireName(wt)}`, tagAt);
    }
    if (num === 1) {
      const e = r.lengthEnd(end);
      while (r.pos < e) {
        const at = r.pos;
        const t = r.uint32(e);
        const n = t >>> 3;
        if ((n === 1 || n === 2) && (t & 7) !== BYTES) throw r.fail(`runtime.TypeMeta field ${n} expects a string`, at);
        if (n === 1) env.apiVersion = H.str(r, buf, e);
        else if (n === 2) env.kind = H.str(r, buf, e);
        else if (n === 0) throw r.fail('invalid field number 0 in runtime.TypeMeta', at);
        else r.skip(t & 7, e, n);
      }
    } else if (num === 2) {
      const e = r.lengthEnd(end);
      env.rawStart = r.pos;
      env.rawEnd = e;
      r.pos = e;
    } else if (num === 3) {
      env.contentEncoding = H.str(r, buf, end);
    } else if (num === 4) {
      env.contentType = H.str(r, buf, end);
    } else if (num === 0) {
      throw r.fail(`invalid field number 0 in runtime.Unknown (tag ${tag})`, tagAt);
    } else {
      r.skip(wt, end, num);
    }
  }
  return env;
}

/**
 * Decodes a stored value with a given decoder (see `decode` in index.ts for the public entry point).
 * Never throws on bad data.
 * @example
 * decodeValue(createProtobufDecoder(loadSchema()), bytes).object
 */
export function decodeValue(
  decoderOrGetter: ProtobufDecoder | (() => ProtobufDecoder),
  value: Uint8Array,
  options: DecodeOptions = {},
): Decoded {
  // The schema is only needed for protobuf: JSON, CBOR, encrypted and raw values decode without it.
  const getDecoder = (): ProtobufDecoder => (typeof decoderOrGetter === 'function' ? decoderOrGetter() : decoderOrGetter);
  if (!(value instanceof Uint8Array)) {
    const what = value === null ? 'null' : typeof value;
    return {
      encoding: 'raw',
      valueBytes: 0,
      error: new DecodeError(`Cannot decode a value of type ${what}: expected a Uint8Array (or Buffer) of the stored bytes.`, 0),
    };
  }
  const result: Decoded = { encoding: 'raw', valueBytes: value.length };
  if (options.bare) {
    result.encoding = 'protobuf';
    decodeBareProtobuf(getDecoder(), value, 0, options.apiVersion ?? '', options.kind ?? '', result);
    return result;
  }
  // The common case first: a `k8s\0` value, read in place (no sniffing, no copies).
  if (value.length >= 4 && value[0] === 0x6b && value[1] === 0x38 && value[2] === 0x73 && value[3] === 0x00) {
    const buf = asBuffer(value);
    result.encoding = 'protobuf';
    let end = value.length;
    if (value[end - 1] === 0x0a && walksAsFields(buf, 4, end - 1)) {
      // the `\n` etcdctl prints after a value (see sniffValue)
      end--;
      result.stripped = { trailingNewline: true };
    }
    decodeProtobufValue(getDecoder, buf, 4, end, 0, options, result);
    return result;
  }
  let sniffed;
  try {
    sniffed = sniffValue(value);
  } catch (e) {
    result.error = e instanceof DecodeError ? e : new DecodeError(`Cannot read the value: ${(e as Error).message}.`, 0);
    return result;
  }
  result.encoding = sniffed.encoding;
  if (sniffed.stripped !== undefined) result.stripped = sniffed.stripped;
  const body = sniffed.body;
  const base = sniffed.bodyOffset;
  switch (sniffed.encoding) {
    case 'protobuf':
      decodeProtobufValue(getDecoder, asBuffer(body), 0, body.length, base, options, result);
      return result;
    case 'json': {
      try {
        const text = decodeGoString(body, 0, body.length);
        const obj = parseKubeJson(text);
        if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
          result.error = new DecodeError('The JSON value is not an object.', base);
          return result;
        }
        result.object = obj as KubeObject;
        takeTypeMeta(result);
      } catch (e) {
        const off = (e as { details?: { offset?: number } }).details?.offset ?? 0;
        result.error = new DecodeError(`Cannot decode the JSON value: ${(e as Error).message}`, base + off);
      }
      return result;
    }
    case 'cbor': {
      try {
        const obj = decodeCbor(body, 0);
        if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
          result.error = new DecodeError('The CBOR value is not a map.', base);
          return result;
        }
        result.object = obj as KubeObject;
        takeTypeMeta(result);
      } catch (e) {
        result.error = e instanceof DecodeError ? e : new DecodeError(`Cannot decode the CBOR value: ${(e as Error).message}`, base);
      }
      return result;
    }
    case 'encrypted':
      if (sniffed.encryption !== undefined) result.encryption = sniffed.encryption;
      if (options.decryption !== undefined) {
        // encrypted values are never trimmed: the value runs from the prefix to the end
        const full = value.subarray(value.length - base - body.length);
        return decryptAndDecode(full, sniffed, options, result, (plain, rest) => decodeValue(decoderOrGetter, plain, rest));
      }
      return result;
    default:
      if (sniffed.preview !== undefined) result.preview = sniffed.preview;
      return result;
  }
}

/** A Buffer over the same bytes (Buffers have native string slicing). */
function asBuffer(value: Uint8Array): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** Decodes the runtime.Unknown in `buf[start, end)` (error offsets add `base`) into `result`. */
function decodeProtobufValue(
  getDecoder: () => ProtobufDecoder,
  buf: Buffer,
  start: number,
  end: number,
  base: number,
  options: DecodeOptions,
  result: Decoded,
): void {
  let env: Envelope;
  try {
    env = readEnvelope(buf, start, end, base);
  } catch (e) {
    result.error = e instanceof DecodeError ? e : new DecodeError(`Cannot decode the protobuf envelope: ${String(e)}.`, base + start);
    return;
  }
  const named = env.apiVersion !== '' || env.kind !== '';
  const apiVersion = named ? env.apiVersion : (options.apiVersion ?? '');
  const kind = named ? env.kind : (options.kind ?? '');
  if (apiVersion !== '') result.apiVersion = apiVersion;
  if (kind !== '') result.kind = kind;
  if (env.contentEncoding !== '') {
    result.error = new DecodeError(
      `Cannot decode ${apiVersion}/${kind}: content encoding ${JSON.stringify(env.contentEncoding)} is not supported (only none).`,
      base + start,
    );
    return;
  }
  if (env.rawStart < 0) {
    env.rawStart = end;
    env.rawEnd = end;
  }
  if (apiVersion === '' && kind === '') {
    result.protoFields = dumpProtoFields(buf, env.rawStart, env.rawEnd);
    result.error = new DecodeError(
      `The protobuf envelope (runtime.Unknown, ${end - start} bytes) names no apiVersion or kind, so the object's type is unknown. ` +
        'If the value is complete, pass { apiVersion, kind } to decode it.',
      base + start,
    );
    return;
  }
  const decoder = getDecoder();
  const found = decoder.kindFor(apiVersion, kind);
  if (found === undefined) {
    // metadata decoded, the rest schema-less, the error says newer or removed (unknown-kind.ts)
    Object.assign(result, decodeUnknownKind(decoder, buf, env.rawStart, env.rawEnd, base, apiVersion, kind));
    return;
  }
  if (found.schemaVersion !== undefined) result.schemaVersion = found.schemaVersion;
  const out = decoder.decodeObject(buf, env.rawStart, env.rawEnd, base, found.message, { kind, apiVersion });
  if (out.object !== undefined) result.object = out.object;
  if (out.unknownFields !== undefined) result.unknownFields = out.unknownFields;
  if (out.error !== undefined) {
    result.error = new DecodeError(`Cannot decode ${apiVersion}/${kind}: ${out.error.message}`, out.error.offset);
  }
}

function takeTypeMeta(result: Decoded): void {
  const o = result.object as KubeObject;
  if (typeof o['apiVersion'] === 'string') result.apiVersion = o['apiVersion'];
  if (typeof o['kind'] === 'string') result.kind = o['kind'];
}

function decodeBareProtobuf(decoder: ProtobufDecoder, value: Uint8Array, base: number, apiVersion: string, kind: string, result: Decoded): void {
  if (apiVersion !== '') result.apiVersion = apiVersion;
  if (kind !== '') result.kind = kind;
  const found = decoder.kindFor(apiVersion, kind);
  if (found === undefined) {
    result.protoFields = dumpProtoFields(value, 0, value.length);
    result.error = new DecodeError(
      `Unknown kind ${JSON.stringify(kind)} of ${JSON.stringify(apiVersion)}: pass { apiVersion, kind } of a kind the schema knows to decode a bare protobuf message.`,
      base,
    );
    return;
  }
  if (found.schemaVersion !== undefined) result.schemaVersion = found.schemaVersion;
  const out = decoder.decodeObject(value, 0, value.length, base, found.message, { kind, apiVersion });
  if (out.object !== undefined) result.object = out.object;
  if (out.unknownFields !== undefined) result.unknownFields = out.unknownFields;
  if (out.error !== undefined) result.error = out.error;
}
