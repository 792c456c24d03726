/**
 * Decoding plans: per message of a {@link CompiledSchema}, its fields ready for decoding (type code,
 * wire type, how Go prints it, the plan of its message), made once per schema and shared by the decoder,
 * the projector (restricted plans) and the encoder.
 */
import type { DecodeError } from '../errors';
import { BYTES, FIXED32, FIXED64, VARINT, type WireReader } from '../util/wire-reader';
import type { RawJsonMark } from './raw-json';
import type { CompiledSchema, SchemaField, SchemaMessage } from './schema-types';
import type { UnknownField } from './types';

/** Nesting limit for messages (as Kubernetes' own decoder guards against deep recursion). */
export const MAX_DEPTH = 100;

// Field type codes, decided once per field (from the schema's type names).
export const TYPE_DOUBLE = 1;
export const TYPE_FLOAT = 2;
export const TYPE_INT32 = 3;
export const TYPE_INT64 = 4;
export const TYPE_UINT32 = 5;
export const TYPE_UINT64 = 6;
export const TYPE_SINT32 = 7;
export const TYPE_SINT64 = 8;
export const TYPE_FIXED32 = 9;
export const TYPE_FIXED64 = 10;
export const TYPE_SFIXED32 = 11;
export const TYPE_SFIXED64 = 12;
export const TYPE_BOOL = 13;
export const TYPE_STRING = 14;
export const TYPE_BYTES = 15;
export const TYPE_MESSAGE = 16;
export const TYPE_MAP = 17;

export /** Type code of each schema type name. */
const TYPE_CODE: Record<string, number> = {
  double: TYPE_DOUBLE,
  float: TYPE_FLOAT,
  int32: TYPE_INT32,
  int64: TYPE_INT64,
  uint32: TYPE_UINT32,
  uint64: TYPE_UINT64,
  sint32: TYPE_SINT32,
  sint64: TYPE_SINT64,
  fixed32: TYPE_FIXED32,
  fixed64: TYPE_FIXED64,
  sfixed32: TYPE_SFIXED32,
  sfixed64: TYPE_SFIXED64,
  bool: TYPE_BOOL,
  string: TYPE_STRING,
  bytes: TYPE_BYTES,
  message: TYPE_MESSAGE,
  map: TYPE_MAP,
};

/** Wire type a field of this type code is written with. */
export function wireTypeOf(type: number): number {
  switch (type) {
    case TYPE_DOUBLE:
    case TYPE_FIXED64:
    case TYPE_SFIXED64:
      return FIXED64;
    case TYPE_FLOAT:
    case TYPE_FIXED32:
    case TYPE_SFIXED32:
      return FIXED32;
    case TYPE_STRING:
    case TYPE_BYTES:
    case TYPE_MESSAGE:
    case TYPE_MAP:
      return BYTES;
    default:
      return VARINT;
  }
}

// How a field is printed, decided once per field.
export const PRINT_SCALAR = 1; // non-repeated scalar other than bytes
export const PRINT_NULLABLE = 2; // slices, maps, bytes, ListWrapper: nil → null / omitted
export const PRINT_MESSAGE = 3; // non-repeated message
export const PRINT_INLINE = 4; // an embedded struct whose fields print in the parent object

// Messages with custom JSON (SchemaMessage.special), as codes.
export const SPECIAL_NONE = 0;
export const SPECIAL_TIME = 1;
export const SPECIAL_MICROTIME = 2;
export const SPECIAL_DURATION = 3;
export const SPECIAL_INTORSTRING = 4;
export const SPECIAL_QUANTITY = 5;
export const SPECIAL_FIELDSV1 = 6;
export const SPECIAL_RAWEXTENSION = 7;
export const SPECIAL_LISTWRAPPER = 8;

const SPECIAL_CODE: Record<string, number> = {
  Time: SPECIAL_TIME,
  MicroTime: SPECIAL_MICROTIME,
  Duration: SPECIAL_DURATION,
  IntOrString: SPECIAL_INTORSTRING,
  Quantity: SPECIAL_QUANTITY,
  FieldsV1: SPECIAL_FIELDSV1,
  RawExtension: SPECIAL_RAWEXTENSION,
  ListWrapper: SPECIAL_LISTWRAPPER,
};

