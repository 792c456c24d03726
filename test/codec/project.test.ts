/**
 * Projection decoding must agree with the full decode on every requested path: over a generated
 * cluster (every kind it writes, protobuf and JSON), over Kubernetes' own fixtures (testdata/HEAD, all
 * kinds), and on broken input (where it falls back to the full decode and reports the same error). It
 * must also really skip what is off the paths: a value broken only there still projects.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import _ from 'lodash';
import { decode, defaultSourcesDir, encode } from '../../src/codec';
import { createProjector, getPath } from '../../src/codec/project';
import { WireWriter } from '../../src/codec/wire-writer';
import { generateCluster } from '../../scripts/cluster/cluster-generator';

/** The columns of kubectl's pod table, wide included, plus what filters and groups read. */
const POD_TABLE = [
  'metadata.name',
  'metadata.namespace',
  'metadata.creationTimestamp',
  'metadata.deletionTimestamp',
  'metadata.labels',
  'spec.nodeName',
  'spec.containers',
  'spec.readinessGates',
  'status.phase',
  'status.reason',
  'status.podIP',
  'status.nominatedNodeName',
  'status.conditions',
  'status.containerStatuses',
  'status.initContainerStatuses',
];

const PATH_SETS: string[][] = [
  ['metadata.labels'],
  ['spec.nodeName'],
  ['metadata.labels.app', 'metadata.namespace', 'kind'],
  POD_TABLE,
  ['metadata'],
  ['spec', 'status.replicas', 'status.phase'],
  ['metadata.ownerReferences', 'metadata.annotations', 'spec.template.metadata.labels', 'spec.selector'],
  ['involvedObject.name', 'reason', 'firstTimestamp', 'count', 'data', 'type'],
  ['nothing.here', 'metadata.nothing'],
  // lists of messages, projected element by element
  [
    'spec.containers.name',
    'status.containerStatuses.ready',
    'status.containerStatuses.restartCount',
    'status.containerStatuses.state',
  ],
  [
    'status.conditions.type',
    'status.conditions.status',
    'spec.template.spec.containers.image',
    'subsets.addresses.ip',
    'endpoints.addresses',
  ],
];

function assertAgrees(
  value: Uint8Array,
  paths: string[],
  what: string,
  options: { apiVersion?: string; kind?: string } = {},
): 'projection' | 'full' {
  const full = decode(value, options);
  const p = createProjector(paths).project(value, options);
  assert.equal(p.encoding, full.encoding, `${what}: encoding`);
  assert.equal(p.kind, full.kind, `${what}: kind`);
  assert.equal(p.apiVersion, full.apiVersion, `${what}: apiVersion`);
  assert.equal(p.error?.message, full.error?.message, `${what}: error`);
  assert.equal(p.object === undefined, full.object === undefined, `${what}: object presence`);
  if (full.object !== undefined && p.object !== undefined) {
    for (const q of paths) {
      assert.deepStrictEqual(getPath(p.object, q), getPath(full.object, q), `${what}: path ${q}`);
    }
  }
  return p.via;
}

