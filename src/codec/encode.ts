/**
 * Encoding of Kubernetes objects (plain data as `kubectl get -o json` prints it) into the bytes
 * kube-apiserver stores: `k8s\0` + runtime.Unknown, with the object's protobuf written by gogo
 * protobuf's rules (fields in number order; non-pointer scalars and structs always written; pointers,
 * slices, maps and `[]byte` only when non-nil; repeated scalars unpacked; map entries sorted by key).
 *
 * Written as protobuf-es writes `to-binary.ts`: a {@link WireWriter} and free functions, one per shape
 * ({@link writeMessage}, {@link writeField}, {@link writeMapField}, {@link writeRepeatedField},
 * {@link writeSpecial}, {@link writeScalar}).
 */
import { EncodeError } from '../errors';
import { BYTES, FIXED32, FIXED64, VARINT } from '../util/wire-reader';
import {
  PlanCache,
  SPECIAL_LISTWRAPPER,
  SPECIAL_NONE,
  isEmbeddedJson,
  type FieldPlan,
  type MessagePlan,
} from './decode-plan';
import { parseGoDuration } from './go-duration';
import { toKubeJson } from './go-json';
import { encodeUtf8, utf8ByteCompare } from './go-utf8';
import { isGoZeroTime, parseKubeTime } from './kube-time';
import { canonicalQuantity } from './quantity';
import { copyRawJsonFieldMarks, rawJsonFieldMark, rawJsonMark } from './raw-json';
import type { CompiledSchema, SchemaField } from './schema-types';
import type { KubeObject } from './types';
import { WireWriter } from './wire-writer';

/** Options of `encode`. */
export interface EncodeOptions {
  /** apiVersion and kind to encode as when the object has none (kinds without TypeMeta, like WatchEvent). */
  apiVersion?: string;
  kind?: string;
  /** Write only the object's own protobuf (runtime.Unknown's `raw`), without the `k8s\0` envelope. */
  bare?: boolean;
}

const MAGIC = new Uint8Array([0x6b, 0x38, 0x73, 0x00]);
const MAX_DEPTH = 100;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const UINT32_MAX = 4294967295;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

interface EncodePlan {
  /** Fields in field-number order. */
  ordered: FieldPlan[];
  /** JSON names accepted in an object of this message (inline fields' names included). */
  names: Set<string>;
}

