/**
 * XSalsa20, Poly1305 and NaCl secretbox against published vectors and against Go.
 *
 * Provenance of the vectors:
 * - Poly1305: RFC 8439 §2.5.2 and Appendix A.3 (#1, #5–#9, #11).
 * - XSalsa20: the two vectors of golang.org/x/crypto/salsa20 (salsa20_test.go, xSalsa20TestData).
 * - secretbox: golang.org/x/crypto/nacl/secretbox TestSecretBox (made with NaCl's C implementation).
 * - The SHA-256 digests: printed by a Go 1.24 program calling golang.org/x/crypto 0.25.0 (Debian
 *   golang-golang-x-crypto-dev 1:0.25.0-1) secretbox.Seal, poly1305.Sum and salsa20.XORKeyStream over the
 *   series built by the functions below (301 lengths each, 0..300 bytes: every block boundary).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { hsalsa20, poly1305, secretboxOpen, secretboxSeal, xsalsa20Xor } from '../../src/codec/xsalsa20-poly1305';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/[\s:]/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
const seq = (n: number, f: (i: number) => number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => f(i) & 0xff);

test('Poly1305: RFC 8439 §2.5.2', () => {
  const key = hex('85:d6:be:78:57:55:6d:33:7f:44:52:fe:42:d5:06:a8:01:03:80:8a:fb:0d:b2:fd:4a:bf:f6:af:41:49:f5:1b');
  const tag = poly1305(ascii('Cryptographic Forum Research Group'), key);
  assert.equal(toHex(tag), 'a8061dc1305136c6c22b8baf0c0127a9');
});

test('Poly1305: RFC 8439 Appendix A.3 edge vectors', () => {
  const zeros = (n: number): string => '00'.repeat(n);
  const cases: Array<[string, string, string, string]> = [
    ['#1', zeros(32), zeros(64), zeros(16)],
    ['#5', '02' + zeros(31), 'ff'.repeat(16), '03' + zeros(15)],
    ['#6', '02' + zeros(15) + 'ff'.repeat(16), '02' + zeros(15), '03' + zeros(15)],
    ['#7', '01' + zeros(31), 'ff'.repeat(16) + 'f0' + 'ff'.repeat(15) + '11' + zeros(15), '05' + zeros(15)],
    ['#8', '01' + zeros(31), 'ff'.repeat(16) + 'fb' + 'fe'.repeat(15) + '01'.repeat(16), zeros(16)],
    ['#9', '02' + zeros(31), 'fd' + 'ff'.repeat(15), 'fa' + 'ff'.repeat(15)],
    [
      '#11',
      '01' + zeros(7) + '04' + zeros(23),
      'e33594d7505e43b900000000000000003394d7505e4379cd010000000000000000000000000000000000000000000000',
      '13' + zeros(15),
    ],
  ];
  for (const [name, key, msg, want] of cases) assert.equal(toHex(poly1305(hex(msg), hex(key))), want, name);
});

test('XSalsa20: golang.org/x/crypto vectors; HSalsa20 subkey; keystream offsets', () => {
  const key = ascii('this is 32-byte key for xsalsa20');
  const nonce = ascii('24-byte nonce for xsalsa');
  assert.equal(toHex(xsalsa20Xor(ascii('Hello world!'), nonce, key)), '002d4513843fc240c401e541');
  assert.equal(
    toHex(xsalsa20Xor(new Uint8Array(64), nonce, key)),
    '4848297feb1fb52fb66d81609bd547fabcbe7026edc8b5e5e449d088bfa69c088f5d8da1d791267c2c195a7f8cae9c4b4050d08ce6d3a151ec265f3a58e47648',
  );
  // Reading from any offset gives the same bytes as the stream from 0.
  const whole = xsalsa20Xor(new Uint8Array(300), nonce, key);
  for (const skip of [1, 31, 32, 63, 64, 65, 200])
    assert.deepEqual(xsalsa20Xor(new Uint8Array(300 - skip), nonce, key, skip), whole.subarray(skip));
  assert.equal(hsalsa20(key, nonce.subarray(0, 16)).length, 32);
  assert.throws(() => xsalsa20Xor(new Uint8Array(1), new Uint8Array(8), key), {
    name: 'InvalidArgumentError',
    message: /nonce: 8 bytes\. It must be 24 bytes/,
  });
});

test('secretbox: NaCl C vector (golang.org/x/crypto TestSecretBox)', () => {
  const box = secretboxSeal(new Uint8Array(64).fill(3), new Uint8Array(24).fill(2), new Uint8Array(32).fill(1));
  assert.equal(
    toHex(box),
    '8442bc313f4626f1359e3b50122b6ce6fe66ddfe7d39d14e637eb4fd5b45beadab55198df6ab5368439792a23c87db70acb6156dc5ef957ac04f6276cf6093b84be77ff0849cc33e34b7254d5a8f65ad',
  );
});

test('secretbox, Poly1305 and XSalsa20 agree with Go over lengths 0..300', () => {
  const key = seq(32, (i) => i);
  const nonce = seq(24, (i) => 100 + i);
  const boxes = createHash('sha256');
  for (let n = 0; n <= 300; n++) {
    const msg = seq(n, (i) => i * 7 + n);
    const box = secretboxSeal(msg, nonce, key);
    boxes.update(box);
    assert.deepEqual(secretboxOpen(box, nonce, key), msg, `open ${n}`);
  }
  assert.equal(boxes.digest('hex'), '16f45634607bead056d08d92054a6dc76dec1cf7b287de91e9e7c09dfd9b2068');

  const series = (pk: Uint8Array, byte: (i: number, n: number) => number): string => {
    const h = createHash('sha256');
    for (let n = 0; n <= 300; n++)
      h.update(
        poly1305(
          seq(n, (i) => byte(i, n)),
          pk,
        ),
      );
    return h.digest('hex');
  };
  assert.equal(
    series(
      seq(32, (i) => i * 3 + 1),
      (i, n) => i * 11 + n,
    ),
    '13bb86819576939cca5fdf25221bfcf8204e94572cff79e2a4b952537531d9e2',
  );
  assert.equal(
    series(new Uint8Array(32).fill(0xff), () => 0xff),
    'a08f9e8a325727945100b5d399f4646f863c5fe822cdb8f2240bde43d31b0b24',
  );

  const ks = xsalsa20Xor(
    new Uint8Array(1000),
    ascii('24-byte nonce for xsalsa'),
    ascii('this is 32-byte key for xsalsa20'),
  );
  assert.equal(
    createHash('sha256').update(ks).digest('hex'),
    '6e7a385ad5d4eba6dec12726bf19e03e3a2df7471542a5f0645dfd5c5b55eac2',
  );
});

test('secretboxOpen refuses a changed byte, a wrong key, a wrong nonce and a short box', () => {
  const key = seq(32, (i) => i * 5);
  const nonce = seq(24, (i) => i);
  const box = secretboxSeal(ascii('k8s\u0000 secret bytes'), nonce, key);
  for (let i = 0; i < box.length; i++) {
    const bad = box.slice();
    bad[i] = (bad[i] as number) ^ 0x20;
    assert.equal(secretboxOpen(bad, nonce, key), undefined, `byte ${i}`);
  }
  assert.equal(
    secretboxOpen(
      box,
      nonce,
      seq(32, (i) => i * 5 + 1),
    ),
    undefined,
  );
  assert.equal(
    secretboxOpen(
      box,
      seq(24, (i) => i + 1),
      key,
    ),
    undefined,
  );
  assert.equal(secretboxOpen(box.subarray(0, 15), nonce, key), undefined);
  assert.deepEqual(secretboxOpen(secretboxSeal(new Uint8Array(0), nonce, key), nonce, key), new Uint8Array(0));
});
