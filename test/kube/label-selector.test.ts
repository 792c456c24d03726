import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  labelSelectorFromObject,
  labelSelectorFromSet,
  parseLabelSelector,
  type LabelSelector,
} from '../../src/kube/label-selector';

/** Selector text → canonical form (apimachinery `Selector.String()` of the same text). */
const CANONICAL: Array<[string, string]> = [
  ['', ''],
  ['   ', ''],
  ['x', 'x'],
  ['!x', '!x'],
  ['! x', '!x'],
  ['x=a', 'x=a'],
  ['x==a', 'x==a'],
  ['x!=a', 'x!=a'],
  ['x = a', 'x=a'],
  ['x=', 'x='],
  ['x=,y', 'x=,y'],
  ['x in (a,b)', 'x in (a,b)'],
  ['x in(b, a)', 'x in (a,b)'],
  ['x notin (b,a,a)', 'x notin (a,b)'],
  ['x in ()', 'x in ()'],
  ['x in (,a)', 'x in (,a)'],
  ['x in (a,)', 'x in (,a)'],
  ['x in (a,,b)', 'x in (,a,b)'],
  ['x in (in,notin)', 'x in (in,notin)'],
  ['in in (in)', 'in in (in)'],
  ['notin notin (x)', 'notin notin (x)'],
  ['x>3', 'x>3'],
  ['x < 10', 'x<10'],
  ['b=1,a=2', 'a=2,b=1'],
  ['z,!y,x=1', 'x=1,!y,z'],
  ['\tapp=web ,\n tier in (back, front)\r', 'app=web,tier in (back,front)'],
  ['app.kubernetes.io/name=web', 'app.kubernetes.io/name=web'],
  ['example.com/My_Key-1.x=Value_1.2-x', 'example.com/My_Key-1.x=Value_1.2-x'],
  ['k=' + 'v'.repeat(63), 'k=' + 'v'.repeat(63)],
  ['k'.repeat(63), 'k'.repeat(63)],
];

