/**
 * Kinds no loaded schema knows keep their metadata. The values are real: Kubernetes' own fixtures
 * (k8s.io/api testdata/HEAD) and a real 1.7 cluster's pod (auger testdata), with only the TypeMeta of the
 * envelope re-encoded to name another kind:
 * - a kind newer than 1.36: every 1.36 fixture of a kind with ObjectMeta, renamed into a group no
 *   Kubernetes has; its metadata must equal what the real kind decodes to;
 * - a removed kind: the 1.32-only kinds' fixtures decoded with a codec of the 1.36 sources alone, and a
 *   real pod renamed policy/v1beta1 PodSecurityPolicy (removed in 1.25).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { createCodec, decode, findRepoRoot, installedSourcesDir, loadSchema, toKubeJson } from '../../src/codec';
import type { KubeObject } from '../../src/codec';
import { removedKind } from '../../src/codec/unknown-kind';
import { WireWriter } from '../../src/codec/wire-writer';
import { BYTES } from '../../src/util/wire-reader';

const OBJECT_META = 'k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const schema = loadSchema();

/** One length-delimited protobuf field, written by the codec's own wire writer. */
function bytesField(num: number, value: Uint8Array): Buffer {
  const w = new WireWriter();
  w.tag(num, BYTES);
  w.bytes(value);
  return Buffer.from(w.finish());
}

/** The fields of runtime.Unknown (all length-delimited) in `value[4, end)`, by number. */
function envelopeFields(value: Buffer): Map<number, Buffer> {
  const fields = new Map<number, Buffer>();
  let pos = 4;
  const read = (): number => {
    let result = 0;
    let shift = 1;
    for (;;) {
      const b = value[pos++] as number;
      result += (b & 0x7f) * shift;
      if ((b & 0x80) === 0) return result;
      shift *= 128;
    }
  };
  while (pos < value.length) {
    const tag = read();
    assert.equal(tag & 7, 2, 'runtime.Unknown holds only length-delimited fields');
    const len = read();
    fields.set(tag >>> 3, value.subarray(pos, pos + len));
    pos += len;
  }
  return fields;
}

/** The same stored value with its envelope's TypeMeta naming `apiVersion`/`kind` instead. */
function renamed(value: Buffer, apiVersion: string, kind: string): Buffer {
  const fields = envelopeFields(value);
  const typeMeta = Buffer.concat([bytesField(1, Buffer.from(apiVersion)), bytesField(2, Buffer.from(kind))]);
  const parts = [Buffer.from('k8s\0', 'latin1'), bytesField(1, typeMeta)];
  for (const n of [2, 3, 4]) {
    const f = fields.get(n);
    if (f !== undefined) parts.push(bytesField(n, f));
  }
  return Buffer.concat(parts);
}

function headDir(version: string): string {
  return path.join(installedSourcesDir(version), 'k8s.io', 'api', 'testdata', 'HEAD');
}

function parseName(file: string): { apiVersion: string; kind: string } {
  const parts = file.replace(/\.pb$/, '').split('.');
  const kind = parts.pop() as string;
  const version = parts.pop() as string;
  const group = parts.join('.');
  return { apiVersion: group === 'core' ? version : `${group}/${version}`, kind };
}

/** Fixtures of kinds whose message holds ObjectMeta in field 1 (what every stored kind does). */
function objectMetaFixtures(version: string): Array<{ file: string; apiVersion: string; kind: string }> {
  const prefix = version === schema.sources?.[0]?.version ? '' : `${version}/`;
  return fs
    .readdirSync(headDir(version))
    .filter((f) => f.endsWith('.pb'))
    .sort()
    .map((file) => ({ file, ...parseName(file) }))
    .filter(({ apiVersion, kind }) => {
      const k = schema.kinds[`${apiVersion}/${kind}`];
      const m = k !== undefined ? schema.messages[k.message] : undefined;
      return (
        m?.fields.some((f) => f.number === 1 && f.name === 'metadata' && f.message === prefix + OBJECT_META) === true
      );
    });
}

test('a kind newer than every schema: each 1.36 fixture renamed into an unknown group keeps its exact metadata', () => {
  const fixtures = objectMetaFixtures('1.36');
  assert.ok(fixtures.length > 100, `fixtures with ObjectMeta (${fixtures.length})`);
  for (const { file, apiVersion, kind } of fixtures) {
    const pb = fs.readFileSync(path.join(headDir('1.36'), file));
    const real = decode(pb, { apiVersion, kind });
    assert.equal(real.error, undefined, `${file}: ${real.error?.message}`);
    const newer = decode(renamed(pb, 'future.kubetcd.example/v9', `${kind}Next`));
    assert.equal(newer.encoding, 'protobuf');
    assert.equal(newer.apiVersion, 'future.kubetcd.example/v9');
    assert.equal(newer.kind, `${kind}Next`);
    const o = newer.object as KubeObject;
    assert.ok(o !== undefined, `${file}: an object`);
    assert.deepEqual(Object.keys(o), ['kind', 'apiVersion', 'metadata'], file);
    // exactly as Go prints the ObjectMeta of the real kind
    assert.equal(toKubeJson(o['metadata']), toKubeJson((real.object as KubeObject)['metadata']), file);
    assert.equal(newer.unknownFields, undefined, file);
    // the other fields, schema-less, without the metadata
    assert.ok(
      newer.protoFields?.every((f) => f.number !== 1),
      file,
    );
    assert.ok(newer.error !== undefined);
    assert.match(
      newer.error.message,
      /^Unknown kind "[A-Za-z]+Next" of "future\.kubetcd\.example\/v9": no schema loaded \(Kubernetes 1\.36 and 1\.32\) has it, so it is newer than all of them/,
    );
    assert.match(newer.error.message, /add the sources of a newer k8s\.io\/api .*KUBETCD_K8S_SOURCES/);
  }
});

