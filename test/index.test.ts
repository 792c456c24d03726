/**
 * The public surface: the top level holds the curated names, the floors are namespaces, and every name
 * the README's surface table gives exists where it says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as top from '../src/index';

const README = path.join(__dirname, '..', '..', 'README.md');

test('the top level holds what a notebook reaches for, the error classes, _ and the floors as namespaces', () => {
  const names = Object.keys(top).sort();
  const errors = names.filter((n) => /^[A-Z]\w*Error$/.test(n));
  const rest = names.filter((n) => !errors.includes(n));
  assert.deepEqual(rest, [
    '_',
    'codec',
    'decode',
    'encode',
    'isKubetcdError',
    'kube',
    'notebook',
    'open',
    'render',
    'show',
    'sources',
    'toKubeJson',
    'toKubeYaml',
  ]);
  assert.ok(errors.length >= 10, 'every error class');
  for (const e of errors)
    assert.equal((top as unknown as Record<string, { prototype: Error }>)[e]?.prototype instanceof Error, true, e);
  assert.equal(top.decode, top.codec.decode);
});

test("every name in the README's surface table exists in the namespace it is listed under", () => {
  const readme = fs.readFileSync(README, 'utf8');
  const start = readme.indexOf('## The public surface');
  const table = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const namespaces: Record<string, Record<string, unknown>> = {
    codec: top.codec,
    sources: top.sources,
    kube: top.kube,
    render: top.render,
    notebook: top.notebook,
  };
  let checked = 0;
  for (const row of table.split('\n').filter((l) => /^\| `(codec|sources|kube|render|notebook)` \|/.test(l))) {
    const ns = /^\| `(\w+)`/.exec(row)?.[1] as string;
    const cell = row.split('|')[2] as string;
    for (const m of cell.matchAll(/`([A-Za-z_]\w*)`/g)) {
      const name = m[1] as string;
      if (/^[A-Z][a-z]/.test(name) && !/^[A-Z_]+$/.test(name)) continue; // a type (KvSource): no runtime value
      assert.ok(name in (namespaces[ns] as object), `${ns}.${name} is in the README's table but not exported`);
      checked++;
    }
  }
  assert.ok(checked > 30, `checked ${checked} names`);
});
