/**
 * The one protobuf wire reader: values written by the encoder's WireWriter read back exactly, and every
 * hostile input (truncated, over-long, lengths past the end, bad wire types) fails with a named error
 * naming the absolute offset, or with the caller's own error class.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SnapshotFormatError } from '../../src/errors';
import { WireWriter } from '../../src/codec/wire-writer';
import { BYTES, FIXED32, FIXED64, VARINT, WireReader, wireTypeName } from '../../src/util/wire-reader';

test('reads back what the writer wrote: varints, zigzag, fixed widths, floats, bytes', () => {
  const w = new WireWriter();
  w.tag(1, VARINT);
  w.varint(150);
  w.tag(2, VARINT);
  w.varint64(-1n);
  w.tag(3, VARINT);
  w.sint(-3);
  w.tag(4, VARINT);
  w.sint(2n ** 62n);
  w.tag(5, FIXED32);
  w.fixed32(0xdeadbeef);
  w.tag(6, FIXED64);
  w.fixed64(2n ** 60n + 5n);
  w.tag(7, FIXED64);
  w.double(-2.5);
  w.tag(8, FIXED32);
  w.float(0.5);
  w.tag(9, BYTES);
  w.bytes(new Uint8Array([1, 2, 3]));
  w.tag(10, VARINT);
  w.varint64(2n ** 53n);
  w.tag(11, VARINT);
  w.int32(-7);
  const buf = w.finish();
  const end = buf.length;
  const r = new WireReader(buf);
  const fields: [number, number, unknown][] = [];
  const reads: ((r: WireReader) => unknown)[] = [
    (x) => x.uint32(end),
    (x) => x.int64(end),
    (x) => x.sint32(end),
    (x) => x.sint64(end),
    (x) => x.fixed32(end),
    (x) => x.fixed64(end),
    (x) => x.double(end),
    (x) => x.float(end),
    (x) => Array.from(x.bytes(end)),
    (x) => x.uint64(end),
    (x) => x.int32(end),
  ];
  for (const read of reads) {
    const tag = r.uint32(end);
    fields.push([tag >>> 3, tag & 7, read(r)]);
  }
  assert.equal(r.pos, end);
  assert.deepEqual(fields, [
    [1, VARINT, 150],
    [2, VARINT, -1],
    [3, VARINT, -3],
    [4, VARINT, 2n ** 62n],
    [5, FIXED32, 0xdeadbeef],
    [6, FIXED64, 2n ** 60n + 5n],
    [7, FIXED64, -2.5],
    [8, FIXED32, 0.5],
    [9, BYTES, [1, 2, 3]],
    [10, VARINT, 2n ** 53n],
    [11, VARINT, -7],
  ]);
});

test('the bigint and safe-integer reads (etcd lease ids, revisions)', () => {
  const w = new WireWriter();
  w.varint64(-2n);
  w.varint64(2n ** 64n - 1n);
  w.varint(2 ** 53 - 1);
  w.varint64(2n ** 53n);
  const buf = w.finish();
  const r = new WireReader(buf);
  assert.equal(r.int64BigInt(buf.length), -2n);
  assert.equal(r.uint64BigInt(buf.length), 2n ** 64n - 1n);
  assert.equal(r.safeUint(buf.length), 2 ** 53 - 1);
  const at = r.pos;
  assert.throws(() => r.safeUint(buf.length), {
    name: 'DecodeError',
    message: `Cannot decode protobuf at byte ${at}: integer 9007199254740992 beyond 2^53.`,
  });
});

test('a nested message is read with the same cursor and its own end', () => {
  const w = new WireWriter();
  w.tag(1, BYTES);
  w.begin();
  w.tag(1, VARINT);
  w.varint(7);
  w.end();
  w.tag(2, VARINT);
  w.varint(8);
  const buf = w.finish();
  const r = new WireReader(buf);
  assert.equal(r.uint32(buf.length), (1 << 3) | BYTES);
  const e = r.lengthEnd(buf.length);
  assert.equal(r.uint32(e), (1 << 3) | VARINT);
  assert.equal(r.uint32(e), 7);
  assert.equal(r.pos, e);
  r.skip(VARINT, buf.length); // tag 2
  r.skip(VARINT, buf.length);
  assert.equal(r.pos, buf.length);
});

test('hostile inputs fail with a DecodeError naming the absolute offset', () => {
  const cases: [string, number[], (r: WireReader, end: number) => unknown, string][] = [
    ['an empty varint', [], (r, end) => r.uint32(end), 'byte 100: expected a varint, found the end of the data'],
    ['a truncated varint', [0x80, 0x80], (r, end) => r.uint32(end), 'byte 102: truncated varint'],
    [
      'a truncated 64-bit varint',
      [0xff, 0xff, 0xff, 0xff, 0xff],
      (r, end) => r.int64(end),
      'byte 105: truncated varint',
    ],
    [
      'an 11-byte varint',
      Array(10).fill(0xff).concat([0x01]),
      (r, end) => r.uint32(end),
      'byte 100: varint longer than 10 bytes',
    ],
    [
      'an 11-byte 64-bit varint',
      Array(10).fill(0xff).concat([0x01]),
      (r, end) => r.uint64(end),
      'byte 100: varint longer than 10 bytes',
    ],
    [
      'a length past the end',
      [0x05, 0x01, 0x02],
      (r, end) => r.lengthEnd(end),
      'byte 100: length 5 runs past the end of the enclosing data (2 bytes left)',
    ],
    [
      'a huge length',
      [0xff, 0xff, 0xff, 0xff, 0x0f],
      (r, end) => r.bytes(end),
      'byte 100: length 4294967295 runs past the end of the enclosing data (0 bytes left)',
    ],
    [
      'a 6-byte length prefix',
      [0x80, 0x80, 0x80, 0x80, 0x80, 0x00],
      (r, end) => r.lengthEnd(end),
      'byte 100: length prefix longer than 5 bytes',
    ],
    ['a short fixed32', [1, 2, 3], (r, end) => r.fixed32(end), 'byte 100: expected 4 bytes of fixed32, only 3 left'],
    ['a short double', [1, 2, 3, 4], (r, end) => r.double(end), 'byte 100: expected 8 bytes of double, only 4 left'],
    [
      'a short fixed64 skip',
      [1],
      (r, end) => r.skip(FIXED64, end),
      'byte 100: expected 8 bytes of fixed64, only 1 left',
    ],
    ['wire type 6', [], (r, end) => r.skip(6, end), 'byte 100: invalid wire type 6'],
    [
      'a group ended by another group',
      [0x0c],
      (r, end) => r.skip(3, end, 2),
      'byte 100: end of group 1 does not match group 2',
    ],
    [
      'a group never ended',
      [0x08, 0x01],
      (r, end) => r.skip(3, end, 1),
      'byte 102: expected a varint, found the end of the data',
    ],
  ];
  for (const [what, bytes, read, message] of cases) {
    // the bytes sit at position 0 of their buffer; error offsets add base (100)
    const buf = new Uint8Array(bytes);
    const r = new WireReader(buf, 0, 100);
    assert.throws(
      () => read(r, buf.length),
      (e: unknown) => {
        assert.equal((e as Error).name, 'DecodeError', what);
        assert.equal((e as Error).message, `Cannot decode protobuf at ${message}.`, what);
        assert.equal((e as { offset?: number }).offset, Number(/^byte (\d+)/.exec(message)?.[1]), what);
        return true;
      },
      what,
    );
  }
});

test('groups nested past the limit fail rather than overflow the stack', () => {
  const depth = 200;
  const buf = new Uint8Array(depth).fill(0x0b); // start-group of field 1, again and again
  const r = new WireReader(buf);
  assert.throws(() => r.skip(3, buf.length, 1), { name: 'DecodeError', message: /groups nested deeper than 100/ });
});

test('an error factory makes the errors of another floor (the snapshot reader)', () => {
  const buf = new Uint8Array([0x08]);
  const r = new WireReader(
    buf,
    0,
    4096,
    (what, offset) =>
      new SnapshotFormatError(`Cannot decode an mvccpb.KeyValue: ${what} at byte ${offset}. The file is damaged.`, {
        offset,
      }),
  );
  r.uint32(1);
  assert.throws(() => r.int64(1), {
    name: 'SnapshotFormatError',
    message:
      'Cannot decode an mvccpb.KeyValue: expected a varint, found the end of the data at byte 4097. The file is damaged.',
  });
});

test('wire types have names for messages', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map(wireTypeName), [
    'varint',
    'fixed64',
    'length-delimited',
    'start-group',
    'end-group',
    'fixed32',
    'wire type 6',
  ]);
});
