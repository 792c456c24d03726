/**
 * Go's JSON rules on hand-built values: each test writes protobuf (with `encode`, or field by field with
 * the wire writer when `encode` cannot express the case) and checks the JSON Kubernetes would print.
 */
import * as assert from 'node:assert/strict';
import { wrapEnvelope } from '../../src/codec/encode';
import { describe, test } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createCodec,
  decode,
  encode,
  findRepoRoot,
  installedSourcesDir,
  rawJsonMark,
  toKubeJson,
} from '../../src/codec';
import { rawJsonFieldMark } from '../../src/codec/raw-json';
import type { CompiledSchema, KubeObject, SchemaField } from '../../src/codec';
import { WireWriter } from '../../src/codec/wire-writer';

const envelope = wrapEnvelope;

function roundTrip(obj: KubeObject): KubeObject {
  const d = decode(encode(obj));
  assert.equal(d.error, undefined, d.error?.message);
  return d.object as KubeObject;
}

/** A protobuf ConfigMap named `n` whose labels map each key's bytes to its hex (keys may be invalid UTF-8). */
function configMapWithLabels(keys: Buffer[]): Uint8Array {
  const meta = new WireWriter();
  meta.tag(1, 2);
  meta.bytes(Buffer.from('n'));
  for (const k of keys) {
    meta.tag(11, 2); // labels
    meta.begin();
    meta.tag(1, 2);
    meta.bytes(k);
    meta.tag(2, 2);
    meta.bytes(Buffer.from(k.toString('hex')));
    meta.end();
  }
  const cm = new WireWriter();
  cm.tag(1, 2);
  cm.bytes(meta.finish());
  return envelope('v1', 'ConfigMap', cm.finish());
}

function get(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const p of path.split('.')) cur = (cur as Record<string, unknown>)[p];
  return cur;
}

describe('pointers and omitempty', () => {
  test('a pointer set to zero is printed (Deployment spec.replicas: 0)', () => {
    const o = roundTrip({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 0 } });
    assert.equal(get(o, 'spec.replicas'), 0);
    assert.ok(toKubeJson(o).includes('"spec":{"replicas":0,'));
  });

  test('an unset pointer is left out', () => {
    const o = roundTrip({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: {} });
    assert.equal(Object.hasOwn(get(o, 'spec') as object, 'replicas'), false);
  });

  test('non-pointer omitempty zeros are written on the wire but not printed (generation 0, generateName "")', () => {
    const bytes = encode({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', generation: 0, generateName: '' },
    });
    // gogo writes them: ObjectMeta field 2 (generateName) empty and field 7 (generation) 0
    assert.ok(Buffer.from(bytes).includes(Buffer.from([0x12, 0x00])));
    assert.ok(Buffer.from(bytes).includes(Buffer.from([0x38, 0x00])));
    const o = decode(bytes).object as KubeObject;
    assert.deepEqual(Object.keys(o['metadata'] as object), ['name']);
  });

  test('fields without omitempty are always printed with Go zero values', () => {
    // a ContainerStatus holding only its name
    const status = new WireWriter();
    status.tag(1, 2);
    status.bytes(Buffer.from('app'));
    const podStatus = new WireWriter();
    podStatus.tag(8, 2); // containerStatuses
    podStatus.bytes(status.finish());
    const pod = new WireWriter();
    pod.tag(3, 2);
    pod.bytes(podStatus.finish());
    const d = decode(envelope('v1', 'Pod', pod.finish()));
    assert.equal(d.error, undefined, d.error?.message);
    const cs = (get(d.object, 'status.containerStatuses') as unknown[])[0];
    assert.equal(
      toKubeJson(cs),
      '{"name":"app","state":{},"lastState":{},"ready":false,"restartCount":0,"image":"","imageID":""}',
    );
  });

  test('a nil list without omitempty prints null (ClusterRole rules)', () => {
    const o = roundTrip({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' } });
    assert.equal(o['rules'], null);
    assert.ok(toKubeJson(o).endsWith('"rules":null}'));
  });

  test('a nil map without omitempty prints null, an empty map value is kept', () => {
    const o = roundTrip({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { empty: '', k: 'aGk=' } });
    assert.deepEqual(o['data'], { empty: '', k: 'aGk=' });
  });

  test('a non-pointer struct is always printed, {} when empty (Namespace spec and status)', () => {
    const o = roundTrip({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } });
    assert.equal(toKubeJson(o), '{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"n"},"spec":{},"status":{}}');
  });

  test('a non-pointer struct absent from the wire prints its fields defaults', () => {
    // Namespace with no spec/status bytes at all
    const meta = new WireWriter();
    meta.tag(1, 2);
    meta.bytes(Buffer.from('n'));
    const ns = new WireWriter();
    ns.tag(1, 2);
    ns.bytes(meta.finish());
    const d = decode(envelope('v1', 'Namespace', ns.finish()));
    assert.equal(
      toKubeJson(d.object),
      '{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"n"},"spec":{},"status":{}}',
    );
  });
});

