import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compactJson, parseKubeJson, quoteGoString, toKubeJson } from '../../src/codec/go-json';
import { decodeGoString } from '../../src/codec/go-utf8';
import { markRawJson, rawJsonMark } from '../../src/codec/raw-json';

const DATA = path.join(__dirname, '../../..', '..', 'shared/data', 'auger-testdata');

test('toKubeJson escapes strings exactly as Go encoding/json', () => {
  assert.equal(toKubeJson('plain'), '"plain"');
  assert.equal(toKubeJson('<a href="x">&</a>'), '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"');
  assert.equal(toKubeJson('a\nb\rc\td\be\ff'), '"a\\nb\\rc\\td\\be\\ff"');
  assert.equal(toKubeJson('\u0000\u0001\u001f\u007f'), '"\\u0000\\u0001\\u001f\u007f"');
  assert.equal(toKubeJson('\u2028\u2029'), '"\\u2028\\u2029"');
  assert.equal(toKubeJson('back\\slash "q"'), '"back\\\\slash \\"q\\""');
  assert.equal(toKubeJson('é€😀\uFFFD'), '"é€😀\uFFFD"');
  assert.equal(toKubeJson('/'), '"/"');
  // a lone surrogate cannot be in a Go string; Go writes invalid UTF-8 as \ufffd
  assert.equal(toKubeJson('a\uD800b\uDC00'), '"a\\ufffdb\\ufffd"');
  assert.equal(quoteGoString('x'), '"x"');
});

test('toKubeJson prints numbers as Go prints int64 and float64', () => {
  assert.equal(toKubeJson(0), '0');
  assert.equal(toKubeJson(-0), '-0');
  assert.equal(toKubeJson(42), '42');
  assert.equal(toKubeJson(-7), '-7');
  assert.equal(toKubeJson(1.5), '1.5');
  assert.equal(toKubeJson(0.1), '0.1');
  assert.equal(toKubeJson(1e20), '100000000000000000000');
  assert.equal(toKubeJson(1e21), '1e+21');
  assert.equal(toKubeJson(1.5e300), '1.5e+300');
  assert.equal(toKubeJson(0.000001), '0.000001');
  assert.equal(toKubeJson(0.0000001), '1e-7');
  assert.equal(toKubeJson(1.25e-10), '1.25e-10');
  assert.equal(toKubeJson(5e-324), '5e-324');
  assert.equal(toKubeJson(123456789.125), '123456789.125');
  assert.equal(toKubeJson(9007199254740993n), '9007199254740993');
  assert.equal(toKubeJson(-(1n << 63n)), '-9223372036854775808');
  assert.equal(toKubeJson((1n << 64n) - 1n), '18446744073709551615');
  assert.throws(() => toKubeJson(NaN), { name: 'InvalidArgumentError' });
  assert.throws(() => toKubeJson({ a: Infinity }), { name: 'InvalidArgumentError' });
});

test('toKubeJson writes objects, arrays, bytes and nulls', () => {
  assert.equal(toKubeJson(null), 'null');
  assert.equal(toKubeJson(true), 'true');
  assert.equal(toKubeJson({ b: 1, a: 2 }), '{"b":1,"a":2}');
  assert.equal(toKubeJson({ a: undefined, b: null, c: [undefined] }), '{"b":null,"c":[null]}');
  assert.equal(toKubeJson({}), '{}');
  assert.equal(toKubeJson([]), '[]');
  assert.equal(toKubeJson({ a: {}, b: [] }), '{"a":{},"b":[]}');
  assert.equal(toKubeJson(new Uint8Array([0, 1, 2, 250])), '"AAEC+g=="');
  assert.equal(toKubeJson(new Uint8Array([])), '""');
  assert.equal(
    toKubeJson(
      new Map([
        ['b', 1],
        ['a', 2],
      ]),
    ),
    '{"a":2,"b":1}',
  );
});

test('toKubeJson sorts objects with integer-like keys by UTF-8 bytes, like Go maps', () => {
  const labels: Record<string, string> = {};
  labels['b'] = '1';
  labels['10'] = '2';
  labels['2'] = '3';
  labels['A'] = '4';
  labels['é'] = '5';
  labels['01'] = '6';
  assert.equal(toKubeJson(labels), '{"01":"6","10":"2","2":"3","A":"4","b":"1","é":"5"}');
  // without integer-like keys the (already Go-sorted or field-ordered) insertion order is kept
  assert.equal(toKubeJson({ z: 1, a: 2 }), '{"z":1,"a":2}');
});