/** An encoder bound to one schema. */
export interface ProtobufEncoder {
  encode(object: KubeObject, options?: EncodeOptions): Uint8Array;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function pathJoin(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

/**
 * Creates an encoder for a schema.
 * @example
 * const enc = createProtobufEncoder(loadSchema());
 * enc.encode({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } })
 */
export function createProtobufEncoder(
  schema: CompiledSchema,
  plans: PlanCache = new PlanCache(schema),
): ProtobufEncoder {
  return { encode: (object, options = {}) => encodeObject(schema, plans, object, options) };
}

/** Encodes one object of a kind `schema` knows: the envelope around the object's own protobuf. */
function encodeObject(
  schema: CompiledSchema,
  plans: PlanCache,
  object: KubeObject,
  options: EncodeOptions,
): Uint8Array {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    throw new EncodeError(`Cannot encode ${describe(object)}: expected an object with apiVersion and kind.`, {});
  }
  const apiVersion = typeof object['apiVersion'] === 'string' ? object['apiVersion'] : '';
  const kind = typeof object['kind'] === 'string' ? object['kind'] : '';
  const lookupVersion = apiVersion !== '' || kind !== '' ? apiVersion : (options.apiVersion ?? '');
  const lookupKind = apiVersion !== '' || kind !== '' ? kind : (options.kind ?? '');
  let messageName = schema.kinds[`${lookupVersion}/${lookupKind}`]?.message;
  if (
    messageName === undefined &&
    lookupKind !== '' &&
    schema.messages[`k8s.io.apimachinery.pkg.apis.meta.v1.${lookupKind}`] !== undefined
  ) {
    messageName = `k8s.io.apimachinery.pkg.apis.meta.v1.${lookupKind}`;
  }
  if (messageName === undefined) {
    throw new EncodeError(
      `Cannot encode kind ${JSON.stringify(lookupKind)} of ${JSON.stringify(lookupVersion)}: the schema (${schema.source.description}) does not know it. ` +
        'Check apiVersion and kind, or pass { apiVersion, kind } for objects without them.',
      { apiVersion: lookupVersion, kind: lookupKind },
    );
  }
  const plan = plans.get(messageName) as MessagePlan;
  const body = new WireWriter();
  const top = { ...object };
  copyRawJsonFieldMarks(object, top);
  if (plan.typeMetaAt < 0) {
    // kinds without TypeMeta (WatchEvent) still get apiVersion/kind in the envelope only
    delete top['apiVersion'];
    delete top['kind'];
  }
  writeMessage(body, plan, top, '', 0);
  const raw = body.finish();
  if (options.bare) return raw;
  return wrapEnvelope(apiVersion, kind, raw);
}

/** Encoding plans by decoding plan (each schema's PlanCache makes its own plans, so one table serves all). */
const encodePlans = new WeakMap<MessagePlan, EncodePlan>();

/** The fields of `plan` in number order and the JSON names its objects may hold (made once). */
function encodePlanOf(plan: MessagePlan): EncodePlan {
  let ep = encodePlans.get(plan);
  if (ep !== undefined) return ep;
  const ordered = [...plan.fields].sort((a, b) => a.f.number - b.f.number);
  const names = new Set<string>();
  ep = { ordered, names };
  encodePlans.set(plan, ep);
  if (plan.typeMetaAt >= 0) {
    names.add('kind');
    names.add('apiVersion');
  }
  for (const fp of plan.fields) {
    if (fp.f.inline && fp.msg !== undefined) {
      for (const n of encodePlanOf(fp.msg).names) names.add(n);
    } else names.add(fp.f.name);
  }
  return ep;
}

function fail(path: string, what: string): never {
  throw new EncodeError(`Cannot encode ${path === '' ? 'the object' : path}: ${what}.`, { path });
}

/** Writes the body of a message from its JSON value (fields it does not have fail, naming the ones it has). */
function writeMessage(w: WireWriter, plan: MessagePlan, v: unknown, path: string, depth: number): void {
  if (depth > MAX_DEPTH) fail(path, `nested deeper than ${MAX_DEPTH} levels`);
  if (plan.special !== SPECIAL_NONE) {
    writeSpecial(w, plan, v, path, depth);
    return;
  }
  if (v !== null && v !== undefined && (typeof v !== 'object' || Array.isArray(v))) {
    fail(path, `expected an object (${plan.m.name}), found ${describe(v)}`);
  }
  const obj = (v ?? {}) as Record<string, unknown>;
  const ep = encodePlanOf(plan);
  if (depth >= 0) {
    for (const k of Object.keys(obj)) {
      if (!ep.names.has(k)) {
        fail(
          pathJoin(path, k),
          `${plan.m.name} has no field ${JSON.stringify(k)} (fields: ${[...ep.names].join(', ')})`,
        );
      }
    }
  }
  for (const fp of ep.ordered) writeField(w, fp, obj, path, depth);
}

/** Writes the fields of an inline struct, which live in the parent's object (its names were checked there). */
function writeInlineFields(
  w: WireWriter,
  plan: MessagePlan,
  obj: Record<string, unknown>,
  path: string,
  depth: number,
): void {
  if (depth > MAX_DEPTH) fail(path, `nested deeper than ${MAX_DEPTH} levels`);
  for (const fp of encodePlanOf(plan).ordered) writeField(w, fp, obj, path, depth);
}

/** Writes one field of `obj` by gogo protobuf's rules (see the file's header). */
function writeField(w: WireWriter, fp: FieldPlan, obj: Record<string, unknown>, path: string, depth: number): void {
  const f = fp.f;
  const num = f.number;
  if (f.inline) {
    if (fp.msg === undefined) fail(path, `inline message ${f.message ?? '?'} is not in the schema`);
    w.tag(num, BYTES);
    w.begin();
    writeInlineFields(w, fp.msg as MessagePlan, obj, path, depth + 1);
    w.end();
    return;
  }
  const v = Object.hasOwn(obj, f.name) ? obj[f.name] : undefined;
  const fpath = pathJoin(path, f.name);
  if (f.type === 'map') {
    if (v !== undefined && v !== null) writeMapField(w, fp, v, fpath, depth);
    return;
  }
  if (f.repeated) {
    if (v !== undefined && v !== null) writeRepeatedField(w, fp, v, fpath, depth);
    return;
  }
  if (f.type === 'message') {
    const sub = fp.msg;
    if (sub === undefined) return fail(fpath, `message ${f.message ?? '?'} is not in the schema`);
    if (sub.special === SPECIAL_LISTWRAPPER) {
      if (v === undefined || v === null) return;
    } else if (f.pointer && (v === undefined || v === null)) return;
    w.tag(num, BYTES);
    w.begin();
    if (isEmbeddedJson(sub) && v !== null && typeof v !== 'object') {
      writeRawPrimitive(w, sub, v, obj, f.name, fpath, depth);
    } else writeMessage(w, sub, v, fpath, depth + 1);
    w.end();
    return;
  }
  if (f.type === 'bytes') {
    if (v === undefined || v === null) return;
    w.tag(num, BYTES);
    writeScalar(w, f, 'bytes', v, fpath);
    return;
  }
  if (v === undefined || v === null) {
    if (f.pointer) return;
    w.tag(num, wireTypeFor(f.type));
    writeScalar(w, f, f.type, zeroScalarOf(f.type), fpath);
    return;
  }
  w.tag(num, wireTypeFor(f.type));
  writeScalar(w, f, f.type, v, fpath);
}

/** Writes a map field: one entry { key = 1, value = 2 } per key, in Go's key order (by bytes). */
function writeMapField(w: WireWriter, fp: FieldPlan, v: unknown, path: string, depth: number): void {
  const f = fp.f;
  if (typeof v !== 'object' || Array.isArray(v)) fail(path, `expected an object (a map), found ${describe(v)}`);
  const m = v as Record<string, unknown>;
  const keys = Object.keys(m).sort(utf8ByteCompare);
  const vt = f.mapValue ?? 'string';
  for (const k of keys) {
    const val = m[k];
    const kpath = `${path}[${JSON.stringify(k)}]`;
    w.tag(f.number, BYTES);
    w.begin();
    w.tag(1, BYTES);
    w.bytes(encodeUtf8(k));
    if (vt === 'message') {
      const sub = fp.mapValueMsg;
      if (sub === undefined) fail(kpath, `message ${f.mapValueMessage ?? '?'} is not in the schema`);
      w.tag(2, BYTES);
      w.begin();
      writeMessage(w, sub as MessagePlan, val, kpath, depth + 1);
      w.end();
    } else if (vt === 'bytes') {
      if (val !== null && val !== undefined) {
        w.tag(2, BYTES);
        writeScalar(w, f, 'bytes', val, kpath);
      }
    } else {
      w.tag(2, wireTypeFor(vt));
      writeScalar(w, f, vt, val === null || val === undefined ? zeroScalarOf(vt) : val, kpath);
    }
    w.end();
  }
}

/** Writes a repeated field, one tag per element (scalars unpacked, as gogo protobuf writes them). */
function writeRepeatedField(w: WireWriter, fp: FieldPlan, v: unknown, path: string, depth: number): void {
  const f = fp.f;
  if (!Array.isArray(v)) fail(path, `expected an array, found ${describe(v)}`);
  const arr = v as unknown[];
  for (let i = 0; i < arr.length; i++) {
    const el = arr[i];
    const epath = `${path}[${i}]`;
    if (f.type === 'message') {
      if (fp.msg === undefined) fail(epath, `message ${f.message ?? '?'} is not in the schema`);
      const sub = fp.msg as MessagePlan;
      w.tag(f.number, BYTES);
      w.begin();
      if (isEmbeddedJson(sub) && el !== null && typeof el !== 'object') {
        writeRawPrimitive(w, sub, el, arr, String(i), epath, depth);
      } else writeMessage(w, sub, el, epath, depth + 1);
      w.end();
    } else {
      w.tag(f.number, wireTypeFor(f.type));
      writeScalar(w, f, f.type, el === null ? zeroScalarOf(f.type) : el, epath);
    }
  }
}

/**
 * Writes a bare number or string held by a RawExtension/FieldsV1 field: the stored text its parent
 * keeps for it (see raw-json.ts) while the value prints as decoded, else as it prints now.
 */
function writeRawPrimitive(
  w: WireWriter,
  sub: MessagePlan,
  v: unknown,
  parent: object,
  key: string,
  path: string,
  depth: number,
): void {
  const mark = rawJsonFieldMark(parent, key);
  if (mark !== undefined && typeof v !== 'function' && typeof v !== 'symbol' && toKubeJson(v) === mark.printed) {
    w.tag(1, BYTES);
    w.bytes(encodeUtf8(mark.text));
  } else writeMessage(w, sub, v, path, depth + 1);
}

/** Writes a message with custom JSON (Time, Duration, IntOrString, Quantity, embedded JSON, ListWrapper) from its JSON value. */
function writeSpecial(w: WireWriter, plan: MessagePlan, v: unknown, path: string, depth: number): void {
  const kind = plan.m.special;
  switch (kind) {
    case 'Time':
    case 'MicroTime': {
      if (v === null || v === undefined) return;
      if (typeof v !== 'string') return fail(path, `expected an RFC 3339 time string, found ${describe(v)}`);
      let t: { seconds: bigint; nanos: number };
      try {
        t = parseKubeTime(v);
      } catch (e) {
        return fail(path, (e as Error).message);
      }
      if (isGoZeroTime(t.seconds, t.nanos)) return;
      w.tag(1, VARINT);
      w.varint64(t.seconds);
      w.tag(2, VARINT);
      w.int32(t.nanos);
      return;
    }
    case 'Duration': {
      let nanos = 0n;
      if (v !== null && v !== undefined) {
        if (typeof v !== 'string') return fail(path, `expected a duration string like "1h2m3s", found ${describe(v)}`);
        try {
          nanos = parseGoDuration(v);
        } catch (e) {
          return fail(path, (e as Error).message);
        }
      }
      w.tag(1, VARINT);
      w.varint64(nanos);
      return;
    }
    case 'IntOrString': {
      if (typeof v === 'string') {
        w.tag(1, VARINT);
        w.varint(1);
        w.tag(2, VARINT);
        w.varint(0);
        w.tag(3, BYTES);
        w.bytes(encodeUtf8(v));
        return;
      }
      let n: number | bigint = 0;
      if (v !== null && v !== undefined) n = checkedInteger(v, 'int32', path);
      w.tag(1, VARINT);
      w.varint(0);
      w.tag(2, VARINT);
      w.int32(Number(n));
      w.tag(3, BYTES);
      w.varint(0);
      return;
    }
    case 'Quantity': {
      let q = '0';
      if (v !== null && v !== undefined) {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'bigint') {
          return fail(path, `expected a quantity like "500m" or "1Gi", found ${describe(v)}`);
        }
        try {
          q = canonicalQuantity(String(v));
        } catch (e) {
          return fail(path, (e as Error).message);
        }
      }
      w.tag(1, BYTES);
      w.bytes(encodeUtf8(q));
      return;
    }
    case 'FieldsV1':
    case 'RawExtension': {
      if (v === null || v === undefined) return;
      let text: string;
      try {
        text = toKubeJson(v);
      } catch (e) {
        return fail(path, (e as Error).message);
      }
      // the stored text of an unchanged decoded value (see raw-json.ts)
      const mark = rawJsonMark(v);
      if (mark !== undefined && mark.printed === text) text = mark.text;
      w.tag(1, BYTES);
      w.bytes(encodeUtf8(text));
      return;
    }
    case 'ListWrapper': {
      if (v === null || v === undefined) return;
      if (!Array.isArray(v)) return fail(path, `expected an array, found ${describe(v)}`);
      const fp = plan.fields[0];
      if (fp === undefined) return;
      for (let i = 0; i < v.length; i++) {
        const el = v[i] as unknown;
        if (fp.f.type === 'message' && fp.msg !== undefined) {
          w.tag(fp.f.number, BYTES);
          w.begin();
          writeMessage(w, fp.msg, el, `${path}[${i}]`, depth + 1);
          w.end();
        } else {
          w.tag(fp.f.number, wireTypeFor(fp.f.type));
          writeScalar(w, fp.f, fp.f.type, el === null ? zeroScalarOf(fp.f.type) : el, `${path}[${i}]`);
        }
      }
      return;
    }
    default:
      return fail(path, `unsupported special message ${plan.m.name}`);
  }
}

