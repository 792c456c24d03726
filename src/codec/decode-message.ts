/**
 * The message decoders. For each plain message a decoding function is generated on first use
 * (`new Function`, see {@link generateMessageFn}): a `switch` over wire tags reading each field into a
 * local variable, then the object built in Go struct order with Go's `encoding/json` rules applied
 * (omitempty, omitzero, pointers, nil slices and maps, structs that are always printed). Messages with
 * custom JSON are read by decode-well-known.ts; what the generated code calls is the `helpers` table.
 */
import { BYTES, END_GROUP, FIXED32, FIXED64, VARINT, wireTypeName, type WireReader } from '../util/wire-reader';
import {
  MAX_DEPTH,
  PRINT_INLINE,
  PRINT_MESSAGE,
  PRINT_NULLABLE,
  PRINT_SCALAR,
  SPECIAL_DURATION,
  SPECIAL_INTORSTRING,
  SPECIAL_LISTWRAPPER,
  SPECIAL_MICROTIME,
  SPECIAL_NONE,
  SPECIAL_QUANTITY,
  SPECIAL_TIME,
  TYPE_BOOL,
  TYPE_BYTES,
  TYPE_INT32,
  TYPE_INT64,
  TYPE_MAP,
  TYPE_MESSAGE,
  TYPE_STRING,
  isEmbeddedJson,
  wireTypeOf,
  type DecodeState,
  type FieldPlan,
  type MessageFn,
  type MessagePlan,
  type TypeMetaOut,
} from './decode-plan';
import { readBase64, readScalar, readString, readUnknownField, setKey, sortedMap, zeroScalar } from './decode-scalars';
import { readSpecial, readTime } from './decode-well-known';
import { markRawJsonField, type RawJsonMark } from './raw-json';

/** Reads a message body spanning [r.pos, end) and returns its JSON value. */
export function readMessage(
  ctx: DecodeState,
  plan: MessagePlan,
  end: number,
  depth: number,
  typeMeta?: TypeMetaOut,
): unknown {
  return messageFn(plan)(ctx.r, ctx, end, depth, typeMeta, undefined);
}

/**
 * The (lazily generated) decoding function of a plan. Messages with custom JSON use {@link readSpecial};
 * the others get a function generated from the schema (see {@link generateMessageFn}).
 */
