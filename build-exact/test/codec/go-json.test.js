"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
const go_json_1 = require("../../src/codec/go-json");
const DATA = path.join(__dirname, '../../..', '..', 'shared/data', 'auger-testdata');
(0, node_test_1.test)('toKubeJson escapes strings exactly as Go encoding/json', () => {
    strict_1.default.equal((0, go_json_1.toKubeJson)('plain'), '"plain"');
    strict_1.default.equal((0, go_json_1.toKubeJson)('<a href="x">&</a>'), '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"');
    strict_1.default.equal((0, go_json_1.toKubeJson)('a\nb\rc\td\be\ff'), '"a\\nb\\rc\\td\\be\\ff"');
    strict_1.default.equal((0, go_json_1.toKubeJson)('\u0000\u0001\u001f\u007f'), '"\\u0000\\u0001\\u001f\u007f"');
    strict_1.default.equal((0, go_json_1.toKubeJson)('\u2028\u2029'), '"\\u2028\\u2029"');
    strict_1.default.equal((0, go_json_1.toKubeJson)('back\\slash "q"'), '"back\\\\slash \\"q\\""');
    strict_1.default.equal((0, go_json_1.toKubeJson)('é€😀\uFFFD'), '"é€😀\uFFFD"');
    strict_1.default.equal((0, go_json_1.toKubeJson)('/'), '"/"');
    // a lone surrogate cannot be in a Go string; Go writes invalid UTF-8 as \ufffd
    strict_1.default.equal((0, go_json_1.toKubeJson)('a\uD800b\uDC00'), '"a\\ufffdb\\ufffd"');
    strict_1.default.equal((0, go_json_1.quoteGoString)('x'), '"x"');
});
(0, node_test_1.test)('toKubeJson prints numbers as Go prints int64 and float64', () => {
    strict_1.default.equal((0, go_json_1.toKubeJson)(0), '0');
    strict_1.default.equal((0, go_json_1.toKubeJson)(-0), '-0');
    strict_1.default.equal((0, go_json_1.toKubeJson)(42), '42');
    strict_1.default.equal((0, go_json_1.toKubeJson)(-7), '-7');
    strict_1.default.equal((0, go_json_1.toKubeJson)(1.5), '1.5');
    strict_1.default.equal((0, go_json_1.toKubeJson)(0.1), '0.1');
    strict_1.default.equal((0, go_json_1.toKubeJson)(1e20), '100000000000000000000');
    strict_1.default.equal((0, go_json_1.toKubeJson)(1e21), '1e+21');
    strict_1.default.equal((0, go_json_1.toKubeJson)(1.5e300), '1.5e+300');
    strict_1.default.equal((0, go_json_1.toKubeJson)(0.000001), '0.000001');
    strict_1.default.equal((0, go_json_1.toKubeJson)(0.0000001), '1e-7');
    strict_1.default.equal((0, go_json_1.toKubeJson)(1.25e-10), '1.25e-10');
    strict_1.default.equal((0, go_json_1.toKubeJson)(5e-324), '5e-324');
    strict_1.default.equal((0, go_json_1.toKubeJson)(123456789.125), '123456789.125');
    strict_1.default.equal((0, go_json_1.toKubeJson)(9007199254740993n), '9007199254740993');
    strict_1.default.equal((0, go_json_1.toKubeJson)(-(1n << 63n)), '-9223372036854775808');
    strict_1.default.equal((0, go_json_1.toKubeJson)((1n << 64n) - 1n), '18446744073709551615');
    strict_1.default.throws(() => (0, go_json_1.toKubeJson)(NaN), { name: 'InvalidArgumentError' });
    strict_1.default.throws(() => (0, go_json_1.toKubeJson)({ a: Infinity }), { name: 'InvalidArgumentError' });
});
(0, node_test_1.test)('toKubeJson writes objects, arrays, bytes and nulls', () => {
    strict_1.default.equal((0, go_json_1.toKubeJson)(null), 'null');
    strict_1.default.equal((0, go_json_1.toKubeJson)(true), 'true');
    strict_1.default.equal((0, go_json_1.toKubeJson)({ b: 1, a: 2 }), '{"b":1,"a":2}');
    strict_1.default.equal((0, go_json_1.toKubeJson)({ a: undefined, b: null, c: [undefined] }), '{"b":null,"c":[null]}');
    strict_1.default.equal((0, go_json_1.toKubeJson)({}), '{}');
    strict_1.default.equal((0, go_json_1.toKubeJson)([]), '[]');
    strict_1.default.equal((0, go_json_1.toKubeJson)({ a: {}, b: [] }), '{"a":{},"b":[]}');
    strict_1.default.equal((0, go_json_1.toKubeJson)(new Uint8Array([0, 1, 2, 250])), '"AAEC+g=="');
    strict_1.default.equal((0, go_json_1.toKubeJson)(new Uint8Array([])), '""');
    strict_1.default.equal((0, go_json_1.toKubeJson)(new Map([['b', 1], ['a', 2]])), '{"a":2,"b":1}');
});
(0, node_test_1.test)('toKubeJson sorts objects with integer-like keys by UTF-8 bytes, like Go maps', () => {
    const labels = {};
    labels['b'] = '1';
    labels['10'] = '2';
    labels['2'] = '3';
    labels['A'] = '4';
    labels['é'] = '5';
    labels['01'] = '6';
    strict_1.default.equal((0, go_json_1.toKubeJson)(labels), '{"01":"6","10":"2","2":"3","A":"4","b":"1","é":"5"}');
    // without integer-like keys the (already Go-sorted or field-ordered) insertion order is kept
    strict_1.default.equal((0, go_json_1.toKubeJson)({ z: 1, a: 2 }), '{"z":1,"a":2}');
});
(0, node_test_1.test)('toKubeJson with indent matches json.MarshalIndent', () => {
    const v = { kind: 'Pod', spec: { containers: [{ name: 'a', args: [] }], empty: {} }, list: [1, [2, 3]] };
    const expected = [
        '{',
        '  "kind": "Pod",',
        '  "spec": {',
        '    "containers": [',
        '      {',
        '        "name": "a",',
        '        "args": []',
        '      }',
        '    ],',
        '    "empty": {}',
        '  },',
        '  "list": [',
        '    1,',
        '    [',
        '      2,',
        '      3',
        '    ]',
        '  ]',
        '}',
    ].join('\n');
    strict_1.default.equal((0, go_json_1.toKubeJson)(v, { indent: '  ' }), expected);
    strict_1.default.equal((0, go_json_1.toKubeJson)([], { indent: '\t' }), '[]');
    strict_1.default.equal((0, go_json_1.toKubeJson)({}, { indent: '\t' }), '{}');
    strict_1.default.equal((0, go_json_1.toKubeJson)({ a: 1 }, { indent: '\t' }), '{\n\t"a": 1\n}');
    strict_1.default.equal((0, go_json_1.toKubeJson)('x', { indent: '  ' }), '"x"');
});
(0, node_test_1.test)('parseKubeJson keeps int64 values exact and key order', () => {
    const v = (0, go_json_1.parseKubeJson)('{"z": 1, "generation": 9007199254740993, "neg": -9223372036854775808, "small": 9007199254740991, "f": 1.5, "e": 1e3}');
    strict_1.default.deepEqual(v, { z: 1, generation: 9007199254740993n, neg: -(1n << 63n), small: 9007199254740991, f: 1.5, e: 1000 });
    strict_1.default.deepEqual(Object.keys(v), ['z', 'generation', 'neg', 'small', 'f', 'e']);
    strict_1.default.equal((0, go_json_1.toKubeJson)(v), '{"z":1,"generation":9007199254740993,"neg":-9223372036854775808,"small":9007199254740991,"f":1.5,"e":1000}');
    strict_1.default.deepEqual((0, go_json_1.parseKubeJson)(' [1, "a\\u00e9\\ud83d\\ude00", true, false, null, {}] '), [1, 'aé😀', true, false, null, {}]);
    strict_1.default.equal((0, go_json_1.parseKubeJson)('"\\ud800x"'), '\uFFFDx');
    strict_1.default.equal((0, go_json_1.parseKubeJson)('"\\u0041\\/\\b\\f\\n\\r\\t\\"\\\\"'), 'A/\b\f\n\r\t"\\');
    const proto = (0, go_json_1.parseKubeJson)('{"__proto__": {"polluted": 1}}');
    strict_1.default.deepEqual(Object.keys(proto), ['__proto__']);
    strict_1.default.equal({}['polluted'], undefined);
    const slowProto = (0, go_json_1.parseKubeJson)('{"__proto__": {"x": 12345678901234567890}}');
    strict_1.default.equal(Object.getPrototypeOf(slowProto), Object.prototype);
    strict_1.default.deepEqual(slowProto['__proto__'], { x: 12345678901234567890n });
});
(0, node_test_1.test)('parseKubeJson rejects bad JSON naming the offset', () => {
    const cases = [
        ['', 0],
        ['{', 1],
        ['{"a" 1}', 5],
        ['[1,]', 3],
        ['[1 2]', 3],
        ['"abc', 0],
        ['"a\u0001"', 2],
        ['"\\x"', 1],
        ['01', 1],
        ['1.', 1],
        ['tru', 0],
        ['{"a":1}x', 7],
        ['1e400', 0],
        ['"\\u12g4"', 3],
    ];
    for (const [text, offset] of cases) {
        strict_1.default.throws(() => (0, go_json_1.parseKubeJson)(text), (e) => {
            strict_1.default.ok(e instanceof Error && e.name === 'InvalidArgumentError', String(e));
            strict_1.default.equal(e.details.offset, offset, text);
            strict_1.default.ok(e.message.includes(`offset ${offset}`));
            return true;
        }, text);
    }
    // the exact parser (used for text with long numbers) stops at 1000 levels instead of overflowing the stack
    strict_1.default.throws(() => (0, go_json_1.parseKubeJson)('['.repeat(2000) + '12345678901234567' + ']'.repeat(2000)), { name: 'InvalidArgumentError' });
});
(0, node_test_1.test)('compactJson removes only insignificant whitespace', () => {
    strict_1.default.equal((0, go_json_1.compactJson)('{ "a" : [1, 2],\n\t"b": "x y\\n\\u003c" }\n'), '{"a":[1,2],"b":"x y\\n\\u003c"}');
    strict_1.default.equal((0, go_json_1.compactJson)('{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}'), '{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}');
    strict_1.default.equal((0, go_json_1.compactJson)(' "<&>" '), '"<&>"');
    strict_1.default.equal((0, go_json_1.compactJson)(' "<&>\u2028" ', { escapeHtml: true }), '"\\u003c\\u0026\\u003e\\u2028"');
    strict_1.default.equal((0, go_json_1.compactJson)('[ "a\\" b" , 1.50e+3 ]'), '["a\\" b",1.50e+3]');
    strict_1.default.throws(() => (0, go_json_1.compactJson)('{"a":}'), { name: 'InvalidArgumentError' });
    strict_1.default.throws(() => (0, go_json_1.compactJson)('{"a":1} {'), { name: 'InvalidArgumentError' });
});
(0, node_test_1.test)('toKubeJson re-prints the auger golden JSON byte for byte', () => {
    for (const name of ['pod.json', 'job.json']) {
        const text = fs.readFileSync(path.join(DATA, 'json', name), 'utf8');
        const value = (0, go_json_1.parseKubeJson)(text);
        // the golden files are json.Marshal output plus one newline
        strict_1.default.equal((0, go_json_1.toKubeJson)(value) + '\n', text, name);
        strict_1.default.equal((0, go_json_1.compactJson)((0, go_json_1.toKubeJson)(value, { indent: '  ' })), (0, go_json_1.toKubeJson)(value), name);
        strict_1.default.deepEqual((0, go_json_1.parseKubeJson)((0, go_json_1.toKubeJson)(value, { indent: '   ' })), value, name);
    }
});
//# sourceMappingURL=go-json.test.js.map