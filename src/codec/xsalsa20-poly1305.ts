/**
 * NaCl's secretbox (XSalsa20 stream cipher + Poly1305 one-time authenticator), the cipher of
 * kube-apiserver's `secretbox` encryption provider. Node's crypto has no Salsa20, so it is written here
 * from the published algorithms (Bernstein's Salsa20 and XSalsa20 papers, RFC 8439 §2.5 for Poly1305)
 * and checked against their test vectors and against golang.org/x/crypto/nacl/secretbox.
 *
 * Layout of a box (what `secretbox.Seal` returns, without the nonce): the 16-byte Poly1305 tag, then
 * the ciphertext (as long as the message). The keystream is XSalsa20(key, nonce): its first 32 bytes
 * are the Poly1305 key, the message is XORed with the bytes from offset 32 on.
 */
import { timingSafeEqual } from 'node:crypto';
import { InvalidArgumentError } from '../errors';

/** Bytes of a secretbox key. */
export const SECRETBOX_KEY_BYTES = 32;
/** Bytes of a secretbox nonce. */
export const SECRETBOX_NONCE_BYTES = 24;
/** Bytes a box adds to its message (the Poly1305 tag). */
export const SECRETBOX_OVERHEAD = 16;

// "expand 32-byte k", little-endian words.
const SIGMA0 = 0x61707865;
const SIGMA1 = 0x3320646e;
const SIGMA2 = 0x79622d32;
const SIGMA3 = 0x6b206574;

function u32(b: Uint8Array, i: number): number {
  return (
    ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>> 0
  );
}

function put32(b: Uint8Array, i: number, v: number): void {
  b[i] = v & 0xff;
  b[i + 1] = (v >>> 8) & 0xff;
  b[i + 2] = (v >>> 16) & 0xff;
  b[i + 3] = (v >>> 24) & 0xff;
}

function rotl(v: number, n: number): number {
  return (v << n) | (v >>> (32 - n));
}

/** 20 rounds (10 double rounds) of Salsa20 over the 16-word state `x`, in place. */
function rounds(x: Int32Array): void {
  let x0 = x[0] as number,
    x1 = x[1] as number,
    x2 = x[2] as number,
    x3 = x[3] as number;
  let x4 = x[4] as number,
    x5 = x[5] as number,
    x6 = x[6] as number,
    x7 = x[7] as number;
  let x8 = x[8] as number,
    x9 = x[9] as number,
    x10 = x[10] as number,
    x11 = x[11] as number;
  let x12 = x[12] as number,
    x13 = x[13] as number,
    x14 = x[14] as number,
    x15 = x[15] as number;
  for (let i = 0; i < 10; i++) {
    // column round
    x4 ^= rotl((x0 + x12) | 0, 7);
    x8 ^= rotl((x4 + x0) | 0, 9);
    x12 ^= rotl((x8 + x4) | 0, 13);
    x0 ^= rotl((x12 + x8) | 0, 18);
    x9 ^= rotl((x5 + x1) | 0, 7);
    x13 ^= rotl((x9 + x5) | 0, 9);
    x1 ^= rotl((x13 + x9) | 0, 13);
    x5 ^= rotl((x1 + x13) | 0, 18);
    x14 ^= rotl((x10 + x6) | 0, 7);
    x2 ^= rotl((x14 + x10) | 0, 9);
    x6 ^= rotl((x2 + x14) | 0, 13);
    x10 ^= rotl((x6 + x2) | 0, 18);
    x3 ^= rotl((x15 + x11) | 0, 7);
    x7 ^= rotl((x3 + x15) | 0, 9);
    x11 ^= rotl((x7 + x3) | 0, 13);
    x15 ^= rotl((x11 + x7) | 0, 18);
    // row round
    x1 ^= rotl((x0 + x3) | 0, 7);
    x2 ^= rotl((x1 + x0) | 0, 9);
    x3 ^= rotl((x2 + x1) | 0, 13);
    x0 ^= rotl((x3 + x2) | 0, 18);
    x6 ^= rotl((x5 + x4) | 0, 7);
    x7 ^= rotl((x6 + x5) | 0, 9);
    x4 ^= rotl((x7 + x6) | 0, 13);
    x5 ^= rotl((x4 + x7) | 0, 18);
    x11 ^= rotl((x10 + x9) | 0, 7);
    x8 ^= rotl((x11 + x10) | 0, 9);
    x9 ^= rotl((x8 + x11) | 0, 13);
    x10 ^= rotl((x9 + x8) | 0, 18);
    x12 ^= rotl((x15 + x14) | 0, 7);
    x13 ^= rotl((x12 + x15) | 0, 9);
    x14 ^= rotl((x13 + x12) | 0, 13);
    x15 ^= rotl((x14 + x13) | 0, 18);
  }
  x[0] = x0;
  x[1] = x1;
  x[2] = x2;
  x[3] = x3;
  x[4] = x4;
  x[5] = x5;
  x[6] = x6;
  x[7] = x7;
  x[8] = x8;
  x[9] = x9;
  x[10] = x10;
  x[11] = x11;
  x[12] = x12;
  x[13] = x13;
  x[14] = x14;
  x[15] = x15;
}

