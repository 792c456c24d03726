import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCbor } from '../../src/codec/cbor';

function hex(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
}

function dec(h: string): unknown {
  return decodeCbor(hex(h));
}

// Examples from RFC 8949 Appendix A.
test('decodeCbor decodes the RFC 8949 integer and float examples', () => {
  assert.equal(dec('00'), 0);
  assert.equal(dec('01'), 1);
  assert.equal(dec('0a'), 10);
  assert.equal(dec('17'), 23);
  assert.equal(dec('1818'), 24);
  assert.equal(dec('1819'), 25);
  assert.equal(dec('1864'), 100);
  assert.equal(dec('1903e8'), 1000);
  assert.equal(dec('1a000f4240'), 1000000);
  assert.equal(dec('1b000000e8d4a51000'), 1000000000000);
  assert.equal(dec('1b001fffffffffffff'), 9007199254740991);
  assert.equal(dec('1b0020000000000001'), 9007199254740993n);
  assert.equal(dec('1bffffffffffffffff'), 18446744073709551615n);
  assert.equal(dec('20'), -1);
  assert.equal(dec('29'), -10);
  assert.equal(dec('3863'), -100);
  assert.equal(dec('3903e7'), -1000);
  assert.equal(dec('3b001ffffffffffffe'), -9007199254740991);
  assert.equal(dec('3b0020000000000000'), -9007199254740993n);
  assert.equal(dec('3bffffffffffffffff'), -18446744073709551616n);
  assert.equal(dec('f90000'), 0);
  assert.ok(Object.is(dec('f98000'), -0));
  assert.equal(dec('f93c00'), 1);
  assert.equal(dec('fb3ff199999999999a'), 1.1);
  assert.equal(dec('f93e00'), 1.5);
  assert.equal(dec('f97bff'), 65504);
  assert.equal(dec('fa47c35000'), 100000);
  assert.equal(dec('fa7f7fffff'), 3.4028234663852886e38);
  assert.equal(dec('fb7e37e43c8800759c'), 1e300);
  // biome-ignore lint/correctness/noPrecisionLoss: the smallest half-float, written as Go prints it
  assert.equal(dec('f90001'), 5.960464477539063e-8);
  assert.equal(dec('f90400'), 0.00006103515625);
  assert.equal(dec('f9c400'), -4);
  assert.equal(dec('fbc010666666666666'), -4.1);
  // The RFC's NaN and infinity examples are refused, as Kubernetes' decoder refuses them
  // (NaNDecodeForbidden, InfDecodeForbidden): JSON has no form for them.
  for (const h of [
    'f97c00',
    'f97e00',
    'f9fc00',
    'fa7f800000',
    'fa7fc00000',
    'faff800000',
    'fb7ff0000000000000',
    'fb7ff8000000000000',
    'fbfff0000000000000',
  ]) {
    assert.throws(
      () => dec(h),
      { name: 'DecodeError', message: /at byte 0: the float (NaN|-?Infinity) is not allowed/ },
      h,
    );
  }
});

test('decodeCbor decodes simple values, strings, arrays and maps', () => {
  assert.equal(dec('f4'), false);
  assert.equal(dec('f5'), true);
  assert.equal(dec('f6'), null);
  assert.equal(dec('f7'), null);
  assert.equal(dec('40'), '');
  assert.equal(dec('4401020304'), 'AQIDBA==');
  assert.equal(dec('60'), '');
  assert.equal(dec('6161'), 'a');
  assert.equal(dec('6449455446'), 'IETF');
  assert.equal(dec('62225c'), '"\\');
  assert.equal(dec('62c3bc'), 'ü');
  assert.equal(dec('63e6b0b4'), '水');
  assert.equal(dec('64f0908591'), '\u{10151}');
  assert.deepEqual(dec('80'), []);
  assert.deepEqual(dec('83010203'), [1, 2, 3]);
  assert.deepEqual(dec('8301820203820405'), [1, [2, 3], [4, 5]]);
  assert.deepEqual(dec('a0'), {});
  assert.deepEqual(dec('a26161016162820203'), { a: 1, b: [2, 3] });
  assert.deepEqual(dec('826161a161626163'), ['a', { b: 'c' }]);
  assert.deepEqual(dec('a201020304'), { '1': 2, '3': 4 });
});

test('decodeCbor decodes indefinite lengths', () => {
  assert.equal(dec('5f42010243030405ff'), 'AQIDBAU=');
  assert.equal(dec('7f657374726561646d696e67ff'), 'streaming');
  assert.deepEqual(dec('9fff'), []);
  assert.deepEqual(dec('9f018202039f0405ffff'), [1, [2, 3], [4, 5]]);
  assert.deepEqual(dec('83018202039f0405ff'), [1, [2, 3], [4, 5]]);
  assert.deepEqual(dec('bf61610161629f0203ffff'), { a: 1, b: [2, 3] });
  assert.deepEqual(dec('bf6346756ef563416d7421ff'), { Fun: true, Amt: -2 });
});

test('decodeCbor handles tags: self-describe, dates, others dropped', () => {
  assert.deepEqual(dec('d9d9f7a1616101'), { a: 1 });
  assert.equal(dec('c074323031332d30332d32315432303a30343a30305a'), '2013-03-21T20:04:00Z');
  assert.equal(dec('c11a514b67b0'), '2013-03-21T20:04:00Z');
  assert.equal(dec('c1fb41d452d9ec200000'), '2013-03-21T20:04:00.5Z');
  assert.equal(dec('d74401020304'), 'AQIDBA==');
  assert.equal(dec('d818456449455446'), 'ZElFVEY=');
  assert.equal(dec('c249010000000000000000'), 'AQAAAAAAAAAA');
  assert.deepEqual(decodeCbor(hex('ffffd9d9f7a1616101'), 2), { a: 1 });
});

test('decodeCbor refuses malformed input with the absolute byte offset', () => {
  const cases: Array<[string, number, number?]> = [
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
    assert.throws(
      () => decodeCbor(hex(h)),
      (e: unknown) => {
        assert.ok(e instanceof Error && e.name === 'DecodeError', `${h}: ${String(e)}`);
        assert.equal((e as unknown as { offset: number }).offset, at, `${h}: ${e.message}`);
        return true;
      },
      h,
    );
  }
  // offsets are absolute when decoding from the middle of a buffer
  assert.throws(
    () => decodeCbor(hex('0000 a1 61 61'), 2),
    (e: unknown) => (e as { offset: number }).offset === 5,
  );
});

test('decodeCbor stops at 100 levels of nesting', () => {
  const ok = hex('81'.repeat(99) + '01');
  assert.ok(Array.isArray(decodeCbor(ok)));
  const deep = hex('81'.repeat(101) + '01');
  assert.throws(
    () => decodeCbor(deep),
    (e: unknown) => e instanceof Error && e.name === 'DecodeError' && /nesting/.test(e.message),
  );
});

test('decodeCbor keeps __proto__ as a plain key', () => {
  const v = decodeCbor(hex('a1 69 5f5f70726f746f5f5f a1 6178 01')) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
  assert.deepEqual(Object.keys(v), ['__proto__']);
});
