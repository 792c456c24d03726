/**
 * encode(): objects → the bytes kube-apiserver stores (gogo protobuf rules), and its errors.
 * The byte-for-byte comparison with Kubernetes' own fixtures is in decode-golden.test.ts.
 */
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decode, encode } from '../../src/codec';
import type { KubeObject } from '../../src/codec';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ascii = (s: string): string => Buffer.from(s).toString('hex');

describe('encode', () => {
  test('writes k8s\\0 + runtime.Unknown with gogo field rules (ConfigMap, bytes checked by hand)', () => {
    const bytes = encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { b: '2', a: '1' } });
    // ObjectMeta: name, then the non-pointer fields generateName…resourceVersion (empty), generation (0),
    // creationTimestamp (zero Time: an empty message); pointers and nil slices/maps are not written.
    const meta = `0a01${ascii('c')}` + '1200' + '1a00' + '2200' + '2a00' + '3200' + '3800' + '4200';
    // data entries sorted by key, key and value always written
    const data =
      `1206${`0a01${ascii('a')}`}${`1201${ascii('1')}`}` + `1206${`0a01${ascii('b')}`}${`1201${ascii('2')}`}`;
    const raw = `0a11${meta}${data}`;
    const unknown =
      `0a0f0a02${ascii('v1')}1209${ascii('ConfigMap')}` + `12${(raw.length / 2).toString(16)}${raw}` + '1a00' + '2200';
    assert.equal(hex(bytes), `6b387300${unknown}`);
  });

  test('bare: only the object protobuf', () => {
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    const full = encode(obj);
    const bare = encode(obj, { bare: true });
    assert.ok(Buffer.from(full).includes(Buffer.from(bare)));
    assert.equal(bare[0], 0x0a);
  });

  test('negative int32 values are sign-extended to 10 bytes, as Go does', () => {
    const bytes = encode({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { priority: -1 } });
    assert.ok(Buffer.from(bytes).includes(Buffer.from('ffffffffffffffffff01', 'hex')));
    assert.equal(((decode(bytes).object as KubeObject)['spec'] as KubeObject)['priority'], -1);
  });

  test('a pointer is written only when set; a non-pointer scalar always', () => {
    const unset = encode(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: {} },
      { bare: true },
    );
    const zero = encode(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 0 } },
      { bare: true },
    );
    assert.equal(zero.length, unset.length + 2); // field 1 (replicas) = 0: 08 00
  });

  test('bytes fields are base64 in, raw bytes out; nil is not written, empty is', () => {
    const obj = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'aGVsbG8=', e: '' } };
    const bytes = encode(obj);
    assert.ok(Buffer.from(bytes).includes(Buffer.from('hello')));
    assert.deepEqual((decode(bytes).object as KubeObject)['data'], { e: '', k: 'aGVsbG8=' });
  });

  test('round trip keeps int64 beyond 2^53', () => {
    const bytes = encode({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', generation: 18446744073709551n },
    });
    assert.equal(((decode(bytes).object as KubeObject)['metadata'] as KubeObject)['generation'], 18446744073709551n);
  });

  test('kinds without TypeMeta take apiVersion/kind from the options and keep an empty envelope TypeMeta', () => {
    const bytes = encode({ type: 'ADDED', object: { a: 1 } }, { apiVersion: 'v1', kind: 'WatchEvent' });
    assert.equal(hex(bytes.subarray(0, 10)), '6b3873000a040a001200');
    const d = decode(bytes, { apiVersion: 'v1', kind: 'WatchEvent' });
    assert.deepEqual(d.object, { type: 'ADDED', object: { a: 1 } });
  });
});

describe('encode errors name the offending field', () => {
  const base = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } };

  test('a string where a number belongs', () => {
    assert.throws(
      () => encode({ ...base, spec: { replicas: '3' } }),
      (e: Error) => {
        assert.equal(e.name, 'EncodeError');
        assert.match(
          e.message,
          /^Cannot encode spec\.replicas: expected an integer \(int32\), found the string "3"\.$/,
        );
        return true;
      },
    );
  });

  test('an int32 out of range', () => {
    assert.throws(
      () => encode({ ...base, spec: { replicas: 2 ** 31 } }),
      /spec\.replicas: 2147483648 is out of range for int32/,
    );
  });

  test('a field the kind does not have', () => {
    assert.throws(
      () => encode({ ...base, spec: { replicaz: 1 } }),
      (e: Error) => {
        assert.equal(e.name, 'EncodeError');
        assert.match(
          e.message,
          /^Cannot encode spec\.replicaz: k8s\.io\.api\.apps\.v1\.DeploymentSpec has no field "replicaz"/,
        );
        return true;
      },
    );
  });

  test('an element inside a list', () => {
    assert.throws(
      () => encode({ ...base, spec: { template: { spec: { containers: [{ name: 'a' }, { name: 5 }] } } } }),
      /spec\.template\.spec\.containers\[1\]\.name: expected a string, found number 5/,
    );
  });

  test('an unknown kind', () => {
    assert.throws(
      () => encode({ apiVersion: 'example.com/v1', kind: 'Widget' }),
      (e: Error) => {
        assert.equal(e.name, 'EncodeError');
        assert.match(e.message, /kind "Widget" of "example\.com\/v1": the schema .* does not know it/);
        return true;
      },
    );
  });

  test('bad base64, quantity and time', () => {
    assert.throws(
      () => encode({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'not base64!' } }),
      /data\["k"\]: expected base64/,
    );
    assert.throws(
      () => encode({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { cpu: '1x' } } }),
      /spec\.hard\["cpu"\]/,
    );
    assert.throws(
      () => encode({ ...base, metadata: { name: 'd', creationTimestamp: 'yesterday' } }),
      /metadata\.creationTimestamp/,
    );
  });
});
