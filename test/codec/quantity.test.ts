import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalQuantity } from '../../src/codec/quantity';

// Expectations derived from apimachinery 1.32 api/resource/quantity_test.go (TestQuantityParse,
// TestQuantityString, TestQuantityParseEmit) and the rules of quantity.go.
const CASES: Array<[string, string]> = [
  // zeros
  ['0', '0'],
  ['0n', '0'],
  ['0u', '0'],
  ['0m', '0'],
  ['0Ki', '0'],
  ['0k', '0'],
  ['0Mi', '0'],
  ['0M', '0'],
  ['0Gi', '0'],
  ['0G', '0'],
  ['0Ti', '0'],
  ['0T', '0'],
  ['00', '0'],
  ['-0', '0'],
  ['0.0', '0'],
  ['-0.0Gi', '0'],
  // plain and binary
  ['1', '1'],
  ['1Ki', '1Ki'],
  ['8Ki', '8Ki'],
  ['7Mi', '7Mi'],
  ['6Gi', '6Gi'],
  ['5Ti', '5Ti'],
  ['4Pi', '4Pi'],
  ['3Ei', '3Ei'],
  ['10Ti', '10Ti'],
  ['100Ti', '100Ti'],
  ['1024Mi', '1Gi'],
  ['1024Ki', '1Mi'],
  ['307200Ki', '300Mi'],
  ['1025024Mi', '1001Gi'],
  ['1024Gi', '1Ti'],
  ['1025', '1025'],
  // decimal suffixes
  ['5n', '5n'],
  ['4u', '4u'],
  ['3m', '3m'],
  ['9', '9'],
  ['8k', '8k'],
  ['50k', '50k'],
  ['7M', '7M'],
  ['6G', '6G'],
  ['5T', '5T'],
  ['40T', '40T'],
  ['300T', '300T'],
  ['2P', '2P'],
  ['1E', '1E'],
  ['12E', '12E'],
  ['1000M', '1G'],
  ['0.001T', '1G'],
  ['1000u', '1m'],
  ['1.08', '1080m'],
  ['1080000000n', '1080m'],
  ['1000m', '1'],
  ['5000m', '5'],
  ['100m', '100m'],
  ['250m', '250m'],
  ['1500m', '1500m'],
  ['1.5', '1500m'],
  ['0.1', '100m'],
  ['128974848', '128974848'],
  ['129e6', '129e6'],
  ['129M', '129M'],
  ['123Mi', '123Mi'],
  // decimal exponents
  ['1E-3', '1E-3'],
  ['1e3', '1e3'],
  ['1E6', '1E6'],
  ['1e9', '1e9'],
  ['1E12', '1E12'],
  ['1e15', '1e15'],
  ['1E18', '1E18'],
  ['1e14', '100e12'],
  ['1e13', '10e12'],
  ['.001e12', '1e9'],
  ['0.001e0', '1e-3'],
  ['1000e-12', '1e-9'],
  ['1e+3', '1e+3'],
  ['1e03', '1e03'],
  ['1000e0', '1e3'],
  ['1e0', '1e0'],
  ['1.2e3', '1200'],
  ['1.3E+6', '1300e3'],
  ['1.40e9', '1400e6'],
  ['1.53E12', '1530e9'],
  ['1.6e15', '1600e12'],
  ['1.7E18', '1700e15'],
  ['0.5e0', '500e-3'],
  ['0.5e-1', '50e-3'],
  ['0.5e-2', '5e-3'],
  ['00', '0'],
  // things that look like floating point
  ['100.035k', '100.035k'], // kept verbatim: scale 0, already "canonical" to the fast path
  ['0.001', '1m'],
  ['0.0005k', '500m'],
  ['0.005', '5m'],
  ['0.05', '50m'],
  ['0.5', '500m'],
  ['0.00050k', '500m'],
  ['0.00500', '5m'],
  ['0.05000', '50m'],
  ['0.50000', '500m'],
  ['10.035M', '10.035M'],
  ['9.01', '9010m'],
  ['8.1k', '8100'],
  ['7.123456M', '7.123456M'],
  ['6.987654321G', '6.987654321G'],
  ['5.444T', '5.444T'],
  ['40.1T', '40100G'],
  ['300.2T', '300200G'],
  ['2.5P', '2500T'],
  ['1.01E', '1010P'],
  // things that saturate or round (up, away from zero, to the nano)
  ['3.001n', '4n'],
  ['1.1E-9', '2e-9'],
  ['0.0000000001', '1n'],
  ['0.0000000005', '1n'],
  ['0.00000000050', '1n'],
  ['0.5e-9', '1e-9'],
  ['0.9n', '1n'],
  ['0.00000012345', '124n'],
  ['0.00000012354', '124n'],
  ['9Ei', '9223372036854775807'],
  ['9223372036854775807Ki', '9223372036854775807'],
  ['8Ei', '9223372036854775807'],
  ['7Ei', '7Ei'],
  // fractional binary
  ['100.035Ki', '102435840m'],
  ['0.5Mi', '512Ki'],
  ['0.05Gi', '53687091200m'],
  ['0.025Ti', '27487790694400m'],
  ['1.5Gi', '1536Mi'],
  ['1.5Ki', '1536'],
  ['0.5Ki', '512'],
  // trolls
  ['0.000000000001Ki', '2n'],
  ['.001', '1m'],
  ['.0001k', '100m'],
  ['1.', '1.'],
  ['1.G', '1.G'],
  ['.', '0'],
  ['-.', '0'],
  ['+', '0'],
  ['.001Ki', '1024m'],
  ['.000001Ki', '1024u'],
  ['.000000001Ki', '1024n'],
  ['.000000000001Ki', '2n'],
  // kept verbatim by the fast path
  ['+1', '+1'],
  ['01', '01'],
  ['+1Ki', '+1Ki'],
  ['-1Ki', '-1Ki'],
  // beyond the suffix table: no suffix at all
  ['1000E', '1'],
  ['10000E', '10'],
  // beyond int64
  ['123456789012345678901234567890', '123456789012345678901234567890'],
  ['12345678901234567890.5', '12345678901234567890500m'],
  ['1234567890123456789012345678901234567890e-40', '123456790e-9'],
  ['1.0', '1'],
  // quantity_example_test.go and TestStringQuantityAsApproximateFloat64 inputs
  ['5Gi', '5Gi'],
  ['5G', '5G'],
  ['5300m', '5300m'],
  ['5.4', '5400m'],
  ['2Ki', '2Ki'],
  ['1.1Ki', '1126400m'],
  ['2Gi', '2Gi'],
  ['5368709120', '5368709120'],
  ['5000000000', '5G'],
  ['5120Mi', '5Gi'],
  ['1073741824', '1073741824'],
  ['1.10k', '1100'],
  ['1.0G', '1G'],
];

