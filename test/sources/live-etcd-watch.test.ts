/**
 * LiveEtcdSource.watch against real etcd: put/delete events with previous values in revision order, and a
 * watch that survives the loss of the member it was on (it resumes on another member after the last
 * revision received: no event lost, none repeated).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type EtcdCluster } from '../helpers/etcd';
import { openEtcdWriterForFixtures, openLiveSource, type EtcdWriter } from '../../src/sources/live-etcd-source';
import type { KvSource, KvWatchEvent } from '../../src/sources/types';

describe('LiveEtcdSource.watch on a 3-member cluster', () => {
  let cluster: EtcdCluster;
  let source: KvSource;
  let writer: EtcdWriter;

  before(async () => {
    cluster = await startCluster(3);
    source = await openLiveSource({ endpoints: cluster.endpoints, callTimeoutMs: 5000 });
    // The writer talks to the two members that stay up.
    writer = await openEtcdWriterForFixtures({ endpoints: cluster.endpoints.slice(1) });
  });

  after(async () => {
    await writer?.close();
    await source?.close();
    await cluster?.stop();
  });

  /** Moves the raft leadership to the second member when the first one leads. */
  async function moveLeaderOffFirstMember(): Promise<void> {
    const status = await cluster.etcdctl(['endpoint', 'status', '-w', 'json']);
    assert.equal(status.code, 0, status.stderr);
    // 64-bit ids: read them as text (JSON.parse would round them).
    const ids = [...status.stdout.matchAll(/"member_id":(\d+).*?"leader":(\d+)/g)].map(
      (m) => [m[1] as string, m[2] as string] as const,
    );
    assert.equal(ids.length, 3, status.stdout);
    const [first, leader] = ids[0]!;
    if (first !== leader) return;
    const target = BigInt(ids[1]![0]).toString(16);
    const moved = await cluster.etcdctl(['move-leader', target]);
    assert.equal(moved.code, 0, moved.stderr);
  }

  it('replays puts and deletes with previous values, then resumes on another member when its member dies', async () => {
    const r1 = await writer.put('/w/a', 'one');
    const r2 = await writer.put('/w/a', 'two');
    const r3 = await writer.delete('/w/a');
    await writer.put('/x/outside', 'ignored');
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), 20_000);
    const seen: KvWatchEvent[] = [];
    const text = (b: Uint8Array | undefined): string | undefined =>
      b === undefined ? undefined : Buffer.from(b).toString();
    try {
      let r4 = 0;
      let r5 = 0;
      for await (const e of source.watch!({ prefix: '/w/' }, { fromRevision: r1, signal: deadline.signal })) {
        seen.push(e);
        if (seen.length === 3) {
          // The source answered on the first endpoint so far: kill that member (after moving the raft
          // leadership off it, so the writes below need no election), then write more.
          await moveLeaderOffFirstMember();
          await cluster.members[0]!.kill();
          r4 = await writer.put('/w/b', 'three');
          r5 = await writer.put('/w/b', 'four');
        }
        if (seen.length === 5) break;
      }
      assert.deepEqual(
        seen.map((e) => [
          e.type,
          text(e.record.key),
          e.record.modRevision,
          text(e.record.value),
          text(e.previous?.value),
        ]),
        [
          ['put', '/w/a', r1, 'one', undefined],
          ['put', '/w/a', r2, 'two', 'one'],
          ['delete', '/w/a', r3, '', 'two'],
          ['put', '/w/b', r4, 'three', undefined],
          ['put', '/w/b', r5, 'four', 'three'],
        ],
      );
      assert.equal(seen[2]!.record.version, 0);
      assert.equal(seen[1]!.record.version, 2);
    } finally {
      clearTimeout(timer);
    }
  });
});

describe('LiveEtcdSource.watch when the member it watches hangs (SIGSTOP: the connection stays open, nothing answers)', () => {
  let cluster: EtcdCluster;
  let source: KvSource;
  let writer: EtcdWriter;

  before(async () => {
    cluster = await startCluster(3);
    source = await openLiveSource({
      endpoints: cluster.endpoints,
      callTimeoutMs: 5000,
      dialTimeoutMs: 1000,
      watchProgressMs: 300,
    });
    writer = await openEtcdWriterForFixtures({ endpoints: cluster.endpoints.slice(1) });
  });

  after(async () => {
    cluster?.members[0]?.resume();
    await writer?.close();
    await source?.close();
    await cluster?.stop();
  });

  it('notices the silence, moves to another member, resumes after the last revision and says so in the event', async () => {
    const status = await cluster.etcdctl(['endpoint', 'status', '-w', 'json']);
    const ids = [...status.stdout.matchAll(/"member_id":(\d+).*?"leader":(\d+)/g)].map(
      (m) => [m[1] as string, m[2] as string] as const,
    );
    if (ids[0] && ids[0][0] === ids[0][1]) {
      const moved = await cluster.etcdctl(['move-leader', BigInt(ids[1]![0]).toString(16)]);
      assert.equal(moved.code, 0, moved.stderr);
    }
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), 40_000);
    const keys: string[] = [];
    const resumed: Array<NonNullable<KvWatchEvent['resumed']>> = [];
    const WRITES = 300;
    try {
      const first = await writer.put('/h/000', 'x');
      for await (const e of source.watch!({ prefix: '/h/' }, { fromRevision: first, signal: deadline.signal })) {
        keys.push(Buffer.from(e.record.key).toString());
        if (e.resumed) resumed.push(e.resumed);
        if (keys.length === 1) {
          // The watch is on the first member: hang it, then write through the other two.
          cluster.members[0]!.pause();
          for (let i = 1; i <= WRITES; i++) await writer.put(`/h/${String(i).padStart(3, '0')}`, 'y');
        }
        if (keys.length === WRITES + 1) break;
      }
    } finally {
      clearTimeout(timer);
    }
    assert.deepEqual(
      keys,
      Array.from({ length: WRITES + 1 }, (_, i) => `/h/${String(i).padStart(3, '0')}`),
      'every acknowledged write, once, in order',
    );
    assert.equal(resumed.length, 1, JSON.stringify(resumed));
    assert.equal(resumed[0]!.from, cluster.endpoints[0]);
    assert.notEqual(resumed[0]!.to, cluster.endpoints[0]);
    assert.match(resumed[0]!.reason, /did not answer a watch progress request within 1000 ms/);
  });
});
