/**
 * openKube over a real etcd and over a snapshot of it: every query answers the same on both, bad values
 * are reported beside the results, Secrets are redacted unless revealed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import _ from 'lodash';
import { startKubeFixture, type KubeFixture } from '../helpers/kube-fixture';
import { encode } from '../../src/codec';
import type { KubeObject } from '../../src/codec/types';
import type { ClusterSummary } from '../../scripts/cluster/cluster-generator';
import type { KubeClient, KubeList } from '../../src/kube/kube-client';

const SECRET_KEY = '/registry/secrets/default/kubetcd-test-secret';
const BROKEN_KEY = '/registry/pods/default/broken';
const BROKEN_CRD_KEY = '/registry/apiextensions.k8s.io/customresourcedefinitions/broken.example.com';

function names(list: KubeList): string[] {
  return list.items.map((o) => `${_.get(o, 'metadata.namespace')}/${_.get(o, 'metadata.name')}`);
}

/** What a list says, without the raw bytes (compared across sources). */
function summary(list: KubeList): unknown {
  return {
    names: names(list),
    revision: list.revision,
    range: list.range,
    etcdctl: list.etcdctl,
    errors: list.errors.map((e) => ({ key: e.key, error: e.error, encoding: e.encoding, bytes: e.raw.length })),
    encrypted: list.encrypted,
    truncated: list.truncated,
    total: list.total,
  };
}