/** Selector text → the exact error message. */
const ERRORS: Array<[string, string]> = [
  [',', `Invalid label selector ",": found ',' at column 1, expected: '!', a label key or end of string.`],
  [',a', `Invalid label selector ",a": found ',' at column 1, expected: '!', a label key or end of string.`],
  ['=a', `Invalid label selector "=a": found '=' at column 1, expected: '!', a label key or end of string.`],
  ['a,', `Invalid label selector "a,": found 'end of string' at column 3, expected: '!' or a label key after ','.`],
  ['a,,b', `Invalid label selector "a,,b": found ',' at column 3, expected: '!' or a label key after ','.`],
  ['a b', `Invalid label selector "a b": found 'b' at column 3, expected: '=', '==', '!=', 'in', 'notin', '>' or '<'.`],
  [
    'x ! y',
    `Invalid label selector "x ! y": found '!' at column 3, expected: '=', '==', '!=', 'in', 'notin', '>' or '<'.`,
  ],
  ['x=a b', `Invalid label selector "x=a b": found 'b' at column 5, expected: ',' or end of string.`],
  ['x=a=b', `Invalid label selector "x=a=b": found '=' at column 4, expected: ',' or end of string.`],
  ['!x=y', `Invalid label selector "!x=y": found '=' at column 3, expected: ',' or end of string.`],
  ['!', `Invalid label selector "!": found 'end of string' at column 2, expected: a label key.`],
  ['!!x', `Invalid label selector "!!x": found '!' at column 2, expected: a label key.`],
  ['x=(', `Invalid label selector "x=(": found '(' at column 3, expected: a label value.`],
  ['x in a', `Invalid label selector "x in a": found 'a' at column 6, expected: '('.`],
  ['x in', `Invalid label selector "x in": found 'end of string' at column 5, expected: '('.`],
  ['x in (a', `Invalid label selector "x in (a": found 'end of string' at column 8, expected: ',' or ')'.`],
  ['x in (a b)', `Invalid label selector "x in (a b)": found 'b' at column 9, expected: ',' or ')'.`],
  [
    'x in (',
    `Invalid label selector "x in (": found 'end of string' at column 7, expected: a label value, ',' or ')'.`,
  ],
  ['x in ((', `Invalid label selector "x in ((": found '(' at column 7, expected: a label value, ',' or ')'.`],
  [
    'x in (a),',
    `Invalid label selector "x in (a),": found 'end of string' at column 10, expected: '!' or a label key after ','.`,
  ],
  ['x>a', `Invalid label selector "x>a": found 'a' at column 3, expected: an integer after '>'.`],
  ['x<', `Invalid label selector "x<": found 'end of string' at column 3, expected: an integer after '<'.`],
  [
    'x>99999999999999999999',
    `Invalid label selector "x>99999999999999999999": found '99999999999999999999' at column 3, expected: an integer after '>'.`,
  ],
  ['x=>1', `Invalid label selector "x=>1": found '>' at column 3, expected: a label value.`],
  [
    '-x',
    `Invalid label selector "-x": label key '-x' at column 1 is not valid: the name part must consist of alphanumeric characters, '-', '_' or '.', and start and end with an alphanumeric character (e.g. 'MyName', 'my.name' or '123-abc').`,
  ],
  [
    'a, Foo/bar=1',
    `Invalid label selector "a, Foo/bar=1": label key 'Foo/bar' at column 4 is not valid: the prefix part must be a DNS subdomain: lower-case alphanumeric characters, '-' or '.', starting and ending with an alphanumeric character (e.g. 'example.com').`,
  ],
  [
    'a/b/c',
    `Invalid label selector "a/b/c": label key 'a/b/c' at column 1 is not valid: a qualified name has at most one '/' (an optional DNS subdomain prefix, then the name, e.g. 'example.com/MyName').`,
  ],
  [
    '/x',
    `Invalid label selector "/x": label key '/x' at column 1 is not valid: the prefix part before the '/' must be non-empty.`,
  ],
  ['x/', `Invalid label selector "x/": label key 'x/' at column 1 is not valid: the name part must be non-empty.`],
  [
    'k'.repeat(64),
    `Invalid label selector "${'k'.repeat(64)}": label key '${'k'.repeat(64)}' at column 1 is not valid: the name part must be no more than 63 characters.`,
  ],
  [
    'x=-a',
    `Invalid label selector "x=-a": label value '-a' at column 3 is not valid: a label value must be empty or consist of alphanumeric characters, '-', '_' or '.', and start and end with an alphanumeric character (e.g. 'MyValue', 'my_value' or '12345').`,
  ],
  [
    'x in (ok, b@d)',
    `Invalid label selector "x in (ok, b@d)": label value 'b@d' at column 11 is not valid: a label value must be empty or consist of alphanumeric characters, '-', '_' or '.', and start and end with an alphanumeric character (e.g. 'MyValue', 'my_value' or '12345').`,
  ],
  [
    'x=' + 'v'.repeat(64),
    `Invalid label selector "x=${'v'.repeat(64)}": label value '${'v'.repeat(64)}' at column 3 is not valid: a label value must be no more than 63 characters.`,
  ],
  [
    '<script>=1',
    `Invalid label selector "<script>=1": found '<' at column 1, expected: '!', a label key or end of string.`,
  ],
];

test('label selector: canonical forms', () => {
  for (const [text, canonical] of CANONICAL) {
    assert.equal(parseLabelSelector(text).toString(), canonical, `selector ${JSON.stringify(text)}`);
    assert.equal(String(parseLabelSelector(canonical)), canonical, `canonical ${JSON.stringify(canonical)} is stable`);
  }
});

test('label selector: exact error messages with positions', () => {
  for (const [text, message] of ERRORS) {
    assert.throws(
      () => parseLabelSelector(text),
      (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.equal(e.name, 'InvalidArgumentError');
        assert.equal(e.message, message, `selector ${JSON.stringify(text)}`);
        return true;
      },
    );
  }
});