describe('createProjector', () => {
  test('agrees with the full decode on every kind of a generated cluster, reading protobuf in place', () => {
    const cluster = generateCluster({ pods: 120, seed: 5 });
    let projected = 0;
    let full = 0;
    const kinds = new Set<string>();
    for (const op of cluster.operations()) {
      if (op.type !== 'put') continue;
      for (const paths of PATH_SETS) {
        const via = assertAgrees(op.value, paths, `${op.key} ${paths.join(',')}`);
        if (op.encoding === 'protobuf')
          assert.equal(via, 'projection', `${op.key}: a protobuf value is projected in place`);
        if (via === 'projection') projected++;
        else full++;
      }
      kinds.add(op.resource);
    }
    assert.ok(projected > 1000, `projected ${projected}`);
    assert.ok(full > 0, 'JSON, encrypted and raw values fall back to the full decode');
    assert.ok(kinds.size >= 15, `resources seen: ${[...kinds].join(', ')}`);
  });

  test("agrees with the full decode on Kubernetes' fixtures (testdata/HEAD, every kind)", () => {
    const dir = path.join(defaultSourcesDir(), 'k8s.io', 'api', 'testdata', 'HEAD');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.pb'));
    assert.ok(files.length >= 171, `fixtures in ${dir}: ${files.length}`);
    const sets: string[][] = [
      [
        'metadata.name',
        'metadata.labels',
        'metadata.creationTimestamp',
        'metadata.managedFields',
        'metadata.ownerReferences',
      ],
      ['spec', 'status.conditions'],
      ['spec.template.spec.containers', 'spec.replicas', 'status.phase', 'data', 'rules', 'subsets', 'webhooks'],
      ['spec.template.metadata', 'spec.selector.matchLabels', 'value', 'description', 'items'],
      [
        'spec.containers.name',
        'status.containerStatuses.state.waiting',
        'spec.template.spec.containers.ports.containerPort',
        'rules.http.paths',
      ],
    ];
    let projected = 0;
    for (const file of files) {
      const parts = file.replace(/\.pb$/, '').split('.');
      const kind = parts.pop() as string;
      const version = parts.pop() as string;
      const group = parts.join('.');
      const options = { apiVersion: group === 'core' ? version : `${group}/${version}`, kind };
      const value = fs.readFileSync(path.join(dir, file));
      for (const paths of sets)
        if (assertAgrees(value, paths, `${file} ${paths.join(',')}`, options) === 'projection') projected++;
    }
    assert.ok(projected >= 171 * sets.length * 0.9, `projected in place: ${projected}`);
  });

  test('skips what is off the paths: a value broken only in its spec still projects its metadata', () => {
    const pod = encode({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web' } },
      spec: { nodeName: 'n1' },
    });
    const good = decode(pod).object as Record<string, unknown>;
    // The same envelope with a spec whose body holds an invalid wire type (framing intact).
    const raw = new WireWriter();
    const inner = decodeRaw(pod);
    raw.tag(1, 2);
    raw.bytes(inner.metadata);
    raw.tag(2, 2);
    raw.bytes(new Uint8Array([0x0f, 0x01, 0x02]));
    const broken = rewrap(pod, raw.finish());
    assert.ok(decode(broken).error !== undefined, 'the full decode sees the broken spec');
    const p = createProjector(['metadata.name', 'metadata.labels']).project(broken);
    assert.equal(p.via, 'projection');
    assert.equal(p.error, undefined);
    assert.deepStrictEqual(p.object, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', labels: { app: 'web' } },
    });
    assert.deepStrictEqual(_.get(p.object, 'metadata.labels'), _.get(good, 'metadata.labels'));
    // Asking for the broken part falls back to the full decode and reports its error.
    const q = createProjector(['spec.nodeName']).project(broken);
    assert.equal(q.via, 'full');
    assert.equal(q.error?.message, decode(broken).error?.message);
  });

  test('every prefix of a pod value: never throws, same error or same paths as the full decode', () => {
    const cluster = generateCluster({ pods: 3, seed: 2 });
    const pod = [...cluster.operations()].find((op) => op.type === 'put' && op.resource === 'pods');
    assert.ok(pod !== undefined && pod.type === 'put');
    for (let n = 0; n <= pod.value.length; n++) {
      const value = pod.value.subarray(0, n);
      const full = decode(value);
      const p = createProjector(['metadata.labels', 'spec.nodeName']).project(value);
      assert.equal(p.encoding, full.encoding, `prefix ${n}`);
      if (p.via === 'full') assert.equal(p.error?.message, full.error?.message, `prefix ${n}`);
      else if (full.object !== undefined) {
        assert.deepStrictEqual(
          _.get(p.object, 'metadata.labels'),
          _.get(full.object, 'metadata.labels'),
          `prefix ${n}`,
        );
      }
    }
  });

  test('a message given twice is merged as the full decode merges it', () => {
    const pod = encode({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', labels: { x: '1' } } });
    const inner = decodeRaw(pod);
    const w = new WireWriter();
    w.tag(1, 2);
    w.bytes(inner.metadata);
    const extra = decodeRaw(
      encode({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'ns', labels: { y: '2' } } }),
    );
    w.tag(1, 2);
    w.bytes(extra.metadata);
    assertAgrees(
      rewrap(pod, w.finish()),
      ['metadata.labels', 'metadata.name', 'metadata.namespace'],
      'metadata given twice',
    );
  });

  test('rejects paths that are not dotted paths', () => {
    assert.throws(() => createProjector(['']), {
      name: 'InvalidArgumentError',
      message: /Invalid projection path: ""/,
    });
    assert.throws(() => createProjector(['a..b']), { name: 'InvalidArgumentError' });
    assert.throws(() => createProjector([]), { name: 'InvalidArgumentError' });
  });
});

/** The length-delimited fields of the protobuf message in `buf` from `start` on (tag and length of one byte or more). */
function* fields(
  buf: Uint8Array,
  start: number,
): Generator<{ field: number; from: number; end: number; body: Uint8Array }> {
  let p = start;
  while (p < buf.length) {
    const from = p;
    const tag = buf[p++] as number;
    let len = 0;
    let shift = 0;
    for (;;) {
      const b = buf[p++] as number;
      len |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) break;
    }
    yield { field: tag >>> 3, from, end: p + len, body: buf.subarray(p, p + len) };
    p += len;
  }
}

/** The bytes of field `field` of the message in `buf` from `start` on. */
function fieldBytes(buf: Uint8Array, start: number, field: number, what: string): Uint8Array {
  for (const f of fields(buf, start)) if (f.field === field) return f.body;
  throw new Error(`no ${what}`);
}

/** The metadata bytes of an encoded object's raw protobuf (field 1 of the object). */
function decodeRaw(value: Uint8Array): { metadata: Uint8Array } {
  return { metadata: fieldBytes(rawOf(value), 0, 1, 'metadata') };
}

/** runtime.Unknown's raw (field 2) of a `k8s\0` value. */
function rawOf(value: Uint8Array): Uint8Array {
  return fieldBytes(value, 4, 2, 'raw');
}

/** The value with its raw replaced (typeMeta kept). */
function rewrap(value: Uint8Array, raw: Uint8Array): Uint8Array {
  const w = new WireWriter();
  w.raw(new Uint8Array([0x6b, 0x38, 0x73, 0x00]));
  for (const f of fields(value, 4)) {
    if (f.field === 2) {
      w.tag(2, 2);
      w.bytes(raw);
    } else {
      w.raw(value.subarray(f.from, f.end));
    }
  }
  return w.finish();
}
