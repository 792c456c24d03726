import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFieldSelector } from '../../src/kube/field-selector';

/** Selector → canonical form (apimachinery `fields.ParseSelector(s).String()`, plus path trimming). */
const CANONICAL: Array<[string, string]> = [
  ['', ''],
  [',', ''],
  [',,a=b,', 'a=b'],
  ['metadata.name=web', 'metadata.name=web'],
  ['status.phase==Running', 'status.phase=Running'],
  ['metadata.namespace!=kube-system', 'metadata.namespace!=kube-system'],
  ['status.phase=Running,metadata.namespace!=kube-system', 'metadata.namespace!=kube-system,status.phase=Running'],
  ['a=', 'a='],
  ['a!=', 'a!='],
  ['a=b\\,c', 'a=b\\,c'],
  ['a=b\\=c', 'a=b\\=c'],
  ['a=b\\\\c', 'a=b\\\\c'],
  ['a=b\\!c', 'a=b!c'],
  ['a!=b!c', 'a!=b!c'],
  ['a=b c', 'a=b c'],
  ['a==b', 'a=b'],
  [' status.phase = Running', 'status.phase= Running'],
  ['a=1, b=2', 'a=1,b=2'],
];

const ERRORS: Array<[string, string]> = [
  [
    'a',
    `Invalid field selector "a": found 'end of string' at column 2, expected: '=', '==' or '!=' after the field path.`,
  ],
  ['a,b=c', `Invalid field selector "a,b=c": found ',' at column 2, expected: '=', '==' or '!=' after the field path.`],
  [
    'x=1,y',
    `Invalid field selector "x=1,y": found 'end of string' at column 6, expected: '=', '==' or '!=' after the field path.`,
  ],
  [
    '=x',
    `Invalid field selector "=x": found '=' at column 1, expected: a field path before the operator, e.g. metadata.name.`,
  ],
  [
    'a=1,  !=x',
    `Invalid field selector "a=1,  !=x": found '!=' at column 7, expected: a field path before the operator, e.g. metadata.name.`,
  ],
  [
    'a b=c',
    `Invalid field selector "a b=c": found ' ' at column 2, expected: a field path without blanks, then '=', '==' or '!='.`,
  ],
  [
    'a=b=c',
    `Invalid field selector "a=b=c": found '=' at column 4, expected: a value character (write '\\=' for a literal '=').`,
  ],
  // The first operator from the left wins: `a!==b` is `a` `!=` `=b`, and a literal '=' must be escaped.
  [
    'a!==b',
    `Invalid field selector "a!==b": found '=' at column 4, expected: a value character (write '\\=' for a literal '=').`,
  ],
  [
    'a=b\\x',
    `Invalid field selector "a=b\\\\x": found '\\x' at column 4, expected: an escape sequence '\\\\', '\\,', '\\=' or '\\!'.`,
  ],
  [
    'a=b\\',
    `Invalid field selector "a=b\\\\": found '\\' at column 4, expected: an escape sequence '\\\\', '\\,', '\\=' or '\\!'.`,
  ],
];

test('field selector: canonical forms', () => {
  for (const [text, canonical] of CANONICAL) {
    assert.equal(parseFieldSelector(text).toString(), canonical, `selector ${JSON.stringify(text)}`);
  }
  assert.deepEqual(parseFieldSelector('a=b\\,c\\=d\\\\e\\!f').requirements, [
    { field: 'a', operator: '=', value: 'b,c=d\\e!f' },
  ]);
});

test('field selector: exact error messages with positions', () => {
  for (const [text, message] of ERRORS) {
    assert.throws(
      () => parseFieldSelector(text),
      (e: unknown) => {
        assert.equal((e as Error).name, 'InvalidArgumentError');
        assert.equal((e as Error).message, message, `selector ${JSON.stringify(text)}`);
        return true;
      },
    );
  }
  assert.throws(() => parseFieldSelector(42 as unknown as string), { name: 'InvalidArgumentError' });
});

const podFile = path.join(__dirname, '../../..', '..', 'shared/data/auger-testdata/json/pod.json');

test('field selector: match table on a real pod (auger testdata)', () => {
  const pod = JSON.parse(fs.readFileSync(podFile, 'utf8')) as unknown;
  const cases: Array<[string, boolean]> = [
    ['', true],
    ['metadata.name=pi-dqtsw', true],
    ['metadata.name==pi-dqtsw', true],
    ['metadata.name!=pi-dqtsw', false],
    ['metadata.name=pi', false],
    ['metadata.namespace=default,status.phase=Succeeded', true],
    ['metadata.namespace=default,status.phase=Running', false],
    ['status.phase!=Running', true],
    ['spec.nodeName=kubernetes-minion-group-vlql', true],
    ['spec.nodeName!=', true],
    ['spec.missingField=', true],
    ['spec.missingField!=', false],
    ['no.such.path=x', false],
    ['metadata.labels.job-name=pi', true],
    ['metadata.generateName=pi-', true],
    ['spec.containers.0.name=pi', true],
    ['spec.containers.1.name=', true],
    ['kind=Pod', true],
    ['apiVersion=v1', true],
  ];
  for (const [text, expected] of cases) {
    assert.equal(parseFieldSelector(text).matches(pod), expected, text);
  }
});

test('field selector: value conversions and label keys with dots', () => {
  const obj = {
    spec: { unschedulable: false, replicas: 3, big: 12345678901234567890n, nothing: null, list: ['a'] },
    metadata: { labels: { 'app.kubernetes.io/name': 'web', app: 'other' } },
  };
  const yes = [
    'spec.unschedulable=false',
    'spec.replicas=3',
    'spec.big=12345678901234567890',
    'spec.nothing=',
    'spec.list=["a"]',
    'metadata.labels.app.kubernetes.io/name=web',
    'metadata.labels.app=other',
  ];
  for (const s of yes) assert.equal(parseFieldSelector(s).matches(obj), true, s);
  assert.equal(parseFieldSelector('spec.unschedulable=true').matches(obj), false);
  for (const notObject of [undefined, null, 'text', 7]) {
    assert.equal(parseFieldSelector('metadata.name=').matches(notObject), true);
    assert.equal(parseFieldSelector('metadata.name=x').matches(notObject), false);
  }
  assert.equal(parseFieldSelector('constructor=').matches({}), true, 'prototype members are not fields');
});