describe('Kubernetes versions: each kind decodes with the rules of the newest version that has it', () => {
  const NAMESPACE = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } };

  test('1.36 leaves a zero creationTimestamp out (omitzero); the result names the version', () => {
    const d = decode(encode(NAMESPACE));
    assert.equal(d.schemaVersion, '1.36');
    assert.equal(
      toKubeJson(d.object),
      '{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"n"},"spec":{},"status":{}}',
    );
  });

  test('a kind only 1.32 has prints a zero creationTimestamp as null, as 1.32 does', () => {
    const pc = { apiVersion: 'scheduling.k8s.io/v1alpha1', kind: 'PriorityClass', metadata: { name: 'p' }, value: 5 };
    const d = decode(encode(pc));
    assert.equal(d.error, undefined, d.error?.message);
    assert.equal(d.schemaVersion, '1.32');
    assert.equal(
      toKubeJson(d.object),
      '{"kind":"PriorityClass","apiVersion":"scheduling.k8s.io/v1alpha1","metadata":{"name":"p","creationTimestamp":null},"value":5}',
    );
    // the same message name decodes with 1.36's fields for a kind 1.36 has
    const v1 = decode(encode({ ...pc, apiVersion: 'scheduling.k8s.io/v1' }));
    assert.equal(v1.schemaVersion, '1.36');
    assert.equal(
      toKubeJson(v1.object),
      '{"kind":"PriorityClass","apiVersion":"scheduling.k8s.io/v1","metadata":{"name":"p"},"value":5}',
    );
  });

  test('a codec of 1.32 alone prints 1.32 rules for every kind', () => {
    const older = createCodec({ sourcesDir: installedSourcesDir('1.32') });
    const d = older.decode(encode(NAMESPACE));
    assert.equal(d.schemaVersion, '1.32');
    assert.equal(
      toKubeJson(d.object),
      '{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"n","creationTimestamp":null},"spec":{},"status":{}}',
    );
  });

  test('1.36 decodes fields 1.32 does not know; 1.32 keeps them in unknownFields', () => {
    // PodSpec field 41 (hostnameOverride) is new since 1.32
    const spec = new WireWriter();
    spec.tag(41, 2);
    spec.bytes(Buffer.from('h'));
    const pod = new WireWriter();
    pod.tag(2, 2);
    pod.bytes(spec.finish());
    const value = envelope('v1', 'Pod', pod.finish());
    const newer = decode(value);
    assert.equal(newer.unknownFields, undefined);
    assert.equal(get(newer.object, 'spec.hostnameOverride'), 'h');
    const older = createCodec({ sourcesDir: installedSourcesDir('1.32') }).decode(value);
    assert.deepEqual(older.unknownFields, [{ path: 'spec', number: 41, wireType: 2, value: 'h' }]);
  });
});