test('toKubeJson prints invalid UTF-8 map keys as Go: sorted by original bytes, each bad byte \\ufffd', () => {
  const go = (bytes: number[]): string => decodeGoString(new Uint8Array(bytes), 0, bytes.length);
  const m: Record<string, number> = {};
  m['b'] = 1;
  m[go([0xff])] = 2;
  m[go([0xc3, 0x28])] = 3;
  m['é'] = 4;
  m[go([0xfe])] = 5;
  m['10'] = 6;
  m['9'] = 7;
  // integer-like keys: sorted, "\xc3(" before "é" (C3 28 < C3 A9), "\xfe" before "\xff", both printed \ufffd
  assert.equal(toKubeJson(m), '{"10":6,"9":7,"b":1,"\\ufffd(":3,"é":4,"\\ufffd":5,"\\ufffd":2}');
  assert.equal(
    toKubeJson(
      new Map([
        [go([0xff]), 1],
        ['é', 2],
        [go([0xc3, 0x28]), 3],
      ]),
    ),
    '{"\\ufffd(":3,"é":2,"\\ufffd":1}',
  );
  // a real U+FFFD is printed raw
  assert.equal(toKubeJson({ '\uFFFD': go([0x61, 0xff]) }), '{"\uFFFD":"a\\ufffd"}');
});

test('toKubeJson prints embedded JSON marked by the decoder as its stored text while unchanged', () => {
  const v = { b: [1, 2.5, -0, 1000], e: 'é/', a: {} };
  markRawJson(v, '{"b":[1,2.50,-0,1e3],"e":"\\u00e9\\/","a":{}}', '{"b":[1,2.5,-0,1000],"e":"é/","a":{}}');
  const doc = { kind: 'x', object: v };
  assert.equal(toKubeJson(doc), '{"kind":"x","object":{"b":[1,2.50,-0,1e3],"e":"\\u00e9\\/","a":{}}}');
  // pretty: Go re-indents the compact text (json.Indent), `{}` and `[]` stay so
  assert.equal(
    toKubeJson(doc, { indent: '  ' }),
    [
      '{',
      '  "kind": "x",',
      '  "object": {',
      '    "b": [',
      '      1,',
      '      2.50,',
      '      -0,',
      '      1e3',
      '    ],',
      '    "e": "\\u00e9\\/",',
      '    "a": {}',
      '  }',
      '}',
    ].join('\n'),
  );
  // strings holding punctuation are copied, not re-indented
  const s = { k: 'a,{b}:[c]' };
  markRawJson(s, '{"k":"a,{b}:[c]","n":1.0}', '{"k":"a,{b}:[c]"}');
  assert.equal(toKubeJson([s], { indent: '\t' }), '[\n\t{\n\t\t"k": "a,{b}:[c]",\n\t\t"n": 1.0\n\t}\n]');
  // an edited value prints as edited
  v.b.push(4);
  assert.equal(toKubeJson(doc), '{"kind":"x","object":{"b":[1,2.5,-0,1000,4],"e":"é/","a":{}}}');
});

test('parseKubeJson with keepText marks what would not re-print as written', () => {
  const text = '{"kind":"x","object":{"b":[1,2.50,-0,1e3],"e":"\\u00e9\\/","a":{ }},"plain":{"n":[1,2.5],"s":"é"}}';
  const v = parseKubeJson(text, { keepText: true }) as { object: { b: number[] }; plain: object };
  assert.deepEqual(v, { kind: 'x', object: { b: [1, 2.5, -0, 1000], e: 'é/', a: {} }, plain: { n: [1, 2.5], s: 'é' } });
  assert.equal(rawJsonMark(v.object)?.text, '{"b":[1,2.50,-0,1e3],"e":"\\u00e9\\/","a":{}}');
  assert.equal(rawJsonMark(v.object.b)?.text, '[1,2.50,-0,1e3]');
  assert.equal(rawJsonMark(v.plain), undefined);
  assert.equal(toKubeJson(v), text.replace('{ }', '{}'));
  // key order JavaScript changes, repeated keys
  const keys = parseKubeJson('{"m":{"b":1,"10":2},"d":{"a":1,"a":2}}', { keepText: true }) as { m: object; d: object };
  assert.equal(rawJsonMark(keys.m)?.text, '{"b":1,"10":2}');
  assert.equal(rawJsonMark(keys.d)?.text, '{"a":1,"a":2}');
  // without the option nothing is marked
  assert.equal(rawJsonMark((parseKubeJson(text) as { object: object }).object), undefined);
});

test('toKubeJson with indent matches json.MarshalIndent', () => {
  const v = { kind: 'Pod', spec: { containers: [{ name: 'a', args: [] }], empty: {} }, list: [1, [2, 3]] };
  const expected = [
    '{',
    '  "kind": "Pod",',
    '  "spec": {',
    '    "containers": [',
    '      {',
    '        "name": "a",',
    '        "args": []',
    '      }',
    '    ],',
    '    "empty": {}',
    '  },',
    '  "list": [',
    '    1,',
    '    [',
    '      2,',
    '      3',
    '    ]',
    '  ]',
    '}',
  ].join('\n');
  assert.equal(toKubeJson(v, { indent: '  ' }), expected);
  assert.equal(toKubeJson([], { indent: '\t' }), '[]');
  assert.equal(toKubeJson({}, { indent: '\t' }), '{}');
  assert.equal(toKubeJson({ a: 1 }, { indent: '\t' }), '{\n\t"a": 1\n}');
  assert.equal(toKubeJson('x', { indent: '  ' }), '"x"');
});

