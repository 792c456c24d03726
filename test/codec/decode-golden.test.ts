/**
 * Kubernetes' own round-trip fixtures (k8s.io/api/testdata/HEAD of every installed version): every `.pb`
 * (what kube-apiserver stores) must decode to exactly the `.json` Kubernetes prints, and encoding the
 * `.json` must give the `.pb` byte for byte. (The fixtures' RawExtensions hold compact, canonical JSON,
 * so no kind needs its embedded JSON compared loosely.)
 *
 * - The newest version (1.36, k8s.io/api 0.36.4): every pair, with the default codec, decoded by 1.36.
 * - An older version (1.32, k8s.io/api 0.32.3): the pairs of the kinds only it has (autoscaling/v2beta1,
 *   scheduling/v1alpha1, …) with the default codec, decoded by 1.32; and every pair with a codec compiled
 *   from its sources alone.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { createCodec, decode, encode, loadSchema, parseKubeJson, toKubeJson } from '../../src/codec';
import type { Codec, KubeObject, SchemaSource } from '../../src/codec';

const schema = loadSchema();
const sources = schema.sources ?? [];

function parseName(file: string): { apiVersion: string; kind: string } {
  const parts = file.replace(/\.pb$/, '').split('.');
  const kind = parts.pop() as string;
  const version = parts.pop() as string;
  const group = parts.join('.');
  return { apiVersion: group === 'core' ? version : `${group}/${version}`, kind };
}

function headDir(source: SchemaSource): string {
  return path.join(source.dir, 'k8s.io', 'api', 'testdata', 'HEAD');
}

function pbFiles(dir: string): string[] {
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.pb'))
        .sort()
    : [];
}

/** The decode and encode tests of one pair, with `codec` (or the default decode/encode). */
function pairTests(dir: string, file: string, codec: Codec | undefined, schemaVersion: string): void {
  const { apiVersion, kind } = parseName(file);
  const pb = fs.readFileSync(path.join(dir, file));
  const jsonText = fs.readFileSync(path.join(dir, file.replace(/\.pb$/, '.json')), 'utf8');
  const key = file.replace(/\.pb$/, '');

  // every fixture is decoded with its apiVersion and kind given: core.v1.WatchEvent's envelope names none
  test(`decode ${key}`, () => {
    const d = codec !== undefined ? codec.decode(pb, { apiVersion, kind }) : decode(pb, { apiVersion, kind });
    assert.equal(d.error, undefined, d.error?.message);
    assert.equal(d.encoding, 'protobuf');
    assert.equal(d.unknownFields, undefined);
    assert.equal(d.schemaVersion, schemaVersion);
    assert.equal(toKubeJson(d.object, { indent: '  ' }), jsonText);
  });

  test(`encode ${key}`, () => {
    const obj = parseKubeJson(jsonText) as KubeObject;
    const bytes = codec !== undefined ? codec.encode(obj, { apiVersion, kind }) : encode(obj, { apiVersion, kind });
    assert.ok(Buffer.from(bytes).equals(pb), firstDifference(bytes, pb));
  });
}

describe('golden testdata/HEAD', () => {
  test('the default schema is compiled from 1.36 and 1.32, newest first', () => {
    assert.deepEqual(
      sources.map((s) => [s.version, s.messagePrefix]),
      [
        ['1.36', ''],
        ['1.32', '1.32/'],
      ],
    );
    assert.match(
      schema.source.description,
      /^Kubernetes 1\.36 \(k8s\.io\/api 0\.36\.4-1\) \+ Kubernetes 1\.32 \(k8s\.io\/api 0\.32\.3-1\)$/,
    );
  });

  const newest = sources[0];
  if (newest === undefined) return;
  const newestDir = headDir(newest);
  const newestFiles = pbFiles(newestDir);

  describe(`${newest.version}: every pair, default codec`, () => {
    test('the fixtures are installed (185 pairs)', () => {
      assert.ok(
        newestFiles.length >= 185,
        `expected at least 185 .pb files in ${newestDir}, found ${newestFiles.length}`,
      );
    });
    for (const file of newestFiles) pairTests(newestDir, file, undefined, newest.version);
  });

  for (const older of sources.slice(1)) {
    const dir = headDir(older);
    const files = pbFiles(dir);
    const onlyHere = files.filter((f) => {
      const { apiVersion, kind } = parseName(f);
      return schema.kinds[`${apiVersion}/${kind}`]?.schemaVersion === older.version;
    });

    describe(`${older.version}: the kinds newer versions lack, default codec`, () => {
      test('the fixtures are installed (171 pairs, 10 of kinds 1.36 lacks)', () => {
        assert.ok(files.length >= 171, `expected at least 171 .pb files in ${dir}, found ${files.length}`);
        assert.deepEqual(
          onlyHere.map((f) => f.replace(/\.pb$/, '')),
          [
            'autoscaling.v2beta1.HorizontalPodAutoscaler',
            'autoscaling.v2beta2.HorizontalPodAutoscaler',
            'networking.k8s.io.v1alpha1.IPAddress',
            'networking.k8s.io.v1alpha1.ServiceCIDR',
            'resource.k8s.io.v1alpha3.DeviceClass',
            'resource.k8s.io.v1alpha3.ResourceClaim',
            'resource.k8s.io.v1alpha3.ResourceClaimTemplate',
            'resource.k8s.io.v1alpha3.ResourceSlice',
            'scheduling.k8s.io.v1alpha1.PriorityClass',
            'storagemigration.k8s.io.v1alpha1.StorageVersionMigration',
          ],
        );
      });
      for (const file of onlyHere) pairTests(dir, file, undefined, older.version);
    });

    describe(`${older.version}: every pair, a codec of its sources alone`, () => {
      const alone = createCodec({ sourcesDir: older.dir });
      test('the codec has one version', () => {
        assert.deepEqual(
          alone.schema.sources?.map((s) => [s.version, s.messagePrefix]),
          [[older.version, '']],
        );
      });
      for (const file of files) pairTests(dir, file, alone, older.version);
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