describe('special types', () => {
  test('zero Time prints null even with omitempty (but not omitzero, see below); zero MicroTime too', () => {
    const o = roundTrip({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', creationTimestamp: '2022-09-09T04:01:18Z' },
      spec: { template: { metadata: { labels: { a: 'b' } } } },
    });
    assert.equal(get(o, 'metadata.creationTimestamp'), '2022-09-09T04:01:18Z');
    assert.equal(Object.hasOwn(get(o, 'spec.template.metadata') as object, 'creationTimestamp'), false);
    const ev = roundTrip({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' } });
    assert.equal(ev['eventTime'], null);
    assert.equal(ev['firstTimestamp'], null);
  });

  test('MicroTime keeps six fractional digits', () => {
    const ev = roundTrip({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e' },
      eventTime: '2022-09-09T04:01:18.123456Z',
    });
    assert.equal(ev['eventTime'], '2022-09-09T04:01:18.123456Z');
  });

  test('IntOrString 0 and "" are printed', () => {
    const o = roundTrip({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '' } } },
    });
    assert.deepEqual(get(o, 'spec.strategy.rollingUpdate'), { maxUnavailable: 0, maxSurge: '' });
    const svc = roundTrip({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { ports: [{ port: 80 }] },
    });
    assert.equal(toKubeJson((get(svc, 'spec.ports') as unknown[])[0]), '{"port":80,"targetPort":0}');
  });

  test('Quantity prints its canonical form', () => {
    const o = roundTrip({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'q' },
      spec: { hard: { cpu: '0.5', memory: '1.5Gi', pods: '1e3' } },
    });
    assert.deepEqual(get(o, 'spec.hard'), { cpu: '500m', memory: '1536Mi', pods: '1e3' });
  });

  test('RawExtension and FieldsV1 print their embedded JSON; nil prints null', () => {
    const o = roundTrip({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'c',
        managedFields: [
          { manager: 'm', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } },
          { manager: 'n' },
        ],
      },
    });
    const mf = get(o, 'metadata.managedFields') as Record<string, unknown>[];
    assert.deepEqual(mf[0]?.['fieldsV1'], { 'f:data': { 'f:a': {} } });
    assert.equal(Object.hasOwn(mf[1] as object, 'fieldsV1'), false);
  });

  test('embedded JSON keeps its stored text (number forms, escapes) for printing and re-encoding', () => {
    const stored = '{ "b" : [1, 2.50, -0, 1e3],\n "e": "\\u00e9\\/" }';
    const event = new WireWriter();
    event.tag(1, 2);
    event.bytes(Buffer.from('ADDED'));
    event.tag(2, 2);
    event.begin();
    event.tag(1, 2);
    event.bytes(Buffer.from(stored));
    event.end();
    const d = decode(envelope('', '', event.finish()), { apiVersion: 'v1', kind: 'WatchEvent' });
    assert.equal(d.error, undefined, d.error?.message);
    const obj = (d.object as KubeObject)['object'] as { b: number[]; e: string };
    assert.deepEqual(obj, { b: [1, 2.5, -0, 1000], e: 'é/' });
    assert.deepEqual(rawJsonMark(obj), {
      text: '{"b":[1,2.50,-0,1e3],"e":"\\u00e9\\/"}',
      printed: '{"b":[1,2.5,-0,1000],"e":"é/"}',
    });
    assert.equal(toKubeJson(d.object), '{"type":"ADDED","object":{"b":[1,2.50,-0,1e3],"e":"\\u00e9\\/"}}');
    const again = encode(d.object as KubeObject, { apiVersion: 'v1', kind: 'WatchEvent' });
    assert.ok(Buffer.from(again).includes(Buffer.from('{"b":[1,2.50,-0,1e3],"e":"\\u00e9\\/"}')));
    obj.b.push(4); // an edited value is written as edited
    assert.equal(toKubeJson(d.object), '{"type":"ADDED","object":{"b":[1,2.5,-0,1000,4],"e":"é/"}}');
    const edited = encode(d.object as KubeObject, { apiVersion: 'v1', kind: 'WatchEvent' });
    assert.ok(Buffer.from(edited).includes(Buffer.from('{"b":[1,2.5,-0,1000,4],"e":"é/"}')));
    // canonical text gets no mark
    const plain = roundTrip({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', managedFields: [{ manager: 'm', fieldsV1: { 'f:a': {} } }] },
    });
    assert.equal(rawJsonMark((get(plain, 'metadata.managedFields') as KubeObject[])[0]?.['fieldsV1']), undefined);
  });

  test('embedded JSON holding a bare number keeps its stored text (12.50) on the parent object', () => {
    const event = new WireWriter();
    event.tag(1, 2);
    event.bytes(Buffer.from('ADDED'));
    event.tag(2, 2);
    event.begin();
    event.tag(1, 2);
    event.bytes(Buffer.from(' 12.50 '));
    event.end();
    const d = decode(envelope('', '', event.finish()), { apiVersion: 'v1', kind: 'WatchEvent' });
    assert.equal(d.error, undefined, d.error?.message);
    const obj = d.object as KubeObject;
    assert.equal(obj['object'], 12.5);
    assert.deepEqual(rawJsonFieldMark(obj, 'object'), { text: '12.50', printed: '12.5' });
    assert.equal(toKubeJson(obj), '{"type":"ADDED","object":12.50}');
    assert.equal(toKubeJson(obj, { indent: '  ' }), '{\n  "type": "ADDED",\n  "object": 12.50\n}');
    // the mark is invisible to JSON.stringify, deepEqual and key listings
    assert.equal(JSON.stringify(obj), '{"type":"ADDED","object":12.5}');
    assert.deepEqual(obj, { type: 'ADDED', object: 12.5 });
    assert.deepEqual(Object.keys(obj), ['type', 'object']);
    // encode writes the stored bytes back (compacted, as Go prints them)
    const again = encode(obj, { apiVersion: 'v1', kind: 'WatchEvent' });
    assert.ok(Buffer.from(again).includes(Buffer.from([0x12, 0x07, 0x0a, 0x05, ...Buffer.from('12.50')])));
    // an edited value prints and encodes as edited
    obj['object'] = 13;
    assert.equal(toKubeJson(obj), '{"type":"ADDED","object":13}');
    assert.ok(
      Buffer.from(encode(obj, { apiVersion: 'v1', kind: 'WatchEvent' })).includes(
        Buffer.from([0x12, 0x04, 0x0a, 0x02, ...Buffer.from('13')]),
      ),
    );
    Object.assign(obj, { object: { a: 12.5 } });
    assert.equal(toKubeJson(obj), '{"type":"ADDED","object":{"a":12.5}}');
    // canonical text gets no mark
    const plain = new WireWriter();
    plain.tag(2, 2);
    plain.begin();
    plain.tag(1, 2);
    plain.bytes(Buffer.from('12.5'));
    plain.end();
    const p = decode(envelope('', '', plain.finish()), { apiVersion: 'v1', kind: 'WatchEvent' });
    assert.equal(rawJsonFieldMark(p.object, 'object'), undefined);
  });

  test('int64 beyond 2^53 stays exact', () => {
    const o = roundTrip({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', generation: 9007199254740993n },
    });
    assert.equal(get(o, 'metadata.generation'), 9007199254740993n);
    assert.ok(toKubeJson(o).includes('"generation":9007199254740993'));
    const neg = roundTrip({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', generation: -5 } });
    assert.equal(get(neg, 'metadata.generation'), -5);
  });

  test('invalid UTF-8 keeps each invalid byte as U+DC00+byte, prints \\ufffd per byte and re-encodes exactly', () => {
    const meta = new WireWriter();
    meta.tag(1, 2);
    meta.bytes(new Uint8Array([0x61, 0xff, 0xfe, 0x62]));
    const cm = new WireWriter();
    cm.tag(1, 2);
    cm.bytes(meta.finish());
    const d = decode(envelope('v1', 'ConfigMap', cm.finish()));
    assert.equal(d.error, undefined, d.error?.message);
    assert.equal(get(d.object, 'metadata.name'), 'a\uDCFF\uDCFEb');
    assert.ok(toKubeJson(d.object).includes('"name":"a\\ufffd\\ufffdb"'));
    const again = encode(d.object as KubeObject);
    assert.ok(
      Buffer.from(again).includes(Buffer.from([0x0a, 0x04, 0x61, 0xff, 0xfe, 0x62])),
      Buffer.from(again).toString('hex'),
    );
  });

  test('map keys holding invalid UTF-8 sort by their stored bytes, as Go sorts them', () => {
    const d = decode(configMapWithLabels([Buffer.from('é'), Buffer.from([0x80, 0x28]), Buffer.from('a')]));
    assert.equal(d.error, undefined, d.error?.message);
    assert.deepEqual(Object.keys(get(d.object, 'metadata.labels') as object), ['a', '\uDC80(', 'é']);
    assert.ok(toKubeJson(d.object).includes('"labels":{"a":"61","\\ufffd(":"8028","é":"c3a9"}'));
  });

  test('map keys that differ only in invalid bytes stay two keys and print as Go prints them', () => {
    const d = decode(
      configMapWithLabels([
        Buffer.from([0xff]),
        Buffer.from('10'),
        Buffer.from([0xfe]),
        Buffer.from('9'),
        Buffer.from('é'),
        Buffer.from([0xc3, 0x28]),
      ]),
    );
    assert.equal(d.error, undefined, d.error?.message);
    // integer-like keys make toKubeJson sort the map: by original bytes, as Go does
    assert.ok(
      toKubeJson(d.object).includes(
        '"labels":{"10":"3130","9":"39","\\ufffd(":"c328","é":"c3a9","\\ufffd":"fe","\\ufffd":"ff"}',
      ),
      toKubeJson(d.object),
    );
    const again = decode(encode(d.object as KubeObject));
    assert.equal(toKubeJson(again.object), toKubeJson(d.object));
  });

  test('bytes print as padded standard base64, map keys sorted', () => {
    const o = roundTrip({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { z: 'AA==', a: '/+8=' } });
    assert.equal(toKubeJson(o['data']), '{"a":"/+8=","z":"AA=="}');
  });
});