test('label selector: error details name the selector and the position', () => {
  try {
    parseLabelSelector('app in (a');
    assert.fail('expected an error');
  } catch (e) {
    const details = (e as { details: Record<string, unknown> }).details;
    assert.deepEqual(details, {
      selector: 'app in (a',
      position: 9,
      column: 10,
      found: 'end of string',
      expected: "',' or ')'",
    });
  }
});

test('label selector: requirements are sorted by key, with operators and values', () => {
  const sel = parseLabelSelector('tier notin (db,cache), app=web, !canary, env, v>2');
  assert.deepEqual(
    sel.requirements.map((r) => [r.key, r.operator, [...r.values]]),
    [
      ['app', '=', ['web']],
      ['canary', '!', []],
      ['env', 'exists', []],
      ['tier', 'notin', ['cache', 'db']],
      ['v', 'gt', ['2']],
    ],
  );
  assert.equal(sel.toString(), 'app=web,!canary,env,tier notin (cache,db),v>2');
});

const LABEL_SETS: Array<Record<string, string> | undefined> = [
  undefined,
  {},
  { x: 'a' },
  { x: 'b' },
  { x: '' },
  { y: 'a' },
  { x: 'a', y: 'b' },
  { x: '5' },
  { x: '05' },
  { x: '-3' },
  { x: 'c', y: '' },
];

/** Selector → whether it matches each of LABEL_SETS, in order (cross-checked with apimachinery labels.Parse). */
const MATCHES: Array<[string, string]> = [
  ['', 'TTTTTTTTTTT'],
  ['x', 'FFTTTFTTTTT'],
  ['!x', 'TTFFFTFFFFF'],
  ['x=a', 'FFTFFFTFFFF'],
  ['x==a', 'FFTFFFTFFFF'],
  ['x!=a', 'TTFTTTFTTTT'],
  ['x=', 'FFFFTFFFFFF'],
  ['x!=', 'TTTTFTTTTTT'],
  ['x in (a,b)', 'FFTTFFTFFFF'],
  ['x notin (a,b)', 'TTFFTTFTTTT'],
  ['x in ()', 'FFFFTFFFFFF'],
  ['x notin ()', 'TTTTFTTTTTT'],
  ['x in (a,)', 'FFTFTFTFFFF'],
  ['x,y', 'FFFFFFTFFFT'],
  ['x=a,y=b', 'FFFFFFTFFFF'],
  ['x,!y', 'FFTTTFFTTTF'],
  ['x>4', 'FFFFFFFTTFF'],
  ['x>5', 'FFFFFFFFFFF'],
  ['x<5', 'FFFFFFFFFTF'],
  ['x<6', 'FFFFFFFTTTF'],
  ['y in (a,b),x notin (a)', 'FFFFFTFFFFF'],
];

test('label selector: match table', () => {
  for (const [text, expected] of MATCHES) {
    const sel = parseLabelSelector(text);
    const got = LABEL_SETS.map((ls) => (sel.matches(ls) ? 'T' : 'F')).join('');
    assert.equal(got, expected, `selector ${JSON.stringify(text)}`);
  }
});

test('label selector: labels named like Object.prototype members are ordinary labels', () => {
  const labels = JSON.parse('{"__proto__":"x","constructor":"y"}') as Record<string, string>;
  assert.equal(parseLabelSelector('constructor=y').matches(labels), true);
  assert.equal(parseLabelSelector('constructor').matches({}), false);
  assert.equal(parseLabelSelector('toString').matches({}), false);
  assert.equal(parseLabelSelector('!hasOwnProperty').matches({}), true);
});

test('label selector: a non-string argument is an InvalidArgumentError', () => {
  assert.throws(() => parseLabelSelector(undefined as unknown as string), { name: 'InvalidArgumentError' });
});

