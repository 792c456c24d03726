"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const cbor_1 = require("../../src/codec/cbor");
function hex(h) {
    return new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
}
function dec(h) {
    return (0, cbor_1.decodeCbor)(hex(h));
}
// Examples from RFC 8949 Appendix A.
(0, node_test_1.test)('decodeCbor decodes the RFC 8949 integer and float examples', () => {
    strict_1.default.equal(dec('00'), 0);
    strict_1.default.equal(dec('01'), 1);
    strict_1.default.equal(dec('0a'), 10);
    strict_1.default.equal(dec('17'), 23);
    strict_1.default.equal(dec('1818'), 24);
    strict_1.default.equal(dec('1819'), 25);
    strict_1.default.equal(dec('1864'), 100);
    strict_1.default.equal(dec('1903e8'), 1000);
    strict_1.default.equal(dec('1a000f4240'), 1000000);
    strict_1.default.equal(dec('1b000000e8d4a51000'), 1000000000000);
    strict_1.default.equal(dec('1b001fffffffffffff'), 9007199254740991);
    strict_1.default.equal(dec('1b0020000000000001'), 9007199254740993n);
    strict_1.default.equal(dec('1bffffffffffffffff'), 18446744073709551615n);
    strict_1.default.equal(dec('20'), -1);
    strict_1.default.equal(dec('29'), -10);
    strict_1.default.equal(dec('3863'), -100);
    strict_1.default.equal(dec('3903e7'), -1000);
    strict_1.default.equal(dec('3b001ffffffffffffe'), -9007199254740991);
    strict_1.default.equal(dec('3b0020000000000000'), -9007199254740993n);
    strict_1.default.equal(dec('3bffffffffffffffff'), -18446744073709551616n);
    strict_1.default.equal(dec('f90000'), 0);
    strict_1.default.ok(Object.is(dec('f98000'), -0));
    strict_1.default.equal(dec('f93c00'), 1);
    strict_1.default.equal(dec('fb3ff199999999999a'), 1.1);
    strict_1.default.equal(dec('f93e00'), 1.5);
    strict_1.default.equal(dec('f97bff'), 65504);
    strict_1.default.equal(dec('fa47c35000'), 100000);
    strict_1.default.equal(dec('fa7f7fffff'), 3.4028234663852886e38);
    strict_1.default.equal(dec('fb7e37e43c8800759c'), 1e300);
    strict_1.default.equal(dec('f90001'), 5.960464477539063e-8);
    strict_1.default.equal(dec('f90400'), 0.00006103515625);
    strict_1.default.equal(dec('f9c400'), -4);
    strict_1.default.equal(dec('fbc010666666666666'), -4.1);
    strict_1.default.equal(dec('f97c00'), Infinity);
    strict_1.default.ok(Number.isNaN(dec('f97e00')));
    strict_1.default.equal(dec('f9fc00'), -Infinity);
    strict_1.default.equal(dec('fa7f800000'), Infinity);
});
(0, node_test_1.test)('decodeCbor decodes simple values, strings, arrays and maps', () => {
    strict_1.default.equal(dec('f4'), false);
    strict_1.default.equal(dec('f5'), true);
    strict_1.default.equal(dec('f6'), null);
    strict_1.default.equal(dec('f7'), null);
    strict_1.default.equal(dec('40'), '');
    strict_1.default.equal(dec('4401020304'), 'AQIDBA==');
    strict_1.default.equal(dec('60'), '');
    strict_1.default.equal(dec('6161'), 'a');
    strict_1.default.equal(dec('6449455446'), 'IETF');
    strict_1.default.equal(dec('62225c'), '"\\');
    strict_1.default.equal(dec('62c3bc'), 'ü');
    strict_1.default.equal(dec('63e6b0b4'), '水');
    strict_1.default.equal(dec('64f0908591'), '\u{10151}');
    strict_1.default.deepEqual(dec('80'), []);
    strict_1.default.deepEqual(dec('83010203'), [1, 2, 3]);
    strict_1.default.deepEqual(dec('8301820203820405'), [1, [2, 3], [4, 5]]);
    strict_1.default.deepEqual(dec('a0'), {});
    strict_1.default.deepEqual(dec('a26161016162820203'), { a: 1, b: [2, 3] });
    strict_1.default.deepEqual(dec('826161a161626163'), ['a', { b: 'c' }]);
    strict_1.default.deepEqual(dec('a201020304'), { '1': 2, '3': 4 });
});
(0, node_test_1.test)('decodeCbor decodes indefinite lengths', () => {
    strict_1.default.equal(dec('5f42010243030405ff'), 'AQIDBAU=');
    strict_1.default.equal(dec('7f657374726561646d696e67ff'), 'streaming');
    strict_1.default.deepEqual(dec('9fff'), []);
    strict_1.default.deepEqual(dec('9f018202039f0405ffff'), [1, [2, 3], [4, 5]]);
    strict_1.default.deepEqual(dec('83018202039f0405ff'), [1, [2, 3], [4, 5]]);
    strict_1.default.deepEqual(dec('bf61610161629f0203ffff'), { a: 1, b: [2, 3] });
    strict_1.default.deepEqual(dec('bf6346756ef563416d7421ff'), { Fun: true, Amt: -2 });
});
(0, node_test_1.test)('decodeCbor handles tags: self-describe, dates, others dropped', () => {
    strict_1.default.deepEqual(dec('d9d9f7a1616101'), { a: 1 });
    strict_1.default.equal(dec('c074323031332d30332d32315432303a30343a30305a'), '2013-03-21T20:04:00Z');
    strict_1.default.equal(dec('c11a514b67b0'), '2013-03-21T20:04:00Z');
    strict_1.default.equal(dec('c1fb41d452d9ec200000'), '2013-03-21T20:04:00.5Z');
    strict_1.default.equal(dec('d74401020304'), 'AQIDBA==');
    strict_1.default.equal(dec('d818456449455446'), 'ZElFVEY=');
    strict_1.default.equal(dec('c249010000000000000000'), 'AQAAAAAAAAAA');
    strict_1.default.deepEqual((0, cbor_1.decodeCbor)(hex('ffffd9d9f7a1616101'), 2), { a: 1 });
});
(0, node_test_1.test)('decodeCbor refuses malformed input with the absolute byte offset', () => {
    const cases = [
        ['', 0],
        ['18', 1],
        ['1900', 1],
        ['1c', 0],
        ['1f', 0],
        ['44010203', 0],
        ['62c3', 0],
        ['62c328', 0],
        ['83 01 02', 0],
        ['a1 61 61', 3],
        ['a2 6161 01 6161 02', 4],
        ['a1 80 01', 1],
        ['ff', 0],
        ['f8 20', 0],
        ['e0', 0],
        ['01 02', 1],
        ['5f 61 61 ff', 1],
        ['9f 01', 2],
        ['c1 61 61', 1],
        ['c0 01', 1],
        ['5b ff ff ff ff ff ff ff ff', 0],
        ['9b 00 00 00 00 ff ff ff ff', 0],
        ['ba ff ff ff ff', 0],
    ];
    for (const [h, at] of cases) {
        strict_1.default.throws(() => (0, cbor_1.decodeCbor)(hex(h)), (e) => {
            strict_1.default.ok(e instanceof Error && e.name === 'DecodeError', `${h}: ${String(e)}`);
            strict_1.default.equal(e.offset, at, `${h}: ${e.message}`);
            return true;
        }, h);
    }
    // offsets are absolute when decoding from the middle of a buffer
    strict_1.default.throws(() => (0, cbor_1.decodeCbor)(hex('0000 a1 61 61'), 2), (e) => e.offset === 5);
});
(0, node_test_1.test)('decodeCbor stops at 100 levels of nesting', () => {
    const ok = hex('81'.repeat(99) + '01');
    strict_1.default.ok(Array.isArray((0, cbor_1.decodeCbor)(ok)));
    const deep = hex('81'.repeat(101) + '01');
    strict_1.default.throws(() => (0, cbor_1.decodeCbor)(deep), (e) => e instanceof Error && e.name === 'DecodeError' && /nesting/.test(e.message));
});
(0, node_test_1.test)('decodeCbor keeps __proto__ as a plain key', () => {
    const v = (0, cbor_1.decodeCbor)(hex('a1 69 5f5f70726f746f5f5f a1 6178 01'));
    strict_1.default.equal(Object.getPrototypeOf(v), Object.prototype);
    strict_1.default.deepEqual(Object.keys(v), ['__proto__']);
});
//# sourceMappingURL=cbor.test.js.map