describe('unknown data and bad input', () => {
  test('a field the schema does not know is kept in unknownFields with its path', () => {
    const meta = new WireWriter();
    meta.tag(1, 2);
    meta.bytes(Buffer.from('n'));
    meta.tag(99, 0);
    meta.varint(7);
    const cm = new WireWriter();
    cm.tag(1, 2);
    cm.bytes(meta.finish());
    const d = decode(envelope('v1', 'ConfigMap', cm.finish()));
    assert.equal(d.error, undefined);
    assert.deepEqual(d.unknownFields, [{ path: 'metadata', number: 99, wireType: 0, value: 7 }]);
    assert.equal(get(d.object, 'metadata.name'), 'n');
  });

  test('an unknown kind gives a schema-less dump and an explanation', () => {
    const body = new WireWriter();
    body.tag(1, 2);
    body.bytes(Buffer.from('hello'));
    body.tag(2, 0);
    body.varint(42);
    const d = decode(envelope('example.com/v1', 'Widget', body.finish()));
    assert.equal(d.kind, 'Widget');
    assert.equal(d.apiVersion, 'example.com/v1');
    assert.match(d.error?.message ?? '', /Unknown kind "Widget" of "example.com\/v1"/);
    assert.equal(d.object, undefined);
    assert.deepEqual(d.protoFields, [
      { number: 1, wireType: 2, value: 'hello', as: 'string' },
      { number: 2, wireType: 0, value: 42 },
    ]);
  });

  test('a truncated value reports the offset where data ran out', () => {
    const full = encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } });
    for (const cut of [6, 10, 20, full.length - 3]) {
      const d = decode(full.subarray(0, cut));
      assert.ok(d.error !== undefined, `cut at ${cut} must fail`);
      assert.equal(d.error.name, 'DecodeError');
      assert.ok(d.error.offset >= 0 && d.error.offset <= cut, `offset ${d.error.offset} within the value (cut ${cut})`);
      assert.match(d.error.message, /byte \d+/);
    }
  });

  test('a length running past the end is reported at the length prefix', () => {
    const raw = new Uint8Array([0x0a, 0x03, 0x0a, 0x10, 0x61]); // metadata: 3 bytes, its name claims 16
    const value = envelope('v1', 'ConfigMap', raw);
    const d = decode(value);
    assert.equal(d.error?.name, 'DecodeError');
    assert.match(d.error?.message ?? '', /length 16 runs past the end/);
    const rawAt = value.length - 4 - raw.length; // before contentEncoding/contentType (2 bytes each)
    assert.equal(d.error?.offset, rawAt + 3); // the name's length byte
  });

  test('garbage after the magic never throws', () => {
    const junk = new Uint8Array([
      0x6b, 0x38, 0x73, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ]);
    const d = decode(junk);
    assert.equal(d.encoding, 'protobuf');
    assert.equal(d.error?.name, 'DecodeError');
  });

  test('a wrong wire type names the field and what was expected', () => {
    const raw = new Uint8Array([0x08, 0x01]); // ConfigMap field 1 (metadata) as a varint
    const value = envelope('v1', 'ConfigMap', raw);
    const d = decode(value);
    assert.match(d.error?.message ?? '', /metadata \(1\) expects length-delimited, found varint/);
    assert.equal(d.error?.offset, value.length - 4 - raw.length); // the tag's offset in the value
  });

  test('an invalid Quantity fails like Kubernetes does', () => {
    const q = new WireWriter();
    q.tag(1, 2);
    q.bytes(Buffer.from('12xyz'));
    const entry = new WireWriter();
    entry.tag(1, 2);
    entry.bytes(Buffer.from('cpu'));
    entry.tag(2, 2);
    entry.bytes(q.finish());
    const spec = new WireWriter();
    spec.tag(1, 2);
    spec.bytes(entry.finish());
    const rq = new WireWriter();
    rq.tag(2, 2);
    rq.bytes(spec.finish());
    const d = decode(envelope('v1', 'ResourceQuota', rq.finish()));
    assert.match(d.error?.message ?? '', /invalid quantity "12xyz"/);
  });
});