describe('openKube: live etcd and its snapshot answer alike', () => {
  let fx: KubeFixture;
  let clusterSummary: ClusterSummary;
  const kubes: Array<{ name: string; k: KubeClient }> = [];

  before(async () => {
    fx = await startKubeFixture({
      pods: 60,
      seed: 3,
      extra: async (writer) => {
        await writer.put(BROKEN_KEY, new Uint8Array([0x6b, 0x38, 0x73, 0x00, 0xff, 0xff, 0xff, 0x01, 0x02]));
        await writer.put(
          BROKEN_CRD_KEY,
          '{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","spec":',
        );
        const secret: KubeObject = {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'kubetcd-test-secret', namespace: 'default', uid: '5a7d1c2e-0000-4000-8000-000000000001' },
          data: { token: Buffer.from('hello world').toString('base64') },
          type: 'Opaque',
        };
        await writer.put(SECRET_KEY, encode(secret));
      },
    });
    clusterSummary = fx.summary;
    assert.equal(fx.live.kind, 'live');
    assert.equal(fx.snapshot.kind, 'snapshot');
    kubes.push({ name: 'live', k: fx.kubes[0] }, { name: 'snapshot', k: fx.kubes[1] });
  });

  after(async () => {
    await fx?.close();
  });

  /** Runs `fn` on both sources, checks each, and asserts both results are deep-equal. */
  async function both<T>(fn: (k: KubeClient, name: string) => Promise<T>): Promise<T> {
    const [a, b] = [await fn(kubes[0]!.k, 'live'), await fn(kubes[1]!.k, 'snapshot')];
    assert.deepEqual(b, a);
    return a;
  }

  it('detects the prefix and the CRD', async () => {
    await both(async (k) => {
      assert.equal(k.prefix, '/registry');
      assert.deepEqual(
        k.customResources.map((r) => `${r.resource}.${r.group}`),
        ['certificates.cert-manager.io'],
      );
      assert.equal(k.resolve('cert').kind, 'Certificate');
      // A CRD that cannot be read is not dropped silently: it is listed with the reason.
      assert.deepEqual(
        k.crdErrors.map((e) => e.key),
        [BROKEN_CRD_KEY],
      );
      assert.match(k.crdErrors[0]!.error, /JSON|offset|byte/i);
      return k.prefix;
    });
  });

  it('lists every pod; the corrupted value is reported, the others still returned', async () => {
    const s = await both(async (k) => summary(await k.list('po')));
    const list = await kubes[1]!.k.list('pods');
    assert.equal(list.items.length, clusterSummary.keysByResource.pods);
    assert.equal(list.total, clusterSummary.keysByResource.pods! + 1);
    assert.equal(list.errors.length, 1);
    assert.equal(list.errors[0]!.key, BROKEN_KEY);
    assert.equal(list.errors[0]!.encoding, 'protobuf');
    assert.deepEqual([...list.errors[0]!.raw], [0x6b, 0x38, 0x73, 0x00, 0xff, 0xff, 0xff, 0x01, 0x02]);
    assert.equal(list.etcdctl, 'etcdctl get --prefix /registry/pods/');
    assert.deepEqual(list.range, { prefix: '/registry/pods/' });
    assert.equal(list.truncated, false);
    assert.ok(list.revision > 0);
    assert.ok(s);
  });

  it('filters by namespace, labels, fields and a lodash predicate', async () => {
    const all = (await kubes[0]!.k.list('pods')).items;
    const ns = 'kube-system';
    const inNs = await both(async (k) => summary(await k.list('pods', { namespace: ns })));
    const nsList = await kubes[1]!.k.list('pods', { namespace: ns });
    assert.deepEqual(
      names(nsList),
      names({ items: all.filter((o) => _.get(o, 'metadata.namespace') === ns) } as KubeList),
    );
    assert.ok(nsList.items.length > 0);
    assert.equal(nsList.etcdctl, 'etcdctl get --prefix /registry/pods/kube-system/');
    assert.ok(inNs);

    const labelled = all.find((o) => typeof _.get(o, ['metadata', 'labels', 'app']) === 'string')!;
    const app = _.get(labelled, ['metadata', 'labels', 'app']) as string;
    const expectApp = all.filter((o) => _.get(o, ['metadata', 'labels', 'app']) === app).length;
    await both(async (k) => {
      const l = await k.list('pods', { labels: `app=${app}` });
      assert.equal(l.items.length, expectApp);
      assert.ok(l.items.length > 0 && l.items.length < all.length);
      return names(l);
    });

    const node = _.get(all[0], 'spec.nodeName') as string;
    const expectNode = all.filter((o) => _.get(o, 'spec.nodeName') === node).length;
    await both(async (k) => {
      const l = await k.list('pods', { fields: `spec.nodeName=${node}` });
      assert.equal(l.items.length, expectNode);
      assert.ok(l.items.every((o) => _.get(o, 'spec.nodeName') === node));
      return names(l);
    });

    await both(async (k) => {
      const byFn = await k.list('pods', { where: (o) => _.get(o, 'spec.nodeName') === node });
      const byPair = await k.list('pods', { where: ['spec.nodeName', node] });
      const byObject = await k.list('pods', { where: { spec: { nodeName: node } } });
      assert.equal(byFn.items.length, expectNode);
      assert.deepEqual(names(byPair), names(byFn));
      assert.deepEqual(names(byObject), names(byFn));
      return names(byFn);
    });
  });

  it('stops at limit and says so', async () => {
    await both(async (k) => {
      const l = await k.list('pods', { limit: 5 });
      assert.equal(l.items.length, 5);
      assert.equal(l.truncated, true);
      const exact = await k.list('pods', { namespace: 'kube-system' });
      const same = await k.list('pods', { namespace: 'kube-system', limit: exact.items.length });
      assert.equal(same.truncated, false);
      await assert.rejects(k.list('pods', { limit: 0 }), { name: 'InvalidArgumentError' });
      return names(l);
    });
  });

  it('gets by name and by key; not-found and wrong-scope errors are clear', async () => {
    const pod = (await kubes[0]!.k.list('pods', { namespace: 'kube-system', limit: 1 })).items[0]!;
    const name = _.get(pod, 'metadata.name') as string;
    await both(async (k) => {
      const byName = await k.get('pods', name, { namespace: 'kube-system' });
      const byKey = await k.get(`/registry/pods/kube-system/${name}`);
      assert.equal(byName.key, `/registry/pods/kube-system/${name}`);
      assert.deepEqual(byKey, byName);
      assert.equal(_.get(byName.object, 'metadata.name'), name);
      assert.equal(byName.encoding, 'protobuf');
      assert.equal(byName.record.version, 1);
      assert.ok(byName.record.valueBytes > 0 && byName.record.modRevision > 0);
      await assert.rejects(k.get('pods', 'web'), {
        name: 'NotFoundError',
        message: /^pods "web" not found in namespace "default" \(key \/registry\/pods\/default\/web\)/,
      });
      await assert.rejects(k.list('nodes', { namespace: 'default' }), {
        name: 'InvalidArgumentError',
        message: /cluster-scoped/,
      });
      await assert.rejects(k.list('pdos'), { name: 'InvalidArgumentError', message: /Did you mean "pods"/ });
      const broken = await k.get(BROKEN_KEY);
      assert.equal(broken.object, undefined);
      assert.ok(broken.error);
      return _.omit(byName, 'object');
    });
  });

  it('counts by namespace and by spec.nodeName', async () => {
    const all = (await kubes[0]!.k.list('pods')).items;
    await both(async (k) => {
      const byNs = await k.count('pods', { by: 'namespace' });
      assert.equal(byNs.total, clusterSummary.keysByResource.pods);
      assert.equal(byNs.errors, 1);
      assert.deepEqual(
        byNs.groups,
        _.countBy(all, (o) => _.get(o, 'metadata.namespace')),
      );
      const byNode = await k.count('pods', { by: 'spec.nodeName' });
      assert.deepEqual(
        byNode.groups,
        _.countBy(all, (o) => _.get(o, 'spec.nodeName') ?? '<none>'),
      );
      return [byNs, byNode];
    });
  });

  it('inventories stored resources, custom ones included', async () => {
    const res = await both(async (k) => k.resources());
    const find = (r: string) => res.find((x) => x.resource === r);
    assert.equal(find('pods')?.count, clusterSummary.keysByResource.pods! + 1);
    assert.equal(find('pods')?.kind, 'Pod');
    assert.ok(find('pods')!.bytes > 0);
    assert.equal(find('deployments.apps')?.count, clusterSummary.keysByResource.deployments);
    const certs = find('certificates.cert-manager.io');
    assert.ok(certs && certs.count > 0 && certs.kind === 'Certificate' && certs.namespaced);
    const keys = await both(async (k) => k.keys('/registry/pods/default/'));
    assert.ok(keys.includes(BROKEN_KEY));
    assert.ok(keys.every((key) => key.startsWith('/registry/pods/default/')));
  });

  it('reports the encrypted secret without failing, and redacts secrets unless revealed', async () => {
    await both(async (k) => {
      const l = await k.list('secrets');
      assert.equal(l.encrypted.length, 1);
      const enc = l.encrypted[0]!;
      assert.equal(enc.key, '/registry/secrets/kube-system/bootstrap-token-abcdef');
      assert.equal(enc.provider, 'aescbc');
      assert.ok(enc.keyName.length > 0);
      const err = l.errors.find((e) => e.key === enc.key)!;
      assert.match(err.error, /is encrypted at rest \(aescbc, key "/);
      assert.equal(err.encoding, 'encrypted');
      const mine = l.items.find((o) => _.get(o, 'metadata.name') === 'kubetcd-test-secret')!;
      assert.deepEqual(mine.data, { token: '<redacted: 11 bytes>' });
      for (const s of l.items) {
        for (const v of Object.values((s.data ?? {}) as Record<string, unknown>))
          assert.match(String(v), /^<redacted: \d+ bytes>$/);
      }
      const shown = await k.list('secrets', {
        reveal: true,
        namespace: 'default',
        fields: 'metadata.name=kubetcd-test-secret',
      });
      assert.equal(shown.items.length, 1);
      assert.equal(Buffer.from(_.get(shown.items[0], 'data.token') as string, 'base64').toString(), 'hello world');
      const got = await k.get('secret', 'kubetcd-test-secret');
      assert.deepEqual(got.object?.data, { token: '<redacted: 11 bytes>' });
      const gotByKey = await k.get(SECRET_KEY, undefined, { reveal: true });
      assert.equal(Buffer.from(_.get(gotByKey.object, 'data.token') as string, 'base64').toString(), 'hello world');
      return summary(l);
    });
  });
});
