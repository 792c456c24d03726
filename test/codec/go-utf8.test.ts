import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeGoString, encodeUtf8, utf8ByteCompare } from '../../src/codec/go-utf8';

function dec(bytes: number[]): string {
  const padded = new Uint8Array([0x21, ...bytes, 0x21]);
  const s = decodeGoString(padded, 1, padded.length - 1);
  return s;
}

const F = '\uFFFD';

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

test('decodeGoString replaces each invalid byte with exactly one U+FFFD, like Go', () => {
  assert.equal(dec([0xff]), F);
  assert.equal(dec([0x61, 0xff, 0x62]), `a${F}b`);
  assert.equal(dec([0x80, 0x80]), F + F);
  // overlong
  assert.equal(dec([0xc0, 0x80]), F + F);
  assert.equal(dec([0xc1, 0xbf]), F + F);
  assert.equal(dec([0xe0, 0x80, 0xaf]), F + F + F);
  assert.equal(dec([0xf0, 0x80, 0x80, 0xaf]), F + F + F + F);
  // encoded surrogates
  assert.equal(dec([0xed, 0xa0, 0x80]), F + F + F);
  assert.equal(dec([0xed, 0xbf, 0xbf]), F + F + F);
  assert.equal(dec([0xed, 0x9f, 0xbf]), '\uD7FF');
  // above U+10FFFF
  assert.equal(dec([0xf4, 0x90, 0x80, 0x80]), F + F + F + F);
  assert.equal(dec([0xf5, 0x80, 0x80, 0x80]), F + F + F + F);
  assert.equal(dec([0xf4, 0x8f, 0xbf, 0xbf]), '\u{10FFFF}');
  // truncated sequences: every byte of the broken prefix is its own error (WHATWG would give one)
  assert.equal(dec([0xe2, 0x82]), F + F);
  assert.equal(dec([0xe2, 0x82, 0x61]), `${F}${F}a`);
  assert.equal(dec([0xf0, 0x9f, 0x98]), F + F + F);
  assert.equal(dec([0xf0, 0x9f, 0x98, 0xc3, 0xa9]), `${F}${F}${F}é`);
  // long input with one bad byte takes the fallback path
  const long = [...encodeUtf8('a'.repeat(50)), 0xfe, ...encodeUtf8('é'.repeat(30))];
  assert.equal(dec(long), `${'a'.repeat(50)}${F}${'é'.repeat(30)}`);
});

test('decodeGoString honours start and end', () => {
  const bytes = encodeUtf8('abcdef');
  assert.equal(decodeGoString(bytes, 2, 4), 'cd');
  assert.equal(decodeGoString(bytes, 3, 3), '');
  // a sequence cut by `end` is invalid
  const e = encodeUtf8('x€');
  assert.equal(decodeGoString(e, 0, 3), `x${F}${F}`);
});

test('encodeUtf8 encodes, lone surrogates become U+FFFD', () => {
  assert.deepEqual([...encodeUtf8('aé€😀')], [0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
  assert.deepEqual([...encodeUtf8('\uD800')], [0xef, 0xbf, 0xbd]);
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