test('parseKubeJson keeps int64 values exact and key order', () => {
  const v = parseKubeJson(
    '{"z": 1, "generation": 9007199254740993, "neg": -9223372036854775808, "small": 9007199254740991, "f": 1.5, "e": 1e3}',
  );
  assert.deepEqual(v, {
    z: 1,
    generation: 9007199254740993n,
    neg: -(1n << 63n),
    small: 9007199254740991,
    f: 1.5,
    e: 1000,
  });
  assert.deepEqual(Object.keys(v as object), ['z', 'generation', 'neg', 'small', 'f', 'e']);
  assert.equal(
    toKubeJson(v),
    '{"z":1,"generation":9007199254740993,"neg":-9223372036854775808,"small":9007199254740991,"f":1.5,"e":1000}',
  );
  assert.deepEqual(parseKubeJson(' [1, "a\\u00e9\\ud83d\\ude00", true, false, null, {}] '), [
    1,
    'aé😀',
    true,
    false,
    null,
    {},
  ]);
  assert.equal(parseKubeJson('"\\ud800x"'), '\uFFFDx');
  assert.equal(parseKubeJson('"\\u0041\\/\\b\\f\\n\\r\\t\\"\\\\"'), 'A/\b\f\n\r\t"\\');
  const proto = parseKubeJson('{"__proto__": {"polluted": 1}}') as Record<string, unknown>;
  assert.deepEqual(Object.keys(proto), ['__proto__']);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  const slowProto = parseKubeJson('{"__proto__": {"x": 12345678901234567890}}') as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(slowProto), Object.prototype);
  // biome-ignore lint/suspicious/noProto: the key a hostile value uses to reach the prototype, kept as data
  assert.deepEqual(slowProto['__proto__'], { x: 12345678901234567890n });
});

test('parseKubeJson rejects bad JSON naming the offset', () => {
  const cases: Array<[string, number]> = [
    ['', 0],
    ['{', 1],
    ['{"a" 1}', 5],
    ['[1,]', 3],
    ['[1 2]', 3],
    ['"abc', 0],
    ['"a\u0001"', 2],
    ['"\\x"', 1],
    ['01', 1],
    ['1.', 1],
    ['tru', 0],
    ['{"a":1}x', 7],
    ['1e400', 0],
    ['"\\u12g4"', 3],
  ];
  for (const [text, offset] of cases) {
    assert.throws(
      () => parseKubeJson(text),
      (e: unknown) => {
        assert.ok(e instanceof Error && e.name === 'InvalidArgumentError', String(e));
        assert.equal((e as unknown as { details: { offset: number } }).details.offset, offset, text);
        assert.ok(e.message.includes(`offset ${offset}`));
        return true;
      },
      text,
    );
  }
  // the exact parser (used for text with long numbers) stops at 1000 levels instead of overflowing the stack
  assert.throws(() => parseKubeJson('['.repeat(2000) + '12345678901234567' + ']'.repeat(2000)), {
    name: 'InvalidArgumentError',
  });
});

test('compactJson removes only insignificant whitespace', () => {
  assert.equal(compactJson('{ "a" : [1, 2],\n\t"b": "x y\\n\\u003c" }\n'), '{"a":[1,2],"b":"x y\\n\\u003c"}');
  assert.equal(
    compactJson('{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}'),
    '{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}',
  );
  assert.equal(compactJson(' "<&>" '), '"<&>"');
  assert.equal(compactJson(' "<&>\u2028" ', { escapeHtml: true }), '"\\u003c\\u0026\\u003e\\u2028"');
  assert.equal(compactJson('[ "a\\" b" , 1.50e+3 ]'), '["a\\" b",1.50e+3]');
  assert.throws(() => compactJson('{"a":}'), { name: 'InvalidArgumentError' });
  assert.throws(() => compactJson('{"a":1} {'), { name: 'InvalidArgumentError' });
});

test('toKubeJson re-prints the auger golden JSON byte for byte', () => {
  for (const name of ['pod.json', 'job.json']) {
    const text = fs.readFileSync(path.join(DATA, 'json', name), 'utf8');
    const value = parseKubeJson(text);
    // the golden files are json.Marshal output plus one newline
    assert.equal(toKubeJson(value) + '\n', text, name);
    assert.equal(compactJson(toKubeJson(value, { indent: '  ' })), toKubeJson(value), name);
    assert.deepEqual(parseKubeJson(toKubeJson(value, { indent: '   ' })), value, name);
  }
});
