import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMicroTime, formatTime, isGoZeroTime, parseKubeTime } from '../../src/codec/kube-time';

test('formatTime prints RFC 3339 in UTC with whole seconds', () => {
  assert.equal(formatTime(1662696078n, 0), '2022-09-09T04:01:18Z');
  assert.equal(formatTime(1662696078, 999_999_999), '2022-09-09T04:01:18Z');
  assert.equal(formatTime(0n, 0), '1970-01-01T00:00:00Z');
  assert.equal(formatTime(-1n, 0), '1969-12-31T23:59:59Z');
  assert.equal(formatTime(-1n, 500_000_000), '1969-12-31T23:59:59Z');
  assert.equal(formatTime(951782400n, 0), '2000-02-29T00:00:00Z');
  assert.equal(formatTime(253402300799n, 0), '9999-12-31T23:59:59Z');
  assert.equal(formatTime(-62135596800n, 0), '0001-01-01T00:00:00Z');
  assert.equal(formatTime(-2208988800n, 0), '1900-01-01T00:00:00Z');
  assert.equal(formatTime(-12219292800n, 0), '1582-10-15T00:00:00Z');
  // outside 0..9999: Go keeps printing, with at least four digits and a sign for negative years
  assert.equal(formatTime(253402300800n, 0), '10000-01-01T00:00:00Z');
  assert.equal(formatTime(-62167219200n, 0), '0000-01-01T00:00:00Z');
  assert.equal(formatTime(-62167219201n, 0), '-0001-12-31T23:59:59Z');
  // nanos out of range carry into the seconds like time.Unix
  assert.equal(formatTime(0n, 1_500_000_000), '1970-01-01T00:00:01Z');
  assert.equal(formatTime(0n, -1), '1969-12-31T23:59:59Z');
});

test('formatMicroTime prints exactly six truncated fractional digits', () => {
  assert.equal(formatMicroTime(1662696078n, 123_456_789), '2022-09-09T04:01:18.123456Z');
  assert.equal(formatMicroTime(1662696078n, 0), '2022-09-09T04:01:18.000000Z');
  assert.equal(formatMicroTime(1662696078n, 999), '2022-09-09T04:01:18.000000Z');
  assert.equal(formatMicroTime(1662696078n, 1000), '2022-09-09T04:01:18.000001Z');
  assert.equal(formatMicroTime(-1n, 999_999_999), '1969-12-31T23:59:59.999999Z');
});

test('isGoZeroTime recognises the time Go prints as null', () => {
  assert.equal(isGoZeroTime(-62135596800n, 0), true);
  assert.equal(isGoZeroTime(-62135596800n, 1), false);
  assert.equal(isGoZeroTime(0n, 0), false);
});

test('parseKubeTime parses RFC 3339 with fractions and offsets', () => {
  assert.deepEqual(parseKubeTime('2022-09-09T04:01:18Z'), { seconds: 1662696078n, nanos: 0 });
  assert.deepEqual(parseKubeTime('2022-09-09T06:01:18.5+02:00'), { seconds: 1662696078n, nanos: 500_000_000 });
  assert.deepEqual(parseKubeTime('2022-09-08T23:31:18.123456-04:30'), { seconds: 1662696078n, nanos: 123_456_000 });
  assert.deepEqual(parseKubeTime('2022-09-09T04:01:18.1234567891Z'), { seconds: 1662696078n, nanos: 123_456_789 });
  assert.deepEqual(parseKubeTime('1969-12-31T23:59:59.999999Z'), { seconds: -1n, nanos: 999_999_000 });
  assert.deepEqual(parseKubeTime('0001-01-01T00:00:00Z'), { seconds: -62135596800n, nanos: 0 });
  assert.deepEqual(parseKubeTime('0000-01-01T00:00:00Z'), { seconds: -62167219200n, nanos: 0 });
  assert.deepEqual(parseKubeTime('9999-12-31T23:59:59Z'), { seconds: 253402300799n, nanos: 0 });
  assert.deepEqual(parseKubeTime('2000-02-29T00:00:00Z'), { seconds: 951782400n, nanos: 0 });
  assert.deepEqual(parseKubeTime('2000-01-01T00:00:00+23:59'), { seconds: 946684800n - 86340n, nanos: 0 });
  // Go's layout parser (the fallback of time.Parse) is laxer than RFC 3339
  assert.deepEqual(parseKubeTime('2022-09-09T4:01:18Z'), { seconds: 1662696078n, nanos: 0 });
  assert.deepEqual(parseKubeTime('2022-09-09T04:01:18,25Z'), { seconds: 1662696078n, nanos: 250_000_000 });
  assert.deepEqual(parseKubeTime('2000-01-01T00:00:00+24:60'), { seconds: 946684800n - 90000n, nanos: 0 });
});

test('parseKubeTime round-trips formatTime and formatMicroTime', () => {
  for (const s of [-62135596800n, -1n, 0n, 1662696078n, 253402300799n, -12219292800n]) {
    assert.deepEqual(parseKubeTime(formatTime(s, 0)), { seconds: s, nanos: 0 });
    assert.deepEqual(parseKubeTime(formatMicroTime(s, 42_000)), { seconds: s, nanos: 42_000 });
  }
});

test('parseKubeTime rejects what Go rejects, naming the value', () => {
  const bad = [
    '',
    '2022-09-09',
    '2022-09-09 04:01:18Z',
    '2022-09-09t04:01:18Z',
    '2022-09-09T04:01:18',
    '2022-09-09T04:01:18z',
    '2022-13-09T04:01:18Z',
    '2022-00-09T04:01:18Z',
    '2022-02-29T04:01:18Z',
    '2022-04-31T04:01:18Z',
    '2022-09-09T24:01:18Z',
    '2022-09-09T04:60:18Z',
    '2022-09-09T04:01:60Z',
    '2022-09-09T04:01:18.Z',
    '2022-09-09T04:01:18+25:00',
    '2022-09-09T04:01:18+02:61',
    '2022-09-09T004:01:18Z',
    '2022-9-09T04:01:18Z',
    '2022-09-09T04:1:18Z',
    '2022-09-09T04:01:18+0200',
    '10000-01-01T00:00:00Z',
    '-0001-01-01T00:00:00Z',
    '2022-09-09T04:01:18Z ',
  ];
  for (const s of bad) {
    assert.throws(
      () => parseKubeTime(s),
      (e: unknown) => e instanceof Error && e.name === 'InvalidArgumentError' && e.message.includes(JSON.stringify(s)),
      s,
    );
  }
});

test('decoded Times print as formatTime prints them, on the fast path (1970–9999) and off it', async () => {
  const { decode, encode } = await import('../../src/codec');
  const seconds: number[] = [
    0, 59, 60, 3599, 3600, 86399, 86400, 951782400 /* 2000-02-29 */, 1709164800 /* 2024-02-29 */, 253402300799, -1,
    -86401, -62135596799,
  ];
  let x = 0x9e3779b9;
  for (let i = 0; i < 2000; i++) {
    x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + i) >>> 0;
    seconds.push(Math.floor((x / 0x100000000) * 253402300800));
  }
  for (const s of seconds) {
    const text = formatTime(BigInt(s), 0);
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', creationTimestamp: text } };
    const d = decode(encode(obj));
    assert.equal(
      (d.object?.['metadata'] as { creationTimestamp?: string } | undefined)?.creationTimestamp,
      text,
      `seconds ${s}`,
    );
  }
});
