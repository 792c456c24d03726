// list() and stream() over live etcd when the revision they read at is compacted mid-read (as
// kube-apiserver does every 5 minutes): they resume at the newer revision when everything already
// returned is unchanged there, and report that revision; otherwise they fail with a
// CompactedRevisionError, never a listing that mixes two revisions. The compaction runs synchronously
// (etcdctl) inside onProgress, i.e. between two pages, while the next page but one is not yet requested.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { etcdBinaries, startEtcd, type EtcdProcess } from '../helpers/etcd';
import { openEtcdWriterForFixtures, openLiveSource, type EtcdWriter } from '../../src/sources/live-etcd-source';
import { openKube, type KubeClient } from '../../src/kube/kube-client';
import { encode } from '../../src/codec';
import type { KvSource } from '../../src/sources/types';

const NAMESPACES = ['a', 'b', 'c', 'd'];
type Meta = { namespace?: string; name?: string } | undefined;
const nsName = (o: { metadata?: unknown } | undefined): string => {
  const m = o?.metadata as Meta;
  return `${String(m?.namespace)}/${String(m?.name)}`;
};
const PER_NS = 30;

function configMap(namespace: string, name: string, value: string): Uint8Array {
  return encode({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, uid: `uid-${namespace}-${name}` },
    data: { value },
  });
}

describe('list() and stream() on live etcd compacted mid-read', () => {
  let etcd: EtcdProcess;
  let writer: EtcdWriter;
  let source: KvSource;
  let k: KubeClient;

  /** etcdctl put then compact at its revision, blocking the event loop (so no page arrives meanwhile). */
  function putAndCompactNow(key: string, value: Uint8Array): number {
    const ctl = (args: string[], input?: Uint8Array): string => {
      const r = spawnSync(etcdBinaries().etcdctl, [`--endpoints=${etcd.endpoint}`, ...args], {
        input,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, ETCDCTL_API: '3' },
      });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    ctl(['put', key], value);
    const revision = Number(/"revision":(\d+)/.exec(ctl(['get', key, '-w', 'json']))![1]);
    ctl(['compact', String(revision)]);
    return revision;
  }

  async function names(rev: number): Promise<string[]> {
    const res = await etcd.etcdctl(['get', '/registry/configmaps/', '--prefix', '--keys-only', `--rev=${rev}`]);
    assert.equal(res.code, 0, res.stderr);
    return res.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((key) => key.split('/').slice(3).join('/'));
  }

  before(async () => {
    etcd = await startEtcd();
    writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    const entries: Array<[string, Uint8Array]> = [];
    for (const ns of NAMESPACES)
      for (let i = 0; i < PER_NS; i++)
        entries.push([
          `/registry/configmaps/${ns}/cm-${String(i).padStart(2, '0')}`,
          configMap(ns, `cm-${String(i).padStart(2, '0')}`, 'v1'),
        ]);
    await writer.putMany(entries);
    source = await openLiveSource({ endpoints: etcd.endpoint, pageSize: 10 });
    k = await openKube(source, { prefix: '/registry' });
  });

  after(async () => {
    await source?.close();
    await writer?.close();
    await etcd?.stop();
  });

  it('list() resumes at the new revision when nothing returned changed, and its revision says which', async () => {
    const before = (await source.status()).revision;
    let compactedAt = 0;
    let restarts = 0;
    const list = await k.list('configmaps', {
      onProgress: (p) => {
        if (p.records >= 20 && compactedAt === 0)
          compactedAt = putAndCompactNow('/registry/configmaps/d/added', configMap('d', 'added', 'new'));
        restarts = Math.max(restarts, p.restarts ?? 0);
      },
    });
    assert.ok(compactedAt > before, 'the compaction ran mid-read');
    assert.equal(restarts, 1, 'the read restarted once');
    assert.ok(list.revision >= compactedAt, `list.revision ${list.revision} is the revision it moved to`);
    const got = list.items.map(nsName);
    assert.deepEqual(got, await names(list.revision));
    assert.ok(got.includes('d/added'));
    assert.equal(list.errors.length, 0);
  });

  it('stream() resumes the same way', async () => {
    let compactedAt = 0;
    const stream = k.stream('configmaps', {
      onProgress: (p) => {
        if (p.records >= 30 && compactedAt === 0)
          compactedAt = putAndCompactNow('/registry/configmaps/c/zz-added', configMap('c', 'zz-added', 'new'));
      },
    });
    const got: string[] = [];
    for await (const e of stream) got.push(nsName(e.object));
    assert.ok(compactedAt > 0);
    assert.ok(stream.revision >= compactedAt, `stream.revision ${stream.revision}`);
    assert.deepEqual(got, await names(stream.revision));
    assert.ok(got.includes('c/zz-added'));
  });

  it('a returned object changed before the compaction: CompactedRevisionError, no mixed listing', async () => {
    let compactedAt = 0;
    await assert.rejects(
      k.list('configmaps', {
        onProgress: (p) => {
          if (p.records >= 20 && compactedAt === 0)
            compactedAt = putAndCompactNow('/registry/configmaps/a/cm-00', configMap('a', 'cm-00', 'changed'));
        },
      }),
      (e: Error) => {
        assert.equal(e.name, 'CompactedRevisionError');
        assert.match(
          e.message,
          /compacted mid-read, and the \d+ records already returned are no longer the current state/,
        );
        return true;
      },
    );
    assert.ok(compactedAt > 0);
    // Run again: the whole listing at the current revision, the change in it.
    const list = await k.list('configmaps');
    const cm = list.items.find((o) => nsName(o) === 'a/cm-00');
    assert.deepEqual(cm?.data, { value: 'changed' });
  });
});
