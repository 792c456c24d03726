/**
 * Values encrypted at rest: decrypted exactly as kube-apiserver reads them, with its
 * EncryptionConfiguration.
 *
 * Two kinds of fixtures:
 * - GO_VECTORS: made by kube-apiserver's own transformers — k8s.io/apiserver 0.20.15
 *   pkg/storage/value/encrypt/aes (NewCBCTransformer, NewGCMTransformer) and .../secretbox, unmodified,
 *   from Debian's golang-k8s-apiserver-dev 0.20.15-2 with golang-golang-x-crypto-dev 1:0.25.0-1, built with
 *   Go 1.24 — TransformToStorage(plaintext, DefaultContext(etcdKey)) with the prefix
 *   `k8s:enc:<provider>:v1:<name>:` prepended as the prefix transformer does. Keys: key1 = the 16 bytes
 *   "0123456789abcdef", key2 = 24 bytes "…ghijklmn", key3 = 32 bytes "…opqrstuv" (secretbox key1 = 32 bytes).
 * - Values built here with Node's crypto from the documented layouts (IV + AES-CBC/PKCS#7; nonce +
 *   AES-GCM + tag with the etcd key as AAD; nonce + secretbox), independent of encryptValue.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as util from 'node:util';
import * as path from 'node:path';
import { decode, encode } from '../../src/codec';
import {
  decryptValue,
  encryptValue,
  encryptedValueMessage,
  loadEncryptionConfig,
  type EncryptionConfig,
} from '../../src/codec/decrypt';
import { secretboxSeal } from '../../src/codec/xsalsa20-poly1305';
import { makeTempDir } from '../helpers/etcd';

const K16 = '0123456789abcdef';
const K24 = '0123456789abcdefghijklmn';
const K32 = '0123456789abcdefghijklmnopqrstuv';
const b64 = (s: string | Uint8Array): string =>
  Buffer.from(typeof s === 'string' ? Buffer.from(s, 'latin1') : s).toString('base64');
const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));

/** [provider, keyName, etcdKey, plaintext base64, stored value base64] */
const GO_VECTORS: Array<[string, string, string, string, string]> = [
  [
    'aescbc',
    'key1',
    '/registry/secrets/default/s0',
    '',
    'azhzOmVuYzphZXNjYmM6djE6a2V5MTo69jiVpaAAy/rfKPzgeFUvPxKcwBOC4FkesnVOjLjIyA==',
  ],
  [
    'aescbc',
    'key1',
    '/registry/secrets/default/s1',
    'azhzAAoMCgJ2MRIGU2VjcmV0',
    'azhzOmVuYzphZXNjYmM6djE6a2V5MToiZYAb770GS7HA9fZmuagONNEIwL8veg94RJIH863d7rbWp9wX3V7SEYLasIYzDbY=',
  ],
  [
    'aescbc',
    'key2',
    '/registry/secrets/default/s1',
    'azhzAAoMCgJ2MRIGU2VjcmV0',
    'azhzOmVuYzphZXNjYmM6djE6a2V5Mjqmx0jkDEdQmG2VqxPcGvcif8rVc0RzaXu2ulkw/VvzN7PLvibb0vwTS0AhZhABino=',
  ],
  [
    'aescbc',
    'key3',
    '/registry/secrets/default/s1',
    'azhzAAoMCgJ2MRIGU2VjcmV0',
    'azhzOmVuYzphZXNjYmM6djE6a2V5MzqPP4MxVfUdU95mhTjRDwXDmUzga2Zjgrg+Mopr1l8Z1mSpm+tpQcmmtyCrPfo8NyI=',
  ],
  [
    'aescbc',
    'key3',
    '/registry/secrets/default/s2',
    'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVm',
    'azhzOmVuYzphZXNjYmM6djE6a2V5MzrMoBfAJdi/lNoVlXBcz4wjKreQ2TErQbukXPCeutXGJr/we38tlBCIsoDmarEFWr+dvKob22Ng2OBrHalhKM3MhjkHjrP158+zd7lstjxoyA==',
  ],
  [
    'aesgcm',
    'key1',
    '/registry/secrets/default/s1',
    'azhzAAoMCgJ2MRIGU2VjcmV0',
    'azhzOmVuYzphZXNnY206djE6a2V5MTou2VitijgNBfoNWY3wJ9xEc/6hmrRxEAludZpzAFQMQW/3gl1eHC/UC971fjWW',
  ],
  [
    'aesgcm',
    'key2',
    '/registry/secrets/default/s1',
    'azhzAAoMCgJ2MRIGU2VjcmV0',
    'azhzOmVuYzphZXNnY206djE6a2V5MjoPxhGe+1nVMh/cdv7IDbiT8HebUJavDNIITLWjoUsiEf+B+oPGzdhhNLVHzfOg',
  ],
  [
    'aesgcm',
    'key3',
    '/registry/secrets/default/s0',
    '',
    'azhzOmVuYzphZXNnY206djE6a2V5MzpCeqyCrxr158UFoLXqPCG9Zj2VdgHgafTYpux/',
  ],
  [
    'aesgcm',
    'key3',
    '/registry/secrets/default/s3',
    'eyJraW5kIjoiU2VjcmV0In0K',
    'azhzOmVuYzphZXNnY206djE6a2V5MzpfiJcvCjFJHxBKeOXjpVD66O6m2bKI5FHVnMBSrQKHWeS4i367AD8CpHoQmTcm',
  ],
  [
    'secretbox',
    'key1',
    '/registry/secrets/default/s0',
    '',
    'azhzOmVuYzpzZWNyZXRib3g6djE6a2V5MTpw+pbcsxJcxToGKh2FxUfFy9e5vjc+wQMAnbC8ZzH57HUw3kxrRfz7',
  ],
  [
    'secretbox',
    'key1',
    '/registry/secrets/default/s1',
    'azhzAAoMCgJ2MRIGU2VjcmV0',
    'azhzOmVuYzpzZWNyZXRib3g6djE6a2V5MTr5SK/7iyNQvvlh/QJFTheRBsxOb/sxyCTb4NA3ai/Il9Eh6wpWvnjLgaB6ZU4a/DoHxSZk3ZjAWolr',
  ],
  [
    'secretbox',
    'key1',
    '/registry/secrets/default/s2',
    'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVm',
    'azhzOmVuYzpzZWNyZXRib3g6djE6a2V5MTrQnMvj1+Hf/XTxjbFei8ad9J7/Aivv5g0M17gqZhMY1B0jkMwVlbiVKWvLN195n25HDLagZO14g+1D92wj833aGHjoZXkS9BXwmsEAsk53DHo8H6PJ7b3b',
  ],
];

