"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.sniffValue = sniffValue;
const cbor_1 = require("./cbor");
const PROTOBUF_MAGIC = [0x6b, 0x38, 0x73, 0x00];
const CBOR_SELF_DESCRIBE = [0xd9, 0xd9, 0xf7];
const ENCRYPTED_PREFIX = 'k8s:enc:';
const PREVIEW_CHARS = 200;
const PREVIEW_BYTES = 64;
const MAX_KEY_LINE_BYTES = 4096;
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LATIN1 = new TextDecoder('latin1');
function startsWith(bytes, prefix, at = 0) {
    if (bytes.length - at < prefix.length)
        return false;
    for (let i = 0; i < prefix.length; i++)
        if (bytes[at + i] !== prefix[i])
            return false;
    return true;
}
function isJsonStart(bytes) {
    for (const b of bytes) {
        if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d)
            continue;
        return b === 0x7b || b === 0x5b;
    }
    return false;
}
function isEncrypted(bytes) {
    return startsWith(bytes, Array.from(ENCRYPTED_PREFIX, (c) => c.charCodeAt(0)));
}
function recognised(bytes) {
    return startsWith(bytes, PROTOBUF_MAGIC) || startsWith(bytes, CBOR_SELF_DESCRIBE) || isEncrypted(bytes) || isJsonStart(bytes);
}
/** Reads a varint at `pos`; returns the position after it and its value (low 32 bits are enough here). */
function readVarint(bytes, pos, end) {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
        if (pos >= end)
            return undefined;
        const b = bytes[pos++];
        value += (b & 0x7f) * scale;
        scale *= 128;
        if ((b & 0x80) === 0)
            return { next: pos, value };
    }
    return undefined;
}
/** True when `bytes[start, end)` is a sequence of well-formed top-level protobuf fields. */
function walksAsProtobuf(bytes, start, end) {
    let pos = start;
    while (pos < end) {
        const tag = readVarint(bytes, pos, end);
        if (tag === undefined || tag.value < 8)
            return false;
        pos = tag.next;
        switch (tag.value % 8) {
            case 0: {
                const v = readVarint(bytes, pos, end);
                if (v === undefined)
                    return false;
                pos = v.next;
                break;
            }
            case 1:
                pos += 8;
                break;
            case 2: {
                const len = readVarint(bytes, pos, end);
                if (len === undefined || len.value > end - len.next)
                    return false;
                pos = len.next + len.value;
                break;
            }
            case 5:
                pos += 4;
                break;
            default:
                return false;
        }
        if (pos > end)
            return false;
    }
    return true;
}
function cborDecodes(bytes) {
    try {
        (0, cbor_1.decodeCbor)(bytes);
        return true;
    }
    catch {
        return false;
    }
}
/** Whether the value's final `\n` was added by etcdctl, judged by the encoding. */
function hasAddedNewline(value) {
    const n = value.length;
    if (n === 0 || value[n - 1] !== 0x0a)
        return false;
    if (startsWith(value, PROTOBUF_MAGIC)) {
        return !walksAsProtobuf(value, 4, n) && walksAsProtobuf(value, 4, n - 1);
    }
    if (startsWith(value, CBOR_SELF_DESCRIBE)) {
        return !cborDecodes(value) && cborDecodes(value.subarray(0, n - 1));
    }
    if (isJsonStart(value))
        return n >= 2 && value[n - 2] === 0x0a;
    return false;
}
function keyLineOf(value) {
    const limit = Math.min(value.length, MAX_KEY_LINE_BYTES);
    let nl = -1;
    for (let i = 0; i < limit; i++) {
        if (value[i] === 0x0a) {
            nl = i;
            break;
        }
    }
    if (nl <= 0)
        return undefined;
    let keyLine;
    try {
        keyLine = UTF8.decode(value.subarray(0, nl));
    }
    catch {
        return undefined;
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(keyLine))
        return undefined;
    if (!keyLine.startsWith('/') && /\s/.test(keyLine))
        return undefined;
    const rest = value.subarray(nl + 1);
    return recognised(rest) ? { keyLine, rest } : undefined;
}
function encryptionOf(body) {
    const head = LATIN1.decode(body.subarray(0, Math.min(body.length, 512)));
    const m = /^k8s:enc:([^:]*):([^:]*):([^:]*):/.exec(head);
    if (m === null) {
        const provider = /^k8s:enc:([^:]*)/.exec(head)?.[1] ?? '';
        const prefixBytes = ENCRYPTED_PREFIX.length;
        return { info: { provider, version: '', keyName: '', ciphertextBytes: body.length - prefixBytes }, prefixBytes };
    }
    const prefixBytes = m[0].length;
    return {
        info: { provider: m[1], version: m[2], keyName: m[3], ciphertextBytes: body.length - prefixBytes },
        prefixBytes,
    };
}
function previewOf(bytes) {
    let text;
    try {
        text = UTF8.decode(bytes);
    }
    catch {
        text = undefined;
    }
    // eslint-disable-next-line no-control-regex
    if (text !== undefined && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) {
        if (text.length <= PREVIEW_CHARS)
            return text;
        return `${text.slice(0, PREVIEW_CHARS)}… (${bytes.length} bytes in all)`;
    }
    const shown = bytes.subarray(0, PREVIEW_BYTES);
    const hex = Array.from(shown, (b) => b.toString(16).padStart(2, '0')).join(' ');
    return bytes.length > PREVIEW_BYTES ? `${hex} … (${bytes.length} bytes in all)` : hex;
}
/**
 * Recognises the encoding of a stored value (and strips etcdctl's key line and trailing newline).
 * @example
 * sniffValue(new TextEncoder().encode('{"kind":"Foo"}')).encoding // 'json'
 */
function sniffValue(value) {
    let stripped;
    let v = value;
    if (!recognised(v)) {
        const k = keyLineOf(v);
        if (k !== undefined) {
            stripped = { keyLine: k.keyLine };
            v = k.rest;
        }
    }
    if (hasAddedNewline(v)) {
        stripped = { ...stripped, trailingNewline: true };
        v = v.subarray(0, v.length - 1);
    }
    const withStripped = (s) => stripped === undefined ? s : { ...s, stripped };
    if (startsWith(v, PROTOBUF_MAGIC)) {
        return withStripped({ encoding: 'protobuf', body: v.subarray(4), bodyOffset: 4 });
    }
    if (startsWith(v, CBOR_SELF_DESCRIBE))
        return withStripped({ encoding: 'cbor', body: v, bodyOffset: 0 });
    if (isEncrypted(v)) {
        const { info, prefixBytes } = encryptionOf(v);
        return withStripped({ encoding: 'encrypted', body: v.subarray(prefixBytes), bodyOffset: prefixBytes, encryption: info });
    }
    if (isJsonStart(v))
        return withStripped({ encoding: 'json', body: v, bodyOffset: 0 });
    return withStripped({ encoding: 'raw', body: v, bodyOffset: 0, preview: previewOf(v) });
}
//# sourceMappingURL=envelope.js.map