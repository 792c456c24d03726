import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compactJson, parseKubeJson, toKubeJson } from '../../src/codec/go-json';
import { toKubeYaml } from '../../src/codec/kube-yaml';
import { loadSchema } from '../../src/codec/schema';
import { renderJson } from '../../src/render/json-tree';
import { renderYaml } from '../../src/render/yaml-view';
import { renderHexDump } from '../../src/render/hex-dump';
import { renderBarChart, renderHistogram, renderRevisionChart } from '../../src/render/charts';
import { renderKeyTree } from '../../src/render/key-tree';
import { assertGolden, SHARED_DATA } from './golden';

const data = (p: string): Buffer => fs.readFileSync(path.join(SHARED_DATA, 'auger-testdata', p));

test('JSON text is kubectl -o json (4-space indent, object key order, exact int64)', () => {
  const original = data('json/pod.json').toString('utf8').trim();
  const pod = parseKubeJson(original);
  const r = renderJson(pod);
  assert.equal(compactJson(r.text), original);
  assert.ok(r.text.startsWith('{\n    "kind": "Pod",\n    "apiVersion": "v1",'));
  assertGolden('json/pod.html', r.html);
  const big = renderJson({ generation: 1n << 62n, s: '<&>' });
  assert.equal(big.text, '{\n    "generation": 4611686018427387904,\n    "s": "\\u003c\\u0026\\u003e"\n}\n');
  // biome-ignore lint/correctness/noPrecisionLoss: 2^62, exact as a double
  assert.deepEqual(big.json, { generation: 4611686018427387904, s: '<&>' });
});

test('JSON tree: top levels open, deeper closed with counts, works without script', () => {
  const r = renderJson({ a: { b: { c: [1, 2, 3] } }, e: [] }, { openDepth: 2 });
  assert.doesNotMatch(r.html, /<script/);
  assert.match(r.html, /<details open><summary>\{<span class="kubetcd-count"> 2 keys <\/span><\/summary>/);
  assert.match(
    r.html,
    /<details><summary><span class="j-key">&quot;b&quot;<\/span>: \{<span class="kubetcd-count"> 1 key <\/span>…\},?<\/summary>/,
  );
  assert.match(r.html, /<span class="j-key">&quot;e&quot;<\/span>: \[\]/);
  const many = renderJson(
    Array.from({ length: 12 }, (_, i) => i),
    { maxChildren: 5 },
  );
  assert.match(many.html, /… 7 more/);
});

test('YAML is kubectl -o yaml', () => {
  const pod = parseKubeJson(data('json/pod.json').toString('utf8'));
  const r = renderYaml(pod);
  assert.equal(r.text, toKubeYaml(pod));
  assert.ok(r.html.includes('<pre class="kubetcd-yaml">apiVersion: v1\nkind: Pod\n'));
});

test('hex dump names the envelope and (with a schema) the object fields', () => {
  const schema = loadSchema();
  const r = renderHexDump(data('storage/pod-with-key.bin'), { schema });
  assertGolden('hex/pod-with-key.txt', r.text);
  assert.match(r.text, /6b 38 73 00 .*magic "k8s\\0"/);
  assert.match(r.text, /1 typeMeta \(TypeMeta, 9 bytes\)/);
  assert.match(r.text, /2 kind \(string, 3\) = "Pod"/);
  assert.match(r.text, /2 raw \(bytes, 1554\) → Pod message/);
  assert.match(r.text, /1 name \(string, 8\) = "pi-dqtsw"/);
  assert.match(r.text, /8 creationTimestamp \(Time, 12 bytes\)/);
  assert.match(r.text, /newline added by etcdctl/);
  assert.match(r.html, /<span class="h-magic">6b 38 73 00/);
  const noSchema = renderHexDump(data('storage/job.bin'));
  assert.match(noSchema.text, /Job message \(fields by number: no schema for it\)/);
  assert.match(noSchema.text, /1 \(len 2\) = "pi"/);
});

test('hex dump of JSON, encrypted and hostile values', () => {
  const enc = renderHexDump(Buffer.concat([Buffer.from('k8s:enc:aescbc:v1:key1:'), Buffer.alloc(48, 7)]));
  assertGolden('hex/encrypted.txt', enc.text);
  assert.match(enc.text, /encryption prefix: provider "aescbc", version "v1", key "key1"/);
  assert.match(enc.text, /IV \(16 bytes\)/);
  assert.match(enc.text, /ciphertext \(32 bytes\)/);
  const json = renderHexDump(Buffer.from(toKubeJson({ kind: 'ConfigMap', apiVersion: 'v1', data: { a: 'b' } })));
  assert.match(json.text, /JSON document \(\d+ bytes\): v1\/ConfigMap/);
  // truncated envelope, lengths past the end, garbage: never throws, marks the bad part
  const pod = data('storage/pod.bin');
  for (const cut of [8, 40, 300, pod.length - 2]) {
    const r = renderHexDump(pod.subarray(0, cut), { schema: loadSchema() });
    assert.match(r.text, /cannot parse/, `cut at ${cut}`);
  }
  const bad = renderHexDump(Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x12, 0xff, 0xff, 0xff, 0x0f, 0x01]));
  assert.match(bad.text, /cannot parse: Cannot decode protobuf at byte \d+: length \d+ runs past the end/);
  assert.match(renderHexDump(Buffer.from([1, 2, 3])).text, /unrecognised bytes \(3\)/);
  const long = renderHexDump(pod, { maxLines: 10 });
  assert.match(long.text, /stopped after 10 lines/);
});

