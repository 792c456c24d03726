/**
 * UTF-8 the way Go handles it: Go strings are bytes, and `encoding/json` prints each byte that is not
 * part of a valid UTF-8 sequence as U+FFFD (one replacement per invalid byte, unlike WHATWG decoders
 * which replace a maximal subpart of a broken sequence once). Encoded surrogates (ED A0..BF xx),
 * overlong forms (C0, C1, E0 80..9F, F0 80..8F) and code points above U+10FFFF (F4 90.., F5..FF) are
 * invalid byte by byte, exactly as `unicode/utf8.DecodeRune` reports them.
 */

const FATAL_DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const ENCODER = new TextEncoder();
/** Below this length a JavaScript loop beats the TextDecoder call overhead. */
const SHORT_STRING_BYTES = 8;

/**
 * Decodes `bytes[start, end)` as Go's encoding/json would print that Go string: valid UTF-8 as is,
 * each invalid byte as U+FFFD. A leading BOM (EF BB BF) is kept as U+FEFF.
 * @example
 * decodeGoString(new Uint8Array([0x61, 0xff, 0x62]), 0, 3) // 'a\uFFFDb'
 */
export function decodeGoString(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 0) return '';
  if (end - start <= SHORT_STRING_BYTES) {
    // Very short ASCII strings (names, kinds, enum values) are cheaper to build directly.
    let s = '';
    for (let i = start; i < end; i++) {
      const b = bytes[i] as number;
      if (b >= 0x80) return decodeChecked(bytes, start, end);
      s += String.fromCharCode(b);
    }
    return s;
  }
  return decodeChecked(bytes, start, end);
}

function decodeChecked(bytes: Uint8Array, start: number, end: number): string {
  try {
    return FATAL_DECODER.decode(bytes.subarray(start, end));
  } catch {
    return decodeGoSlow(bytes, start, end);
  }
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there is invalid. */
function validSequenceLength(bytes: Uint8Array, i: number, end: number): number {
  const b0 = bytes[i] as number;
  if (b0 < 0x80) return 1;
  let need: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) need = 1;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    need = 2;
    if (b0 === 0xe0) lo = 0xa0;
    else if (b0 === 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    need = 3;
    if (b0 === 0xf0) lo = 0x90;
    else if (b0 === 0xf4) hi = 0x8f;
  } else return 0;
  if (i + need >= end) return 0;
  const b1 = bytes[i + 1] as number;
  if (b1 < lo || b1 > hi) return 0;
  for (let k = 2; k <= need; k++) {
    const b = bytes[i + k] as number;
    if (b < 0x80 || b > 0xbf) return 0;
  }
  return need + 1;
}

function decodeGoSlow(bytes: Uint8Array, start: number, end: number): string {
  const parts: string[] = [];
  let runStart = start;
  let i = start;
  while (i < end) {
    const n = validSequenceLength(bytes, i, end);
    if (n > 0) {
      i += n;
      continue;
    }
    if (i > runStart) parts.push(FATAL_DECODER.decode(bytes.subarray(runStart, i)));
    parts.push('\uFFFD');
    i++;
    runStart = i;
  }
  if (end > runStart) parts.push(FATAL_DECODER.decode(bytes.subarray(runStart, end)));
  return parts.join('');
}

/**
 * Encodes a JavaScript string as UTF-8 (lone surrogates become U+FFFD, as Go does for invalid runes).
 * @example
 * encodeUtf8('é') // Uint8Array [0xc3, 0xa9]
 */
export function encodeUtf8(s: string): Uint8Array {
  return ENCODER.encode(s);
}

/**
 * Compares two strings by their UTF-8 bytes (the order of Go's `sort.Strings`, which is also the order
 * of code points). Returns a negative number, 0 or a positive number.
 * @example
 * ['b', 'é', 'a', 'Z'].sort(utf8ByteCompare) // ['Z', 'a', 'b', 'é']
 */
export function utf8ByteCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 order differs from code point order only when a surrogate meets U+E000..U+FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys && (x >= 0xe000 || y >= 0xe000)) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