/** The Salsa20 state for a 32-byte key and four middle words (nonce and counter, or HSalsa20's input). */
function initState(key: Uint8Array, middle: Uint8Array): Int32Array {
  const s = new Int32Array(16);
  s[0] = SIGMA0;
  for (let i = 0; i < 4; i++) s[1 + i] = u32(key, 4 * i);
  s[5] = SIGMA1;
  for (let i = 0; i < 4; i++) s[6 + i] = u32(middle, 4 * i);
  s[10] = SIGMA2;
  for (let i = 0; i < 4; i++) s[11 + i] = u32(key, 16 + 4 * i);
  s[15] = SIGMA3;
  return s;
}

function checkLength(what: string, bytes: Uint8Array, n: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== n) {
    const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes;
    throw new InvalidArgumentError(`Invalid ${what}: ${got}. It must be ${n} bytes.`);
  }
}

/**
 * HSalsa20: derives XSalsa20's subkey from a 32-byte key and the first 16 bytes of the nonce.
 * @example
 * hsalsa20(new Uint8Array(32), new Uint8Array(16)).length // 32
 */
export function hsalsa20(key: Uint8Array, input16: Uint8Array): Uint8Array {
  checkLength('HSalsa20 key', key, 32);
  checkLength('HSalsa20 input', input16, 16);
  const x = initState(key, input16);
  rounds(x);
  const out = new Uint8Array(32);
  const words = [x[0], x[5], x[10], x[15], x[6], x[7], x[8], x[9]] as number[];
  words.forEach((w, i) => {
    put32(out, 4 * i, w);
  });
  return out;
}

/**
 * XORs `input` with the XSalsa20 keystream for (key, 24-byte nonce), starting `skip` bytes into the
 * stream. With zeros as input this is the keystream itself.
 * @example
 * const ct = xsalsa20Xor(new TextEncoder().encode('hi'), nonce24, key32);
 */
export function xsalsa20Xor(input: Uint8Array, nonce: Uint8Array, key: Uint8Array, skip = 0): Uint8Array {
  checkLength('XSalsa20 key', key, 32);
  checkLength('XSalsa20 nonce', nonce, 24);
  const subkey = hsalsa20(key, nonce.subarray(0, 16));
  const middle = new Uint8Array(16);
  middle.set(nonce.subarray(16, 24), 0);
  const state = initState(subkey, middle);
  const out = new Uint8Array(input.length);
  const x = new Int32Array(16);
  const block = new Uint8Array(64);
  let counter = Math.floor(skip / 64);
  let offset = skip % 64;
  let pos = 0;
  while (pos < input.length) {
    state[8] = counter % 0x100000000;
    state[9] = Math.floor(counter / 0x100000000);
    x.set(state);
    rounds(x);
    for (let i = 0; i < 16; i++) put32(block, 4 * i, ((x[i] as number) + (state[i] as number)) | 0);
    const n = Math.min(64 - offset, input.length - pos);
    for (let i = 0; i < n; i++) out[pos + i] = (input[pos + i] as number) ^ (block[offset + i] as number);
    pos += n;
    offset = 0;
    counter++;
  }
  return out;
}

const P1305 = (1n << 130n) - 5n;
const MASK128 = (1n << 128n) - 1n;

/**
 * Poly1305 one-time authenticator (RFC 8439 §2.5): the 16-byte tag of `message` under a 32-byte key
 * (r, clamped, then s). Uses ten 13-bit limbs so every product stays an exact double.
 * @example
 * poly1305(new TextEncoder().encode('Cryptographic Forum Research Group'), key32) // 16 bytes
 */