/** Writes a scalar of schema type `type` (its tag already written), checking the JSON value's type and range. */
function writeScalar(w: WireWriter, f: SchemaField, type: string, v: unknown, path: string): void {
  switch (type) {
    case 'string':
      if (typeof v !== 'string') fail(path, `expected a string, found ${describe(v)}`);
      w.bytes(encodeUtf8(v as string));
      return;
    case 'bool':
      if (typeof v !== 'boolean') fail(path, `expected true or false, found ${describe(v)}`);
      w.varint(v ? 1 : 0);
      return;
    case 'bytes':
      w.bytes(base64Bytes(v, path));
      return;
    case 'double':
    case 'float':
      if (typeof v !== 'number') fail(path, `expected a number, found ${describe(v)}`);
      if (type === 'double') w.double(v as number);
      else w.float(v as number);
      return;
    default: {
      const n = checkedInteger(v, type, path);
      switch (type) {
        case 'int32':
          w.int32(Number(n));
          return;
        case 'uint32':
          w.varint(Number(n));
          return;
        case 'int64':
        case 'uint64':
          w.varint64(n);
          return;
        case 'sint32':
        case 'sint64':
          w.sint(n);
          return;
        case 'fixed32':
        case 'sfixed32':
          w.fixed32(Number(n));
          return;
        case 'fixed64':
        case 'sfixed64':
          w.fixed64(n);
          return;
        default:
          fail(path, `unsupported type ${type} of field ${f.name}`);
      }
    }
  }
}