test('charts: bars, histogram and revisions as SVG with ASCII twins', () => {
  const bars = renderBarChart(
    { pods: 1200, secrets: 300, configmaps: 2_500_000 },
    { unit: 'bytes', title: 'bytes by resource' },
  );
  assertGolden('charts/bars.txt', bars.text);
  assertGolden('charts/bars.svg', bars.svg ?? '');
  assert.ok(bars.text.includes('configmaps   ████████████████████████████████████████ 2.4 MiB'));
  const hist = renderHistogram([100, 200, 900, 1500, 1600, 70_000], { title: 'value sizes' });
  assertGolden('charts/histogram.txt', hist.text);
  const revs = renderRevisionChart(
    [
      { time: '2024-05-01T00:00:00Z', revision: 10 },
      { time: '2024-05-01T06:00:00Z', revision: 400 },
      { time: Date.parse('2024-05-01T12:00:00Z'), revision: 1000n },
    ],
    { title: 'revisions', textRows: 4 },
  );
  assertGolden('charts/revisions.txt', revs.text);
  assertGolden('charts/revisions.svg', revs.svg ?? '');
  assert.throws(() => renderBarChart({ x: Number.NaN }), { name: 'InvalidArgumentError' });
});

test('key tree: text like tree(1), HTML nested details', () => {
  const root = {
    name: '/registry',
    path: '/registry/',
    keys: 5,
    bytes: 12_000,
    children: [
      {
        name: 'pods',
        path: '/registry/pods/',
        keys: 3,
        bytes: 9_000,
        children: [
          { name: 'default', keys: 2 },
          { name: 'kube-system', keys: 1 },
        ],
      },
      { name: 'secrets', path: '/registry/secrets/', keys: 2, bytes: 3_000 },
    ],
  };
  const r = renderKeyTree(root);
  assert.equal(
    r.text,
    '/registry  (5 keys, 12 KiB)\n├── pods  (3 keys, 8.8 KiB)\n│   ├── default  (2 keys)\n│   └── kube-system  (1 key)\n└── secrets  (2 keys, 2.9 KiB)\n',
  );
  assertGolden('tree/registry.html', r.html);
  assert.match(r.html, /^<div class="kubetcd"><style>/);
  assert.match(r.html, /<details open><summary><span title="\/registry\/">\/registry<\/span>/);
  assert.match(r.html, /<details><summary><span title="\/registry\/pods\/">pods<\/span>/);
  assert.match(renderKeyTree(root, { maxChildren: 1 }).text, /└── … 1 more/);
});
