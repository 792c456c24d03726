/**
 * The three conformance properties on real values rather than generated ones: every testdata/HEAD
 * golden of the reference's Kubernetes version (1.32) and the values a real kube-apiserver wrote
 * (../shared/data/auger-testdata/storage), against Kubernetes' own serializers (test/helpers/reference.ts),
 * with kubetcd's 1.32 codec (referenceCodec). The default codec (1.36 first) is compared too, on what
 * 1.32 and 1.36 print alike: everything but a zero `creationTimestamp`, which 1.32 prints as null and
 * 1.36 leaves out.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decode, installedSourcesDir, parseKubeJson, toKubeJson, type KubeObject } from '../../src/codec';
import { startReference, type Reference } from '../helpers/reference';
import { firstDifference, hex, REFERENCE_KUBERNETES_VERSION, referenceCodec } from '../helpers/conformance';

const goldenDir = path.join(installedSourcesDir(REFERENCE_KUBERNETES_VERSION), 'k8s.io', 'api', 'testdata', 'HEAD');

/** Go 1.32's JSON as 1.36 prints it: ObjectMeta's zero creationTimestamp (null) left out (omitzero). */
function as136(json: string): string {
  return json.replace(/\{"creationTimestamp":null\}/g, '{}').replace(/,"creationTimestamp":null/g, '').replace(/"creationTimestamp":null,/g, '');
}
const storageDir = path.join(__dirname, '..', '..', '..', '..', 'shared', 'data', 'auger-testdata', 'storage');

interface RealValue {
  name: string;
  value: Uint8Array;
  /** apiVersion/kind when the envelope names none (WatchEvent). */
  kind?: { apiVersion: string; kind: string };
}

function kindOfGolden(stem: string): { apiVersion: string; kind: string } {
  const parts = stem.split('.');
  const kind = parts.pop() as string;
  const version = parts.pop() as string;
  const group = parts.join('.');
  return { apiVersion: group === 'core' ? version : `${group}/${version}`, kind };
}

function realValues(): RealValue[] {
  const values: RealValue[] = fs
    .readdirSync(goldenDir)
    .filter((f) => f.endsWith('.pb'))
    .sort()
    .map((f) => ({ name: f, value: fs.readFileSync(path.join(goldenDir, f)), kind: kindOfGolden(f.slice(0, -3)) }));
  for (const f of ['pod.bin', 'job.bin']) {
    const bytes = fs.readFileSync(path.join(storageDir, f));
    // etcdctl --print-value-only added one trailing newline; the stored value is what precedes it.
    values.push({ name: `auger ${f}`, value: bytes.subarray(0, bytes.length - 1) });
  }
  return values;
}

describe('conformance on real values (goldens and a real apiserver\'s values)', () => {
  let ref: Reference;
  before(async () => {
    ref = await startReference();
  });
  after(async () => {
    await ref?.close();
  });

  it('decode prints Go\'s JSON, encode writes Go\'s bytes, and Go reads kubetcd\'s bytes back', async () => {
    const values = realValues();
    assert.ok(values.length >= 173, `expected every golden and the auger values, found ${values.length}`);
    const problems: string[] = [];
    let checked = 0;
    for (const v of values) {
      const kindOption = v.kind ? { kind: `${v.kind.apiVersion}/${v.kind.kind}` } : {};
      const goJson = await ref.decode(v.value, kindOption);
      assert.ok(goJson.ok, `Go cannot decode ${v.name}: ${goJson.ok ? '' : goJson.error}`);
      // 1. decode: kubetcd prints exactly what Go prints.
      const codec = referenceCodec();
      const d = codec.decode(v.value, v.kind);
      assert.equal(d.error, undefined, `${v.name}: ${d.error?.message}`);
      assert.equal(d.schemaVersion, REFERENCE_KUBERNETES_VERSION);
      const mine = toKubeJson(d.object);
      if (mine !== goJson.json) {
        const at = firstDifference(mine, goJson.json);
        problems.push(`decode ${v.name} at ${at}: Go …${goJson.json.slice(at - 30, at + 30)}… kubetcd …${mine.slice(at - 30, at + 30)}…`);
      }
      // … and the default codec (1.36 first) prints it too, but for 1.36's rule on creationTimestamp
      const byDefault = decode(v.value, v.kind);
      const expected = byDefault.schemaVersion === REFERENCE_KUBERNETES_VERSION ? goJson.json : as136(goJson.json);
      const mineByDefault = toKubeJson(byDefault.object);
      if (mineByDefault !== expected) {
        const at = firstDifference(mineByDefault, expected);
        problems.push(`decode ${v.name} (default codec, ${byDefault.schemaVersion ?? '?'}) at ${at}: Go …${expected.slice(at - 30, at + 30)}… kubetcd …${mineByDefault.slice(at - 30, at + 30)}…`);
      }
      // Fields Go drops silently must be visible in kubetcd (only the 2017 values have any).
      if (v.name.startsWith('auger')) {
        assert.ok(d.unknownFields?.some((f) => f.path === 'metadata' && f.number === 15), `${v.name}: clusterName not reported`);
      } else {
        assert.deepEqual(d.unknownFields ?? [], [], `${v.name} has unknown fields`);
      }
      // 2. encode: the bytes Go writes for that JSON.
      const goBytes = await ref.encode(goJson.json, kindOption);
      assert.ok(goBytes.ok, `Go cannot encode ${v.name}: ${goBytes.ok ? '' : goBytes.error}`);
      const myBytes = codec.encode(parseKubeJson(goJson.json, { keepText: true }) as KubeObject, v.kind);
      const at = firstDifference(myBytes, goBytes.value);
      if (at >= 0) problems.push(`encode ${v.name} at byte ${at}: Go ${hex(goBytes.value.subarray(at, at + 16))} kubetcd ${hex(myBytes.subarray(at, at + 16))}`);
      // 3. round trip: Go decodes kubetcd's bytes to the same JSON.
      const back = await ref.decode(myBytes, kindOption);
      if (!back.ok || back.json !== goJson.json) problems.push(`round trip ${v.name}: ${back.ok ? 'JSON differs' : back.error}`);
      checked++;
    }
    assert.deepEqual(problems, [], `${problems.length} disagreement(s) in ${checked} values`);
  });
});
