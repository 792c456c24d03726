/**
 * Values stored as JSON (custom resources, CRDs, APIServices, clusters on
 * --storage-media-type=application/json): passed through as objects, exact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, toKubeJson } from '../../src/codec';

function bytes(...parts: (string | number[])[]): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
}

test('a custom resource stored as JSON passes through with its key order, big integers exact', () => {
  const stored = bytes(
    '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"creationTimestamp":"2024-01-02T03:04:05Z","generation":9007199254740993,"name":"w","namespace":"default"},',
    '"spec":{"z":1,"a":"<b>&</b>","n":1.5,"list":[],"nil":null}}\n',
  );
  const d = decode(stored);
  assert.equal(d.encoding, 'json');
  assert.equal(d.error, undefined);
  assert.equal(d.apiVersion, 'example.com/v1');
  assert.equal(d.kind, 'Widget');
  const object = d.object as { metadata: { generation: unknown }; spec: Record<string, unknown> };
  assert.equal(object.metadata.generation, 9007199254740993n);
  assert.deepEqual(Object.keys(object.spec), ['z', 'a', 'n', 'list', 'nil']);
  // What the API server prints: the same JSON (HTML characters escaped the way Go escapes them).
  assert.equal(
    toKubeJson(d.object),
    '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"creationTimestamp":"2024-01-02T03:04:05Z","generation":9007199254740993,"name":"w","namespace":"default"},' +
      '"spec":{"z":1,"a":"\\u003cb\\u003e\\u0026\\u003c/b\\u003e","n":1.5,"list":[],"nil":null}}',
  );
});

test('known difference, pinned: invalid UTF-8 inside a JSON value is kept as the byte and printed as \\ufffd', () => {
  // Go's JSON decoder replaces each invalid byte with a real U+FFFD and prints that character raw;
  // kubetcd keeps the byte (U+DCFF here), exactly as for protobuf values, and prints the escape \ufffd.
  // Both texts parse to the same JSON value. If this test fails, README.md's "known difference" is stale.
  const stored = bytes(
    '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"a":"ok',
    [0xff],
    '"}}',
  );
  const d = decode(stored);
  assert.equal(d.error, undefined);
  const a = (d.object as { spec: { a: string } }).spec.a;
  assert.equal(a, 'ok\udcff');
  assert.equal(
    toKubeJson(d.object),
    '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"a":"ok\\ufffd"}}',
  );
  assert.deepEqual(
    JSON.parse(toKubeJson(d.object)),
    JSON.parse('{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"a":"ok\ufffd"}}'),
  );
});

test('broken JSON values report an error with its offset and keep the bytes visible', () => {
  const d = decode(Buffer.from('{"apiVersion":"example.com/v1","kind":"Widget","spec":{"a":'));
  assert.equal(d.encoding, 'json');
  assert.equal(d.object, undefined);
  assert.ok(d.error, 'expected an error');
  assert.equal(d.error.name, 'DecodeError');
  assert.ok(d.error.offset >= 0 && d.error.offset <= 60, `offset ${d.error.offset}`);
});

test('encode refuses a kind the schema does not know (custom resources are stored as JSON, not protobuf)', () => {
  assert.throws(
    () => encode({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }),
    (e: Error) => e.name === 'EncodeError' && /Widget/.test(e.message),
  );
});
