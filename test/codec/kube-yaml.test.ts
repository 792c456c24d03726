import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toKubeYaml, yamlKeyLess } from '../../src/codec/kube-yaml';
import { parseKubeJson } from '../../src/codec/go-json';
import { decodeGoString } from '../../src/codec/go-utf8';

const DATA = path.join(__dirname, '../../..', '..', 'shared/data', 'auger-testdata');

function golden(name: string): string {
  // the golden files start with a license comment that kubectl does not print
  return fs
    .readFileSync(path.join(DATA, 'yaml', name), 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n');
}

test('toKubeYaml prints the auger pod and job exactly as kubectl does', () => {
  for (const name of ['pod', 'job']) {
    const value = parseKubeJson(fs.readFileSync(path.join(DATA, 'json', `${name}.json`), 'utf8'));
    assert.equal(toKubeYaml(value), golden(`${name}.yaml`), name);
  }
});

test('toKubeYaml quotes strings that would read back as another type', () => {
  const cases: Array<[string, string]> = [
    ['plain', 'plain'],
    ['', '""'],
    ['true', '"true"'],
    ['True', '"True"'],
    ['yes', '"yes"'],
    ['y', '"y"'],
    ['off', '"off"'],
    ['null', '"null"'],
    ['~', '"~"'],
    ['123', '"123"'],
    ['-1', '"-1"'],
    ['+1', '"+1"'],
    ['0x1F', '"0x1F"'],
    ['0o17', '"0o17"'],
    ['017', '"017"'],
    ['08', '"08"'],
    ['1_000', '"1_000"'],
    ['1.5', '"1.5"'],
    ['1e3', '"1e3"'],
    ['.5', '".5"'],
    ['.inf', '".inf"'],
    ['-.inf', '"-.inf"'],
    ['.nan', '".nan"'],
    ['0b101', '"0b101"'],
    ['1:20', '"1:20"'],
    ['2017-06-27T16:35:34Z', '"2017-06-27T16:35:34Z"'],
    ['2017-06-27', '"2017-06-27"'],
    ['2017-6-7 1:2:3', '"2017-6-7 1:2:3"'],
    ['2017-02-30', '2017-02-30'],
    ['18446744073709551615', '"18446744073709551615"'],
    ['1e400', '1e400'],
    ['<<', '<<'],
    ['1.2.3', '1.2.3'],
    ['v1', 'v1'],
    ['100m', '100m'],
    ['1Gi', '1Gi'],
    ['0b12', '0b12'],
  ];
  for (const [s, expected] of cases) assert.equal(toKubeYaml({ k: s }), `k: ${expected}\n`, s);
});

test('toKubeYaml single-quotes strings with YAML indicators', () => {
  const cases: Array<[string, string]> = [
    ['a: b', "'a: b'"],
    ['- a', "'- a'"],
    ['-', "'-'"],
    ['-a', '-a'],
    ['#x', "'#x'"],
    ['a #x', "'a #x'"],
    ['a#x', 'a#x'],
    ['*x', "'*x'"],
    ['&x', "'&x'"],
    ['!x', "'!x'"],
    ['|x', "'|x'"],
    ['>x', "'>x'"],
    ['%x', "'%x'"],
    ['@x', "'@x'"],
    ['`x', "'`x'"],
    ['"x"', `'"x"'`],
    ["it's", "it's"],
    ["'x'", "'''x'''"],
    ['{x}', "'{x}'"],
    ['[x]', "'[x]'"],
    ['x]', 'x]'],
    ['? x', "'? x'"],
    ['?x', '?x'],
    [':x', ':x'],
    ['---', "'---'"],
    ['...x', "'...x'"],
    [' x', "' x'"],
    ['x ', "'x '"],
    ['a:b', 'a:b'],
    ['http://x', 'http://x'],
    ['é ü 中文', 'é ü 中文'],
  ];
  for (const [s, expected] of cases) assert.equal(toKubeYaml({ k: s }), `k: ${expected}\n`, s);
});

test('toKubeYaml double-quotes and escapes special characters', () => {
  const cases: Array<[string, string]> = [
    ['a\tb', '"a\\tb"'],
    ['a\rb', '"a\\rb"'],
    ['\u0001', '"\\x01"'],
    ['\u007f', '"\\x7F"'],
    ['\u001b', '"\\e"'],
    ['x\u0085', '"x\\N"'],
    ['😀', '"\\U0001F600"'],
    // go-yaml's BOM check looks at the first character: a leading U+FEFF escapes every character (as
    // kubectl 1.36 prints it; test/codec/kubectl-format.test.ts compares with kubectl itself)
    ['\uFEFFx', '"\\uFEFF\\x78"'],
    ['a\uFEFFb', '"a\\uFEFFb"'],
    ['a"b\\\t', '"a\\"b\\\\\\t"'],
    ['\u00a0x', '\u00a0x'],
    ['a\uD800b', 'a\uFFFDb'],
    ['a\u2028b', "'a\u2028  b'"],
  ];
  for (const [s, expected] of cases) assert.equal(toKubeYaml({ k: s }), `k: ${expected}\n`, JSON.stringify(s));
});

test('toKubeYaml writes multi-line strings as literal blocks with chomping and indent hints', () => {
  assert.equal(toKubeYaml({ k: 'a\nb\n' }), 'k: |\n  a\n  b\n');
  assert.equal(toKubeYaml({ k: 'a\nb' }), 'k: |-\n  a\n  b\n');
  assert.equal(toKubeYaml({ k: 'a\nb\n\n' }), 'k: |+\n  a\n  b\n\n');
  assert.equal(toKubeYaml({ k: 'a\n\nb\n' }), 'k: |\n  a\n\n  b\n');
  assert.equal(toKubeYaml({ k: '  a\nb\n' }), 'k: |2\n    a\n  b\n');
  assert.equal(toKubeYaml({ k: '\na\n' }), 'k: |2\n\n  a\n');
  assert.equal(toKubeYaml({ k: '\n' }), 'k: |2+\n\n');
  // trailing space, space before newline, or a tab forbid the block style
  assert.equal(toKubeYaml({ k: 'a\nb ' }), 'k: "a\\nb "\n');
  assert.equal(toKubeYaml({ k: 'a \nb' }), 'k: "a \\nb"\n');
  assert.equal(toKubeYaml({ k: 'a\n\tb' }), 'k: "a\\n\\tb"\n');
  // nested and in lists
  assert.equal(toKubeYaml({ a: { b: 'x\ny\n' }, l: ['p\nq'] }), 'a:\n  b: |\n    x\n    y\nl:\n- |-\n  p\n  q\n');
  // a multi-line key cannot be a simple key: go-yaml writes a complex key with a literal block
  assert.equal(toKubeYaml({ 'a\nb': 1 }), '? |-\n  a\n  b\n: 1\n');
});

test('toKubeYaml folds long values at the first space after column 80', () => {
  const words = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore';
  assert.equal(
    toKubeYaml({ description: words }),
    'description: lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod\n  tempor incididunt ut labore\n',
  );
  assert.equal(
    toKubeYaml({ a: { b: `x: ${words}` } }),
    "a:\n  b: 'x: lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor\n    incididunt ut labore'\n",
  );
  // double-quoted values fold too (the folded space is dropped; the line goes on at indent + 2)
  assert.equal(
    toKubeYaml({ k: 'a\t' + 'word '.repeat(20) }),
    'k: "a\\t' + 'word '.repeat(14) + 'word\n  ' + 'word '.repeat(5) + '"\n',
  );
  const noSpaces = 'x'.repeat(120);
  assert.equal(toKubeYaml({ k: noSpaces }), `k: ${noSpaces}\n`);
  // keys are never folded
  const longKey = 'k '.repeat(50).trim();
  assert.equal(toKubeYaml({ [longKey]: 1 }), `${longKey}: 1\n`);
});

test('toKubeYaml writes keys over 128 bytes as complex keys', () => {
  const key = 'a'.repeat(129);
  assert.equal(toKubeYaml({ [key]: 'v' }), `? ${key}\n: v\n`);
  assert.equal(toKubeYaml({ m: { [key]: { x: 1 } } }), `m:\n  ? ${key}\n  : x: 1\n`);
  assert.equal(toKubeYaml({ ['b'.repeat(128)]: 1 }), `${'b'.repeat(128)}: 1\n`);
});

test('toKubeYaml layout: nesting, lists, empties, numbers', () => {
  const v = {
    z: [],
    a: {},
    n: null,
    list: [{ x: 1, y: [1, 2] }, [3, [4]], {}, [], 'x'],
    nums: [
      0,
      -0,
      1.5,
      1e6,
      1234567.5,
      0.0001,
      0.00001,
      1e21,
      9007199254740993n,
      18446744073709551615n,
      18446744073709551616n,
      -(1n << 63n),
    ],
    t: true,
    f: false,
  };
  const expected = [
    'a: {}',
    'f: false',
    'list:',
    '- x: 1',
    '  "y":',
    '  - 1',
    '  - 2',
    '- - 3',
    '  - - 4',
    '- {}',
    '- []',
    '- x',
    '"n": null',
    'nums:',
    '- 0',
    '- 0',
    '- 1.5',
    '- 1000000',
    '- 1.2345675e+06',
    '- 0.0001',
    '- 1e-05',
    '- 1e+21',
    '- 9007199254740993',
    '- 18446744073709551615',
    '- 1.8446744073709552e+19',
    '- -9223372036854775808',
    't: true',
    'z: []',
    '',
  ].join('\n');
  assert.equal(toKubeYaml(v), expected);
  assert.equal(toKubeYaml({}), '{}\n');
  assert.equal(toKubeYaml([]), '[]\n');
  assert.equal(toKubeYaml(['a', { b: 1 }]), '- a\n- b: 1\n');
  assert.equal(toKubeYaml({ b: new Uint8Array([1, 2, 3]) }), 'b: AQID\n');
});

test('yamlKeyLess sorts keys the go-yaml way', () => {
  const keys = ['b', 'a10', 'a9', 'A', 'a_b', 'aB', 'a-b', '1', '10', '2', 'é', 'z', 'a01', 'a1', 'x.y', 'xy'];
  const sorted = [...keys].sort((x, y) => (yamlKeyLess(x, y) ? -1 : yamlKeyLess(y, x) ? 1 : 0));
  assert.deepEqual(sorted, [
    '1',
    '2',
    '10',
    'A',
    'a-b',
    'a_b',
    'a1',
    'a01',
    'a9',
    'a10',
    'aB',
    'b',
    'x.y',
    'xy',
    'z',
    'é',
  ]);
});

test('yamlKeyLess fast path agrees with the rune-by-rune rules on many keys', () => {
  const alphabet = ['a', 'B', 'z', '0', '1', '9', '-', '.', '/', '_', 'é', '中', ' '];
  const keys: string[] = [];
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let k = 0; k < 400; k++) {
    let s = '';
    const len = 1 + rnd(5);
    for (let i = 0; i < len; i++) s += alphabet[rnd(alphabet.length)];
    keys.push(s);
  }
  // a strict weak order: irreflexive and asymmetric, and consistent with the slow path via prefixes
  for (const a of keys) {
    assert.equal(yamlKeyLess(a, a), false);
    for (const b of keys.slice(0, 60)) {
      if (yamlKeyLess(a, b)) assert.equal(yamlKeyLess(b, a), false, `${a} ${b}`);
      // adding the same prefix does not change the order when the prefix has no digits
      assert.equal(yamlKeyLess('p' + a, 'p' + b), yamlKeyLess(a, b), `${a} ${b}`);
    }
  }
});

test('toKubeYaml prints invalid UTF-8 as kubectl does: U+FFFD per byte, keys collapsed by its JSON step', () => {
  const go = (bytes: number[]): string => decodeGoString(new Uint8Array(bytes), 0, bytes.length);
  const labels: Record<string, string> = {};
  labels[go([0xfe])] = 'fe';
  labels[go([0xff])] = 'ff';
  labels[go([0xc3, 0x28])] = 'c328';
  labels['é'] = 'c3a9';
  labels['10'] = 'x';
  labels['a'] = go([0x61, 0xff, 0x62]);
  // kubectl's JSON has "\ufffd":"fe","\ufffd":"ff" (Go's byte order); go-yaml keeps the last
  assert.equal(toKubeYaml({ labels }), 'labels:\n  \uFFFD: ff\n  \uFFFD(: c328\n  "10": x\n  a: a\uFFFDb\n  é: c3a9\n');
});