/** The config the Go vectors were made with, as YAML (the form kube-apiserver reads). */
const GO_CONFIG_YAML = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources:
      - secrets
    providers:
      - aesgcm:
          keys:
            - name: key1
              secret: ${b64(K16)}
            - name: key2
              secret: ${b64(K24)}
            - name: key3
              secret: ${b64(K32)}
      - aescbc:
          keys:
            - name: key1
              secret: ${b64(K16)}
            - name: key2
              secret: ${b64(K24)}
            - name: key3
              secret: ${b64(K32)}
      - secretbox:
          keys:
            - name: key1
              secret: ${b64(K32)}
      - identity: {}
`;

const SECRET = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db', namespace: 'default', uid: '7d8a4f1e-0000-4000-8000-000000000001' },
  data: { password: b64('hunter2'), 'tls.key': b64('-----BEGIN KEY-----\n') },
  type: 'Opaque',
};
const SECRET_KEY = '/registry/secrets/default/db';
/** What the stored Secret decodes to unencrypted (Go prints creationTimestamp: null). */
const DECODED = decode(encode(SECRET)).object;

function config(providers: unknown[], resources = ['secrets']): EncryptionConfig {
  return loadEncryptionConfig({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [{ resources, providers }],
  });
}

function aesKeys(...keys: Array<[string, string]>): { keys: Array<{ name: string; secret: string }> } {
  return { keys: keys.map(([name, secret]) => ({ name, secret: b64(secret) })) };
}

/** aescbc as documented: random IV, then AES-CBC with PKCS#7 padding. */
function nodeCbc(keyName: string, secret: string, plaintext: Uint8Array, iv = crypto.randomBytes(16)): Uint8Array {
  const c = crypto.createCipheriv(`aes-${secret.length * 8}-cbc`, Buffer.from(secret, 'latin1'), iv);
  return cat(bytes(`k8s:enc:aescbc:v1:${keyName}:`), iv, c.update(plaintext), c.final());
}

/** aesgcm as documented: 12-byte nonce, ciphertext, 16-byte tag; the etcd key is the AAD. */
function nodeGcm(keyName: string, secret: string, plaintext: Uint8Array, etcdKey: string): Uint8Array {
  const nonce = crypto.randomBytes(12);
  const c = crypto.createCipheriv(
    `aes-${secret.length * 8}-gcm` as crypto.CipherGCMTypes,
    Buffer.from(secret, 'latin1'),
    nonce,
  );
  c.setAAD(Buffer.from(etcdKey));
  return cat(bytes(`k8s:enc:aesgcm:v1:${keyName}:`), nonce, c.update(plaintext), c.final(), c.getAuthTag());
}

function nodeSecretbox(keyName: string, secret: string, plaintext: Uint8Array): Uint8Array {
  const nonce = crypto.randomBytes(24);
  return cat(bytes(`k8s:enc:secretbox:v1:${keyName}:`), nonce, secretboxSeal(plaintext, nonce, bytes(secret)));
}

describe('decrypting values made by kube-apiserver (Go vectors)', () => {
  const cfg = loadEncryptionConfig(GO_CONFIG_YAML);
  for (const [provider, keyName, etcdKey, plain, stored] of GO_VECTORS) {
    test(`${provider} ${keyName} ${Buffer.from(plain, 'base64').length} bytes`, () => {
      const got = decryptValue(Buffer.from(stored, 'base64'), cfg, { key: etcdKey });
      assert.equal(Buffer.from(got.plaintext).toString('base64'), plain);
      assert.equal(got.provider, provider);
      assert.equal(got.keyName, keyName);
      assert.deepEqual(got.resources, ['secrets']);
    });
  }

  test('AES-GCM values open only under the etcd key they were written to (the key is the AAD)', () => {
    const [, , etcdKey, , stored] = GO_VECTORS.find((v) => v[0] === 'aesgcm')!;
    assert.equal(etcdKey, '/registry/secrets/default/s1');
    assert.throws(() => decryptValue(Buffer.from(stored, 'base64'), cfg, { key: '/registry/secrets/default/s2' }), {
      name: 'DecodeError',
      message: /aesgcm key "key1" \(128-bit\): authentication failed.*another etcd key/,
    });
    assert.throws(() => decryptValue(Buffer.from(stored, 'base64'), cfg), {
      name: 'DecodeError',
      message: /pass \{ key \}/,
    });
  });
});

describe('decode with { decryption, key }', () => {
  const object = encode(SECRET);
  for (const [label, secret] of [
    ['AES-128', K16],
    ['AES-192', K24],
    ['AES-256', K32],
  ] as const) {
    test(`aescbc ${label} and aesgcm ${label}: the object decodes, and the key that opened it is reported`, () => {
      const cfg = config([{ aescbc: aesKeys(['cbc', secret]) }, { aesgcm: aesKeys(['gcm', secret]) }]);
      for (const [provider, value] of [
        ['aescbc', nodeCbc('cbc', secret, object)],
        ['aesgcm', nodeGcm('gcm', secret, object, SECRET_KEY)],
      ] as const) {
        const d = decode(value, { decryption: cfg, key: SECRET_KEY });
        assert.equal(d.error, undefined, d.error?.message);
        assert.equal(d.encoding, 'protobuf');
        assert.deepEqual(d.object, DECODED);
        assert.equal(d.valueBytes, value.length);
        assert.deepEqual(d.encryption, {
          provider,
          version: 'v1',
          keyName: provider === 'aescbc' ? 'cbc' : 'gcm',
          ciphertextBytes: value.length - `k8s:enc:${provider}:v1:${provider === 'aescbc' ? 'cbc' : 'gcm'}:`.length,
          decrypted: true,
        });
      }
    });
  }

  test('secretbox: the object decodes (JSON-stored objects too)', () => {
    const cfg = config([{ secretbox: aesKeys(['sb', K32]) }]);
    const d = decode(nodeSecretbox('sb', K32, object), { decryption: cfg, key: SECRET_KEY });
    assert.deepEqual(d.object, DECODED);
    assert.equal(d.encryption?.provider, 'secretbox');
    assert.equal(d.encryption?.decrypted, true);
    const json = decode(
      nodeSecretbox('sb', K32, bytes('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}\n')),
      { decryption: cfg },
    );
    assert.equal(json.encoding, 'json');
    assert.equal(json.kind, 'ConfigMap');
  });

  test('several keys per provider: the name in the prefix selects the key', () => {
    const cfg = config([
      { aescbc: aesKeys(['new', K32], ['old', K16]) },
      { secretbox: aesKeys(['a', K32], ['b', K32.split('').reverse().join('')]) },
    ]);
    assert.equal(decode(nodeCbc('old', K16, object), { decryption: cfg }).encryption?.keyName, 'old');
    assert.equal(decode(nodeCbc('new', K32, object), { decryption: cfg }).encryption?.keyName, 'new');
    const reversed = K32.split('').reverse().join('');
    const d = decode(nodeSecretbox('b', reversed, object), { decryption: cfg });
    assert.deepEqual([d.encryption?.provider, d.encryption?.keyName, d.object?.kind], ['secretbox', 'b', 'Secret']);
  });

  test('a wrong key is named, with the reason: bad padding (CBC) or authentication failed (GCM, secretbox)', () => {
    const wrong = 'fedcba9876543210fedcba9876543210';
    const cfg = config([
      { aescbc: aesKeys(['key1', wrong]) },
      { aesgcm: aesKeys(['key1', wrong]) },
      { secretbox: aesKeys(['key1', wrong]) },
    ]);
    // A fixed IV whose decryption under the wrong key ends in invalid padding (checked: deterministic).
    const cbc = nodeCbc('key1', K32, object, Buffer.alloc(16, 1));
    const cases: Array<[Uint8Array, RegExp]> = [
      [
        cbc,
        /Cannot decrypt \/registry\/secrets\/default\/db \(aescbc, key "key1"\).*aescbc key "key1" \(256-bit\): bad padding/,
      ],
      [
        nodeGcm('key1', K32, object, SECRET_KEY),
        /\(aesgcm, key "key1"\).*aesgcm key "key1" \(256-bit\): authentication failed/,
      ],
      [
        nodeSecretbox('key1', K32, object),
        /\(secretbox, key "key1"\).*secretbox key "key1" \(256-bit\): authentication failed/,
      ],
    ];
    for (const [value, message] of cases) {
      const d = decode(value, { decryption: cfg, key: SECRET_KEY });
      assert.equal(d.encoding, 'encrypted');
      assert.equal(d.object, undefined);
      assert.equal(d.error?.name, 'DecodeError');
      assert.match(d.error!.message, message);
      assert.equal(d.encryption?.decrypted, false);
      assert.ok(
        !d.error!.message.includes(b64(wrong)) && !d.error!.message.includes(wrong),
        'no secret in the message',
      );
    }
  });

  test('a key the config does not have: provider and key named, and what to pass', () => {
    const cfg = config([{ aescbc: aesKeys(['key1', K32]) }, { identity: {} }]);
    const d = decode(nodeCbc('key2', K32, object), { decryption: cfg, key: SECRET_KEY });
    assert.equal(d.encoding, 'encrypted');
    assert.match(
      d.error!.message,
      /^\/registry\/secrets\/default\/db is encrypted at rest \(aescbc, key "key2"\), and the encryption configuration \(<object>\) has no such key \(it has: aescbc "key1"; identity\)\. Pass the configuration that held key "key2"/,
    );
  });

  test('KMS values: the plugin is named; they cannot be decrypted offline', () => {
    const cfg = config([{ kms: { apiVersion: 'v2', name: 'vault', endpoint: 'unix:///kms.sock' } }]);
    const d = decode(cat(bytes('k8s:enc:kms:v2:vault:'), crypto.randomBytes(40)), { decryption: cfg, key: SECRET_KEY });
    assert.match(d.error!.message, /encrypted at rest by a KMS plugin \(kms v2, key "vault"\)/);
    assert.deepEqual(d.encryption, {
      provider: 'kms',
      version: 'v2',
      keyName: 'vault',
      ciphertextBytes: 40,
      decrypted: false,
    });
  });

  test('without a config: provider and key only, and a message saying what to pass', () => {
    const d = decode(nodeCbc('key1', K32, object));
    assert.deepEqual(d.encryption, {
      provider: 'aescbc',
      version: 'v1',
      keyName: 'key1',
      ciphertextBytes: 16 + Math.ceil((object.length + 1) / 16) * 16,
    });
    assert.equal(d.object, undefined);
    const message = encryptedValueMessage(SECRET_KEY, d.encryption);
    assert.match(
      message,
      /^\/registry\/secrets\/default\/db is encrypted at rest \(aescbc, key "key1"\)\. To decrypt it, pass kube-apiserver's EncryptionConfiguration/,
    );
    assert.match(message, /encryptionConfig/);
  });

  test('etcdctl get output: the key line gives AES-GCM its key', () => {
    const cfg = config([{ aesgcm: aesKeys(['key1', K16]) }]);
    const value = nodeGcm('key1', K16, object, SECRET_KEY);
    const d = decode(cat(bytes(`${SECRET_KEY}\n`), value), { decryption: cfg });
    assert.equal(d.error, undefined, d.error?.message);
    assert.deepEqual(d.object, DECODED);
    assert.deepEqual(d.stripped, { keyLine: SECRET_KEY });
  });

  test('hostile values: short, truncated, not a block multiple — errors, never throws', () => {
    const cfg = config([
      { aescbc: aesKeys(['k', K16]) },
      { aesgcm: aesKeys(['k', K16]) },
      { secretbox: aesKeys(['k', K32]) },
    ]);
    const cases: Array<[string, RegExp]> = [
      ['k8s:enc:aescbc:v1:k:', /shorter than the 16-byte IV/],
      ['k8s:enc:aescbc:v1:k:0123456789abcdef', /no ciphertext after the IV/],
      ['k8s:enc:aescbc:v1:k:0123456789abcdef0123', /not a multiple of the 16-byte block size/],
      ['k8s:enc:aesgcm:v1:k:01234567890', /shorter than the 12-byte nonce/],
      ['k8s:enc:aesgcm:v1:k:0123456789ab0123', /authentication failed: the data is shorter than the 16-byte tag/],
      ['k8s:enc:secretbox:v1:k:0123456789abcdef0123456789abcdef', /shorter than the 24-byte nonce and 16-byte tag/],
      ['k8s:enc:aescbc', /has no such key/],
    ];
    for (const [text, message] of cases) {
      const d = decode(bytes(text), { decryption: cfg, key: SECRET_KEY });
      assert.equal(d.error?.name, 'DecodeError', text);
      assert.match(d.error!.message, message, text);
    }
    const full = nodeGcm('k', K16, object, SECRET_KEY);
    for (let n = 20; n < full.length; n += 7) {
      assert.equal(
        decode(full.subarray(0, n), { decryption: cfg, key: SECRET_KEY }).error?.name,
        'DecodeError',
        `cut at ${n}`,
      );
    }
  });
});

describe('config entries per resource', () => {
  const two = loadEncryptionConfig({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [
      { resources: ['secrets'], providers: [{ aesgcm: aesKeys(['key1', K16]) }] },
      { resources: ['configmaps', '*.apps'], providers: [{ aesgcm: aesKeys(['key1', K32]) }] },
      { resources: ['*.*'], providers: [{ secretbox: aesKeys(['all', K32]) }] },
    ],
  });
  const object = encode(SECRET);

  test('the same key name in two entries: the resource selects the entry, and without one both are tried', () => {
    const v = nodeGcm('key1', K32, object, '/registry/configmaps/default/c');
    assert.deepEqual(
      decryptValue(v, two, { key: '/registry/configmaps/default/c', resource: 'configmaps' }).resources,
      ['configmaps', '*.apps'],
    );
    assert.deepEqual(decryptValue(v, two, { key: '/registry/configmaps/default/c' }).resources, [
      'configmaps',
      '*.apps',
    ]);
    assert.throws(
      () => decryptValue(v, two, { key: '/registry/configmaps/default/c', resource: 'secrets' }),
      /aesgcm key "key1" \(128-bit\): authentication failed/,
    );
    const d = nodeGcm('key1', K32, object, '/registry/deployments/default/d');
    assert.equal(
      decryptValue(d, two, { key: '/registry/deployments/default/d', resource: 'deployments.apps' }).keyName,
      'key1',
    );
    const s = nodeSecretbox('all', K32, object);
    assert.equal(decryptValue(s, two, { resource: 'leases.coordination.k8s.io' }).keyName, 'all');
    assert.throws(
      () => decryptValue(s, two, { resource: 'secrets' }),
      /has no such key for secrets \(it has: aesgcm "key1"\)/,
    );
  });

  test('AES-CBC keys with one name in two entries: the one whose output is an object wins', () => {
    const cfg = loadEncryptionConfig({
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'EncryptionConfiguration',
      resources: [
        { resources: ['secrets'], providers: [{ aescbc: aesKeys(['key1', K16]) }] },
        { resources: ['configmaps'], providers: [{ aescbc: aesKeys(['key1', K32]) }] },
      ],
    });
    for (let i = 0; i < 64; i++) {
      const got = decryptValue(nodeCbc('key1', K32, object), cfg);
      assert.equal(got.resources[0], 'configmaps');
      assert.deepEqual(got.plaintext, object);
    }
  });
});

describe('encryptValue writes what kube-apiserver writes', () => {
  test('first provider, first key; round trip through decode; identity leaves the bytes', () => {
    const object = encode(SECRET);
    for (const provider of ['aescbc', 'aesgcm', 'secretbox']) {
      const cfg = config([{ [provider]: aesKeys(['first', K32], ['second', K16.repeat(2)]) }, { identity: {} }]);
      const stored = encryptValue(object, cfg, { key: SECRET_KEY, resource: 'secrets' });
      assert.ok(Buffer.from(stored).toString('latin1').startsWith(`k8s:enc:${provider}:v1:first:`));
      const d = decode(stored, { decryption: cfg, key: SECRET_KEY });
      assert.deepEqual([d.object, d.encryption?.keyName], [DECODED, 'first']);
    }
    assert.equal(encryptValue(object, config([{ identity: {} }, { aescbc: aesKeys(['k', K16]) }])), object);
    assert.throws(() => encryptValue(object, config([{ aesgcm: aesKeys(['k', K16]) }])), /pass \{ key \}/);
  });
});

describe('loadEncryptionConfig', () => {
  test('YAML text, JSON text, bytes, a file path, the legacy EncryptionConfig kind', () => {
    const dir = makeTempDir('kubetcd-enc-');
    try {
      const file = path.join(dir, 'encryption-config.yaml');
      fs.writeFileSync(file, GO_CONFIG_YAML);
      const fromFile = loadEncryptionConfig(file);
      assert.equal(fromFile.source, file);
      const json = JSON.stringify({
        kind: 'EncryptionConfig',
        apiVersion: 'v1',
        resources: [
          { resources: ['secrets'], providers: [{ secretbox: { keys: [{ name: 'k', secret: b64(K32) }] } }] },
        ],
      });
      for (const cfg of [
        fromFile,
        loadEncryptionConfig(GO_CONFIG_YAML),
        loadEncryptionConfig(Buffer.from(GO_CONFIG_YAML)),
      ]) {
        assert.deepEqual(
          cfg.rules[0]!.providers.map((p) => [p.type, p.keys.map((k) => `${k.name}/${k.bytes}`)]),
          [
            ['aesgcm', ['key1/16', 'key2/24', 'key3/32']],
            ['aescbc', ['key1/16', 'key2/24', 'key3/32']],
            ['secretbox', ['key1/32']],
            ['identity', []],
          ],
        );
      }
      assert.equal(loadEncryptionConfig(json).rules[0]!.providers[0]!.type, 'secretbox');
      assert.equal(loadEncryptionConfig(fromFile), fromFile);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('secrets are not shown when the config is printed or serialised', () => {
    const cfg = loadEncryptionConfig(GO_CONFIG_YAML);
    const printed = JSON.stringify(cfg) + util.inspect(cfg, { depth: 10 });
    for (const s of [K16, K24, K32, b64(K16), b64(K32)]) assert.ok(!printed.includes(s), s);
    assert.deepEqual(cfg.rules[0]!.providers[2]!.keys[0]!.secret, bytes(K32));
  });

  test('invalid configurations are refused as kube-apiserver refuses them, naming the field', () => {
    const wrap = (providers: unknown[]): Record<string, unknown> => ({
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'EncryptionConfiguration',
      resources: [{ resources: ['secrets'], providers }],
    });
    const cases: Array<[unknown, RegExp]> = [
      [
        wrap([{ aescbc: { keys: [{ name: 'k', secret: b64('x'.repeat(20)) }] } }]),
        /resources\[0\]\.providers\[0\]\.aescbc\.keys\[0\]\.secret: the secret of key "k" is 20 bytes, expected 16, 24, 32/,
      ],
      [
        wrap([{ secretbox: { keys: [{ name: 'k', secret: b64(K16) }] } }]),
        /secretbox\.keys\[0\]\.secret: .* is 16 bytes, expected 32/,
      ],
      [wrap([{ aesgcm: { keys: [{ name: 'k', secret: 'not base64!' }] } }]), /is not valid base64 \(value not shown\)/],
      [wrap([{ aesgcm: { keys: [] } }]), /aesgcm\.keys: at least one key is required/],
      [
        wrap([
          {
            aesgcm: {
              keys: [
                { name: 'k', secret: b64(K16) },
                { name: 'k', secret: b64(K16) },
              ],
            },
          },
        ]),
        /the key name "k" is given twice/,
      ],
      [wrap([{ rot13: {} }]), /found "rot13", expected exactly one of aescbc, aesgcm, secretbox, kms, identity/],
      [
        wrap([{ identity: {}, aescbc: { keys: [{ name: 'k', secret: b64(K16) }] } }]),
        /found "identity", "aescbc", expected exactly one/,
      ],
      [wrap([{ kms: { name: 'v', apiVersion: 'v3' } }]), /kms\.apiVersion: "v3", expected v1 or v2/],
      [wrap([]), /resources\[0\]\.providers: at least one provider is required/],
      [
        { apiVersion: 'v1', kind: 'ConfigMap' },
        /"v1"\/"ConfigMap", expected apiserver\.config\.k8s\.io\/v1 EncryptionConfiguration/,
      ],
      ['apiVersion: [unclosed\n', /not valid YAML or JSON/],
      [
        '/no/such/encryption-config.yaml',
        /Cannot read the encryption configuration "\/no\/such\/encryption-config\.yaml": no such file/,
      ],
    ];
    for (const [input, message] of cases) {
      assert.throws(
        () => loadEncryptionConfig(input as string),
        { name: 'InvalidArgumentError', message },
        String(message),
      );
    }
  });
});
