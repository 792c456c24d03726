"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const go_duration_1 = require("../../src/codec/go-duration");
// Expectations from Go's time/time_test.go (durationTests) and time.Duration.String's rules.
const FORMAT = [
    [0n, '0s'],
    [1n, '1ns'],
    [1100n, '1.1µs'],
    [2200000n, '2.2ms'],
    [3300000000n, '3.3s'],
    [4n * 60n * 1000000000n + 5n * 1000000000n, '4m5s'],
    [4n * 60n * 1000000000n + 5001n * 1000000n, '4m5.001s'],
    [5n * 3600n * 1000000000n + 6n * 60n * 1000000000n + 7001n * 1000000n, '5h6m7.001s'],
    [8n * 60n * 1000000000n + 1n, '8m0.000000001s'],
    [(1n << 63n) - 1n, '2562047h47m16.854775807s'],
    [-(1n << 63n), '-2562047h47m16.854775808s'],
    [1000n, '1µs'],
    [500000000n, '500ms'],
    [1500000000n, '1.5s'],
    [3723000000000n, '1h2m3s'],
    [3600000000000n, '1h0m0s'],
    [60000000000n, '1m0s'],
    [-120500000000n, '-2m0.5s'],
    [-1n, '-1ns'],
    [999999999n, '999.999999ms'],
    [1000000000n, '1s'],
];
(0, node_test_1.test)('formatGoDuration matches time.Duration.String', () => {
    for (const [nanos, text] of FORMAT)
        strict_1.default.equal((0, go_duration_1.formatGoDuration)(nanos), text, text);
});
const PARSE = [
    ['0', 0n],
    ['5s', 5000000000n],
    ['30s', 30000000000n],
    ['1478s', 1478000000000n],
    ['-5s', -5000000000n],
    ['+5s', 5000000000n],
    ['-0', 0n],
    ['+0', 0n],
    ['5.0s', 5000000000n],
    ['5.6s', 5600000000n],
    ['5.s', 5000000000n],
    ['.5s', 500000000n],
    ['1.0s', 1000000000n],
    ['1.00s', 1000000000n],
    ['1.004s', 1004000000n],
    ['1.0040s', 1004000000n],
    ['100.00100s', 100001000000n],
    ['10ns', 10n],
    ['11us', 11000n],
    ['12µs', 12000n],
    ['12μs', 12000n],
    ['13ms', 13000000n],
    ['14s', 14000000000n],
    ['15m', 15n * 60000000000n],
    ['16h', 16n * 3600000000000n],
    ['3h30m', 12600000000000n],
    ['10.5s4m', 4n * 60000000000n + 10500000000n],
    ['-2m3.4s', -(2n * 60000000000n + 3400000000n)],
    ['1h2m3s4ms5us6ns', 3723004005006n],
    ['39h9m14.425s', 140954425000000n],
    ['52763797000ns', 52763797000n],
    ['0.3333333333333333333h', 20n * 60000000000n],
    ['9007199254740993ns', 9007199254740993n],
    ['9223372036854775807ns', (1n << 63n) - 1n],
    ['9223372036.854775807s', (1n << 63n) - 1n],
    ['-9223372036854775808ns', -(1n << 63n)],
    ['-9223372036.854775808s', -(1n << 63n)],
    ['0.100000000000000000000h', 6n * 60000000000n],
    ['0.830103483285477580700h', 49n * 60000000000n + 48372539827n],
];
(0, node_test_1.test)('parseGoDuration matches time.ParseDuration', () => {
    for (const [text, nanos] of PARSE)
        strict_1.default.equal((0, go_duration_1.parseGoDuration)(text), nanos, text);
});
(0, node_test_1.test)('parseGoDuration rejects what Go rejects, naming the value', () => {
    const bad = [
        '',
        '3',
        '-',
        's',
        '.',
        '-.',
        '.s',
        '+.s',
        '1d',
        '\x85\x85',
        '\xffff',
        'hello \xffff world',
        '9223372036854775810ns',
        '9223372036854775808ns',
        '-9223372036854775809ns',
        '9223372036854775.808us',
        '9223372036854ms775us808ns',
        '1h 2m',
        '1.5.5s',
    ];
    for (const text of bad) {
        strict_1.default.throws(() => (0, go_duration_1.parseGoDuration)(text), (e) => e instanceof Error && e.name === 'InvalidArgumentError' && e.message.includes(JSON.stringify(text)), JSON.stringify(text));
    }
});
(0, node_test_1.test)('format and parse round-trip', () => {
    for (const [nanos, text] of FORMAT)
        strict_1.default.equal((0, go_duration_1.parseGoDuration)(text), BigInt.asIntN(64, nanos), text);
});
//# sourceMappingURL=go-duration.test.js.map