test('a removed kind: the 1.32-only kinds decoded with the 1.36 schema alone keep their exact metadata', () => {
  const only136 = createCodec({ schema: loadSchema({ sourcesDir: installedSourcesDir('1.36'), cacheDir: false }) });
  assert.deepEqual(
    only136.schema.sources?.map((s) => s.version),
    ['1.36'],
  );
  const gone = objectMetaFixtures('1.32').filter(
    ({ apiVersion, kind }) => schema.kinds[`${apiVersion}/${kind}`]?.schemaVersion === '1.32',
  );
  assert.ok(gone.length >= 8, `1.32-only fixtures (${gone.map((g) => g.file).join(', ')})`);
  for (const { file, apiVersion, kind } of gone) {
    const pb = fs.readFileSync(path.join(headDir('1.32'), file));
    const full = decode(pb, { apiVersion, kind });
    assert.equal(full.error, undefined, `${file}: ${full.error?.message}`);
    assert.equal(full.schemaVersion, '1.32');
    const d = only136.decode(pb, { apiVersion, kind });
    assert.equal(d.schemaVersion, undefined, 'no schema decoded it');
    const o = d.object as KubeObject;
    assert.deepEqual(Object.keys(o), ['kind', 'apiVersion', 'metadata'], file);
    assert.equal(o['apiVersion'], apiVersion);
    assert.equal(toKubeJson(o['metadata']), toKubeJson((full.object as KubeObject)['metadata']), file);
    const removed = removedKind(apiVersion, kind);
    assert.ok(removed !== undefined, `${apiVersion} ${kind} is on the list of removed kinds`);
    assert.match(
      d.error?.message ?? '',
      new RegExp(
        `: Kubernetes removed it in ${removed.removedIn.replace('.', '\\.')}, and the schema \\(Kubernetes 1\\.36\\) does not have it`,
      ),
    );
    assert.match(d.error?.message ?? '', /KUBETCD_K8S_SOURCES/);
  }
});

test('a removed kind from a real old cluster: a 1.7 pod named policy/v1beta1 PodSecurityPolicy keeps its metadata', () => {
  const value = fs.readFileSync(
    path.join(findRepoRoot(), '..', 'shared', 'data', 'auger-testdata', 'storage', 'pod.bin'),
  );
  // etcdctl's trailing newline, as the fixture holds it
  const stored = value.subarray(0, value.length - 1);
  const pod = decode(stored);
  assert.equal(pod.kind, 'Pod');
  const psp = decode(renamed(stored, 'policy/v1beta1', 'PodSecurityPolicy'));
  const o = psp.object as KubeObject;
  assert.equal(toKubeJson(o['metadata']), toKubeJson((pod.object as KubeObject)['metadata']));
  assert.equal((o['metadata'] as { name?: string }).name, 'pi-dqtsw');
  // the fields 1.7 wrote that 1.36 no longer has (clusterName…) stay visible, under metadata
  const podMetaUnknown = (pod.unknownFields ?? []).filter(
    (u) => u.path === 'metadata' || u.path.startsWith('metadata.'),
  );
  assert.ok(podMetaUnknown.length > 0, 'the 1.7 pod carries metadata fields 1.36 dropped (clusterName, 15)');
  assert.deepEqual(psp.unknownFields ?? [], podMetaUnknown);
  assert.match(
    psp.error?.message ?? '',
    /^Unknown kind "PodSecurityPolicy" of "policy\/v1beta1": Kubernetes removed it in 1\.25, and the schema \(Kubernetes 1\.36 and 1\.32\) does not have it, so only its apiVersion, kind and metadata are decoded; .* add the sources of k8s\.io\/api 0\.24 /,
  );
});

test('REMOVED_KINDS names every kind of 1.32 that 1.36 no longer has', () => {
  const missing = Object.values(schema.kinds)
    .filter((k) => k.schemaVersion === '1.32')
    .filter((k) => removedKind(k.apiVersion, k.kind) === undefined)
    .map((k) => `${k.apiVersion}/${k.kind}`);
  assert.deepEqual(missing, []);
});

test('a value whose field 1 is not a message, or with no field 1, still decodes schema-less', () => {
  const pb = fs.readFileSync(path.join(headDir('1.36'), 'core.v1.ConfigMap.pb'));
  const fields = envelopeFields(pb);
  const typeMeta = Buffer.concat([bytesField(1, Buffer.from('x.example/v1')), bytesField(2, Buffer.from('Thing'))]);
  // raw = field 1 as a varint
  const raw = Buffer.from([0x08, 0x05]);
  const d = decode(Buffer.concat([Buffer.from('k8s\0', 'latin1'), bytesField(1, typeMeta), bytesField(2, raw)]));
  assert.equal(d.object, undefined);
  assert.deepEqual(d.protoFields, [{ number: 1, wireType: 0, value: 5 }]);
  assert.match(d.error?.message ?? '', /its fields are shown schema-less in protoFields/);
  // no field 1 at all: Go's zero ObjectMeta
  const empty = decode(
    Buffer.concat([Buffer.from('k8s\0', 'latin1'), bytesField(1, typeMeta), bytesField(2, Buffer.from([0x10, 0x01]))]),
  );
  assert.deepEqual(empty.object, { kind: 'Thing', apiVersion: 'x.example/v1', metadata: {} });
  assert.equal(fields.size > 0, true);
});
