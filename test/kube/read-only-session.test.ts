// kubetcd never writes unless asked: a whole session of queries over a generated cluster in a real etcd
// (openSource + openKube: every resource listed, gets, counts, keys, resources, history, kubectl,
// watch, status, leases) leaves etcd's revision AND its raft indexes (applied and committed)
// unchanged, and neither the source nor the KubeClient offers a write method.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd, type EtcdProcess } from '../helpers/etcd';
import { openEtcdWriterForFixtures } from '../../src/sources/live-etcd-source';
import { openSource } from '../../src/sources/open-source';
import { generateCluster } from '../../scripts/cluster/cluster-generator';
import { writeCluster } from '../../scripts/cluster/write-cluster';
import { openKube } from '../../src/kube/kube-client';

interface RaftState {
  revision: number;
  raftIndex: number;
  raftAppliedIndex: number;
}

async function raftState(etcd: EtcdProcess): Promise<RaftState> {
  const r = await etcd.etcdctl(['endpoint', 'status', '-w', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const [row] = JSON.parse(r.stdout) as Array<{
    Status: { header: { revision: number }; raftIndex: number; raftAppliedIndex: number };
  }>;
  return {
    revision: row!.Status.header.revision,
    raftIndex: row!.Status.raftIndex,
    raftAppliedIndex: row!.Status.raftAppliedIndex,
  };
}

// `deleted` (k.deleted(): the deletes etcd keeps) reads; `delete`, `deleteKey`, `del` would write.
const WRITE_NAMES =
  /^(put|set|write|delete(?!d$)|del(?!eted$)|remove|txn|compact(?!Revision)|defrag|grant|revoke|lease(Grant|Revoke)|create|update|patch|apply|replace|move|snapshot|restore)/i;

/** Every method name reachable on an object (own and inherited, not Object.prototype's). */
function methodNames(o: object): string[] {
  const names = new Set<string>();
  for (let p: object | null = o; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const name of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, name);
      if (d && typeof d.value === 'function' && name !== 'constructor') names.add(name);
    }
  }
  return [...names].sort();
}

describe('a session of queries is read-only', () => {
  let etcd: EtcdProcess;

  before(async () => {
    etcd = await startEtcd();
    const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    try {
      // Long lease TTLs: no lease may expire (a revocation is a write) during the session.
      await writeCluster(writer, generateCluster({ pods: 40, seed: 11 }).operations(), {
        leaseTtlSeconds: { events: 3600, masterleases: 3600 },
      });
    } finally {
      await writer.close();
    }
  });

  after(async () => {
    await etcd?.stop();
  });

  it('leaves the revision and the raft applied index unchanged', async () => {
    const before = await raftState(etcd);
    const source = await openSource(etcd.endpoint);
    let reads = 0;
    try {
      const k = await openKube(source);
      const resources = await k.resources();
      assert.ok(resources.length >= 10, `${resources.length} resources`);
      for (const r of resources) {
        if (r.kind === '') continue;
        const list = await k.list(r.resource);
        reads++;
        assert.equal(list.total, r.count, r.resource);
        const first = list.items[0];
        if (first !== undefined) {
          const meta = first.metadata as { name: string; namespace?: string };
          const got = await k.get(
            r.resource,
            meta.name,
            meta.namespace !== undefined ? { namespace: meta.namespace } : {},
          );
          assert.equal((got.object!.metadata as { name: string }).name, meta.name);
          reads++;
        }
      }
      const pods = await k.count('pods', { by: 'namespace' });
      assert.ok(pods.total > 0);
      const keys = await k.keys();
      assert.ok(keys.length > 100);
      const podKey = keys.find((key) => key.startsWith('/registry/pods/'))!;
      assert.ok((await k.history(podKey)).length >= 1);
      const wide = (await k.kubectl('kubectl get pods -A -o wide')).result;
      assert.ok('items' in wide && wide.items.length > 0);
      assert.ok(((await k.kubectl('get deploy -A -o json')).output ?? '').length > 0);
      // the forensics reads: HashKV, kept deletes (a watch replaying history), the encoding census
      assert.equal((await k.hashKV()).revision, before.revision);
      assert.ok((await k.deleted()).items.length >= 0);
      assert.ok((await k.encodings()).total.total > 100);
      // the ownerReference graph and the leftovers: one projected read of every object
      assert.ok((await k.orphans()).scanned > 100);
      assert.ok(((await k.owners('deployments', 'hello')).object.dependents ?? []).length > 0);
      await source.status();
      await source.leases();
      assert.ok((await source.count({ prefix: '/registry/' })) > 100);
      for await (const _ of source.range({ prefix: '' }, { keysOnly: true })) reads++;
      // A watch replaying history is read-only too.
      const controller = new AbortController();
      let events = 0;
      await assert.rejects(
        (async () => {
          for await (const _ of source.watch!(
            { prefix: '/registry/' },
            { fromRevision: 1, signal: controller.signal },
          )) {
            if (++events === 20) controller.abort();
          }
        })(),
        { name: 'AbortedError' },
      );
      assert.equal(events, 20);
    } finally {
      await source.close();
    }
    assert.ok(reads > 100);
    const afterState = await raftState(etcd);
    assert.deepEqual(afterState, before, 'no revision and no raft entry was added');
  });

  it('neither the live source nor the KubeClient exposes a write method', async () => {
    const source = await openSource(etcd.endpoint);
    try {
      const k = await openKube(source);
      const sourceMethods = methodNames(source);
      for (const expected of ['get', 'range', 'count', 'history', 'status', 'leases', 'close'])
        assert.ok(sourceMethods.includes(expected), expected);
      assert.deepEqual(
        sourceMethods.filter((n) => WRITE_NAMES.test(n)),
        [],
      );
      assert.deepEqual(
        methodNames(k).filter((n) => WRITE_NAMES.test(n)),
        [],
      );
      // No own property holds a client that could write (an etcd3 client has put/delete methods).
      for (const value of Object.values(source)) {
        if (value !== null && typeof value === 'object')
          assert.deepEqual(
            methodNames(value as object).filter((n) => WRITE_NAMES.test(n)),
            [],
          );
      }
      // A write needs another function, by name, with an explicit opt-in: see kube-write.test.ts.
    } finally {
      await source.close();
    }
  });
});
