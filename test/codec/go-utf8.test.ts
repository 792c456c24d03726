import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeGoString, encodeUtf8, holdsInvalidUtf8, utf8ByteCompare } from '../../src/codec/go-utf8';
import { toKubeJson } from '../../src/codec/go-json';

function dec(bytes: number[]): string {
  const padded = new Uint8Array([0x21, ...bytes, 0x21]);
  const s = decodeGoString(padded, 1, padded.length - 1);
  return s;
}

/** The lone surrogate decodeGoString keeps an invalid byte as. */
const F = (b: number): string => String.fromCharCode(0xdc00 + b);

test('decodeGoString decodes ASCII and valid UTF-8 unchanged, short and long', () => {
  assert.equal(dec([]), '');
  assert.equal(dec([0x61, 0x62]), 'ab');
  assert.equal(dec([0xc3, 0xa9]), 'é');
  assert.equal(dec([0xe2, 0x82, 0xac]), '€');
  assert.equal(dec([0xf0, 0x9f, 0x98, 0x80]), '😀');
  assert.equal(dec([0xef, 0xbb, 0xbf, 0x61]), '\uFEFFa');
  const long = 'héllo wörld '.repeat(20);
  assert.equal(decodeGoString(encodeUtf8(long), 0, encodeUtf8(long).length), long);
  const ascii = 'x'.repeat(100);
  assert.equal(decodeGoString(encodeUtf8(ascii), 0, 100), ascii);
  assert.equal(dec([0x00, 0x7f]), '\u0000\u007f');
});

test('decodeGoString keeps each invalid byte (as Go judges it, byte by byte) as U+DC00+byte', () => {
  assert.equal(dec([0xff]), F(0xff));
  assert.equal(dec([0x61, 0xff, 0x62]), `a${F(0xff)}b`);
  assert.equal(dec([0x80, 0x80]), F(0x80) + F(0x80));
  // overlong
  assert.equal(dec([0xc0, 0x80]), F(0xc0) + F(0x80));
  assert.equal(dec([0xc1, 0xbf]), F(0xc1) + F(0xbf));
  assert.equal(dec([0xe0, 0x80, 0xaf]), F(0xe0) + F(0x80) + F(0xaf));
  assert.equal(dec([0xf0, 0x80, 0x80, 0xaf]), F(0xf0) + F(0x80) + F(0x80) + F(0xaf));
  // encoded surrogates
  assert.equal(dec([0xed, 0xa0, 0x80]), F(0xed) + F(0xa0) + F(0x80));
  assert.equal(dec([0xed, 0xbf, 0xbf]), F(0xed) + F(0xbf) + F(0xbf));
  assert.equal(dec([0xed, 0x9f, 0xbf]), '\uD7FF');
  // above U+10FFFF
  assert.equal(dec([0xf4, 0x90, 0x80, 0x80]), F(0xf4) + F(0x90) + F(0x80) + F(0x80));
  assert.equal(dec([0xf5, 0x80, 0x80, 0x80]), F(0xf5) + F(0x80) + F(0x80) + F(0x80));
  assert.equal(dec([0xf4, 0x8f, 0xbf, 0xbf]), '\u{10FFFF}');
  // truncated sequences: every byte of the broken prefix is its own error (WHATWG would give one)
  assert.equal(dec([0xe2, 0x82]), F(0xe2) + F(0x82));
  assert.equal(dec([0xe2, 0x82, 0x61]), `${F(0xe2)}${F(0x82)}a`);
  assert.equal(dec([0xf0, 0x9f, 0x98]), F(0xf0) + F(0x9f) + F(0x98));
  assert.equal(dec([0xf0, 0x9f, 0x98, 0xc3, 0xa9]), `${F(0xf0)}${F(0x9f)}${F(0x98)}é`);
  // a real U+FFFD stays U+FFFD
  assert.equal(dec([0x61, 0xef, 0xbf, 0xbd]), 'a\uFFFD');
  // long input with one bad byte takes the fallback path
  const long = [...encodeUtf8('a'.repeat(50)), 0xfe, ...encodeUtf8('é'.repeat(30))];
  assert.equal(dec(long), `${'a'.repeat(50)}${F(0xfe)}${'é'.repeat(30)}`);
});

test('invalid bytes are lossless: encodeUtf8 gives every byte sequence back, short and long', () => {
  const cases = [
    [0xff],
    [0x61, 0xff, 0xfe, 0x62],
    [0xc3, 0x28],
    [0xed, 0xa0, 0x80, 0x78, 0xed, 0xbf, 0xbf],
    [0x6f, 0x6b, 0xe2, 0x82],
    [0xf4, 0x90, 0x80, 0x80, 0xc0, 0xaf, 0xef, 0xbf, 0xbd],
    [...encodeUtf8('é😀'.repeat(10)), 0x80, ...encodeUtf8('x'.repeat(20)), 0xf0, 0x9f, 0x98],
  ];
  for (const bytes of cases) {
    const s = decodeGoString(new Uint8Array(bytes), 0, bytes.length);
    assert.deepEqual([...encodeUtf8(s)], bytes);
    assert.equal(holdsInvalidUtf8(s), true, Buffer.from(bytes).toString('hex'));
  }
  // every single byte
  for (let b = 0; b < 256; b++) assert.deepEqual([...encodeUtf8(decodeGoString(new Uint8Array([b]), 0, 1))], [b]);
  assert.equal(holdsInvalidUtf8('a\uFFFD😀\uDCFF'), true);
  assert.equal(holdsInvalidUtf8('a\uFFFD😀'), false);
  assert.equal(holdsInvalidUtf8('\u{10080}'), false); // D800 DC80 is a valid pair, not an escaped byte
});