function check(
  sel: LabelSelector,
  yes: Array<Record<string, string>>,
  no: Array<Record<string, string> | undefined>,
): void {
  for (const ls of yes) assert.equal(sel.matches(ls), true, `${String(sel)} should match ${JSON.stringify(ls)}`);
  for (const ls of no) assert.equal(sel.matches(ls), false, `${String(sel)} should not match ${JSON.stringify(ls)}`);
}

test('labelSelectorFromObject: matchLabels and every matchExpressions operator', () => {
  const sel = labelSelectorFromObject({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['front', 'back', 'front'] },
      { key: 'env', operator: 'NotIn', values: ['prod'] },
      { key: 'team', operator: 'Exists' },
      { key: 'canary', operator: 'DoesNotExist', values: [] },
    ],
  });
  assert.equal(sel.toString(), 'app=web,!canary,env notin (prod),team,tier in (back,front)');
  check(
    sel,
    [
      { app: 'web', tier: 'front', team: 'a' },
      { app: 'web', tier: 'back', team: '', env: 'dev' },
    ],
    [
      undefined,
      { app: 'web', tier: 'front' },
      { app: 'web', tier: 'front', team: 'a', canary: 'x' },
      { app: 'web', tier: 'mid', team: 'a' },
      { app: 'web', tier: 'front', team: 'a', env: 'prod' },
    ],
  );
});

test('labelSelectorFromObject: {} selects everything, null and undefined select nothing', () => {
  check(labelSelectorFromObject({}), [{}, { a: 'b' }], []);
  assert.equal(labelSelectorFromObject({}).matches(undefined), true);
  check(labelSelectorFromObject(null), [], [{}, { a: 'b' }, undefined]);
  check(labelSelectorFromObject(undefined), [], [{}]);
  assert.deepEqual(labelSelectorFromObject(null).requirements, []);
});

test('labelSelectorFromObject: invalid selectors are InvalidArgumentErrors that say what is wrong', () => {
  const cases: Array<[unknown, RegExp]> = [
    [
      { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
      /matchExpressions\[0\] \(In\) needs at least one value/,
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      /matchExpressions\[0\] \(Exists\) must have no values/,
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] },
      /operator 'Gt' is not one of In, NotIn, Exists, DoesNotExist/,
    ],
    [{ matchExpressions: [{ key: 'a b', operator: 'Exists' }] }, /key 'a b' is not valid/],
    [{ matchLabels: { a: 'b c' } }, /matchLabels value 'b c' of 'a' is not valid/],
    [{ matchLabels: { '': 'x' } }, /matchLabels key '' is not valid: the name part must be non-empty/],
    ['app=web', /Pass \{ matchLabels\?, matchExpressions\? \}/],
  ];
  for (const [input, re] of cases) {
    assert.throws(
      () => labelSelectorFromObject(input as Parameters<typeof labelSelectorFromObject>[0]),
      (e: unknown) => (e as Error).name === 'InvalidArgumentError' && re.test((e as Error).message),
      JSON.stringify(input),
    );
  }
});

test('labelSelectorFromSet: a Service selector', () => {
  const sel = labelSelectorFromSet({ tier: 'front', app: 'web' });
  assert.equal(sel.toString(), 'app=web,tier=front');
  check(sel, [{ app: 'web', tier: 'front', x: 'y' }], [{ app: 'web' }, undefined]);
  check(labelSelectorFromSet({}), [{}, { a: 'b' }], []);
});

test('label selector: works on the labels of a real pod (auger testdata)', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const file = path.join(__dirname, '../../..', '..', 'shared/data/auger-testdata/json/pod.json');
  const pod = JSON.parse(fs.readFileSync(file, 'utf8')) as { metadata: { labels: Record<string, string> } };
  const labels = pod.metadata.labels;
  assert.equal(parseLabelSelector('job-name=pi').matches(labels), true);
  assert.equal(parseLabelSelector('job-name in (pi, other), controller-uid').matches(labels), true);
  assert.equal(parseLabelSelector('job-name!=pi').matches(labels), false);
  assert.equal(parseLabelSelector('!controller-uid').matches(labels), false);
});