const NEGATIVE: Array<[string, string]> = [
  ['-1', '-1'],
  ['-0.5', '-500m'],
  ['-1.5Gi', '-1536Mi'],
  ['-1024Mi', '-1Gi'],
  ['-1000M', '-1G'],
  ['-.001Ki', '-1024m'],
  ['-.000000000001Ki', '-2n'],
  ['-0.0000000001', '-1n'],
  ['-3.001n', '-4n'],
  ['-9Ei', '-9223372036854775807'],
  ['-1e14', '-100e12'],
  ['-100.035Ki', '-102435840m'],
  ['-1080000000n', '-1080m'],
];

test('canonicalQuantity prints what Quantity.String() prints after ParseQuantity', () => {
  for (const [input, expected] of CASES) {
    assert.equal(canonicalQuantity(input), expected, input);
  }
});

test('canonicalQuantity keeps the sign of negative values and rounds them away from zero', () => {
  for (const [input, expected] of NEGATIVE) {
    assert.equal(canonicalQuantity(input), expected, input);
  }
});

test('canonicalQuantity is idempotent on canonical output', () => {
  for (const [, expected] of [...CASES, ...NEGATIVE]) {
    assert.equal(canonicalQuantity(expected), expected, expected);
  }
});

test('canonicalQuantity rejects what ParseQuantity rejects, naming the value', () => {
  const invalid = [
    '',
    '1.1.M',
    '1+1.0M',
    '0.1mi',
    '0.1am',
    'aoeu',
    '.5i',
    '1i',
    '-3.01i',
    '-3.01e-',
    ' 1',
    '1 ',
    '1K',
    '1e',
    '1EE',
    '1Mi5',
    '1e99999999999999999999',
    '--1',
    '1,5',
    '٣',
  ];
  for (const input of invalid) {
    assert.throws(
      () => canonicalQuantity(input),
      (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.equal(e.name, 'InvalidArgumentError');
        assert.ok(e.message.includes(JSON.stringify(input)), e.message);
        return true;
      },
      input,
    );
  }
});

test('canonicalQuantity truncates a decimal exponent to int32 like Go', () => {
  // 4294967296 = 2^32 wraps to 0; 4294967299 wraps to 3.
  assert.equal(canonicalQuantity('1e4294967296'), '1e4294967296');
  assert.equal(canonicalQuantity('2e4294967299'), '2e4294967299');
  assert.equal(canonicalQuantity('1000e4294967299'), '1e6');
});
