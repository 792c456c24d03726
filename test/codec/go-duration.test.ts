import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoDuration, parseGoDuration } from '../../src/codec/go-duration';

// Expectations from Go's time/time_test.go (durationTests) and time.Duration.String's rules.
const FORMAT: Array<[bigint, string]> = [
  [0n, '0s'],
  [1n, '1ns'],
  [1100n, '1.1µs'],
  [2200_000n, '2.2ms'],
  [3300_000_000n, '3.3s'],
  [4n * 60n * 1_000_000_000n + 5n * 1_000_000_000n, '4m5s'],
  [4n * 60n * 1_000_000_000n + 5001n * 1_000_000n, '4m5.001s'],
  [5n * 3600n * 1_000_000_000n + 6n * 60n * 1_000_000_000n + 7001n * 1_000_000n, '5h6m7.001s'],
  [8n * 60n * 1_000_000_000n + 1n, '8m0.000000001s'],
  [(1n << 63n) - 1n, '2562047h47m16.854775807s'],
  [-(1n << 63n), '-2562047h47m16.854775808s'],
  [1000n, '1µs'],
  [500_000_000n, '500ms'],
  [1_500_000_000n, '1.5s'],
  [3_723_000_000_000n, '1h2m3s'],
  [3_600_000_000_000n, '1h0m0s'],
  [60_000_000_000n, '1m0s'],
  [-120_500_000_000n, '-2m0.5s'],
  [-1n, '-1ns'],
  [999_999_999n, '999.999999ms'],
  [1_000_000_000n, '1s'],
];

test('formatGoDuration matches time.Duration.String', () => {
  for (const [nanos, text] of FORMAT) assert.equal(formatGoDuration(nanos), text, text);
});

const PARSE: Array<[string, bigint]> = [
  ['0', 0n],
  ['5s', 5_000_000_000n],
  ['30s', 30_000_000_000n],
  ['1478s', 1478_000_000_000n],
  ['-5s', -5_000_000_000n],
  ['+5s', 5_000_000_000n],
  ['-0', 0n],
  ['+0', 0n],
  ['5.0s', 5_000_000_000n],
  ['5.6s', 5_600_000_000n],
  ['5.s', 5_000_000_000n],
  ['.5s', 500_000_000n],
  ['1.0s', 1_000_000_000n],
  ['1.00s', 1_000_000_000n],
  ['1.004s', 1_004_000_000n],
  ['1.0040s', 1_004_000_000n],
  ['100.00100s', 100_001_000_000n],
  ['10ns', 10n],
  ['11us', 11_000n],
  ['12µs', 12_000n],
  ['12μs', 12_000n],
  ['13ms', 13_000_000n],
  ['14s', 14_000_000_000n],
  ['15m', 15n * 60_000_000_000n],
  ['16h', 16n * 3_600_000_000_000n],
  ['3h30m', 12_600_000_000_000n],
  ['10.5s4m', 4n * 60_000_000_000n + 10_500_000_000n],
  ['-2m3.4s', -(2n * 60_000_000_000n + 3_400_000_000n)],
  ['1h2m3s4ms5us6ns', 3_723_004_005_006n],
  ['39h9m14.425s', 140_954_425_000_000n],
  ['52763797000ns', 52_763_797_000n],
  ['0.3333333333333333333h', 20n * 60_000_000_000n],
  ['9007199254740993ns', 9_007_199_254_740_993n],
  ['9223372036854775807ns', (1n << 63n) - 1n],
  ['9223372036.854775807s', (1n << 63n) - 1n],
  ['-9223372036854775808ns', -(1n << 63n)],
  ['-9223372036.854775808s', -(1n << 63n)],
  ['0.100000000000000000000h', 6n * 60_000_000_000n],
  ['0.830103483285477580700h', 49n * 60_000_000_000n + 48_372_539_827n],
];

test('parseGoDuration matches time.ParseDuration', () => {
  for (const [text, nanos] of PARSE) assert.equal(parseGoDuration(text), nanos, text);
});

test('parseGoDuration rejects what Go rejects, naming the value', () => {
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
    assert.throws(
      () => parseGoDuration(text),
      (e: unknown) =>
        e instanceof Error && e.name === 'InvalidArgumentError' && e.message.includes(JSON.stringify(text)),
      JSON.stringify(text),
    );
  }
});

test('format and parse round-trip', () => {
  for (const [nanos, text] of FORMAT) assert.equal(parseGoDuration(text), BigInt.asIntN(64, nanos), text);
});
