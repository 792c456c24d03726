/**
 * Real values stored by a Kubernetes ~1.7 cluster (etcd-io/auger's test data, see /work/shared/data)
 * decode to the objects Kubernetes prints; fields removed since then stay visible in unknownFields.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { decode, findRepoRoot, toKubeJson } from '../../src/codec';
import type { KubeObject } from '../../src/codec';

const data = path.join(findRepoRoot(), '..', 'shared', 'data', 'auger-testdata');
const read = (p: string): Buffer => fs.readFileSync(path.join(data, p));

/** ObjectMeta field 15 (clusterName), removed in 1.25, still written by every old apiserver. */
const CLUSTER_NAME = { number: 15, wireType: 2, value: '' };

describe('auger test data (Kubernetes 1.7 values)', () => {
  test('storage/pod.bin decodes to json/pod.json', () => {
    const d = decode(read('storage/pod.bin'));
    assert.equal(d.error, undefined, d.error?.message);
    assert.equal(d.encoding, 'protobuf');
    assert.equal(d.apiVersion, 'v1');
    assert.equal(d.kind, 'Pod');
    assert.deepEqual(d.stripped, { trailingNewline: true });
    assert.equal(toKubeJson(d.object), read('json/pod.json').toString('utf8').trim());
    assert.deepEqual(d.unknownFields, [{ path: 'metadata', ...CLUSTER_NAME }]);
  });

  test('storage/job.bin decodes to json/job.json', () => {
    const d = decode(read('storage/job.bin'));
    assert.equal(d.error, undefined, d.error?.message);
    assert.equal(d.kind, 'Job');
    assert.equal(d.apiVersion, 'batch/v1');
    assert.equal(d.schemaVersion, '1.36');
    const obj = d.object as KubeObject;
    // Kubernetes 1.36 (the schema's newest version), like the newer Kubernetes the expected file comes
    // from, leaves the pod template's zero creationTimestamp out (1.32 printed it as null).
    const tmplMeta = ((obj['spec'] as KubeObject)['template'] as KubeObject)['metadata'] as KubeObject;
    assert.equal(Object.hasOwn(tmplMeta, 'creationTimestamp'), false);
    assert.equal(toKubeJson(obj), read('json/job.json').toString('utf8').trim());
    assert.deepEqual(d.unknownFields, [
      { path: 'metadata', ...CLUSTER_NAME },
      { path: 'spec.template.metadata', ...CLUSTER_NAME },
    ]);
  });

  test('storage/pod-with-key.bin (etcdctl get output) strips the key line and decodes the same pod', () => {
    const d = decode(read('storage/pod-with-key.bin'));
    assert.equal(d.error, undefined, d.error?.message);
    assert.equal(d.stripped?.keyLine, '/registry/pods/default/xyz');
    assert.equal(toKubeJson(d.object), read('json/pod.json').toString('utf8').trim());
  });

  test('proto/pod.bin (the bare inner message) decodes with the kind from meta/pod.txt', () => {
    const meta = read('meta/pod.txt').toString('utf8');
    const apiVersion = /APIVersion: (\S+)/.exec(meta)?.[1] ?? '';
    const kind = /Kind: (\S+)/.exec(meta)?.[1] ?? '';
    const d = decode(read('proto/pod.bin'), { bare: true, apiVersion, kind });
    assert.equal(d.error, undefined, d.error?.message);
    assert.equal(toKubeJson(d.object), read('json/pod.json').toString('utf8').trim());
  });
});