/** `v` as an integer in the range of `type`, else an EncodeError naming the path. */
function checkedInteger(v: unknown, type: string, path: string): number | bigint {
  let n: number | bigint;
  if (typeof v === 'bigint') n = v;
  else if (typeof v === 'number' && Number.isInteger(v)) n = v;
  else return fail(path, `expected an integer (${type}), found ${describe(v)}`);
  const b = BigInt(n);
  const [lo, hi] =
    type === 'int32' || type === 'sint32' || type === 'sfixed32'
      ? [BigInt(INT32_MIN), BigInt(INT32_MAX)]
      : type === 'uint32' || type === 'fixed32'
        ? [0n, BigInt(UINT32_MAX)]
        : type === 'uint64' || type === 'fixed64'
          ? [0n, UINT64_MAX]
          : [INT64_MIN, INT64_MAX];
  if (b < lo || b > hi) fail(path, `${String(n)} is out of range for ${type}`);
  return n;
}

/** Go's zero value of a scalar of schema type `type`, as JSON. */
function zeroScalarOf(type: string): unknown {
  return type === 'string' ? '' : type === 'bool' ? false : 0;
}

/**
 * Wraps an object's own protobuf bytes in the storage envelope kube-apiserver writes: `k8s\0` +
 * runtime.Unknown { typeMeta { apiVersion, kind }, raw, contentEncoding "", contentType "" }.
 * @example
 * wrapEnvelope('v1', 'Namespace', namespaceBytes) // Uint8Array starting 6b 38 73 00
 */