describe('hostile input', () => {
  test('thousands of corrupted values never throw and report offsets inside the value', () => {
    const good = encode({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', labels: { a: 'b' }, creationTimestamp: '2022-09-09T04:01:18Z' },
      spec: {
        replicas: 2,
        template: { spec: { containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: '1' } } }] } },
      },
    });
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    let failures = 0;
    for (let i = 0; i < 3000; i++) {
      const v = Buffer.from(good);
      const kind = rand(3);
      let bytes: Uint8Array = v;
      if (kind === 0) v[4 + rand(v.length - 4)] = rand(256);
      else if (kind === 1) bytes = v.subarray(0, 4 + rand(v.length - 4));
      else
        for (let j = 0; j < 4; j++) {
          const at = 4 + rand(v.length - 4);
          v[at] = (v[at] as number) ^ (1 << rand(8));
        }
      const d = decode(bytes);
      if (d.error !== undefined) {
        failures++;
        assert.equal(d.error.name, 'DecodeError');
        assert.ok(d.error.offset >= 0 && d.error.offset <= bytes.length, `offset ${d.error.offset} of ${bytes.length}`);
      }
    }
    assert.ok(failures > 500, `most corruptions are detected (${failures})`);
  });
});

describe('other encodings', () => {
  test('JSON values pass through, int64 exact, apiVersion/kind read from them', () => {
    const d = decode(
      Buffer.from('{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"generation":9007199254740993}}\n'),
    );
    assert.equal(d.error, undefined);
    assert.equal(d.encoding, 'json');
    assert.equal(d.kind, 'Widget');
    assert.equal(d.apiVersion, 'example.com/v1');
    assert.equal(get(d.object, 'metadata.generation'), 9007199254740993n);
  });

  test('the JSON-era pod of the auger data (key line + JSON) decodes', () => {
    const text = fs.readFileSync(
      path.join(findRepoRoot(), '..', 'shared', 'data', 'auger-testdata', 'json', 'pod-with-key.txt'),
    );
    const d = decode(text);
    assert.equal(d.error, undefined, d.error?.message);
    assert.equal(d.encoding, 'json');
    assert.equal(d.kind, 'Pod');
    assert.equal(get(d.object, 'metadata.name'), 'pi-dqtsw');
  });

  test('broken JSON reports an offset', () => {
    const d = decode(Buffer.from('{"kind": "Pod", "metadata": {'));
    assert.equal(d.encoding, 'json');
    assert.equal(d.error?.name, 'DecodeError');
  });

  test('encrypted values are described, not decoded', () => {
    const d = decode(Buffer.concat([Buffer.from('k8s:enc:aescbc:v1:key1:'), Buffer.alloc(32, 7)]));
    assert.equal(d.encoding, 'encrypted');
    assert.deepEqual(d.encryption, { provider: 'aescbc', version: 'v1', keyName: 'key1', ciphertextBytes: 32 });
    assert.equal(d.object, undefined);
  });

  test('anything else is raw with a preview', () => {
    const d = decode(Buffer.from('1234'));
    assert.equal(d.encoding, 'raw');
    assert.equal(d.preview, '1234');
  });

  test('a value that is not bytes is an error, not an exception', () => {
    const d = decode('k8s' as unknown as Uint8Array);
    assert.equal(d.error?.name, 'DecodeError');
  });
});

