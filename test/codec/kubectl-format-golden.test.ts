/**
 * Every kind of Kubernetes' own round-trip fixtures (k8s.io/api/testdata/HEAD of the installed sources:
 * fuzzed objects, so random strings, keys and numbers in every field): each `.pb` decoded and printed by
 * toKubectlJson/toKubectlYaml as one `List` must be what kubectl 1.36.4 prints for the List of the `.json`
 * files Kubernetes wrote (test/helpers/kubectl.ts), byte for byte. Two kubectl runs in all.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { decode, defaultSourcesDir, toKubectlJson, toKubectlYaml } from '../../src/codec';
import type { KubeObject } from '../../src/codec';
import { kubectlPrintList } from '../helpers/kubectl';

const dir = path.join(defaultSourcesDir(), 'k8s.io', 'api', 'testdata', 'HEAD');

function firstDifference(want: string, got: string): string {
  const a = want.split('\n');
  const b = got.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}:\n  kubectl: ${JSON.stringify(a[i])}\n  kubetcd: ${JSON.stringify(b[i])}`;
  }
  return 'no difference';
}

test('every kind of testdata/HEAD: decoded .pb printed as kubectl prints the .json (List, -o json and -o yaml)', async () => {
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.pb'))
        .sort()
    : [];
  assert.ok(files.length >= 171, `expected at least 171 .pb files in ${dir}, found ${files.length}`);
  const objects: KubeObject[] = [];
  const texts: string[] = [];
  for (const file of files) {
    const jsonText = fs.readFileSync(path.join(dir, file.replace(/\.pb$/, '.json')), 'utf8');
    // kubectl needs a kind: WatchEvent has none (it is never stored either)
    if ((JSON.parse(jsonText) as { kind?: unknown }).kind === undefined) continue;
    const d = decode(fs.readFileSync(path.join(dir, file)));
    assert.equal(d.error, undefined, `${file}: ${d.error?.message}`);
    objects.push(d.object as KubeObject);
    texts.push(jsonText.trim());
  }
  assert.ok(objects.length >= 170, `${objects.length} objects`);
  const json = await kubectlPrintList(texts, 'json');
  const got = toKubectlJson(objects);
  assert.ok(got === json, `-o json differs at ${firstDifference(json, got)}`);
  const yaml = await kubectlPrintList(texts, 'yaml');
  const gotYaml = toKubectlYaml(objects);
  assert.ok(gotYaml === yaml, `-o yaml differs at ${firstDifference(yaml, gotYaml)}`);
});
