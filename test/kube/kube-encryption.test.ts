/**
 * openKube({ encryptionConfig }) over a real etcd and its snapshot: Secrets written encrypted at rest
 * (aescbc, aesgcm, secretbox, as kube-apiserver writes them) are read back decrypted, each naming the
 * key that opened it; values whose key the config lacks, and KMS values, are reported, never dropped.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decode, encode } from '../../src/codec';
import { encryptValue, loadEncryptionConfig } from '../../src/codec/decrypt';
import type { KubeObject } from '../../src/codec/types';
import { openKube, type KubeClient } from '../../src/kube/kube-client';
import { openSource } from '../../src/sources/open-source';
import { openEtcdWriterForFixtures } from '../../src/sources/live-etcd-source';
import type { KvSource } from '../../src/sources/types';
import { makeTempDir, startEtcd, type EtcdProcess } from '../helpers/etcd';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const CBC_KEY = '0123456789abcdef0123456789abcdef';
const GCM_KEY = 'gcm-key-16-bytes';
const BOX_KEY = 'secretbox-key-of-thirty-two-byte';

const CONFIG_YAML = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aescbc:
          keys:
            - {name: key1, secret: ${b64(CBC_KEY)}}
      - aesgcm:
          keys:
            - {name: gcm1, secret: ${b64(GCM_KEY)}}
      - secretbox:
          keys:
            - {name: box1, secret: ${b64(BOX_KEY)}}
      - identity: {}
`;

function secret(name: string, password: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'default', uid: crypto.randomUUID() },
    data: { password: b64(password) },
    type: 'Opaque',
  };
}

/** One config per provider, so each secret is written with the provider it names. */
function only(provider: string, name: string, key: string): ReturnType<typeof loadEncryptionConfig> {
  return loadEncryptionConfig({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [{ resources: ['secrets'], providers: [{ [provider]: { keys: [{ name, secret: b64(key) }] } }] }],
  });
}

const key = (name: string): string => `/registry/secrets/default/${name}`;

