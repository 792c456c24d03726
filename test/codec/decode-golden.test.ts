/**
 * Kubernetes' own round-trip fixtures (k8s.io/api/testdata/HEAD of the installed sources): every `.pb`
 * (what kube-apiserver stores) must decode to exactly the `.json` Kubernetes prints, and encoding the
 * `.json` must give the `.pb` byte for byte. (The fixtures' RawExtensions hold compact, canonical JSON,
 * so no kind needs its embedded JSON compared loosely.)
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { decode, defaultSourcesDir, encode, parseKubeJson, toKubeJson } from '../../src/codec';
import type { KubeObject } from '../../src/codec';

const dir = path.join(defaultSourcesDir(), 'k8s.io', 'api', 'testdata', 'HEAD');

function parseName(file: string): { apiVersion: string; kind: string } {
  const parts = file.replace(/\.pb$/, '').split('.');
  const kind = parts.pop() as string;
  const version = parts.pop() as string;
  const group = parts.join('.');
  return { apiVersion: group === 'core' ? version : `${group}/${version}`, kind };
}

const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.pb')).sort() : [];

describe('golden testdata/HEAD', () => {
  test('the fixtures are installed (171 kinds)', () => {
    assert.ok(files.length >= 171, `expected at least 171 .pb files in ${dir}, found ${files.length}`);
  });

  for (const file of files) {
    const { apiVersion, kind } = parseName(file);
    const pb = fs.readFileSync(path.join(dir, file));
    const jsonText = fs.readFileSync(path.join(dir, file.replace(/\.pb$/, '.json')), 'utf8');
    const key = file.replace(/\.pb$/, '');

    test(`decode ${key}`, () => {
      const d = decode(pb, { apiVersion, kind });
      assert.equal(d.error, undefined, d.error?.message);
      assert.equal(d.encoding, 'protobuf');
      assert.equal(d.unknownFields, undefined);
      assert.equal(toKubeJson(d.object, { indent: '  ' }), jsonText);
    });

    test(`encode ${key}`, () => {
      const obj = parseKubeJson(jsonText) as KubeObject;
      const bytes = encode(obj, { apiVersion, kind });
      assert.ok(Buffer.from(bytes).equals(pb), firstDifference(bytes, pb));
    });
  }
});

function firstDifference(a: Uint8Array, b: Uint8Array): string {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) {
      return `bytes differ at ${i}: got ${Buffer.from(a.subarray(i, i + 16)).toString('hex')}, want ${Buffer.from(b.subarray(i, i + 16)).toString('hex')}`;
    }
  }
  return `lengths differ: got ${a.length}, want ${b.length}`;
}
