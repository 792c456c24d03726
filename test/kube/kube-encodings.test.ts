/**
 * k.encodings(): values written to real etcd in each encoding (protobuf, JSON, self-described CBOR,
 * encrypted at rest under two aescbc key names side by side, as a half-done key rotation leaves them,
 * a KMS v2 value, and other bytes) are counted per resource alike on live etcd and on its snapshot.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encode } from '../../src/codec';
import { encryptValue, loadEncryptionConfig } from '../../src/codec/decrypt';
import { openEtcdWriterForFixtures, openLiveSource } from '../../src/sources/live-etcd-source';
import { openSnapshotSource } from '../../src/sources/snapshot/snapshot-source';
import type { KvSource } from '../../src/sources/types';
import { openKube, type KubeClient } from '../../src/kube/kube-client';
import type { KubeEncodings, ResourceEncodings } from '../../src/kube/kube-forensics';
import { present } from '../../src/notebook/present';
import { makeTempDir, startEtcd, type EtcdProcess } from '../helpers/etcd';

const cli = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function aescbc(name: string, secret: string): ReturnType<typeof loadEncryptionConfig> {
  return loadEncryptionConfig({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [{ resources: ['secrets'], providers: [{ aescbc: { keys: [{ name, secret: b64(secret) }] } }] }],
  });
}

const secretValue = (name: string): Uint8Array =>
  encode({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    type: 'Opaque',
    data: { k: b64(name) },
  });
const configMapValue = (name: string): Uint8Array =>
  encode({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    data: { k: name },
  });

/** A CBOR map { "kind": "Widget" } behind the self-described CBOR tag (0xd9d9f7), as Kubernetes' CBOR serializer starts its values. */
const cborValue = Buffer.concat([
  Buffer.from([0xd9, 0xd9, 0xf7, 0xa1, 0x64]),
  Buffer.from('kind'),
  Buffer.from([0x66]),
  Buffer.from('Widget'),
]);

describe('k.encodings() on etcd and its snapshot', () => {
  const dir = makeTempDir('kubetcd-encodings-');
  let etcd: EtcdProcess;
  const sources: KvSource[] = [];
  let kubes: KubeClient[] = [];
  let file = '';

  before(async () => {
    etcd = await startEtcd();
    const old = aescbc('key1', '0123456789abcdef0123456789abcdef');
    const rotated = aescbc('key2', 'fedcba9876543210fedcba9876543210');
    const values: Array<[string, Uint8Array | string]> = [];
    for (let i = 0; i < 3; i++)
      values.push([`/registry/secrets/default/old-${i}`, encryptValue(secretValue(`old-${i}`), old)]);
    for (let i = 0; i < 2; i++)
      values.push([`/registry/secrets/default/new-${i}`, encryptValue(secretValue(`new-${i}`), rotated)]);
    values.push([
      '/registry/secrets/default/kms',
      Buffer.concat([Buffer.from('k8s:enc:kms:v2:vault:'), crypto.randomBytes(48)]),
    ]);
    values.push(['/registry/secrets/default/plain', secretValue('plain')]);
    for (let i = 0; i < 4; i++) values.push([`/registry/configmaps/default/c${i}`, configMapValue(`c${i}`)]);
    values.push([
      '/registry/configmaps/default/as-json',
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'as-json', namespace: 'default' } }) +
        '\n',
    ]);
    values.push(['/registry/configmaps/default/text', 'not an object']);
    values.push([
      '/registry/example.com/widgets/default/w-json',
      JSON.stringify({
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name: 'w-json', namespace: 'default' },
      }),
    ]);
    values.push(['/registry/example.com/widgets/default/w-cbor', cborValue]);
    const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    try {
      for (const [key, value] of values) await writer.put(key, value);
      // an older value of a key counts for nothing: only the latest state is looked at
      await writer.put('/registry/configmaps/default/c0', configMapValue('c0'));
    } finally {
      await writer.close();
    }
    file = path.join(dir, 'snapshot.db');
    assert.equal((await etcd.etcdctl(['snapshot', 'save', file])).code, 0);
    sources.push(await openLiveSource({ endpoints: etcd.endpoint }), await openSnapshotSource(file));
    kubes = await Promise.all(sources.map((s) => openKube(s)));
  });

  after(async () => {
    for (const s of sources) await s.close();
    await etcd?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const expected: ResourceEncodings[] = [
    { resource: 'configmaps', total: 6, protobuf: 4, json: 1, cbor: 0, encrypted: 0, other: 1, encryptedBy: {} },
    {
      resource: 'secrets',
      total: 7,
      protobuf: 1,
      json: 0,
      cbor: 0,
      encrypted: 6,
      other: 0,
      encryptedBy: { 'aescbc:key1': 3, 'aescbc:key2': 2, 'kms:vault': 1 },
    },
    {
      resource: 'widgets.example.com',
      total: 2,
      protobuf: 0,
      json: 1,
      cbor: 1,
      encrypted: 0,
      other: 0,
      encryptedBy: {},
    },
  ];

  test('per resource: protobuf, JSON, CBOR, encrypted by provider and key name, other; live and snapshot alike', async () => {
    for (const k of kubes) {
      const census = await k.encodings();
      assert.deepEqual(census.resources, expected, k.source.kind);
      assert.deepEqual(census.total, {
        resource: '<all>',
        total: 15,
        protobuf: 5,
        json: 2,
        cbor: 1,
        encrypted: 6,
        other: 1,
        encryptedBy: { 'aescbc:key1': 3, 'aescbc:key2': 2, 'kms:vault': 1 },
      });
      assert.equal(census.revision, (await k.source.status()).revision);
    }
  });

  test('in a notebook: one row per resource and a total', async () => {
    const shown = present(await kubes[1]!.encodings(), { method: 'encodings' });
    assert.match(shown.summary, /^15 values in 3 resources at revision \d+$/);
    assert.match(shown.rendered.text, /secrets\s+7\s+1\s+0\s+0\s+6\s+0\s+aescbc:key1=3, aescbc:key2=2, kms:vault=1/);
    assert.match(shown.rendered.text, /TOTAL\s+15\s+5\s+2\s+1\s+6\s+1/);
  });

  test('kubetcd encodings: table and json', () => {
    const json = spawnSync(process.execPath, [cli, 'encodings', '--snapshot', file, '-o', 'json'], {
      encoding: 'utf8',
    });
    assert.equal(json.status, 0, json.stderr);
    assert.deepEqual((JSON.parse(json.stdout) as KubeEncodings).resources, expected);
    const table = spawnSync(process.execPath, [cli, 'encodings', '--snapshot', file], { encoding: 'utf8' });
    assert.equal(table.status, 0, table.stderr);
    const rows = table.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s{2,}/));
    assert.deepEqual(rows[0], ['RESOURCE', 'VALUES', 'PROTOBUF', 'JSON', 'CBOR', 'ENCRYPTED', 'OTHER', 'ENCRYPTED-BY']);
    assert.deepEqual(rows[2], ['secrets', '7', '1', '0', '0', '6', '0', 'aescbc:key1=3,aescbc:key2=2,kms:vault=1']);
    assert.deepEqual(rows[4]?.slice(0, 7), ['TOTAL', '15', '5', '2', '1', '6', '1']);
  });
});
