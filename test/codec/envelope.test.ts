import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sniffValue } from '../../src/codec/envelope';

const DATA = path.join(__dirname, '../../..', '..', 'shared/data', 'auger-testdata');

function read(...parts: string[]): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(DATA, ...parts)));
}

function bytes(...parts: Array<string | number[]>): Uint8Array {
  const chunks = parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p)));
  return new Uint8Array(Buffer.concat(chunks));
}

test('sniffValue finds protobuf in etcdctl --print-value-only output and strips its newline', () => {
  for (const name of ['pod.bin', 'job.bin']) {
    const value = read('storage', name);
    const s = sniffValue(value);
    assert.equal(s.encoding, 'protobuf', name);
    assert.deepEqual(s.stripped, { trailingNewline: true }, name);
    assert.equal(s.bodyOffset, 4);
    assert.equal(s.body.length, value.length - 5);
    // the body is runtime.Unknown: field 1 (typeMeta) first
    assert.equal(s.body[0], 0x0a);
  }
});

test('sniffValue strips the key line of plain etcdctl get output', () => {
  const value = read('storage', 'pod-with-key.bin');
  const s = sniffValue(value);
  assert.equal(s.encoding, 'protobuf');
  assert.deepEqual(s.stripped, { keyLine: '/registry/pods/default/xyz', trailingNewline: true });
  const plain = sniffValue(read('storage', 'pod.bin'));
  assert.deepEqual([...s.body], [...plain.body]);

  const json = sniffValue(read('json', 'pod-with-key.txt'));
  assert.equal(json.encoding, 'json');
  assert.equal(json.stripped?.keyLine, '/registry/pods/default/xyz');
  assert.equal(JSON.parse(Buffer.from(json.body).toString('utf8')).kind, 'Pod');
});

test('sniffValue keeps a trailing 0x0a that belongs to the protobuf', () => {
  // Unknown { raw (field 2) = [0x0a] }: the value really ends with 0x0a
  const value = bytes('k8s\0', [0x12, 0x01, 0x0a]);
  const s = sniffValue(value);
  assert.equal(s.encoding, 'protobuf');
  assert.equal(s.stripped, undefined);
  assert.deepEqual([...s.body], [0x12, 0x01, 0x0a]);
  // the same value as etcdctl prints it
  const printed = sniffValue(bytes('k8s\0', [0x12, 0x01, 0x0a, 0x0a]));
  assert.deepEqual(printed.stripped, { trailingNewline: true });
  assert.deepEqual([...printed.body], [0x12, 0x01, 0x0a]);
  // an empty Unknown
  assert.deepEqual(sniffValue(bytes('k8s\0')).body.length, 0);
  assert.deepEqual(sniffValue(bytes('k8s\0\n')).stripped, { trailingNewline: true });
  // corrupt protobuf: nothing is guessed
  assert.equal(sniffValue(bytes('k8s\0', [0x12, 0x09, 0x0a])).stripped, undefined);
});

test('sniffValue recognises JSON, with the serializer newline kept and etcdctl newline stripped', () => {
  const a = sniffValue(bytes('{"kind":"Foo"}\n'));
  assert.equal(a.encoding, 'json');
  assert.equal(a.stripped, undefined);
  const b = sniffValue(bytes('{"kind":"Foo"}\n\n'));
  assert.deepEqual(b.stripped, { trailingNewline: true });
  assert.equal(Buffer.from(b.body).toString(), '{"kind":"Foo"}\n');
  assert.equal(sniffValue(bytes(' \n\t[1]')).encoding, 'json');
  assert.equal(
    sniffValue(bytes('/registry/foo.example.com/bars/ns/x\n{"kind":"Bar"}\n\n')).stripped?.keyLine,
    '/registry/foo.example.com/bars/ns/x',
  );
});

test('sniffValue recognises CBOR', () => {
  const value = bytes([0xd9, 0xd9, 0xf7, 0xa1, 0x61, 0x61, 0x01]);
  const s = sniffValue(value);
  assert.equal(s.encoding, 'cbor');
  assert.equal(s.body.length, 7);
  assert.equal(s.stripped, undefined);
  const printed = sniffValue(bytes([0xd9, 0xd9, 0xf7, 0xa1, 0x61, 0x61, 0x01, 0x0a]));
  assert.deepEqual(printed.stripped, { trailingNewline: true });
  assert.equal(printed.body.length, 7);
  // a CBOR text ending in "\n" is data
  const text = sniffValue(bytes([0xd9, 0xd9, 0xf7, 0x61, 0x0a]));
  assert.equal(text.stripped, undefined);
});

test('sniffValue reports encryption at rest', () => {
  const cases: Array<[string, string, string, string]> = [
    ['k8s:enc:aescbc:v1:key1:', 'aescbc', 'v1', 'key1'],
    ['k8s:enc:aesgcm:v1:k2:', 'aesgcm', 'v1', 'k2'],
    ['k8s:enc:secretbox:v1:key1:', 'secretbox', 'v1', 'key1'],
    ['k8s:enc:kms:v1:my-kms:', 'kms', 'v1', 'my-kms'],
    ['k8s:enc:kms:v2:vault:', 'kms', 'v2', 'vault'],
  ];
  for (const [prefix, provider, version, keyName] of cases) {
    const s = sniffValue(bytes(prefix, [1, 2, 3, 0x0a]));
    assert.equal(s.encoding, 'encrypted', prefix);
    assert.deepEqual(s.encryption, { provider, version, keyName, ciphertextBytes: 4 });
    assert.equal(s.bodyOffset, prefix.length);
    assert.deepEqual([...s.body], [1, 2, 3, 0x0a]);
  }
  const keyed = sniffValue(bytes('/registry/secrets/default/db\nk8s:enc:aescbc:v1:key1:', [9, 9]));
  assert.equal(keyed.encoding, 'encrypted');
  assert.equal(keyed.stripped?.keyLine, '/registry/secrets/default/db');
  assert.equal(keyed.encryption?.ciphertextBytes, 2);
});

test('sniffValue previews raw values as text or hex', () => {
  const digits = sniffValue(bytes('12345'));
  assert.equal(digits.encoding, 'raw');
  assert.equal(digits.preview, '12345');
  const long = sniffValue(bytes('x'.repeat(500)));
  assert.equal(long.preview, `${'x'.repeat(200)}… (500 bytes in all)`);
  const binary = sniffValue(bytes([0, 1, 2, 0xff]));
  assert.equal(binary.preview, '00 01 02 ff');
  const bigBinary = sniffValue(new Uint8Array(100));
  assert.equal(bigBinary.preview, `${Array(64).fill('00').join(' ')} … (100 bytes in all)`);
  assert.equal(sniffValue(new Uint8Array(0)).encoding, 'raw');
  // a first line that is not followed by a recognisable value is not a key line
  const twoLines = sniffValue(bytes('/a/b\nhello'));
  assert.equal(twoLines.encoding, 'raw');
  assert.equal(twoLines.stripped, undefined);
  assert.equal(twoLines.preview, '/a/b\nhello');
  // a line with spaces is not a key
  assert.equal(sniffValue(bytes('not a key\n{"a":1}')).encoding, 'raw');
});
