"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const go_utf8_1 = require("../../src/codec/go-utf8");
function dec(bytes) {
    const padded = new Uint8Array([0x21, ...bytes, 0x21]);
    const s = (0, go_utf8_1.decodeGoString)(padded, 1, padded.length - 1);
    return s;
}
const F = '\uFFFD';
(0, node_test_1.test)('decodeGoString decodes ASCII and valid UTF-8 unchanged, short and long', () => {
    strict_1.default.equal(dec([]), '');
    strict_1.default.equal(dec([0x61, 0x62]), 'ab');
    strict_1.default.equal(dec([0xc3, 0xa9]), 'é');
    strict_1.default.equal(dec([0xe2, 0x82, 0xac]), '€');
    strict_1.default.equal(dec([0xf0, 0x9f, 0x98, 0x80]), '😀');
    strict_1.default.equal(dec([0xef, 0xbb, 0xbf, 0x61]), '\uFEFFa');
    const long = 'héllo wörld '.repeat(20);
    strict_1.default.equal((0, go_utf8_1.decodeGoString)((0, go_utf8_1.encodeUtf8)(long), 0, (0, go_utf8_1.encodeUtf8)(long).length), long);
    const ascii = 'x'.repeat(100);
    strict_1.default.equal((0, go_utf8_1.decodeGoString)((0, go_utf8_1.encodeUtf8)(ascii), 0, 100), ascii);
    strict_1.default.equal(dec([0x00, 0x7f]), '\u0000\u007f');
});
(0, node_test_1.test)('decodeGoString replaces each invalid byte with exactly one U+FFFD, like Go', () => {
    strict_1.default.equal(dec([0xff]), F);
    strict_1.default.equal(dec([0x61, 0xff, 0x62]), `a${F}b`);
    strict_1.default.equal(dec([0x80, 0x80]), F + F);
    // overlong
    strict_1.default.equal(dec([0xc0, 0x80]), F + F);
    strict_1.default.equal(dec([0xc1, 0xbf]), F + F);
    strict_1.default.equal(dec([0xe0, 0x80, 0xaf]), F + F + F);
    strict_1.default.equal(dec([0xf0, 0x80, 0x80, 0xaf]), F + F + F + F);
    // encoded surrogates
    strict_1.default.equal(dec([0xed, 0xa0, 0x80]), F + F + F);
    strict_1.default.equal(dec([0xed, 0xbf, 0xbf]), F + F + F);
    strict_1.default.equal(dec([0xed, 0x9f, 0xbf]), '\uD7FF');
    // above U+10FFFF
    strict_1.default.equal(dec([0xf4, 0x90, 0x80, 0x80]), F + F + F + F);
    strict_1.default.equal(dec([0xf5, 0x80, 0x80, 0x80]), F + F + F + F);
    strict_1.default.equal(dec([0xf4, 0x8f, 0xbf, 0xbf]), '\u{10FFFF}');
    // truncated sequences: every byte of the broken prefix is its own error (WHATWG would give one)
    strict_1.default.equal(dec([0xe2, 0x82]), F + F);
    strict_1.default.equal(dec([0xe2, 0x82, 0x61]), `${F}${F}a`);
    strict_1.default.equal(dec([0xf0, 0x9f, 0x98]), F + F + F);
    strict_1.default.equal(dec([0xf0, 0x9f, 0x98, 0xc3, 0xa9]), `${F}${F}${F}é`);
    // long input with one bad byte takes the fallback path
    const long = [...(0, go_utf8_1.encodeUtf8)('a'.repeat(50)), 0xfe, ...(0, go_utf8_1.encodeUtf8)('é'.repeat(30))];
    strict_1.default.equal(dec(long), `${'a'.repeat(50)}${F}${'é'.repeat(30)}`);
});
(0, node_test_1.test)('decodeGoString honours start and end', () => {
    const bytes = (0, go_utf8_1.encodeUtf8)('abcdef');
    strict_1.default.equal((0, go_utf8_1.decodeGoString)(bytes, 2, 4), 'cd');
    strict_1.default.equal((0, go_utf8_1.decodeGoString)(bytes, 3, 3), '');
    // a sequence cut by `end` is invalid
    const e = (0, go_utf8_1.encodeUtf8)('x€');
    strict_1.default.equal((0, go_utf8_1.decodeGoString)(e, 0, 3), `x${F}${F}`);
});
(0, node_test_1.test)('encodeUtf8 encodes, lone surrogates become U+FFFD', () => {
    strict_1.default.deepEqual([...(0, go_utf8_1.encodeUtf8)('aé€😀')], [0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
    strict_1.default.deepEqual([...(0, go_utf8_1.encodeUtf8)('\uD800')], [0xef, 0xbf, 0xbd]);
});
(0, node_test_1.test)('utf8ByteCompare orders by UTF-8 bytes like Go sort.Strings', () => {
    const words = ['b', 'é', 'a', 'Z', '\uFFFF', '😀', 'ab', '', 'a\u0000', '\uE000'];
    const sorted = [...words].sort(go_utf8_1.utf8ByteCompare);
    const byBytes = [...words].sort((x, y) => Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8')));
    strict_1.default.deepEqual(sorted, byBytes);
    strict_1.default.deepEqual(sorted, ['', 'Z', 'a', 'a\u0000', 'ab', 'b', 'é', '\uE000', '\uFFFF', '😀']);
    strict_1.default.equal((0, go_utf8_1.utf8ByteCompare)('x', 'x'), 0);
    strict_1.default.ok((0, go_utf8_1.utf8ByteCompare)('😀', '\uFFFF') > 0);
    strict_1.default.ok((0, go_utf8_1.utf8ByteCompare)('\uFFFF', '😀') < 0);
});
//# sourceMappingURL=go-utf8.test.js.map