"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.PlanCache = exports.MAX_DEPTH = void 0;
exports.createProtobufDecoder = createProtobufDecoder;
exports.decodeValue = decodeValue;
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
const errors_1 = require("../errors");
const cbor_1 = require("./cbor");
const envelope_1 = require("./envelope");
const go_json_1 = require("./go-json");
const raw_json_1 = require("./raw-json");
const go_duration_1 = require("./go-duration");
const go_utf8_1 = require("./go-utf8");
const kube_time_1 = require("./kube-time");
const proto_dump_1 = require("./proto-dump");
const quantity_1 = require("./quantity");
const wire_1 = require("./wire");
/** Nesting limit for messages (as Kubernetes' own decoder guards against deep recursion). */
exports.MAX_DEPTH = 100;
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
const KIND_OF = {
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
function wireTypeOf(k) {
    switch (k) {
        case K_DOUBLE:
        case K_FIXED64:
        case K_SFIXED64:
            return wire_1.FIXED64;
        case K_FLOAT:
        case K_FIXED32:
        case K_SFIXED32:
            return wire_1.FIXED32;
        case K_STRING:
        case K_BYTES:
        case K_MESSAGE:
        case K_MAP:
            return wire_1.BYTES;
        default:
            return wire_1.VARINT;
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
const SPECIAL_CODE = {
    Time: S_TIME,
    MicroTime: S_MICROTIME,
    Duration: S_DURATION,
    IntOrString: S_INTORSTRING,
    Quantity: S_QUANTITY,
    FieldsV1: S_FIELDSV1,
    RawExtension: S_RAWEXTENSION,
    ListWrapper: S_LISTWRAPPER,
};
/**
 * Builds (and caches) decoding plans for the messages of one schema.
 * @example
 * const plans = new PlanCache(loadSchema());
 * plans.get('k8s.io.api.core.v1.Pod')?.fields.length // 3
 */
class PlanCache {
    schema;
    plans = new Map();
    constructor(schema) {
        this.schema = schema;
    }
    get(name) {
        const have = this.plans.get(name);
        if (have !== undefined)
            return have;
        const m = this.schema.messages[name];
        if (m === undefined)
            return undefined;
        const plan = {
            m,
            special: m.special !== undefined ? (SPECIAL_CODE[m.special] ?? S_NONE) : S_NONE,
            byNumber: [],
            fields: [],
            typeMetaAt: m.typeMetaAt ?? -1,
            fn: undefined,
        };
        this.plans.set(name, plan);
        const add = (f, slot) => {
            const k = KIND_OF[f.type] ?? K_STRING;
            const fp = {
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
            if (k === K_MESSAGE && f.message !== undefined)
                fp.msg = this.get(f.message);
            if (k === K_MAP) {
                fp.mapKeyK = KIND_OF[f.mapKey ?? 'string'] ?? K_STRING;
                fp.mapValueK = KIND_OF[f.mapValue ?? 'string'] ?? K_STRING;
                if (f.mapValueMessage !== undefined)
                    fp.mapValueMsg = this.get(f.mapValueMessage);
            }
            if (f.inline && k === K_MESSAGE && !f.repeated)
                fp.p = P_INLINE;
            else if (f.repeated || k === K_MAP || k === K_BYTES)
                fp.p = P_NULLABLE;
            else if (k === K_MESSAGE)
                fp.p = fp.msg !== undefined && fp.msg.special === S_LISTWRAPPER ? P_NULLABLE : P_MESSAGE;
            if (f.number > 0 && f.number < 100000)
                plan.byNumber[f.number] = fp;
            return fp;
        };
        m.fields.forEach((f, i) => plan.fields.push(add(f, i)));
        for (const f of m.protoOnly ?? [])
            add(f, -1);
        return plan;
    }
}
exports.PlanCache = PlanCache;
function pathText(ctx, depth) {
    let out = '';
    for (let d = 1; d <= depth; d++) {
        const n = ctx.names[d];
        if (n === null || n === undefined)
            continue;
        out += out === '' ? n : `.${n}`;
        const k = ctx.keys[d];
        if (typeof k === 'number')
            out += `[${k}]`;
        else if (typeof k === 'string')
            out += k;
    }
    return out;
}
function setKey(obj, k, v) {
    if (k === '__proto__')
        Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
    else
        obj[k] = v;
}
function toBase64(buf, start, end) {
    return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('base64');
}
function isPrintableUtf8(buf, start, end) {
    for (let i = start; i < end; i++) {
        const c = buf[i];
        if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0x7f)
            return undefined;
    }
    const s = (0, go_utf8_1.decodeGoString)(buf, start, end);
    return s.includes('\uFFFD') || (0, go_utf8_1.holdsInvalidUtf8)(s) ? undefined : s;
}
function hexOf(buf, start, end) {
    return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('hex');
}
/** Records a field the schema does not know, after reading its value. */
function readUnknown(ctx, num, wt, end, depth, suffix = '') {
    const r = ctx.r;
    let value;
    switch (wt) {
        case wire_1.VARINT:
            value = r.int64(end);
            break;
        case wire_1.FIXED64:
            value = r.fixed64(end);
            break;
        case wire_1.FIXED32:
            value = r.fixed32(end);
            break;
        case wire_1.BYTES: {
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
function readScalar(ctx, k, end) {
    const r = ctx.r;
    switch (k) {
        case K_STRING: {
            const e = r.lengthEnd(end);
            const s = (0, go_utf8_1.decodeGoString)(ctx.buf, r.pos, e);
            r.pos = e;
            return s;
        }
        case K_INT32:
            return r.int32(end);
        case K_INT64:
            return r.int64(end);
        case K_BOOL:
            return r.bool(end);
        case K_BYTES: {
            const e = r.lengthEnd(end);
            const s = toBase64(ctx.buf, r.pos, e);
            r.pos = e;
            return s;
        }
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
function zeroScalar(k) {
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
function wireName(wt) {
    return ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32'][wt] ?? `wire type ${wt}`;
}
/** Reads a message body spanning [r.pos, end) and returns its JSON value. */
function readMessage(ctx, plan, end, depth, typeMeta) {
    return messageFn(plan)(ctx.r, ctx, end, depth, typeMeta);
}
/**
 * The (lazily generated) decoding function of a plan. Messages with custom JSON use {@link readSpecial};
 * the others get a function generated from the schema (see {@link generateMessageFn}).
 */
function messageFn(plan) {
    if (plan.fn !== undefined)
        return plan.fn;
    if (plan.special !== S_NONE) {
        plan.fn = (r, ctx, end, depth) => {
            if (depth > exports.MAX_DEPTH)
                throw r.fail(`messages nested deeper than ${exports.MAX_DEPTH}`);
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
/** Strings up to this many bytes go through {@link STRING_CACHE}. */
const STRING_CACHE_MAX_BYTES = 40;
const STRING_CACHE_MASK = 4095;
/** Recently decoded short ASCII strings, by hash of their bytes (verified byte by byte on a hit). */
const STRING_CACHE = new Array(STRING_CACHE_MASK + 1).fill('\u0000');
/** Helpers the generated functions call (passed in as `H`). */
const H = {
    str(r, buf, end) {
        const p = r.pos;
        const len = buf[p];
        let s;
        let e;
        if (len < 0x80 && p + 1 + len <= end) {
            s = p + 1;
            e = s + len;
        }
        else {
            e = r.lengthEnd(end);
            s = r.pos;
        }
        r.pos = e;
        const n = e - s;
        if (n > STRING_CACHE_MAX_BYTES) {
            for (let i = s; i < e; i++)
                if (buf[i] >= 0x80)
                    return (0, go_utf8_1.decodeGoString)(buf, s, e);
            return buf.latin1Slice(s, e);
        }
        if (n === 0)
            return '';
        // Short strings repeat a lot (keys, label values, enum-like values): look them up by a hash of
        // their length and a few of their bytes, then compare every byte (a hit is ASCII by construction).
        const last = e - 1;
        let h = Math.imul(n ^ buf[s], 0x01000193);
        h = Math.imul(h ^ buf[last], 0x01000193);
        h = Math.imul(h ^ buf[s + (n >> 1)], 0x01000193);
        h = Math.imul(h ^ buf[last - 1], 0x01000193);
        h = Math.imul(h ^ buf[s + (n >> 2)], 0x01000193);
        const slot = (h ^ (h >>> 15)) & STRING_CACHE_MASK;
        const cached = STRING_CACHE[slot];
        if (cached.length === n) {
            let i = 0;
            while (i < n && cached.charCodeAt(i) === buf[s + i])
                i++;
            if (i === n)
                return cached;
        }
        for (let i = s; i < e; i++)
            if (buf[i] >= 0x80)
                return (0, go_utf8_1.decodeGoString)(buf, s, e);
        let out;
        if (n <= 8) {
            out = '';
            for (let i = s; i < e; i++)
                out += String.fromCharCode(buf[i]);
        }
        else
            out = buf.latin1Slice(s, e);
        STRING_CACHE[slot] = out;
        return out;
    },
    b64(r, buf, end) {
        const e = r.lengthEnd(end);
        const s = toBase64(buf, r.pos, e);
        r.pos = e;
        return s;
    },
    scalar(ctx, k, end) {
        return readScalar(ctx, k, end);
    },
    packed(r, ctx, k, end, arr) {
        const e = r.lengthEnd(end);
        while (r.pos < e)
            arr.push(readScalar(ctx, k, e));
        return arr;
    },
    map(ctx, fp, end, depth, obj) {
        if (fp.mapKeyK === K_STRING && fp.mapValueK === K_STRING) {
            // the common map<string, string>: key (field 1) then value (field 2), one-byte tags
            const r = ctx.r;
            const buf = ctx.buf;
            const save = r.pos;
            const e = r.lengthEnd(end);
            if (buf[r.pos] === 0x0a) {
                r.pos++;
                const ks = r.pos;
                const key = H.str(r, buf, e);
                noteRawKey(ctx, obj, key, ks);
                if (r.pos < e && buf[r.pos] === 0x12) {
                    r.pos++;
                    const value = H.str(r, buf, e);
                    if (r.pos === e) {
                        if (key === '__proto__')
                            setKey(obj, key, value);
                        else
                            obj[key] = value;
                        return obj;
                    }
                }
            }
            r.pos = save; // anything unusual: the general path
        }
        readMapEntry(ctx, fp, obj, end, depth);
        return obj;
    },
    /** A tag the generated switch has no case for: a wrong wire type, or a field the schema does not know. */
    other(r, ctx, plan, tag, tagAt, end, depth) {
        const num = tag >>> 3;
        const wt = tag & 7;
        if (num === 0)
            throw r.fail(`invalid field number 0 (tag ${tag})`, tagAt);
        const fp = plan.byNumber[num];
        if (fp !== undefined) {
            throw r.fail(`field ${plan.m.name}.${fp.f.name} (${num}) expects ${wireName(fp.wireType)}, found ${wireName(wt)}`, tagAt);
        }
        if (wt === 4)
            throw r.fail(`unexpected end-group tag for field ${num}`, tagAt);
        readUnknown(ctx, num, wt, end, depth);
    },
    overrun(r, e) {
        throw r.fail(`message ended at ${r.base + r.pos}, expected ${r.base + e}`);
    },
    tooDeep(r) {
        throw r.fail(`messages nested deeper than ${exports.MAX_DEPTH}`);
    },
    /** Go's zero value of a message absent from the wire. */
    zero(plan, r, ctx, depth) {
        switch (plan.special) {
            case S_NONE:
                return messageFn(plan)(r, ctx, r.pos, depth + 1, undefined);
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
    sortMap(obj, ctx) {
        return sortedMap(obj, ctx.rawKeys?.get(obj));
    },
    assign(o, v) {
        const src = v;
        for (const k of Object.keys(src))
            o[k] = src[k];
    },
};
/**
 * Generates the decoding function of a plain message: a `switch` over the wire tags reading each field
 * into a local variable, then the object built in Go field order with Go's JSON rules applied.
 */
function generateMessageFn(plan) {
    const subs = [];
    const fps = [];
    const subIndex = (p) => {
        let i = subs.indexOf(p);
        if (i < 0) {
            subs.push(p);
            messageFn(p);
            i = subs.length - 1;
        }
        return i;
    };
    const fpIndex = (fp) => {
        fps.push(fp);
        return fps.length - 1;
    };
    const readExpr = (k) => {
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
    const missing = (fp) => `throw r.fail(${JSON.stringify(`message type ${fp.f.message ?? '?'} of ${plan.m.name}.${fp.f.name} is not in the schema`)}, tagAt);`;
    const cases = [];
    for (const fp of plan.byNumber) {
        if (fp === undefined)
            continue;
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
                cases.push(`case ${tag}: { const e = r.lengthEnd(end); const a = (${v} ??= []); N[depth + 1] = ${name}; K[depth + 1] = a.length; ` +
                    `a.push(S[${s}].fn(r, ctx, e, depth + 1, undefined)); if (r.pos !== e) H.overrun(r, e); break; }`);
            }
            else if (fp.p === P_INLINE && fp.msg.special !== S_NONE) {
                cases.push(`case ${tag}: { const e = r.lengthEnd(end); ${v} = S[${s}].fn(r, ctx, e, depth + 1, undefined); if (r.pos !== e) H.overrun(r, e); break; }`);
            }
            else if (fp.p === P_INLINE) {
                cases.push(
                // an inline struct is read later, straight into this object (its range is kept: start, end)
                `case ${tag}: { const e = r.lengthEnd(end); ${v} = r.pos; ${v}e = e; r.pos = e; break; }`);
            }
            else {
                cases.push(`case ${tag}: { const e = r.lengthEnd(end); N[depth + 1] = ${name}; K[depth + 1] = null; ${v} = S[${s}].fn(r, ctx, e, depth + 1, undefined); ` +
                    `if (r.pos !== e) H.overrun(r, e); break; }`);
            }
        }
        else if (fp.k === K_MAP) {
            cases.push(`case ${tag}: ${v} = H.map(ctx, FP[${fpIndex(fp)}], end, depth, ${v} ?? {}); break;`);
        }
        else if (fp.repeated) {
            cases.push(`case ${tag}: (${v} ??= []).push(${readExpr(fp.k)}); break;`);
            if (fp.wireType !== wire_1.BYTES) {
                cases.push(`case ${fp.f.number * 8 + wire_1.BYTES}: ${v} = H.packed(r, ctx, ${fp.k}, end, ${v} ?? []); break;`);
            }
        }
        else {
            cases.push(`case ${tag}: ${v} = ${readExpr(fp.k)}; break;`);
        }
    }
    const build = ['const o = target === undefined ? {} : target;'];
    const typeMeta = 'if (tm !== undefined) { if (tm.kind !== "") o.kind = tm.kind; if (tm.apiVersion !== "") o.apiVersion = tm.apiVersion; }';
    plan.fields.forEach((fp, i) => {
        if (i === plan.typeMetaAt)
            build.push(typeMeta);
        const f = fp.f;
        const v = `f${i}`;
        const key = `o[${JSON.stringify(f.name)}]`;
        switch (fp.p) {
            case P_SCALAR: {
                const zero = fp.k === K_STRING ? '""' : fp.k === K_BOOL ? 'false' : '0';
                if (f.pointer)
                    build.push(f.omitEmpty ? `if (${v} !== undefined) ${key} = ${v};` : `${key} = ${v} === undefined ? null : ${v};`);
                else if (f.omitEmpty)
                    build.push(`if (${v} !== undefined && ${v} !== ${zero}) ${key} = ${v};`);
                else
                    build.push(`${key} = ${v} === undefined ? ${zero} : ${v};`);
                break;
            }
            case P_NULLABLE:
                if (fp.k === K_MAP)
                    build.push(f.omitEmpty ? `if (${v} !== undefined) ${key} = H.sortMap(${v}, ctx);` : `${key} = ${v} === undefined ? null : H.sortMap(${v}, ctx);`);
                else if (fp.k === K_BYTES && !fp.repeated)
                    build.push(f.omitEmpty ? `if (${v} !== undefined && ${v} !== "") ${key} = ${v};` : `${key} = ${v} === undefined ? null : ${v};`);
                else
                    build.push(f.omitEmpty ? `if (${v} !== undefined && ${v} !== null && ${v}.length !== 0) ${key} = ${v};` : `${key} = ${v} === undefined ? null : ${v};`);
                break;
            case P_MESSAGE:
                if (f.pointer)
                    build.push(f.omitEmpty ? `if (${v} !== undefined) ${key} = ${v};` : `${key} = ${v} === undefined ? null : ${v};`);
                else if (fp.msg === undefined)
                    build.push(`${key} = ${v} === undefined ? {} : ${v};`);
                else
                    build.push(`${key} = ${v} === undefined ? H.zero(S[${subIndex(fp.msg)}], r, ctx, depth) : ${v};`);
                break;
            default:
                if (fp.msg === undefined)
                    break;
                if (fp.msg.special !== S_NONE) {
                    build.push(`H.assign(o, ${v} === undefined ? H.zero(S[${subIndex(fp.msg)}], r, ctx, depth) : ${v});`);
                }
                else {
                    build.push(`{ const save = r.pos; if (${v} !== undefined) { r.pos = ${v}; } else { ${v}e = r.pos; } N[depth + 1] = null; K[depth + 1] = null; ` +
                        `S[${subIndex(fp.msg)}].fn(r, ctx, ${v}e, depth + 1, undefined, o); if (r.pos !== ${v}e) H.overrun(r, ${v}e); r.pos = save; }`);
                }
        }
    });
    if (plan.typeMetaAt >= plan.fields.length)
        build.push(typeMeta);
    build.push('return o;');
    const locals = plan.fields.map((_, i) => `f${i}`);
    plan.fields.forEach((fp, i) => {
        if (fp.p === P_INLINE)
            locals.push(`f${i}e`);
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
        '      default: H.other(r, ctx, PLAN, tag, tagAt, end, depth);',
        '    }',
        '  }',
        '  if (r.pos !== end) throw r.fail(`field ran past the end of its message (ends at ${r.base + end})`);',
        '  void x;',
        ...build.map((b) => `  ${b}`),
        '};',
    ].join('\n');
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const factory = new Function('H', 'S', 'FP', 'PLAN', 'MAX_DEPTH', body);
    return factory(H, subs, fps, plan, exports.MAX_DEPTH);
}
function readMapEntry(ctx, fp, obj, end, depth) {
    const r = ctx.r;
    const e = r.lengthEnd(end);
    let key;
    let value;
    while (r.pos < e) {
        const tagAt = r.pos;
        const tag = r.uint32(e);
        const num = tag >>> 3;
        const wt = tag & 7;
        if (num === 1) {
            if (wt !== wireTypeOf(fp.mapKeyK))
                throw r.fail(`map key of ${fp.f.name} expects ${wireName(wireTypeOf(fp.mapKeyK))}, found ${wireName(wt)}`, tagAt);
            if (fp.mapKeyK === K_STRING) {
                const ks = r.pos;
                key = H.str(r, ctx.buf, e);
                noteRawKey(ctx, obj, key, ks);
            }
            else
                key = readScalar(ctx, fp.mapKeyK, e);
        }
        else if (num === 2) {
            if (wt !== wireTypeOf(fp.mapValueK))
                throw r.fail(`map value of ${fp.f.name} expects ${wireName(wireTypeOf(fp.mapValueK))}, found ${wireName(wt)}`, tagAt);
            if (fp.mapValueK === K_MESSAGE) {
                const ve = r.lengthEnd(e);
                const sub = fp.mapValueMsg;
                if (sub === undefined)
                    throw r.fail(`message type ${fp.f.mapValueMessage ?? '?'} of map ${fp.f.name} is not in the schema`, tagAt);
                ctx.names[depth + 1] = fp.f.name;
                ctx.keys[depth + 1] = `[${JSON.stringify(String(key ?? ''))}]`;
                value = messageFn(sub)(r, ctx, ve, depth + 1, undefined);
                if (r.pos !== ve)
                    throw r.fail(`message ended at ${r.base + r.pos}, expected ${r.base + ve}`);
            }
            else {
                value = fp.mapValueK === K_STRING ? H.str(r, ctx.buf, e) : readScalar(ctx, fp.mapValueK, e);
            }
        }
        else {
            if (num === 0)
                throw r.fail(`invalid field number 0 in a map entry of ${fp.f.name}`, tagAt);
            readUnknown(ctx, num, wt, e, depth, fp.f.name);
        }
    }
    if (r.pos !== e)
        throw r.fail(`map entry ran past its end (${r.base + e})`);
    if (value === undefined) {
        if (fp.mapValueK === K_MESSAGE) {
            const sub = fp.mapValueMsg;
            value = sub === undefined ? null : sub.special === S_LISTWRAPPER ? [] : H.zero(sub, r, ctx, depth);
        }
        else if (fp.mapValueK === K_BYTES)
            value = '';
        else
            value = zeroScalar(fp.mapValueK);
    }
    setKey(obj, key === undefined ? '' : String(key), value);
}
/**
 * Remembers the stored bytes of a map key that is not ASCII: Go sorts map keys by their bytes, and a
 * key holding invalid UTF-8 sorts by them differently than its decoded text (U+FFFD) does.
 */
function noteRawKey(ctx, obj, key, lengthAt) {
    const buf = ctx.buf;
    let p = lengthAt;
    while (buf[p] >= 0x80)
        p++;
    p++;
    const e = ctx.r.pos;
    let ascii = true;
    for (let i = p; i < e; i++) {
        if (buf[i] >= 0x80) {
            ascii = false;
            break;
        }
    }
    if (ascii)
        return;
    ctx.rawKeys ??= new Map();
    let keys = ctx.rawKeys.get(obj);
    if (keys === undefined) {
        keys = new Map();
        ctx.rawKeys.set(obj, keys);
    }
    keys.set(key, buf.slice(p, e));
}
/** A map's keys in Go's order (by bytes); `raw` holds the stored bytes of non-ASCII keys. */
function sortedMap(obj, raw) {
    const keys = Object.keys(obj);
    if (keys.length < 2)
        return obj;
    if (raw !== undefined) {
        const bytesOf = (k) => raw.get(k) ?? Buffer.from(k, 'utf8');
        keys.sort((a, b) => Buffer.compare(bytesOf(a), bytesOf(b)));
        const out = {};
        for (const k of keys)
            setKey(out, k, obj[k]);
        return out;
    }
    let ordered = true;
    for (let i = 1; i < keys.length; i++) {
        if ((0, go_utf8_1.utf8ByteCompare)(keys[i - 1], keys[i]) > 0) {
            ordered = false;
            break;
        }
    }
    if (ordered)
        return obj;
    keys.sort(go_utf8_1.utf8ByteCompare);
    const out = {};
    for (const k of keys)
        setKey(out, k, obj[k]);
    return out;
}
const ZERO_TIME_SECONDS = -62135596800;
/**
 * Embedded JSON text that re-printing its parsed value might change (escapes, number forms, integer-like
 * keys that JavaScript reorders); other text prints back identically once compacted.
 */
const MAY_REPRINT_DIFFERENTLY = /\\[u/]|[0-9][.eE]|-0|"[0-9]+"\s*:/;
/** Formatted Times by Unix seconds: objects of one cluster share few distinct timestamps. */
const TIME_CACHE = new Map();
/** Reads the message of a type with custom JSON. */
function readSpecial(ctx, plan, end, depth) {
    const r = ctx.r;
    const start = r.pos;
    let seconds = 0;
    let nanos = 0;
    let i64 = 0;
    let i32 = 0;
    let str;
    let rawStart = -1;
    let rawEnd = -1;
    let items;
    const special = plan.special;
    while (r.pos < end) {
        const tagAt = r.pos;
        const tag = r.uint32(end);
        const num = tag >>> 3;
        const wt = tag & 7;
        if (num === 0)
            throw r.fail(`invalid field number 0 in ${plan.m.name}`, tagAt);
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
                }
                else
                    items.push(readScalar(ctx, fp.k, end));
            }
            else if (wt === wire_1.BYTES) {
                const e = r.lengthEnd(end);
                while (r.pos < e)
                    items.push(readScalar(ctx, fp.k, e));
            }
            else
                throw r.fail(`field ${plan.m.name}.${fp.f.name} expects ${wireName(fp.wireType)}, found ${wireName(wt)}`, tagAt);
            continue;
        }
        if (wt !== fp.wireType)
            throw r.fail(`field ${plan.m.name}.${fp.f.name} (${num}) expects ${wireName(fp.wireType)}, found ${wireName(wt)}`, tagAt);
        switch (special) {
            case S_TIME:
            case S_MICROTIME:
                if (num === 1)
                    seconds = r.int64(end);
                else if (num === 2)
                    nanos = r.int32(end);
                else
                    r.skip(wt, end, num);
                break;
            case S_DURATION:
                if (num === 1)
                    i64 = r.int64(end);
                else
                    r.skip(wt, end, num);
                break;
            case S_INTORSTRING:
                if (num === 1)
                    i64 = r.int64(end);
                else if (num === 2)
                    i32 = r.int32(end);
                else if (num === 3)
                    str = readScalar(ctx, K_STRING, end);
                else
                    r.skip(wt, end, num);
                break;
            case S_QUANTITY:
                if (num === 1) {
                    const at = r.pos;
                    str = readScalar(ctx, K_STRING, end);
                    try {
                        str = (0, quantity_1.canonicalQuantity)(str);
                    }
                    catch (e) {
                        throw r.fail(`invalid quantity ${JSON.stringify(str)} (${e.message})`, at);
                    }
                }
                else
                    r.skip(wt, end, num);
                break;
            case S_FIELDSV1:
            case S_RAWEXTENSION:
                if (num === 1) {
                    const e = r.lengthEnd(end);
                    rawStart = r.pos;
                    rawEnd = e;
                    r.pos = e;
                }
                else
                    r.skip(wt, end, num);
                break;
            default:
                r.skip(wt, end, num);
        }
    }
    if (r.pos !== end)
        throw r.fail(`field ran past the end of its message (ends at ${r.base + end})`);
    switch (special) {
        case S_TIME: {
            if (end === start)
                return null;
            if (seconds === ZERO_TIME_SECONDS)
                return null;
            if (typeof seconds !== 'number')
                return (0, kube_time_1.formatTime)(seconds, 0);
            let text = TIME_CACHE.get(seconds);
            if (text === undefined) {
                if (TIME_CACHE.size >= 4096)
                    TIME_CACHE.clear();
                text = (0, kube_time_1.formatTime)(seconds, 0);
                TIME_CACHE.set(seconds, text);
            }
            return text;
        }
        case S_MICROTIME: {
            if (end === start)
                return null;
            if (nanos < 0 || nanos >= 1e9) {
                const carry = Math.floor(nanos / 1e9);
                nanos -= carry * 1e9;
                seconds = typeof seconds === 'bigint' ? seconds + BigInt(carry) : seconds + carry;
            }
            if (seconds === ZERO_TIME_SECONDS && nanos === 0)
                return null;
            return (0, kube_time_1.formatMicroTime)(seconds, nanos);
        }
        case S_DURATION:
            return (0, go_duration_1.formatGoDuration)(BigInt(i64));
        case S_INTORSTRING:
            if (i64 === 0)
                return i32;
            if (i64 === 1)
                return str ?? '';
            throw r.fail(`IntOrString type ${String(i64)} is neither 0 (int) nor 1 (string)`, start);
        case S_QUANTITY:
            return str ?? '0';
        case S_FIELDSV1:
        case S_RAWEXTENSION: {
            if (rawStart < 0)
                return null;
            const text = (0, go_utf8_1.decodeGoString)(ctx.buf, rawStart, rawEnd);
            try {
                const value = (0, go_json_1.parseKubeJson)(text);
                if (value !== null && typeof value === 'object' && MAY_REPRINT_DIFFERENTLY.test(text)) {
                    // keep the stored text where re-printing the parsed value would not give it back
                    const compact = (0, go_json_1.compactJson)(text, { escapeHtml: true });
                    const printed = (0, go_json_1.toKubeJson)(value);
                    if (printed !== compact)
                        (0, raw_json_1.markRawJson)(value, compact, printed);
                }
                return value;
            }
            catch (e) {
                throw r.fail(`${special === S_FIELDSV1 ? 'FieldsV1' : 'RawExtension'} does not hold valid JSON (${e.message})`, rawStart);
            }
        }
        case S_LISTWRAPPER:
            return items ?? [];
        default:
            return null;
    }
}
/**
 * Creates a protobuf decoder for a schema.
 * @example
 * const d = createProtobufDecoder(loadSchema());
 * d.messageFor('apps/v1', 'Deployment') // 'k8s.io.api.apps.v1.Deployment'
 */
function createProtobufDecoder(schema) {
    const plans = new PlanCache(schema);
    // the last lookup, as values of one resource come in runs
    let lastVersion = '';
    let lastKind = '';
    let lastMessage;
    const messageFor = (apiVersion, kind) => {
        if (apiVersion === lastVersion && kind === lastKind && lastMessage !== undefined)
            return lastMessage;
        const found = lookup(apiVersion, kind);
        lastVersion = apiVersion;
        lastKind = kind;
        lastMessage = found;
        return found;
    };
    const lookup = (apiVersion, kind) => {
        const k = schema.kinds[`${apiVersion}/${kind}`];
        if (k !== undefined)
            return k.message;
        // meta/v1 types registered into every group version (WatchEvent, Status, DeleteOptions…)
        const meta = `k8s.io.apimachinery.pkg.apis.meta.v1.${kind}`;
        if (kind !== '' && schema.messages[meta] !== undefined)
            return meta;
        return undefined;
    };
    return {
        plans,
        messageFor,
        decodeObject(buf, start, end, base, messageName, typeMeta) {
            const plan = plans.get(messageName);
            if (plan === undefined) {
                return { error: new errors_1.DecodeError(`Cannot decode ${messageName}: the schema has no such message.`, base + start) };
            }
            const view = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
            const ctx = { r: new wire_1.WireReader(view, start, base), buf: view, unknown: [], names: [], keys: [] };
            try {
                const object = readMessage(ctx, plan, end, 0, typeMeta);
                const out = { object };
                if (ctx.unknown.length > 0)
                    out.unknownFields = ctx.unknown;
                return out;
            }
            catch (e) {
                const error = e instanceof errors_1.DecodeError
                    ? e
                    : new errors_1.DecodeError(`Cannot decode ${messageName} at byte ${base + ctx.r.pos}: ${e.message}.`, base + ctx.r.pos);
                const out = { error };
                if (ctx.unknown.length > 0)
                    out.unknownFields = ctx.unknown;
                return out;
            }
        },
    };
}
/** Reads runtime.Unknown {typeMeta=1 {apiVersion=1, kind=2}, raw=2, contentEncoding=3, contentType=4}. */
function readEnvelope(value, base) {
    const buf = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    const r = new wire_1.WireReader(buf, 0, base);
    const env = { apiVersion: '', kind: '', rawStart: -1, rawEnd: -1, contentEncoding: '', contentType: '' };
    const end = buf.length;
    while (r.pos < end) {
        const tagAt = r.pos;
        const tag = r.uint32(end);
        const num = tag >>> 3;
        const wt = tag & 7;
        if (num >= 1 && num <= 4 && wt !== wire_1.BYTES) {
            throw r.fail(`runtime.Unknown field ${num} expects ${wireName(wire_1.BYTES)}, found ${wireName(wt)}`, tagAt);
        }
        if (num === 1) {
            const e = r.lengthEnd(end);
            while (r.pos < e) {
                const at = r.pos;
                const t = r.uint32(e);
                const n = t >>> 3;
                if ((n === 1 || n === 2) && (t & 7) !== wire_1.BYTES)
                    throw r.fail(`runtime.TypeMeta field ${n} expects a string`, at);
                if (n === 1)
                    env.apiVersion = H.str(r, buf, e);
                else if (n === 2)
                    env.kind = H.str(r, buf, e);
                else if (n === 0)
                    throw r.fail('invalid field number 0 in runtime.TypeMeta', at);
                else
                    r.skip(t & 7, e, n);
            }
        }
        else if (num === 2) {
            const e = r.lengthEnd(end);
            env.rawStart = r.pos;
            env.rawEnd = e;
            r.pos = e;
        }
        else if (num === 3) {
            env.contentEncoding = H.str(r, buf, end);
        }
        else if (num === 4) {
            env.contentType = H.str(r, buf, end);
        }
        else if (num === 0) {
            throw r.fail(`invalid field number 0 in runtime.Unknown (tag ${tag})`, tagAt);
        }
        else {
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
function decodeValue(decoderOrGetter, value, options = {}) {
    // The schema is only needed for protobuf: JSON, CBOR, encrypted and raw values decode without it.
    const getDecoder = () => (typeof decoderOrGetter === 'function' ? decoderOrGetter() : decoderOrGetter);
    if (!(value instanceof Uint8Array)) {
        const what = value === null ? 'null' : typeof value;
        return {
            encoding: 'raw',
            valueBytes: 0,
            error: new errors_1.DecodeError(`Cannot decode a value of type ${what}: expected a Uint8Array (or Buffer) of the stored bytes.`, 0),
        };
    }
    const result = { encoding: 'raw', valueBytes: value.length };
    if (options.bare) {
        result.encoding = 'protobuf';
        decodeBareProtobuf(getDecoder(), value, 0, options.apiVersion ?? '', options.kind ?? '', result);
        return result;
    }
    let sniffed;
    try {
        sniffed = (0, envelope_1.sniffValue)(value);
    }
    catch (e) {
        result.error = e instanceof errors_1.DecodeError ? e : new errors_1.DecodeError(`Cannot read the value: ${e.message}.`, 0);
        return result;
    }
    result.encoding = sniffed.encoding;
    if (sniffed.stripped !== undefined)
        result.stripped = sniffed.stripped;
    const body = sniffed.body;
    const base = sniffed.bodyOffset;
    switch (sniffed.encoding) {
        case 'protobuf': {
            let env;
            try {
                env = readEnvelope(body, base);
            }
            catch (e) {
                result.error = e instanceof errors_1.DecodeError ? e : new errors_1.DecodeError(String(e), base);
                return result;
            }
            const apiVersion = env.apiVersion !== '' || env.kind !== '' ? env.apiVersion : (options.apiVersion ?? '');
            const kind = env.apiVersion !== '' || env.kind !== '' ? env.kind : (options.kind ?? '');
            if (apiVersion !== '')
                result.apiVersion = apiVersion;
            if (kind !== '')
                result.kind = kind;
            if (env.contentEncoding !== '') {
                result.error = new errors_1.DecodeError(`Cannot decode ${apiVersion}/${kind}: content encoding ${JSON.stringify(env.contentEncoding)} is not supported (only none).`, base);
                return result;
            }
            if (env.rawStart < 0) {
                env.rawStart = body.length;
                env.rawEnd = body.length;
            }
            if (apiVersion === '' && kind === '') {
                result.protoFields = (0, proto_dump_1.dumpProtoFields)(body, env.rawStart, env.rawEnd);
                result.error = new errors_1.DecodeError(`The protobuf envelope (runtime.Unknown, ${body.length} bytes) names no apiVersion or kind, so the object's type is unknown. ` +
                    'If the value is complete, pass { apiVersion, kind } to decode it.', base);
                return result;
            }
            const decoder = getDecoder();
            const messageName = decoder.messageFor(apiVersion, kind);
            if (messageName === undefined) {
                result.protoFields = (0, proto_dump_1.dumpProtoFields)(body, env.rawStart, env.rawEnd);
                result.error = new errors_1.DecodeError(`Unknown kind ${JSON.stringify(kind)} of ${JSON.stringify(apiVersion)}: the schema (${decoder.plans.schema.source.description}) does not know it, ` +
                    'so its fields are shown schema-less in protoFields. Use a schema compiled from newer Kubernetes sources (createCodec({ sourcesDir })).', base + env.rawStart);
                return result;
            }
            const out = decoder.decodeObject(body, env.rawStart, env.rawEnd, base, messageName, { kind, apiVersion });
            if (out.object !== undefined)
                result.object = out.object;
            if (out.unknownFields !== undefined)
                result.unknownFields = out.unknownFields;
            if (out.error !== undefined) {
                result.error = new errors_1.DecodeError(`Cannot decode ${apiVersion}/${kind}: ${out.error.message}`, out.error.offset);
            }
            return result;
        }
        case 'json': {
            try {
                const text = (0, go_utf8_1.decodeGoString)(body, 0, body.length);
                const obj = (0, go_json_1.parseKubeJson)(text);
                if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
                    result.error = new errors_1.DecodeError('The JSON value is not an object.', base);
                    return result;
                }
                result.object = obj;
                takeTypeMeta(result);
            }
            catch (e) {
                const off = e.details?.offset ?? 0;
                result.error = new errors_1.DecodeError(`Cannot decode the JSON value: ${e.message}`, base + off);
            }
            return result;
        }
        case 'cbor': {
            try {
                const obj = (0, cbor_1.decodeCbor)(body, 0);
                if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
                    result.error = new errors_1.DecodeError('The CBOR value is not a map.', base);
                    return result;
                }
                result.object = obj;
                takeTypeMeta(result);
            }
            catch (e) {
                result.error = e instanceof errors_1.DecodeError ? e : new errors_1.DecodeError(`Cannot decode the CBOR value: ${e.message}`, base);
            }
            return result;
        }
        case 'encrypted':
            if (sniffed.encryption !== undefined)
                result.encryption = sniffed.encryption;
            return result;
        default:
            if (sniffed.preview !== undefined)
                result.preview = sniffed.preview;
            return result;
    }
}
function takeTypeMeta(result) {
    const o = result.object;
    if (typeof o['apiVersion'] === 'string')
        result.apiVersion = o['apiVersion'];
    if (typeof o['kind'] === 'string')
        result.kind = o['kind'];
}
function decodeBareProtobuf(decoder, value, base, apiVersion, kind, result) {
    if (apiVersion !== '')
        result.apiVersion = apiVersion;
    if (kind !== '')
        result.kind = kind;
    const messageName = decoder.messageFor(apiVersion, kind);
    if (messageName === undefined) {
        result.protoFields = (0, proto_dump_1.dumpProtoFields)(value, 0, value.length);
        result.error = new errors_1.DecodeError(`Unknown kind ${JSON.stringify(kind)} of ${JSON.stringify(apiVersion)}: pass { apiVersion, kind } of a kind the schema knows to decode a bare protobuf message.`, base);
        return;
    }
    const out = decoder.decodeObject(value, 0, value.length, base, messageName, { kind, apiVersion });
    if (out.object !== undefined)
        result.object = out.object;
    if (out.unknownFields !== undefined)
        result.unknownFields = out.unknownFields;
    if (out.error !== undefined)
        result.error = out.error;
}
//# sourceMappingURL=decode.js.map