describe('nesting limit', () => {
  test('messages nested deeper than 100 levels are refused', () => {
    // A schema of our own with a self-referencing message (built-in kinds have none).
    const field = (name: string, number: number, extra: Partial<SchemaField>): SchemaField => ({
      name,
      number,
      type: 'string',
      repeated: false,
      omitEmpty: true,
      nullable: false,
      pointer: false,
      inline: false,
      goType: 'string',
      ...extra,
    });
    const schema: CompiledSchema = {
      formatVersion: 0,
      source: { dir: '', description: 'test', fingerprint: '' },
      messages: {
        't.Node': {
          name: 't.Node',
          goPackage: 't',
          typeMetaAt: 0,
          fields: [
            field('name', 1, {}),
            field('child', 2, { type: 'message', message: 't.Node', pointer: true, nullable: true, goType: '*Node' }),
          ],
        },
      },
      kinds: { 'x/v1/Node': { group: 'x', version: 'v1', kind: 'Node', apiVersion: 'x/v1', message: 't.Node' } },
    };
    const codec = createCodec({ schema });
    const nest = (levels: number): KubeObject => {
      let o: KubeObject = { name: 'leaf' };
      for (let i = 0; i < levels; i++) o = { name: String(i), child: o };
      return { apiVersion: 'x/v1', kind: 'Node', ...o };
    };
    const ok = codec.decode(codec.encode(nest(99)));
    assert.equal(ok.error, undefined, ok.error?.message);
    assert.equal(get(ok.object, 'child.child.name'), '96');
    const w = new WireWriter();
    for (let i = 0; i < 150; i++) {
      w.tag(2, 2);
      w.begin();
    }
    for (let i = 0; i < 150; i++) w.end();
    const d = codec.decode(envelope('x/v1', 'Node', w.finish()));
    assert.match(d.error?.message ?? '', /nested deeper than 100/);
  });
});

