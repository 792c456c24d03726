/**
 * The three conformance properties on real values rather than generated ones, with kubetcd's default
 * codec, against Kubernetes' own serializers (test/helpers/reference.ts):
 * - the 1.36 reference: every testdata/HEAD golden of 1.36 and the values a real kube-apiserver wrote
 *   (../shared/data/auger-testdata/storage);
 * - the 1.32 reference: the 1.32 goldens of the kinds 1.36 no longer has (autoscaling/v2beta1, …),
 *   which the default codec decodes with its 1.32 schema.
 * The older fixture sets 1.36 ships (testdata/v1.33.0 …) are in older-fixtures.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decode, encode, installedSourcesDir, parseKubeJson, toKubeJson, type KubeObject } from '../../src/codec';
import { startReference, type Reference, type ReferenceVersion } from '../helpers/reference';
import { firstDifference, hex } from '../helpers/conformance';

function goldenDir(version: ReferenceVersion): string {
  return path.join(installedSourcesDir(version), 'k8s.io', 'api', 'testdata', 'HEAD');
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

function goldens(version: ReferenceVersion): RealValue[] {
  const dir = goldenDir(version);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.pb'))
    .sort()
    .map((f) => ({
      name: `${version} ${f}`,
      value: fs.readFileSync(path.join(dir, f)),
      kind: kindOfGolden(f.slice(0, -3)),
    }));
}

function augerValues(): RealValue[] {
  return ['pod.bin', 'job.bin'].map((f) => {
    const bytes = fs.readFileSync(path.join(storageDir, f));
    // etcdctl --print-value-only added one trailing newline; the stored value is what precedes it.
    return { name: `auger ${f}`, value: bytes.subarray(0, bytes.length - 1) };
  });
}

/**
 * Checks decode, encode and round trip of each value with the default codec against `ref`; the
 * values' kinds must be ones the default codec decodes with the schema of `ref.version`.
 */
async function checkValues(ref: Reference, values: RealValue[]): Promise<string[]> {
  const problems: string[] = [];
  for (const v of values) {
    const kindOption = v.kind ? { kind: `${v.kind.apiVersion}/${v.kind.kind}` } : {};
    const goJson = await ref.decode(v.value, kindOption);
    assert.ok(goJson.ok, `Go ${ref.version} cannot decode ${v.name}: ${goJson.ok ? '' : goJson.error}`);
    // 1. decode: kubetcd prints exactly what Go prints.
    const d = decode(v.value, v.kind);
    assert.equal(d.error, undefined, `${v.name}: ${d.error?.message}`);
    assert.equal(d.schemaVersion, ref.version, `${v.name}: decoded by the ${d.schemaVersion ?? '?'} schema`);
    const mine = toKubeJson(d.object);
    if (mine !== goJson.json) {
      const at = firstDifference(mine, goJson.json);
      problems.push(
        `decode ${v.name} at ${at}: Go …${goJson.json.slice(at - 30, at + 30)}… kubetcd …${mine.slice(at - 30, at + 30)}…`,
      );
    }
    // Fields Go drops silently must be visible in kubetcd (only the 2017 values have any).
    if (v.name.startsWith('auger')) {
      assert.ok(
        d.unknownFields?.some((f) => f.path === 'metadata' && f.number === 15),
        `${v.name}: clusterName not reported`,
      );
    } else {
      assert.deepEqual(d.unknownFields ?? [], [], `${v.name} has unknown fields`);
    }
    // 2. encode: the bytes Go writes for that JSON.
    const goBytes = await ref.encode(goJson.json, kindOption);
    assert.ok(goBytes.ok, `Go cannot encode ${v.name}: ${goBytes.ok ? '' : goBytes.error}`);
    const myBytes = encode(parseKubeJson(goJson.json, { keepText: true }) as KubeObject, v.kind);
    const at = firstDifference(myBytes, goBytes.value);
    if (at >= 0)
      problems.push(
        `encode ${v.name} at byte ${at}: Go ${hex(goBytes.value.subarray(at, at + 16))} kubetcd ${hex(myBytes.subarray(at, at + 16))}`,
      );
    // 3. round trip: Go decodes kubetcd's bytes to the same JSON.
    const back = await ref.decode(myBytes, kindOption);
    if (!back.ok || back.json !== goJson.json)
      problems.push(`round trip ${v.name}: ${back.ok ? 'JSON differs' : back.error}`);
  }
  return problems;
}

describe("conformance on real values (goldens and a real apiserver's values)", () => {
  let ref: Reference;
  let ref132: Reference;
  before(async () => {
    [ref, ref132] = await Promise.all([startReference('1.36'), startReference('1.32')]);
  });
  after(async () => {
    await Promise.all([ref?.close(), ref132?.close()]);
  });

  it("1.36: decode prints Go's JSON, encode writes Go's bytes, and Go reads kubetcd's bytes back", async () => {
    const values = [...goldens('1.36'), ...augerValues()];
    assert.ok(values.length >= 187, `expected every 1.36 golden and the auger values, found ${values.length}`);
    const problems = await checkValues(ref, values);
    assert.deepEqual(problems, [], `${problems.length} disagreement(s) in ${values.length} values`);
  });

  it('1.32, the kinds 1.36 lacks: the same, against Kubernetes 1.32', async () => {
    const in136 = new Set(await ref.kinds());
    const values = goldens('1.32').filter(
      (v) => v.kind !== undefined && !in136.has(`${v.kind.apiVersion}/${v.kind.kind}`),
    );
    assert.ok(values.length >= 10, `expected the 1.32 goldens of 10 kinds 1.36 lacks, found ${values.length}`);
    const problems = await checkValues(ref132, values);
    assert.deepEqual(problems, [], `${problems.length} disagreement(s) in ${values.length} values`);
  });
});