test('toKubeJson prints each invalid byte as \\ufffd like Go, a real U+FFFD raw', () => {
  const s = decodeGoString(new Uint8Array([0x61, 0xff, 0x62, 0xc3, 0x28, 0x80, 0xef, 0xbf, 0xbd]), 0, 9);
  assert.equal(toKubeJson(s), '"a\\ufffdb\\ufffd(\\ufffd\uFFFD"');
});

test('decodeGoString decodes ASCII of every length, in views with an offset, the same way', () => {
  const all = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)).join('');
  const backing = new Uint8Array(300);
  const view = backing.subarray(7, 7 + 200);
  for (let n = 0; n <= 130; n++) {
    const text = (all + all).slice(n % 128, (n % 128) + n);
    view.set(encodeUtf8(text), 3);
    assert.equal(decodeGoString(view, 3, 3 + n), text, `length ${n}`);
    // one byte beyond ASCII anywhere switches to the checked path
    if (n > 0) {
      view[3 + n - 1] = 0xff;
      assert.equal(decodeGoString(view, 3, 3 + n), text.slice(0, n - 1) + F(0xff), `length ${n}, bad last byte`);
    }
  }
});

test('decodeGoString honours start and end', () => {
  const bytes = encodeUtf8('abcdef');
  assert.equal(decodeGoString(bytes, 2, 4), 'cd');
  assert.equal(decodeGoString(bytes, 3, 3), '');
  // a sequence cut by `end` is invalid
  const e = encodeUtf8('x€');
  assert.equal(decodeGoString(e, 0, 3), `x${F(0xe2)}${F(0x82)}`);
});

test('encodeUtf8 encodes; U+DC80..U+DCFF become their byte, other lone surrogates U+FFFD', () => {
  assert.deepEqual([...encodeUtf8('aé€😀')], [0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
  assert.deepEqual([...encodeUtf8('\uD800')], [0xef, 0xbf, 0xbd]);
  assert.deepEqual([...encodeUtf8('\uDC7F\uDD00')], [0xef, 0xbf, 0xbd, 0xef, 0xbf, 0xbd]);
  assert.deepEqual(
    [...encodeUtf8('é\uDCFF😀\uDC80\uD83D')],
    [0xc3, 0xa9, 0xff, 0xf0, 0x9f, 0x98, 0x80, 0x80, 0xef, 0xbf, 0xbd],
  );
});

test('utf8ByteCompare orders by UTF-8 bytes like Go sort.Strings', () => {
  const words = ['b', 'é', 'a', 'Z', '\uFFFF', '😀', 'ab', '', 'a\u0000', '\uE000'];
  const sorted = [...words].sort(utf8ByteCompare);
  const byBytes = [...words].sort((x, y) => Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8')));
  assert.deepEqual(sorted, byBytes);
  assert.deepEqual(sorted, ['', 'Z', 'a', 'a\u0000', 'ab', 'b', 'é', '\uE000', '\uFFFF', '😀']);
  assert.equal(utf8ByteCompare('x', 'x'), 0);
  assert.ok(utf8ByteCompare('😀', '\uFFFF') > 0);
  assert.ok(utf8ByteCompare('\uFFFF', '😀') < 0);
});

test('utf8ByteCompare orders invalid bytes by their original value, as Go sorts map keys', () => {
  const keys = [
    [0xc3, 0x28],
    [0xc3, 0xa9],
    [0xff],
    [0xfe],
    [0x7e],
    [0xe2, 0x80, 0xa8],
    [0xef, 0xbf, 0xbd],
    [0xf0, 0x9f, 0x98, 0x80],
    [0xf0, 0x9f, 0x98],
    [0xed, 0xa0, 0x80],
    [0x61, 0x80],
    [0x61],
  ];
  const strings = keys.map((k) => decodeGoString(new Uint8Array(k), 0, k.length));
  const sorted = [...strings].sort(utf8ByteCompare).map((s) => Buffer.from(encodeUtf8(s)).toString('hex'));
  const byBytes = keys
    .map((k) => Buffer.from(k))
    .sort(Buffer.compare)
    .map((b) => b.toString('hex'));
  assert.deepEqual(sorted, byBytes);
  // "\xc3(" sorts before "é" (C3 A9) though U+DCC3 > U+00E9; "\xfe" and "\xff" are two keys
  assert.ok(utf8ByteCompare(strings[0] as string, 'é') < 0);
  assert.ok(utf8ByteCompare(strings[3] as string, strings[2] as string) < 0);
  // a valid pair against an escaped byte that shares nothing
  assert.ok(utf8ByteCompare('😀', '\uDCFF') < 0);
  assert.ok(utf8ByteCompare('x😀', 'x😁') < 0);
});