test('an embedded JSON that is not JSON loses only that field: null, bytes kept, error beside the object', () => {
  // A ControllerRevision whose data (a RawExtension) holds bytes that are not JSON. Kubernetes' own
  // JSON printer fails on the whole object; kubetcd keeps everything else.
  const meta = new WireWriter();
  meta.tag(1, 2);
  meta.bytes(Buffer.from('web-6d4cf56db6'));
  const data = new WireWriter();
  data.tag(1, 2);
  data.bytes(Buffer.from([0x00, 0x01, 0xfe]));
  const cr = new WireWriter();
  cr.tag(1, 2);
  cr.bytes(meta.finish());
  cr.tag(2, 2);
  cr.bytes(data.finish());
  cr.tag(3, 0);
  cr.varint(7);
  const d = decode(envelope('apps/v1', 'ControllerRevision', cr.finish()));
  assert.ok(d.object, d.error?.message);
  const o = d.object as { metadata: { name: string }; data: unknown; revision: number };
  assert.equal(o.metadata.name, 'web-6d4cf56db6');
  assert.equal(o.data, null);
  assert.equal(o.revision, 7);
  assert.equal(d.error?.name, 'DecodeError');
  assert.match(d.error?.message ?? '', /data: the RawExtension at byte \d+ does not hold valid JSON/);
  assert.deepEqual(d.unknownFields, [{ path: 'data', number: 1, wireType: 2, value: '0001fe' }]);
});
