/**
 * The JSONPath parser on hostile templates: whatever the text, it parses or throws InvalidArgumentError
 * (never another error, never a hang), and a parse error names an offset inside the template. What it
 * prints is checked against kubectl itself in test/kube/kubectl-output.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonPath, printJsonPath } from '../../src/codec/kubectl-jsonpath';
import { parseCustomColumns } from '../../src/codec/kubectl-columns';
import { seededRandom } from '../../src/util/seeded-random';

const ALPHABET = [
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  '.',
  '..',
  '*',
  '?',
  '@',
  '$',
  '"',
  "'",
  '\\',
  ',',
  ':',
  '-1',
  '0',
  '2',
  '==',
  '<',
  '!=',
  ' ',
  'range',
  'end',
  'a',
  'items',
  '\n',
  '\t',
  'é',
];

test('random templates parse or fail with InvalidArgumentError naming an offset in the template', () => {
  const rnd = seededRandom(15);
  const value = { items: [{ a: 1, b: [1, 2, { a: 'x' }] }, { a: 'y' }], a: { a: { a: null } } };
  for (let n = 0; n < 20000; n++) {
    let t = '';
    const len = 1 + Math.floor(rnd() * 14);
    for (let i = 0; i < len; i++) t += ALPHABET[Math.floor(rnd() * ALPHABET.length)] as string;
    try {
      const parsed = parseJsonPath(t);
      printJsonPath(value, parsed);
      printJsonPath(value, parsed, { asJson: true });
    } catch (e) {
      assert.equal((e as Error).name, 'InvalidArgumentError', `${JSON.stringify(t)}: ${String(e)}`);
      const m = /\(at offset (\d+): /.exec((e as Error).message);
      if (m !== null) assert.ok(Number(m[1]) <= t.length, `${JSON.stringify(t)}: offset ${m[1]}`);
    }
  }
});

test('long and deeply bracketed templates, empty ones and bad custom-columns specs are refused cleanly', () => {
  assert.throws(() => parseJsonPath(''), { name: 'InvalidArgumentError', message: /no template given/ });
  assert.throws(() => parseJsonPath('{'.repeat(100000)), {
    name: 'InvalidArgumentError',
    message: /unclosed action|unrecognized character/,
  });
  assert.throws(() => parseJsonPath(`{${'['.repeat(100000)}}`), { name: 'InvalidArgumentError' });
  assert.equal(printJsonPath({ a: 1 }, `{.a}${'x'.repeat(100000)}`).length, 100001);
  assert.throws(() => parseCustomColumns('NAME'), {
    name: 'InvalidArgumentError',
    message: /unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>/,
  });
  assert.throws(() => parseCustomColumns(''), { name: 'InvalidArgumentError' });
});