export function poly1305(message: Uint8Array, key: Uint8Array): Uint8Array {
  checkLength('Poly1305 key', key, 32);
  // r clamped: r &= 0x0ffffffc0ffffffc0ffffffc0fffffff
  const rb = key.slice(0, 16);
  rb[3] = (rb[3] as number) & 15;
  rb[7] = (rb[7] as number) & 15;
  rb[11] = (rb[11] as number) & 15;
  rb[15] = (rb[15] as number) & 15;
  rb[4] = (rb[4] as number) & 252;
  rb[8] = (rb[8] as number) & 252;
  rb[12] = (rb[12] as number) & 252;
  const r = limbs(rb, 0, 0);
  const r5 = r.map((v) => v * 5);
  const h = new Float64Array(10);
  const d = new Float64Array(10);
  const block = new Uint8Array(17);
  for (let pos = 0; pos < message.length; pos += 16) {
    const n = Math.min(16, message.length - pos);
    block.fill(0);
    block.set(message.subarray(pos, pos + n), 0);
    block[n] = 1; // the 2^(8n) bit: byte 16 for a full block, right after the data for the last one
    const m = limbs(block, 0, block[16] as number);
    for (let i = 0; i < 10; i++) h[i] = (h[i] as number) + (m[i] as number);
    // d = h * r mod 2^130 - 5 (limb k >= 10 wraps to k - 10 times 5, as 2^130 = 5)
    for (let i = 0; i < 10; i++) {
      let s = 0;
      for (let j = 0; j < 10; j++) s += (h[j] as number) * (j <= i ? (r[i - j] as number) : (r5[i - j + 10] as number));
      d[i] = s;
    }
    let c = 0;
    for (let i = 0; i < 10; i++) {
      const v = (d[i] as number) + c;
      const lo = v % 8192;
      c = (v - lo) / 8192;
      h[i] = lo;
    }
    h[0] = (h[0] as number) + c * 5;
    c = Math.floor((h[0] as number) / 8192);
    h[0] = (h[0] as number) % 8192;
    h[1] = (h[1] as number) + c;
  }
  // Final reduction and + s, once per message.
  let acc = 0n;
  for (let i = 9; i >= 0; i--) acc = (acc << 13n) + BigInt(h[i] as number);
  acc %= P1305;
  let s = 0n;
  for (let i = 31; i >= 16; i--) s = (s << 8n) + BigInt(key[i] as number);
  let tag = (acc + s) & MASK128;
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    out[i] = Number(tag & 0xffn);
    tag >>= 8n;
  }
  return out;
}

/** Ten 13-bit limbs of the 16-byte little-endian number at `b[at..]`, plus `hibit`·2^128. */
function limbs(b: Uint8Array, at: number, hibit: number): Float64Array {
  const out = new Float64Array(10);
  const byteAt = (i: number): number => (i < 16 ? (b[at + i] as number) : i === 16 ? hibit : 0);
  for (let l = 0; l < 10; l++) {
    const bit = l * 13;
    const i = bit >> 3;
    const three = byteAt(i) | (byteAt(i + 1) << 8) | (byteAt(i + 2) << 16);
    out[l] = (three >>> (bit & 7)) & 0x1fff;
  }
  return out;
}

/**
 * NaCl `crypto_secretbox`: encrypts and authenticates `message`; returns tag (16 bytes) + ciphertext,
 * as golang.org/x/crypto/nacl/secretbox.Seal appends them.
 * @example
 * const box = secretboxSeal(new TextEncoder().encode('data'), nonce24, key32);
 */
export function secretboxSeal(message: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  const stream = xsalsa20Xor(concat(new Uint8Array(32), message), nonce, key);
  const ciphertext = stream.subarray(32);
  const tag = poly1305(ciphertext, stream.subarray(0, 32));
  return concat(tag, ciphertext);
}

/**
 * NaCl `crypto_secretbox_open`: checks the tag and decrypts; `undefined` when the box does not
 * authenticate under this key and nonce (wrong key, or changed bytes).
 * @example
 * secretboxOpen(box, nonce24, key32) // the message, or undefined
 */
export function secretboxOpen(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | undefined {
  if (box.length < SECRETBOX_OVERHEAD) return undefined;
  const polyKey = xsalsa20Xor(new Uint8Array(32), nonce, key);
  const ciphertext = box.subarray(SECRETBOX_OVERHEAD);
  const want = poly1305(ciphertext, polyKey);
  if (!timingSafeEqual(want, box.subarray(0, SECRETBOX_OVERHEAD))) return undefined;
  return xsalsa20Xor(ciphertext, nonce, key, 32);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