function messageFn(plan: MessagePlan): MessageFn {
  if (plan.fn !== undefined) return plan.fn;
  if (plan.special !== SPECIAL_NONE) {
    plan.fn =
      plan.special === SPECIAL_TIME
        ? (r, ctx, end, depth) => {
            if (depth > MAX_DEPTH) throw r.fail(`messages nested deeper than ${MAX_DEPTH}`);
            return readTime(ctx, plan, end, depth);
          }
        : plan.special === SPECIAL_LISTWRAPPER
          ? (r, ctx, end, depth) => {
              if (depth > MAX_DEPTH) throw r.fail(`messages nested deeper than ${MAX_DEPTH}`);
              return readListWrapper(ctx, plan, end, depth);
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

/** Reads a packed repeated scalar field (a length-delimited run of values) onto `arr`. */
function readPackedScalars(r: WireReader, ctx: DecodeState, type: number, end: number, arr: unknown[]): unknown[] {
  const e = r.lengthEnd(end);
  while (r.pos < e) arr.push(readScalar(ctx, type, e));
  return arr;
}

/**
 * Reads one map entry into `obj`. The common shapes (map<string, string>, map<string, bytes>,
 * map<string, message> with key then value) are read directly; anything else by {@link readMapEntry}.
 */
function readMapEntryInto(
  ctx: DecodeState,
  fp: FieldPlan,
  end: number,
  depth: number,
  obj: Record<string, unknown>,
): Record<string, unknown> {
  if (fp.mapKeyType === TYPE_STRING && (fp.mapValueType === TYPE_STRING || fp.mapValueType === TYPE_BYTES)) {
    // the common map<string, string> (and map<string, bytes>): key (field 1) then value (field 2)
    const r = ctx.r;
    const buf = ctx.buf;
    const save = r.pos;
    const e = r.lengthEnd(end);
    if (buf[r.pos] === 0x0a) {
      r.pos++;
      const key = readString(r, buf, e);
      if (r.pos < e && buf[r.pos] === 0x12) {
        r.pos++;
        const value = fp.mapValueType === TYPE_STRING ? readString(r, buf, e) : readBase64(r, buf, e);
        if (r.pos === e) {
          if (key === '__proto__') setKey(obj, key, value);
          else obj[key] = value;
          return obj;
        }
      }
    }
    r.pos = save; // anything unusual: the general path
  } else if (fp.mapKeyType === TYPE_STRING && fp.mapValueType === TYPE_MESSAGE && fp.mapValueMsg !== undefined) {
    // map<string, message> (Quantities of resources, capacity…): key, then a value filling the entry
    const r = ctx.r;
    const buf = ctx.buf;
    const save = r.pos;
    const e = r.lengthEnd(end);
    if (buf[r.pos] === 0x0a) {
      r.pos++;
      const key = readString(r, buf, e);
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
}

/** A tag the generated switch has no case for: a wrong wire type, or a field the schema does not know. */
function readUnexpectedTag(
  r: WireReader,
  ctx: DecodeState,
  plan: MessagePlan,
  tag: number,
  tagAt: number,
  end: number,
  depth: number,
): void {
  const num = tag >>> 3;
  const wt = tag & 7;
  if (num === 0) throw r.fail(`invalid field number 0 (tag ${tag})`, tagAt);
  const fp = plan.byNumber[num];
  if (fp !== undefined) {
    throw r.fail(
      `field ${plan.m.name}.${fp.f.name} (${num}) expects ${wireTypeName(fp.wireType)}, found ${wireTypeName(wt)}`,
      tagAt,
    );
  }
  if (wt === END_GROUP) throw r.fail(`unexpected end-group tag for field ${num}`, tagAt);
  readUnknownField(ctx, num, wt, end, depth);
}

/** A nested message that did not end where its length said. */
function failEndMismatch(r: WireReader, e: number): never {
  throw r.fail(`message ended at ${r.base + r.pos}, expected ${r.base + e}`);
}

function failTooDeep(r: WireReader): never {
  throw r.fail(`messages nested deeper than ${MAX_DEPTH}`);
}

/** Go's zero value of a message absent from the wire. */
function zeroMessage(plan: MessagePlan, r: WireReader, ctx: DecodeState, depth: number): unknown {
  switch (plan.special) {
    case SPECIAL_NONE:
      return messageFn(plan)(r, ctx, r.pos, depth + 1, undefined, undefined);
    case SPECIAL_DURATION:
      return '0s';
    case SPECIAL_INTORSTRING:
      return 0;
    case SPECIAL_QUANTITY:
      return '0';
    default:
      // Time, MicroTime, FieldsV1, RawExtension: null; ListWrapper: a nil slice
      return null;
  }
}

/** The pending mark of the RawExtension/FieldsV1 just read (see `DecodeState.rawField`), cleared. */
function takeRawJsonMark(ctx: DecodeState): RawJsonMark | undefined {
  const m = ctx.rawField;
  ctx.rawField = undefined;
  return m;
}

/** Keeps the stored JSON text of the bare number or string at `o[key]` (see raw-json.ts). */
function markStoredJsonText(o: object, key: string, m: RawJsonMark): void {
  markRawJsonField(o, key, m.text, m.printed);
}

/** Copies the fields of an inline struct's value (a message with custom JSON) onto its parent object. */
function assignInline(o: Record<string, unknown>, v: unknown): void {
  const src = v as Record<string, unknown>;
  for (const k of Object.keys(src)) o[k] = src[k];
}

/**
 * What the generated functions call, passed in as `helpers` (property loads on one constant object,
 * which V8 inlines like calls of module functions).
 */
const helpers = {
  readString,
  readBase64,
  readScalar,
  readPackedScalars,
  readMapEntryInto,
  readUnexpectedTag,
  failEndMismatch,
  failTooDeep,
  zeroMessage,
  sortedMap,
  takeRawJsonMark,
  markStoredJsonText,
  assignInline,
};

/**
 * Generates the decoding function of a plain message: a `switch` over the wire tags reading each field
 * into a local variable, then the object built in Go field order with Go's JSON rules applied.
 */
function generateMessageFn(plan: MessagePlan): MessageFn {
  const subPlans: MessagePlan[] = [];
  const fieldPlans: FieldPlan[] = [];
  const subIndex = (p: MessagePlan): number => {
    let i = subPlans.indexOf(p);
    if (i < 0) {
      subPlans.push(p);
      messageFn(p);
      i = subPlans.length - 1;
    }
    return i;
  };
  const fpIndex = (fp: FieldPlan): number => {
    fieldPlans.push(fp);
    return fieldPlans.length - 1;
  };
  const readExpr = (type: number): string => {
    switch (type) {
      case TYPE_STRING:
        return 'helpers.readString(r, buf, end)';
      case TYPE_INT32:
        return 'r.int32(end)';
      case TYPE_INT64:
        return 'r.int64(end)';
      case TYPE_BOOL:
        return 'r.bool(end)';
      case TYPE_BYTES:
        return 'helpers.readBase64(r, buf, end)';
      default:
        return `helpers.readScalar(ctx, ${type}, end)`;
    }
  };
  const missing = (fp: FieldPlan): string =>
    `throw r.fail(${JSON.stringify(`message type ${fp.f.message ?? '?'} of ${plan.m.name}.${fp.f.name} is not in the schema`)}, tagAt);`;

  const cases: string[] = [];
  for (const fp of plan.byNumber) {
    if (fp === undefined) continue;
    // the field's local: f<slot>, or `x` for a proto-only field (read, never printed)
    const v = fp.slot >= 0 ? `f${fp.slot}` : 'x';
    const tag = fp.f.number * 8 + fp.wireType;
    const name = JSON.stringify(fp.f.name);
    if (fp.type === TYPE_MESSAGE) {
      if (fp.msg === undefined) {
        cases.push(`case ${tag}: ${missing(fp)}`);
        continue;
      }
      const s = subIndex(fp.msg);
      if (fp.repeated) {
        cases.push(
          `case ${tag}: { const e = r.lengthEnd(end); const a = (${v} ??= []); pathNames[depth + 1] = ${name}; pathKeys[depth + 1] = a.length; ` +
            `a.push(subPlans[${s}].fn(r, ctx, e, depth + 1, undefined, undefined)); if (r.pos !== e) helpers.failEndMismatch(r, e); ` +
            (isEmbeddedJson(fp.msg)
              ? '{ const m = helpers.takeRawJsonMark(ctx); if (m !== undefined) helpers.markStoredJsonText(a, String(a.length - 1), m); } '
              : '') +
            'break; }',
        );
      } else if (fp.print === PRINT_INLINE && fp.msg.special !== SPECIAL_NONE) {
        cases.push(
          `case ${tag}: { const e = r.lengthEnd(end); ${v} = subPlans[${s}].fn(r, ctx, e, depth + 1, undefined, undefined); if (r.pos !== e) helpers.failEndMismatch(r, e); break; }`,
        );
      } else if (fp.print === PRINT_INLINE) {
        cases.push(
          // an inline struct is read later, straight into this object (its range is kept: start, end)
          `case ${tag}: { const e = r.lengthEnd(end); ${v} = r.pos; ${v}e = e; r.pos = e; break; }`,
        );
      } else {
        cases.push(
          `case ${tag}: { const e = r.lengthEnd(end); pathNames[depth + 1] = ${name}; pathKeys[depth + 1] = null; ${v} = subPlans[${s}].fn(r, ctx, e, depth + 1, undefined, undefined); ` +
            `if (r.pos !== e) helpers.failEndMismatch(r, e); ${fp.slot >= 0 && isEmbeddedJson(fp.msg) ? `${v}m = helpers.takeRawJsonMark(ctx); ` : ''}break; }`,
        );
      }
    } else if (fp.type === TYPE_MAP) {
      cases.push(
        `case ${tag}: ${v} = helpers.readMapEntryInto(ctx, fieldPlans[${fpIndex(fp)}], end, depth, ${v} ?? {}); break;`,
      );
    } else if (fp.repeated) {
      cases.push(`case ${tag}: (${v} ??= []).push(${readExpr(fp.type)}); break;`);
      if (fp.wireType !== BYTES) {
        cases.push(
          `case ${fp.f.number * 8 + BYTES}: ${v} = helpers.readPackedScalars(r, ctx, ${fp.type}, end, ${v} ?? []); break;`,
        );
      }
    } else {
      cases.push(`case ${tag}: ${v} = ${readExpr(fp.type)}; break;`);
    }
  }

  const build: string[] = ['const o = target === undefined ? {} : target;'];
  const typeMeta =
    'if (tm !== undefined) { if (tm.kind !== "") o.kind = tm.kind; if (tm.apiVersion !== "") o.apiVersion = tm.apiVersion; }';
  plan.fields.forEach((fp, i) => {
    if (i === plan.typeMetaAt) build.push(typeMeta);
    const f = fp.f;
    const v = `f${i}`;
    const key = `o[${JSON.stringify(f.name)}]`;
    switch (fp.print) {
      case PRINT_SCALAR: {
        const zero = fp.type === TYPE_STRING ? '""' : fp.type === TYPE_BOOL ? 'false' : '0';
        // `omitzero` leaves out what `omitempty` does for scalars and pointers: the zero value, nil
        const omit = f.omitEmpty || f.omitZero === true;
        if (f.pointer)
          build.push(omit ? `if (${v} !== undefined) ${key} = ${v};` : `${key} = ${v} === undefined ? null : ${v};`);
        else if (omit) build.push(`if (${v} !== undefined && ${v} !== ${zero}) ${key} = ${v};`);
        else build.push(`${key} = ${v} === undefined ? ${zero} : ${v};`);
        break;
      }
      case PRINT_NULLABLE:
        if (fp.type === TYPE_MAP)
          build.push(
            f.omitEmpty || f.omitZero === true
              ? `if (${v} !== undefined) ${key} = helpers.sortedMap(${v});`
              : `${key} = ${v} === undefined ? null : helpers.sortedMap(${v});`,
          );
        else if (fp.type === TYPE_BYTES && !fp.repeated)
          build.push(
            f.omitEmpty
              ? `if (${v} !== undefined && ${v} !== "") ${key} = ${v};`
              : f.omitZero === true
                ? `if (${v} !== undefined) ${key} = ${v};`
                : `${key} = ${v} === undefined ? null : ${v};`,
          );
        // `omitzero` on a slice leaves out only nil (an empty slice is not zero)
        else
          build.push(
            f.omitEmpty
              ? `if (${v} !== undefined && ${v} !== null && ${v}.length !== 0) ${key} = ${v};`
              : f.omitZero === true
                ? `if (${v} !== undefined && ${v} !== null) ${key} = ${v};`
                : `${key} = ${v} === undefined ? null : ${v};`,
          );
        break;
      case PRINT_MESSAGE:
        if (f.pointer)
          build.push(
            f.omitEmpty || f.omitZero === true
              ? `if (${v} !== undefined) ${key} = ${v};`
              : `${key} = ${v} === undefined ? null : ${v};`,
          );
        else if (fp.msg === undefined) build.push(`${key} = ${v} === undefined ? {} : ${v};`);
        else if (f.omitZero === true && (fp.msg.special === SPECIAL_TIME || fp.msg.special === SPECIAL_MICROTIME)) {
          // `omitzero` (Kubernetes 1.36's creationTimestamp): Go leaves out a zero time, which prints null
          build.push(`if (${v} !== undefined && ${v} !== null) ${key} = ${v};`);
        } else
          build.push(
            `${key} = ${v} === undefined ? helpers.zeroMessage(subPlans[${subIndex(fp.msg)}], r, ctx, depth) : ${v};`,
          );
        // a bare number or string of embedded JSON keeps its stored text on this object
        if (isEmbeddedJson(fp.msg))
          build.push(
            `if (${v}m !== undefined && ${key} === ${v}) helpers.markStoredJsonText(o, ${JSON.stringify(f.name)}, ${v}m);`,
          );
        break;
      default:
        if (fp.msg === undefined) break;
        if (fp.msg.special !== SPECIAL_NONE) {
          build.push(
            `helpers.assignInline(o, ${v} === undefined ? helpers.zeroMessage(subPlans[${subIndex(fp.msg)}], r, ctx, depth) : ${v});`,
          );
        } else {
          build.push(
            `{ const save = r.pos; if (${v} !== undefined) { r.pos = ${v}; } else { ${v}e = r.pos; } pathNames[depth + 1] = null; pathKeys[depth + 1] = null; ` +
              `subPlans[${subIndex(fp.msg)}].fn(r, ctx, ${v}e, depth + 1, undefined, o); if (r.pos !== ${v}e) helpers.failEndMismatch(r, ${v}e); r.pos = save; }`,
          );
        }
    }
  });
  if (plan.typeMetaAt >= plan.fields.length) build.push(typeMeta);
  build.push('return o;');

  const locals = plan.fields.map((_, i) => `f${i}`);
  plan.fields.forEach((fp, i) => {
    if (fp.print === PRINT_INLINE) locals.push(`f${i}e`);
    if (fp.print === PRINT_MESSAGE && isEmbeddedJson(fp.msg)) locals.push(`f${i}m`);
  });
  locals.push('x');
  const body = [
    `// ${plan.m.name}`,
    'return function decodeMessage(r, ctx, end, depth, tm, target) {',
    '  if (depth > MAX_DEPTH) helpers.failTooDeep(r);',
    '  const buf = r.buf;',
    '  const pathNames = ctx.names;',
    '  const pathKeys = ctx.keys;',
    `  let ${locals.join(', ')};`,
    '  while (r.pos < end) {',
    '    const tagAt = r.pos;',
    '    let tag = buf[tagAt];',
    '    if (tag < 128) r.pos = tagAt + 1; else tag = r.uint32(end);',
    '    switch (tag) {',
    ...cases.map((c) => `      ${c}`),
    ...(plan.skip ?? []).flatMap((n) =>
      [VARINT, FIXED64, BYTES, FIXED32].map((wt) => `      case ${n * 8 + wt}: r.skip(${wt}, end, ${n}); break;`),
    ),
    '      default: helpers.readUnexpectedTag(r, ctx, plan, tag, tagAt, end, depth);',
    '    }',
    '  }',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: generated code: the template literal is evaluated in it
    '  if (r.pos !== end) throw r.fail(`field ran past the end of its message (ends at ${r.base + end})`);',
    '  void x;',
    ...build.map((b) => `  ${b}`),
    '};',
  ].join('\n');
  // The decoder is code generated from the plan (not from stored data), compiled once per message.
  const factory = new Function('helpers', 'subPlans', 'fieldPlans', 'plan', 'MAX_DEPTH', body) as (
    h: typeof helpers,
    subPlans: MessagePlan[],
    fieldPlans: FieldPlan[],
    plan: MessagePlan,
    maxDepth: number,
  ) => MessageFn;
  return factory(helpers, subPlans, fieldPlans, plan, MAX_DEPTH);
}

/** Reads one map entry into `obj`, field by field (any order, unknown fields kept, absent parts zero). */
function readMapEntry(ctx: DecodeState, fp: FieldPlan, obj: Record<string, unknown>, end: number, depth: number): void {
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
      if (wt !== wireTypeOf(fp.mapKeyType))
        throw r.fail(
          `map key of ${fp.f.name} expects ${wireTypeName(wireTypeOf(fp.mapKeyType))}, found ${wireTypeName(wt)}`,
          tagAt,
        );
      if (fp.mapKeyType === TYPE_STRING) {
        key = readString(r, ctx.buf, e);
      } else key = readScalar(ctx, fp.mapKeyType, e);
    } else if (num === 2) {
      if (wt !== wireTypeOf(fp.mapValueType))
        throw r.fail(
          `map value of ${fp.f.name} expects ${wireTypeName(wireTypeOf(fp.mapValueType))}, found ${wireTypeName(wt)}`,
          tagAt,
        );
      if (fp.mapValueType === TYPE_MESSAGE) {
        const ve = r.lengthEnd(e);
        const sub = fp.mapValueMsg;
        if (sub === undefined)
          throw r.fail(`message type ${fp.f.mapValueMessage ?? '?'} of map ${fp.f.name} is not in the schema`, tagAt);
        ctx.names[depth + 1] = fp.f.name;
        ctx.keys[depth + 1] = String(key ?? '');
        value = messageFn(sub)(r, ctx, ve, depth + 1, undefined, undefined);
        if (r.pos !== ve) throw r.fail(`message ended at ${r.base + r.pos}, expected ${r.base + ve}`);
      } else {
        value = fp.mapValueType === TYPE_STRING ? readString(r, ctx.buf, e) : readScalar(ctx, fp.mapValueType, e);
      }
    } else {
      if (num === 0) throw r.fail(`invalid field number 0 in a map entry of ${fp.f.name}`, tagAt);
      readUnknownField(ctx, num, wt, e, depth, fp.f.name);
    }
  }
  if (r.pos !== e) throw r.fail(`map entry ran past its end (${r.base + e})`);
  if (value === undefined) {
    if (fp.mapValueType === TYPE_MESSAGE) {
      const sub = fp.mapValueMsg;
      value = sub === undefined ? null : sub.special === SPECIAL_LISTWRAPPER ? [] : zeroMessage(sub, r, ctx, depth);
    } else if (fp.mapValueType === TYPE_BYTES) value = '';
    else value = zeroScalar(fp.mapValueType);
  }
  setKey(obj, key === undefined ? '' : String(key), value);
}

/** Reads a ListWrapper (a named slice type: its one repeated field, printed as a bare list). */
function readListWrapper(ctx: DecodeState, plan: MessagePlan, end: number, depth: number): unknown[] {
  const r = ctx.r;
  let items: unknown[] | undefined;
  while (r.pos < end) {
    const tagAt = r.pos;
    const tag = r.uint32(end);
    const num = tag >>> 3;
    const wt = tag & 7;
    if (num === 0) throw r.fail(`invalid field number 0 in ${plan.m.name}`, tagAt);
    const fp = plan.byNumber[num];
    if (fp === undefined) {
      readUnknownField(ctx, num, wt, end, depth);
      continue;
    }
    items ??= [];
    if (wt === fp.wireType) {
      if (fp.type === TYPE_MESSAGE && fp.msg !== undefined) {
        const e = r.lengthEnd(end);
        items.push(readMessage(ctx, fp.msg, e, depth + 1));
      } else items.push(readScalar(ctx, fp.type, end));
    } else if (wt === BYTES) {
      const e = r.lengthEnd(end);
      while (r.pos < e) items.push(readScalar(ctx, fp.type, e));
    } else
      throw r.fail(
        `field ${plan.m.name}.${fp.f.name} expects ${wireTypeName(fp.wireType)}, found ${wireTypeName(wt)}`,
        tagAt,
      );
  }
  if (r.pos !== end) throw r.fail(`field ran past the end of its message (ends at ${r.base + end})`);
  return items ?? [];
}