export function wrapEnvelope(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  const w = new WireWriter();
  w.raw(MAGIC);
  w.tag(1, BYTES);
  w.begin();
  w.tag(1, BYTES);
  w.bytes(encodeUtf8(apiVersion));
  w.tag(2, BYTES);
  w.bytes(encodeUtf8(kind));
  w.end();
  w.tag(2, BYTES);
  w.bytes(raw);
  w.tag(3, BYTES);
  w.varint(0);
  w.tag(4, BYTES);
  w.varint(0);
  return w.finish();
}

/** Wire type of a schema type. */
function wireTypeFor(type: string): number {
  switch (type) {
    case 'double':
    case 'fixed64':
    case 'sfixed64':
      return FIXED64;
    case 'float':
    case 'fixed32':
    case 'sfixed32':
      return FIXED32;
    case 'string':
    case 'bytes':
    case 'message':
    case 'map':
      return BYTES;
    default:
      return VARINT;
  }
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function base64Bytes(v: unknown, path: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v !== 'string' || !BASE64_RE.test(v)) {
    throw new EncodeError(
      `Cannot encode ${path}: expected base64 text (standard alphabet, padded), found ${describe(v)}.`,
      { path },
    );
  }
  return new Uint8Array(Buffer.from(v, 'base64'));
}