/** A field ready for decoding. */
export interface FieldPlan {
  f: SchemaField;
  /** Index in the message's slots (Go order), -1 for proto-only fields (read, never printed). */
  slot: number;
  /** Type code (TYPE_*). */
  type: number;
  repeated: boolean;
  wireType: number;
  /** How Go prints it (PRINT_*). */
  print: number;
  msg: MessagePlan | undefined;
  /** Type codes of a map's keys and values. */
  mapKeyType: number;
  mapValueType: number;
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
  const out: MessagePlan = {
    m: plan.m,
    special: plan.special,
    byNumber: [],
    fields: [],
    typeMetaAt: -1,
    fn: undefined,
    skip: [],
  };
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
      special: m.special !== undefined ? (SPECIAL_CODE[m.special] ?? SPECIAL_NONE) : SPECIAL_NONE,
      byNumber: [],
      fields: [],
      typeMetaAt: m.typeMetaAt ?? -1,
      fn: undefined,
    };
    this.plans.set(name, plan);
    const add = (f: SchemaField, slot: number): FieldPlan => {
      const k = TYPE_CODE[f.type] ?? TYPE_STRING;
      const fp: FieldPlan = {
        f,
        slot,
        type: k,
        repeated: f.repeated,
        wireType: wireTypeOf(k),
        print: PRINT_SCALAR,
        msg: undefined,
        mapKeyType: TYPE_STRING,
        mapValueType: TYPE_STRING,
        mapValueMsg: undefined,
      };
      if (k === TYPE_MESSAGE && f.message !== undefined) fp.msg = this.get(f.message);
      if (k === TYPE_MAP) {
        fp.mapKeyType = TYPE_CODE[f.mapKey ?? 'string'] ?? TYPE_STRING;
        fp.mapValueType = TYPE_CODE[f.mapValue ?? 'string'] ?? TYPE_STRING;
        if (f.mapValueMessage !== undefined) fp.mapValueMsg = this.get(f.mapValueMessage);
      }
      if (f.inline && k === TYPE_MESSAGE && !f.repeated) fp.print = PRINT_INLINE;
      else if (f.repeated || k === TYPE_MAP || k === TYPE_BYTES) fp.print = PRINT_NULLABLE;
      else if (k === TYPE_MESSAGE)
        fp.print = fp.msg !== undefined && fp.msg.special === SPECIAL_LISTWRAPPER ? PRINT_NULLABLE : PRINT_MESSAGE;
      if (f.number > 0 && f.number < 100000) plan.byNumber[f.number] = fp;
      return fp;
    };
    m.fields.forEach((f, i) => {
      plan.fields.push(add(f, i));
    });
    for (const f of m.protoOnly ?? []) add(f, -1);
    return plan;
  }
}

/** State of one decode call. */
export interface DecodeState {
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
   * re-prints differently; the field reading it moves it onto the parent object (see `takeRawJsonMark`).
   */
  rawField: RawJsonMark | undefined;
  /** The first problem that did not stop decoding (an embedded JSON that is not JSON), reported beside the object. */
  partial: DecodeError | undefined;
}

/** The decoding function of a message: reads [r.pos, end) and returns the message's JSON value. */
export type MessageFn = (
  r: WireReader,
  ctx: DecodeState,
  end: number,
  depth: number,
  tm: TypeMetaOut | undefined,
  target?: Record<string, unknown>,
) => unknown;

/** What the top-level object prints where TypeMeta sits. */
export interface TypeMetaOut {
  kind: string;
  apiVersion: string;
}

/** Whether a message is embedded JSON (RawExtension, FieldsV1). */
export function isEmbeddedJson(plan: MessagePlan | undefined): boolean {
  return plan !== undefined && (plan.special === SPECIAL_RAWEXTENSION || plan.special === SPECIAL_FIELDSV1);
}
