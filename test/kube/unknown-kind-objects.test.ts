/**
 * Objects of kinds no schema knows, in a real etcd and its snapshot: a kind newer than 1.36 (real
 * protobuf of ConfigMaps, re-enveloped as `future.kubetcd.example/v1 Gadget`) and a removed one (a real
 * 1.7 pod re-enveloped as `policy/v1beta1 PodSecurityPolicy`, under the key prefix 1.17 used). Lists,
 * label and field selectors, count() and tables work on them through their metadata, and each value's
 * notice is reported beside the results.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decode, encode, findRepoRoot } from '../../src/codec';
import type { KubeObject } from '../../src/codec';
import { renderTable } from '../../src/render/table';
import { startKubeFixture, type KubeFixture } from '../helpers/kube-fixture';
import { WireWriter } from '../../src/codec/wire-writer';
import { BYTES } from '../../src/util/wire-reader';

const GROUP = 'future.kubetcd.example';
const GADGETS: Array<{ namespace: string; name: string; app: string }> = [
  { namespace: 'default', name: 'g-a', app: 'web' },
  { namespace: 'default', name: 'g-b', app: 'db' },
  { namespace: 'other', name: 'g-c', app: 'web' },
];

/** One length-delimited protobuf field, written by the codec's own wire writer. */
function bytesField(num: number, value: Uint8Array): Buffer {
  const w = new WireWriter();
  w.tag(num, BYTES);
  w.bytes(value);
  return Buffer.from(w.finish());
}

/** A stored `k8s\0` value with its envelope's TypeMeta replaced (the object's bytes untouched). */
function renamed(value: Uint8Array, apiVersion: string, kind: string): Buffer {
  const buf = Buffer.from(value);
  let pos = 4;
  const read = (): number => {
    let result = 0;
    let shift = 1;
    for (;;) {
      const b = buf[pos++] as number;
      result += (b & 0x7f) * shift;
      if ((b & 0x80) === 0) return result;
      shift *= 128;
    }
  };
  const parts = [
    Buffer.from('k8s\0', 'latin1'),
    bytesField(1, Buffer.concat([bytesField(1, Buffer.from(apiVersion)), bytesField(2, Buffer.from(kind))])),
  ];
  while (pos < buf.length) {
    const tag = read();
    const len = read();
    if (tag >>> 3 !== 1) parts.push(bytesField(tag >>> 3, buf.subarray(pos, pos + len)));
    pos += len;
  }
  return Buffer.concat(parts);
}

function gadgetValue(g: { namespace: string; name: string; app: string }): Buffer {
  const cm = encode({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: g.name,
      namespace: g.namespace,
      uid: `uid-${g.name}`,
      labels: { app: g.app },
      creationTimestamp: '2026-01-01T00:00:00Z',
    },
    data: { k: 'v' },
  });
  return renamed(cm, `${GROUP}/v1`, 'Gadget');
}

const podValue = fs.readFileSync(
  path.join(findRepoRoot(), '..', 'shared', 'data', 'auger-testdata', 'storage', 'pod.bin'),
);
const pspValue = renamed(podValue.subarray(0, podValue.length - 1), 'policy/v1beta1', 'PodSecurityPolicy');
const pspName = ((decode(podValue).object as KubeObject)['metadata'] as { name: string }).name;

describe('objects of kinds no schema knows, live and snapshot', () => {
  let fx: KubeFixture;
  before(async () => {
    fx = await startKubeFixture({
      pods: 2,
      seed: 5,
      extra: async (w) => {
        for (const g of GADGETS) await w.put(`/registry/${GROUP}/gadgets/${g.namespace}/${g.name}`, gadgetValue(g));
        await w.put(`/registry/podsecuritypolicy/${pspName}`, pspValue);
      },
    });
  });
  after(async () => {
    await fx?.close();
  });

  it('list: every object with its metadata, the notice beside it; label and field selectors', async () => {
    for (const k of fx.kubes) {
      const stored = await k.resources();
      assert.ok(stored.some((r) => r.resource === `gadgets.${GROUP}` && r.group === GROUP && r.count === 3));
      assert.ok(stored.some((r) => r.resource === 'podsecuritypolicy' && r.count === 1));
      const all = await k.list(`gadgets.${GROUP}`);
      assert.deepEqual(
        all.items.map((o) => (o['metadata'] as { name: string }).name),
        GADGETS.map((g) => g.name),
      );
      for (const o of all.items) {
        assert.equal(o['kind'], 'Gadget');
        assert.equal(o['apiVersion'], `${GROUP}/v1`);
      }
      assert.equal(all.errors.length, 3);
      assert.match(
        all.errors[0]?.error ?? '',
        /^Unknown kind "Gadget" of "future\.kubetcd\.example\/v1": no schema loaded .* newer than all of them/,
      );
      const web = await k.list(`gadgets.${GROUP}`, { labels: 'app=web' });
      assert.deepEqual(
        web.items.map((o) => (o['metadata'] as { name: string }).name),
        ['g-a', 'g-c'],
      );
      const inDefault = await k.list(`gadgets.${GROUP}`, { fields: 'metadata.namespace=default,metadata.name!=g-a' });
      assert.deepEqual(
        inDefault.items.map((o) => (o['metadata'] as { name: string }).name),
        ['g-b'],
      );
      const psp = await k.list('podsecuritypolicy');
      assert.equal(psp.items.length, 1);
      // as decode() prints it, plus the resourceVersion every listed object carries (its record's mod revision)
      const { resourceVersion, ...listedMeta } = (psp.items[0]?.['metadata'] ?? {}) as Record<string, unknown>;
      assert.deepEqual(listedMeta, (decode(podValue).object as KubeObject)['metadata']);
      assert.match(String(resourceVersion), /^[1-9]\d*$/);
      assert.match(psp.errors[0]?.error ?? '', /Kubernetes removed it in 1\.25/);
    }
  });

  it('count: by label and by namespace, through the metadata', async () => {
    for (const k of fx.kubes) {
      const byApp = await k.count(`gadgets.${GROUP}`, { by: 'label:app' });
      assert.equal(byApp.total, 3);
      assert.deepEqual(byApp.groups, { web: 2, db: 1 });
      const byNs = await k.count(`gadgets.${GROUP}`, { by: 'namespace', labels: 'app=web' });
      assert.deepEqual(byNs.groups, { default: 1, other: 1 });
      assert.equal((await k.count('podsecuritypolicy')).total, 1);
    }
  });

  it('get and a table: the generic layout prints names, namespaces, kinds and ages', async () => {
    for (const k of fx.kubes) {
      const got = await k.get(`/registry/${GROUP}/gadgets/other/g-c`);
      assert.deepEqual((got.object?.['metadata'] as { labels?: unknown } | undefined)?.labels, { app: 'web' });
      assert.match(got.error ?? '', /Unknown kind "Gadget"/);
      const { items } = await k.list(`gadgets.${GROUP}`);
      const text = renderTable(items, {
        kind: 'Gadget',
        now: new Date(Date.UTC(2026, 0, 2)),
        namespaceColumn: true,
      }).text;
      const lines = text.trim().split('\n');
      assert.equal(lines.length, 4, text);
      assert.match(lines[0] ?? '', /NAME/);
      for (const g of GADGETS)
        assert.ok(
          lines.some((l) => l.includes(g.name) && l.includes(g.namespace) && l.includes('Gadget') && l.includes('24h')),
          `${g.name} in\n${text}`,
        );
    }
  });
});
