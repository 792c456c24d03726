"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.dumpProtoFields = dumpProtoFields;
/**
 * A schema-less view of a protobuf message, for kinds the schema does not know: every field with its
 * number and wire type; length-delimited values shown as nested messages when the bytes parse as one,
 * as text when they are printable UTF-8, else as hex.
 */
const go_utf8_1 = require("./go-utf8");
const wire_1 = require("./wire");
const MAX_DUMP_DEPTH = 100;
/**
 * Dumps the fields of the protobuf message in `bytes[start, end)` without a schema. Never throws: if
 * the bytes stop parsing, the fields read so far are returned, followed by a field numbered 0 whose
 * value is the hex of the unparsed rest.
 * @example
 * dumpProtoFields(new Uint8Array([0x08, 0x01, 0x12, 0x02, 0x68, 0x69]))
 * // [{ number: 1, wireType: 0, value: 1 }, { number: 2, wireType: 2, value: 'hi', as: 'string' }]
 */
function dumpProtoFields(bytes, start = 0, end = bytes.length) {
    const fields = tryParse(bytes, start, end, 0);
    if (fields !== undefined)
        return fields;
    // Salvage: read as far as possible.
    const out = [];
    const r = new wire_1.WireReader(bytes, start);
    let lastGood = start;
    try {
        while (r.pos < end) {
            const f = readField(bytes, r, end, 0);
            out.push(f);
            lastGood = r.pos;
        }
    }
    catch {
        out.push({ number: 0, wireType: wire_1.BYTES, value: hex(bytes, lastGood, end), as: 'hex' });
    }
    return out;
}
function tryParse(bytes, start, end, depth) {
    if (depth > MAX_DUMP_DEPTH)
        return undefined;
    const r = new wire_1.WireReader(bytes, start);
    const out = [];
    try {
        while (r.pos < end)
            out.push(readField(bytes, r, end, depth));
    }
    catch {
        return undefined;
    }
    return out;
}
function readField(bytes, r, end, depth) {
    const tag = r.uint32(end);
    const number = tag >>> 3;
    const wireType = tag & 7;
    if (number === 0)
        throw r.fail('field number 0');
    switch (wireType) {
        case wire_1.VARINT:
            return { number, wireType, value: r.uint64(end) };
        case wire_1.FIXED64:
            return { number, wireType, value: r.fixed64(end) };
        case wire_1.FIXED32:
            return { number, wireType, value: r.fixed32(end) };
        case wire_1.BYTES: {
            const e = r.lengthEnd(end);
            const s = r.pos;
            r.pos = e;
            const text = printable(bytes, s, e);
            // Text first: short ASCII strings often happen to parse as messages too.
            if (text !== undefined)
                return { number, wireType, value: text, as: 'string' };
            const nested = e > s ? tryParse(bytes, s, e, depth + 1) : undefined;
            if (nested !== undefined)
                return { number, wireType, value: nested, as: 'message' };
            return { number, wireType, value: hex(bytes, s, e), as: 'hex' };
        }
        default:
            throw r.fail(`unsupported wire type ${wireType}`);
    }
}
function printable(bytes, s, e) {
    for (let i = s; i < e; i++) {
        const c = bytes[i];
        if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0x7f)
            return undefined;
    }
    const text = (0, go_utf8_1.decodeGoString)(bytes, s, e);
    return text.includes('\uFFFD') || (0, go_utf8_1.holdsInvalidUtf8)(text) ? undefined : text;
}
function hex(bytes, s, e) {
    return Buffer.from(bytes.buffer, bytes.byteOffset + s, e - s).toString('hex');
}
//# sourceMappingURL=proto-dump.js.map