describe('openKube with an EncryptionConfiguration', () => {
  let etcd: EtcdProcess;
  let dir: string;
  let configFile: string;
  const sources: KvSource[] = [];
  const kubes: Array<{ name: string; k: KubeClient }> = [];
  const written: Record<string, Uint8Array> = {};

  before(async () => {
    etcd = await startEtcd();
    dir = makeTempDir('kubetcd-encryption-');
    configFile = path.join(dir, 'encryption-config.yaml');
    fs.writeFileSync(configFile, CONFIG_YAML);
    const values: Array<[string, Uint8Array]> = [
      [key('cbc'), encryptValue(encode(secret('cbc', 'p-cbc')), only('aescbc', 'key1', CBC_KEY), { key: key('cbc') })],
      [key('gcm'), encryptValue(encode(secret('gcm', 'p-gcm')), only('aesgcm', 'gcm1', GCM_KEY), { key: key('gcm') })],
      [
        key('box'),
        encryptValue(encode(secret('box', 'p-box')), only('secretbox', 'box1', BOX_KEY), { key: key('box') }),
      ],
      [key('plain'), encode(secret('plain', 'p-plain'))],
      [
        key('rotated'),
        encryptValue(encode(secret('rotated', 'p-old')), only('aescbc', 'key0', CBC_KEY), { key: key('rotated') }),
      ],
      [key('kms'), Uint8Array.from(Buffer.concat([Buffer.from('k8s:enc:kms:v2:vault:'), crypto.randomBytes(64)]))],
      // written under another key: AES-GCM authenticates the key, so this one must not open
      [
        key('moved'),
        encryptValue(encode(secret('moved', 'p-moved')), only('aesgcm', 'gcm1', GCM_KEY), { key: key('elsewhere') }),
      ],
    ];
    const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    try {
      for (const [k, v] of values) {
        written[k] = v;
        await writer.put(k, v);
      }
    } finally {
      await writer.close();
    }
    const file = path.join(dir, 'snapshot.db');
    const saved = await etcd.etcdctl(['snapshot', 'save', file]);
    assert.equal(saved.code, 0, saved.stderr);
    for (const [name, target] of [
      ['live', etcd.endpoint],
      ['snapshot', file],
    ] as const) {
      const source = await openSource(target);
      sources.push(source);
      kubes.push({ name, k: await openKube(source, { encryptionConfig: configFile }) });
    }
  });

  after(async () => {
    for (const s of sources.splice(0)) await s.close();
    await etcd?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the stored bytes really are encrypted', () => {
    for (const name of ['cbc', 'gcm', 'box']) {
      const d = decode(written[key(name)]!);
      assert.equal(d.encoding, 'encrypted');
      assert.ok(!Buffer.from(written[key(name)]!).includes(Buffer.from(b64(`p-${name}`))));
    }
  });

  it('list decrypts each secret with the key its prefix names, and reports the rest', async () => {
    for (const { name, k } of kubes) {
      const l = await k.list('secrets', { reveal: true });
      const byName = Object.fromEntries(l.items.map((o) => [(o.metadata as { name: string }).name, o]));
      assert.deepEqual(Object.keys(byName).sort(), ['box', 'cbc', 'gcm', 'plain'], name);
      for (const n of ['box', 'cbc', 'gcm', 'plain'])
        assert.deepEqual((byName[n] as { data: unknown }).data, { password: b64(`p-${n}`) }, `${name} ${n}`);
      const enc = Object.fromEntries(l.encrypted.map((e) => [e.key, [e.provider, e.keyName, e.decrypted]]));
      assert.deepEqual(
        enc,
        {
          [key('box')]: ['secretbox', 'box1', true],
          [key('cbc')]: ['aescbc', 'key1', true],
          [key('gcm')]: ['aesgcm', 'gcm1', true],
          [key('kms')]: ['kms', 'vault', false],
          [key('moved')]: ['aesgcm', 'gcm1', false],
          [key('rotated')]: ['aescbc', 'key0', false],
        },
        name,
      );
      const errors = Object.fromEntries(l.errors.map((e) => [e.key, e.error]));
      assert.deepEqual(Object.keys(errors).sort(), [key('kms'), key('moved'), key('rotated')]);
      assert.match(
        errors[key('rotated')]!,
        /is encrypted at rest \(aescbc, key "key0"\), and the encryption configuration \(.*encryption-config\.yaml\) has no such key \(it has: aescbc "key1"; aesgcm "gcm1"; secretbox "box1"; identity\)/,
      );
      assert.match(
        errors[key('moved')]!,
        /Cannot decrypt \/registry\/secrets\/default\/moved \(aesgcm, key "gcm1"\).*authentication failed/,
      );
      assert.match(errors[key('kms')]!, /KMS plugin \(kms v2, key "vault"\)/);
      // the undecryptable values are kept as raw bytes
      assert.deepEqual(
        Buffer.from(l.errors.find((e) => e.key === key('rotated'))!.raw),
        Buffer.from(written[key('rotated')]!),
      );
    }
  });

  it('get reports the key that opened the value; Secrets stay redacted unless revealed', async () => {
    for (const { k } of kubes) {
      const g = await k.get('secrets', 'gcm', { namespace: 'default' });
      assert.equal(g.error, undefined);
      assert.equal(g.encoding, 'protobuf');
      assert.deepEqual(g.encryption, {
        provider: 'aesgcm',
        version: 'v1',
        keyName: 'gcm1',
        ciphertextBytes: written[key('gcm')]!.length - 'k8s:enc:aesgcm:v1:gcm1:'.length,
        decrypted: true,
      });
      assert.deepEqual((g.object as { data: unknown }).data, { password: '<redacted: 5 bytes>' });
      const box = await k.get(key('box'), undefined, { reveal: true });
      assert.deepEqual(
        [box.encryption?.provider, box.encryption?.keyName, (box.object as { data: unknown }).data],
        ['secretbox', 'box1', { password: b64('p-box') }],
      );
    }
  });

  it('without the config: provider and key only, and what to pass', async () => {
    const k = await openKube(sources[0]!);
    const l = await k.list('secrets');
    assert.deepEqual(
      l.items.map((o) => (o.metadata as { name: string }).name),
      ['plain'],
    );
    const cbc = l.errors.find((e) => e.key === key('cbc'))!;
    assert.match(
      cbc.error,
      /^\/registry\/secrets\/default\/cbc is encrypted at rest \(aescbc, key "key1"\)\. To decrypt it, pass kube-apiserver's EncryptionConfiguration .*encryptionConfig/,
    );
    assert.equal(cbc.encryption?.decrypted, undefined);
    await assert.rejects(openKube(sources[0]!, { encryptionConfig: path.join(dir, 'missing.yaml') }), {
      name: 'InvalidArgumentError',
      message: /no such file/,
    });
  });
});
