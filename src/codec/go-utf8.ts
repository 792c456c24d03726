/**
 * UTF-8 the way Go handles it: Go strings are bytes, and they may hold invalid UTF-8. A JavaScript
 * string cannot hold arbitrary bytes, so kubetcd keeps each invalid byte b (each byte Go's
 * `unicode/utf8.DecodeRune` reports as RuneError of width 1: stray continuation bytes, truncated
 * sequences, overlong forms C0, C1, E0 80..9F, F0 80..8F, encoded surrogates ED A0..BF xx, code points
 * above U+10FFFF F4 90.., F5..FF) as the lone surrogate U+DC00+b, that is U+DC80..U+DCFF
 * ("surrogate escape"). Valid UTF-8 never decodes to a lone surrogate, so this is lossless:
 * {@link encodeUtf8} writes the original bytes back, {@link utf8ByteCompare} orders strings by their
 * original bytes (Go's map key order), and `toKubeJson` prints each escaped byte as `\ufffd`, exactly
 * as Go's encoding/json prints an invalid byte (one replacement per byte, unlike WHATWG decoders which
 * replace a maximal subpart of a broken sequence once).
 */

const FATAL_DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const ENCODER = new TextEncoder();
/** Below this length a JavaScript loop beats the TextDecoder call overhead. */
const SHORT_STRING_BYTES = 8;
/** Up to this length, scanning for ASCII and copying it as Latin-1 beats TextDecoder (about 2x at 10–30 bytes). */
const ASCII_SCAN_BYTES = 64;
/** Node's Buffer Latin-1 copy (what `buf.toString('latin1')` calls); it accepts any Uint8Array. */
const latin1Slice = (
  Buffer.prototype as unknown as { latin1Slice?: (this: Uint8Array, start: number, end: number) => string }
).latin1Slice;

/**
 * Decodes the Go string `bytes[start, end)`: valid UTF-8 as is, and each byte that is not part of valid
 * UTF-8 (as Go's `utf8.DecodeRune` judges it, byte by byte) as the lone surrogate U+DC00 + byte, in
 * U+DC80..U+DCFF. The result is lossless ({@link encodeUtf8} gives the bytes back) and prints with
 * `toKubeJson` as Go prints the string (`\ufffd` for each invalid byte). A real U+FFFD in the bytes
 * (EF BF BD) stays U+FFFD. A leading BOM (EF BB BF) is kept as U+FEFF.
 * @example
 * decodeGoString(new Uint8Array([0x61, 0xff, 0x62]), 0, 3) // 'a\uDCFFb' (toKubeJson: "a\ufffdb")
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
  if (end - start <= ASCII_SCAN_BYTES && latin1Slice !== undefined) {
    for (let i = start; i < end; i++) if ((bytes[i] as number) >= 0x80) return decodeChecked(bytes, start, end);
    return latin1Slice.call(bytes, start, end);
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
    parts.push(String.fromCharCode(0xdc00 + (bytes[i] as number)));
    i++;
    runStart = i;
  }
  if (end > runStart) parts.push(FATAL_DECODER.decode(bytes.subarray(runStart, end)));
  return parts.join('');
}

/** A lone low surrogate U+DC80..U+DCFF: one invalid byte kept by {@link decodeGoString}. */
const ESCAPED_BYTE = /(?<![\ud800-\udbff])[\udc80-\udcff]/;

/** `String.prototype.isWellFormed` (ES2024, Node 20+): false when the string holds a lone surrogate. */
const isWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

function wellFormed(s: string): boolean {
  if (isWellFormed !== undefined) return isWellFormed.call(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c >= 0xdc00) return false;
    const d = s.charCodeAt(i + 1);
    if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
    i++;
  }
  return true;
}

/**
 * True when the string holds invalid UTF-8 bytes as {@link decodeGoString} keeps them (U+DC80..U+DCFF).
 * @example
 * holdsInvalidUtf8(decodeGoString(new Uint8Array([0x61, 0xff]), 0, 2)) // true
 * holdsInvalidUtf8('a\uFFFD') // false
 */
export function holdsInvalidUtf8(s: string): boolean {
  return !wellFormed(s) && ESCAPED_BYTE.test(s);
}

/**
 * Encodes a JavaScript string as the bytes of the Go string it stands for: UTF-8, except that
 * U+DC80..U+DCFF (invalid bytes kept by {@link decodeGoString}) become those bytes again, and any other
 * lone surrogate becomes U+FFFD (EF BF BD), as Go does for an invalid rune.
 * @example
 * encodeUtf8('é') // Uint8Array [0xc3, 0xa9]
 * encodeUtf8('a\uDCFF') // Uint8Array [0x61, 0xff]
 */
export function encodeUtf8(s: string): Uint8Array {
  if (wellFormed(s)) return ENCODER.encode(s);
  return encodeEscaped(s);
}

function encodeEscaped(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 3);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = s.charCodeAt(i + 1);
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        out[n++] = 0xf0 | (cp >> 18);
        out[n++] = 0x80 | ((cp >> 12) & 0x3f);
        out[n++] = 0x80 | ((cp >> 6) & 0x3f);
        out[n++] = 0x80 | (cp & 0x3f);
        i++;
        continue;
      }
      if (c >= 0xdc80 && c <= 0xdcff) {
        out[n++] = c - 0xdc00;
        continue;
      }
      c = 0xfffd;
    }
    if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return out.slice(0, n);
}

/**
 * Compares two strings by the bytes of the Go strings they stand for (see {@link encodeUtf8}): the
 * order of Go's `sort.Strings` and of Go's map keys, which is also code point order for valid text.
 * Invalid bytes kept by {@link decodeGoString} sort by their original value, so `"\xc3("` sorts before
 * `"é"` (C3 A9) although both print differently. Returns a negative number, 0 or a positive number.
 * @example
 * ['b', 'é', 'a', 'Z'].sort(utf8ByteCompare) // ['Z', 'a', 'b', 'é']
 */
export function utf8ByteCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 order is byte order unless a surrogate (a pair, an escaped byte or a lone one) is involved.
    if ((x < 0xd800 || x > 0xdfff) && (y < 0xd800 || y > 0xdfff)) return x - y;
    // compare the bytes from the start of the code point holding the difference
    const prev = i > 0 ? a.charCodeAt(i - 1) : 0;
    const from = prev >= 0xd800 && prev <= 0xdbff ? i - 1 : i;
    return Buffer.compare(encodeUtf8(a.slice(from)), encodeUtf8(b.slice(from)));
  }
  return a.length - b.length;
}
