/**
 * tree(), sizes(), stream() (with maxBytes, signal, onProgress), count({ by }) and kubectl -o wide / names,
 * over a real etcd and its snapshot: both answer alike, and the numbers equal what etcdctl reports.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import _ from 'lodash';
import { startKubeFixture, type KubeFixture } from '../helpers/kube-fixture';
import type { KubeClient, KubeStreamEntry } from '../../src/kube/kube-client';
import type { KeyTreeNode } from '../../src/kube/kube-tree';
import type { KubeSizes } from '../../src/kube/kube-sizes';

const BROKEN_KEY = '/registry/pods/default/zz-broken';

function find(node: KeyTreeNode, path: string): KeyTreeNode | undefined {
  if (node.path === path) return node;
  for (const c of node.children) {
    const hit = find(c, path);
    if (hit) return hit;
  }
  return undefined;
}

/** Every key (and value length) etcdctl reports under a prefix at a revision. */
async function etcdctlKeys(
  fx: KubeFixture,
  prefix: string,
  revision: number,
): Promise<Array<{ key: string; bytes: number }>> {
  const r = await fx.etcd.etcdctl(['get', prefix, '--prefix', `--rev=${revision}`, '-w', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const parsed = JSON.parse(r.stdout) as { kvs?: Array<{ key: string; value?: string }> };
  return (parsed.kvs ?? []).map((kv) => ({
    key: Buffer.from(kv.key, 'base64').toString('utf8'),
    bytes: Buffer.from(kv.value ?? '', 'base64').length,
  }));
}

async function etcdctlKeyCount(fx: KubeFixture, prefix: string, revision: number): Promise<number> {
  const r = await fx.etcd.etcdctl(['get', prefix, '--prefix', '--keys-only', `--rev=${revision}`]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l !== '').length;
}

/** The parts of sizes() both sources know: the latest keys and bytes. */
function latestOnly(s: KubeSizes): unknown {
  const strip = (g: { name: string; keys: number; bytes: number }): unknown => ({
    name: g.name,
    keys: g.keys,
    bytes: g.bytes,
  });
  return {
    revision: s.revision,
    total: { keys: s.total.keys, bytes: s.total.bytes },
    byResource: s.byResource.filter((g) => g.keys > 0).map(strip),
    byNamespace: s.byNamespace.filter((g) => g.keys > 0).map(strip),
    largest: s.largest,
  };
}

describe('tree, sizes, stream, count: live etcd and its snapshot agree', () => {
  let fx: KubeFixture;
  let live: KubeClient;
  let snap: KubeClient;
  let rev: number;

  before(async () => {
    fx = await startKubeFixture({
      pods: 40,
      seed: 11,
      extra: async (writer) => {
        await writer.put(BROKEN_KEY, new Uint8Array([0x6b, 0x38, 0x73, 0x00, 0xff, 0xff, 0xff, 0x01, 0x02]));
      },
    });
    [live, snap] = fx.kubes;
    // The master lease (15 s TTL) may expire on live etcd meanwhile: compare both at the snapshot's revision.
    rev = (await fx.snapshot.status()).revision;
  });

  after(async () => {
    await fx?.close();
  });

  it('tree(): the whole keyspace, counts equal etcdctl --keys-only, bytes equal the values etcdctl prints', async () => {
    const [a, b] = [await live.tree(undefined, { revision: rev }), await snap.tree(undefined, { revision: rev })];
    assert.deepEqual(b, a);
    assert.equal(a.revision, rev);
    const all = await etcdctlKeys(fx, '', rev);
    assert.equal(a.root.keys, all.length);
    assert.equal(a.root.keys, await etcdctlKeyCount(fx, '', rev));
    assert.equal(a.root.bytes, _.sumBy(all, 'bytes'));
    assert.deepEqual(
      a.root.children.map((c) => c.name),
      ['/registry', 'compact_rev_key'],
    );
    for (const prefix of [
      '/registry/pods',
      '/registry/pods/default',
      '/registry/services/specs',
      '/registry/deployments',
    ]) {
      const node = find(a.root, prefix);
      assert.ok(node, prefix);
      const expected = all.filter((kv) => kv.key.startsWith(`${prefix}/`));
      assert.equal(node.keys, expected.length, prefix);
      assert.equal(node.keys, await etcdctlKeyCount(fx, `${prefix}/`, rev), prefix);
      assert.equal(node.bytes, _.sumBy(expected, 'bytes'), prefix);
      // Children add up to the node.
      assert.equal(_.sumBy(node.children, 'keys'), node.keys, prefix);
    }
    assert.equal(find(a.root, '/registry/pods')?.resource, 'pods');
    assert.equal(find(a.root, '/registry/services/specs')?.resource, 'services');
    assert.equal(find(a.root, '/registry/services')?.resource, undefined);
    assert.equal(find(a.root, '/registry/deployments')?.resource, 'deployments.apps');
    // Keys that are not objects are in the tree, marked.
    assert.equal(find(a.root, 'compact_rev_key')?.keyKind, 'compact-revision');
    const masterleases = find(a.root, '/registry/masterleases');
    assert.ok(masterleases && masterleases.children.length === 1);
    assert.equal(masterleases.children[0]!.keyKind, 'master-lease');
    assert.equal(find(a.root, '/registry/ranges/serviceips')?.keyKind, 'range-allocation');
    const broken = find(a.root, BROKEN_KEY);
    assert.equal(broken?.keyKind, 'object');
    assert.equal(broken?.bytes, 9);
    assert.deepEqual(broken?.children, []);
  });

  it('tree(prefix, { depth }): rooted at the prefix, cut at the depth, counts kept', async () => {
    const [a, b] = [
      await live.tree('/registry/pods/', { depth: 1, revision: rev }),
      await snap.tree('/registry/pods', { depth: 1, revision: rev }),
    ];
    assert.deepEqual(b, a);
    assert.equal(a.root.path, '/registry/pods');
    assert.equal(a.root.resource, 'pods');
    assert.equal(a.root.keys, await etcdctlKeyCount(fx, '/registry/pods/', rev));
    assert.ok(a.root.children.length > 1);
    for (const ns of a.root.children) {
      assert.equal(ns.collapsed, true);
      assert.deepEqual(ns.children, []);
      assert.equal(ns.keys, await etcdctlKeyCount(fx, `/registry/pods/${ns.name}/`, rev), ns.name);
    }
    const zero = await snap.tree('/registry', { depth: 0, revision: rev });
    assert.deepEqual(zero.root.children, []);
    assert.equal(zero.root.collapsed, true);
    assert.equal(zero.root.keys, await etcdctlKeyCount(fx, '/registry/', rev));
    const none = await live.tree('/registry/nothing-here', { revision: rev });
    assert.equal(none.root.keys, 0);
    await assert.rejects(live.tree('/registry', { depth: -1 }), { name: 'InvalidArgumentError' });
  });

  it('sizes(): by resource and namespace, largest values; the snapshot adds every kept revision', async () => {
    const [a, b] = [await live.sizes({ revision: rev, top: 5 }), await snap.sizes({ revision: rev, top: 5 })];
    assert.deepEqual(latestOnly(b), latestOnly(a));
    const all = await etcdctlKeys(fx, '', rev);
    assert.equal(a.total.keys, all.length);
    assert.equal(a.total.bytes, _.sumBy(all, 'bytes'));
    const pods = a.byResource.find((g) => g.name === 'pods');
    assert.equal(pods?.keys, all.filter((kv) => kv.key.startsWith('/registry/pods/')).length);
    assert.equal(_.sumBy(a.byResource, 'keys'), a.total.keys);
    assert.equal(_.sumBy(a.byNamespace, 'bytes'), a.total.bytes);
    assert.ok(a.byResource.find((g) => g.name === 'compact_rev_key' && g.keys === 1));
    assert.ok(a.byNamespace.find((g) => g.name === '(cluster-scoped)'));
    assert.deepEqual(
      a.byResource.map((g) => g.bytes),
      [...a.byResource.map((g) => g.bytes)].sort((x, y) => y - x),
    );
    // The largest values are exactly etcdctl's five longest.
    const longest = _.orderBy(all, ['bytes', 'key'], ['desc', 'asc']).slice(0, 5);
    assert.deepEqual(
      a.largest.map((v) => [v.key, v.bytes]),
      longest.map((kv) => [kv.key, kv.bytes]),
    );
    // Live: the latest only, and says so.
    assert.equal(a.source, 'live');
    assert.equal(a.total.revisions, undefined);
    assert.equal(a.mostRevisions, undefined);
    assert.ok(a.dbSizeBytes !== undefined && a.dbSizeBytes > 0);
    assert.ok(a.notes.some((n) => /unknown on live etcd/.test(n)));
    // Snapshot: every kept revision (nothing was compacted): one per write of the generator and of the test.
    const writes = fx.ops.filter((o) => o.key.startsWith('/registry/pods/'));
    const podsSnap = b.byResource.find((g) => g.name === 'pods');
    assert.equal(podsSnap?.revisions, writes.length + 1); // + the broken pod
    const perKey = _.countBy(fx.ops, 'key');
    const most = _.max(Object.values(perKey)) as number;
    assert.equal(b.mostRevisions?.[0]?.revisions, most);
    assert.equal(perKey[b.mostRevisions![0]!.key], most);
    assert.ok((b.total.allRevisionsBytes ?? 0) > b.total.bytes);
    assert.ok((b.total.revisions ?? 0) >= fx.ops.length);
  });

  it('stream(): the same entries as list(), one at a time; list stops at maxBytes and says why', async () => {
    for (const k of [live, snap]) {
      const stream = k.stream('pods', { revision: rev });
      const entries: KubeStreamEntry[] = [];
      for await (const e of stream) entries.push(e);
      const list = await k.list('pods', { revision: rev });
      assert.deepEqual(
        entries.filter((e) => e.object).map((e) => e.object),
        list.items,
      );
      assert.deepEqual(
        entries.filter((e) => e.error).map((e) => e.error!.key),
        [BROKEN_KEY],
      );
      assert.equal(stream.revision, rev);
      assert.equal(stream.total, list.total);
      assert.equal(stream.truncated, false);
      assert.ok(entries.length >= 4);

      const three = _.sumBy(entries.slice(0, 3), 'valueBytes');
      const bounded = await k.list('pods', { revision: rev, maxBytes: three });
      assert.equal(bounded.items.length + bounded.errors.length, 3);
      assert.equal(bounded.truncated, true);
      assert.match(
        bounded.truncatedReason ?? '',
        /^Stopped at maxBytes \d+: the next entry \(\/registry\/pods\/.*Pass a larger \{ maxBytes \}/,
      );
      const limited = await k.list('pods', { revision: rev, limit: 2 });
      assert.equal(limited.items.length, 2);
      assert.match(limited.truncatedReason ?? '', /^Stopped at limit 2: more pods match/);
      await assert.rejects(k.list('pods', { maxBytes: 0 }), { name: 'InvalidArgumentError' });

      // Cancel mid-read.
      const controller = new AbortController();
      let seen = 0;
      await assert.rejects(
        (async () => {
          for await (const _e of k.stream('pods', { signal: controller.signal })) {
            if (++seen === 2) controller.abort();
          }
        })(),
        { name: 'AbortedError' },
      );
      assert.equal(seen, 2);
      // onProgress passes through from the source.
      const progress: number[] = [];
      await k.list('pods', { revision: rev, onProgress: (p) => progress.push(p.revision) });
      assert.ok(progress.length > 0 && progress.every((r) => r === rev));
      // Leaving the loop early is fine; a new iteration reads again.
      const again = k.stream('pods', { revision: rev });
      for await (const _e of again) break;
      assert.equal(again.entries, 1);
    }
  });

  it('count({ by }): namespace, kind, label:app = metadata.labels.app, any dotted path', async () => {
    for (const k of [live, snap]) {
      const items = (await k.list('pods', { revision: rev })).items;
      const expect = (path: string | string[]): Record<string, number> =>
        _.countBy(items, (o) => {
          const v: unknown = _.get(o, path);
          return v === undefined || v === null || v === '' ? '<none>' : String(v);
        });
      assert.deepEqual(
        (await k.count('pods', { by: 'namespace', revision: rev })).groups,
        expect(['metadata', 'namespace']),
      );
      assert.deepEqual((await k.count('pods', { by: 'kind', revision: rev })).groups, { Pod: items.length });
      const byApp = await k.count('pods', { by: 'label:app', revision: rev });
      assert.deepEqual(byApp.groups, expect(['metadata', 'labels', 'app']));
      assert.ok(Object.keys(byApp.groups).length > 1);
      assert.deepEqual((await k.count('pods', { by: 'metadata.labels.app', revision: rev })).groups, byApp.groups);
      assert.deepEqual((await k.count('pods', { by: 'spec.nodeName', revision: rev })).groups, expect('spec.nodeName'));
      assert.deepEqual(
        (await k.count('pods', { by: 'spec.containers[0].image', revision: rev })).groups,
        expect('spec.containers[0].image'),
      );
      const nsLabel = await k.count('namespaces', { by: 'label:kubernetes.io/metadata.name', revision: rev });
      assert.equal(nsLabel.groups['default'], 1);
      const total = await k.count('pods', { revision: rev });
      assert.equal(total.total, items.length);
      assert.equal(total.errors, 1);
    }
  });

  it('kubectl: -o wide is recorded (tables left to the renderer), several names get each object', async () => {
    for (const k of [live, snap]) {
      const pods = (await k.list('pods', { revision: rev })).items;
      const ns = _.maxBy(Object.entries(_.countBy(pods, 'metadata.namespace')), ([, n]) => n)![0];
      const wide = await k.kubectl(`kubectl get pods -n ${ns} -o wide`);
      assert.equal(wide.command.output, 'wide');
      assert.equal(wide.output, undefined);
      const list = await k.list('pods', { namespace: ns });
      assert.ok(list.items.length >= 2);
      assert.ok(!Array.isArray(wide.result));
      assert.deepEqual(wide.result.items, list.items);
      const names = list.items.slice(0, 2).map((o) => _.get(o, 'metadata.name') as string);
      const got = await k.kubectl(`get pods ${names.join(' ')} -n ${ns} -o name`);
      assert.ok(Array.isArray(got.result));
      assert.deepEqual(
        got.result.map((g) => _.get(g.object, 'metadata.name')),
        names,
      );
      assert.equal(got.output, names.map((n) => `pod/${n}\n`).join(''));
      assert.equal(got.etcdctl.length, 2);
    }
  });
});
