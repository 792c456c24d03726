// Faults with a real three-member etcd on loopback, most of them in the middle of a paged listing: a
// hung member (SIGSTOP: the deadline holds, the read moves on), the leader moved (etcdctl move-leader),
// a compaction (the read resumes at the new revision when sound, else fails saying so), a watch from a
// compacted revision, a killed member, and every member down. Each case ends with the complete answer
// (the exact key set, all at one revision) or a clear error within its deadline: never a hang, never a
// partial listing presented as complete.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, startCluster, type EtcdCluster, type EtcdProcess } from '../helpers/etcd';
import { openEtcdWriterForFixtures, openLiveSource, type EtcdWriter } from '../../src/sources/live-etcd-source';
import type { KvRecord, KvSource, RangeProgress } from '../../src/sources/types';

const KEYS = 3000;
const PAGE = 100;
const keyOf = (i: number): string => `/f/ns${i % 3}/k${String(i).padStart(5, '0')}`;
const EXPECTED = Array.from({ length: KEYS }, (_, i) => keyOf(i)).sort();

interface Listing {
  keys: string[];
  progress: RangeProgress[];
  error?: Error;
  ms: number;
}

/**
 * Lists /f/ and runs `during` once, after `at` records were handed out (the fault then hits the pages
 * still to come: one page is always requested ahead, so `at` is past the first page's end).
 */
async function listWith(source: KvSource, at: number, during: (seen: KvRecord[]) => Promise<void>): Promise<Listing> {
  const keys: string[] = [];
  const seen: KvRecord[] = [];
  const progress: RangeProgress[] = [];
  const started = Date.now();
  try {
    for await (const kv of source.range({ prefix: '/f/' }, { onProgress: (p) => progress.push({ ...p }) })) {
      keys.push(Buffer.from(kv.key).toString());
      seen.push(kv);
      if (keys.length === at) await during(seen);
    }
  } catch (e) {
    return { keys, progress, error: e as Error, ms: Date.now() - started };
  }
  return { keys, progress, ms: Date.now() - started };
}

function assertComplete(listing: Listing, expected: string[] = EXPECTED): void {
  assert.equal(listing.error, undefined, listing.error?.message);
  assert.equal(listing.keys.length, expected.length);
  assert.deepEqual(listing.keys, expected);
}

describe('live etcd source under faults (three members on loopback)', () => {
  let cluster: EtcdCluster;
  let writer: EtcdWriter;

  before(async () => {
    cluster = await startCluster(3);
    writer = await openEtcdWriterForFixtures({ endpoints: cluster.endpoints });
    await writer.putMany(
      Array.from({ length: KEYS }, (_, i): [string, string] => [keyOf(i), `v${i}-${'x'.repeat(200)}`]),
    );
  });

  after(async () => {
    await writer?.close();
    await cluster?.stop();
  });

  interface StatusRow {
    Endpoint: string;
    Status: { header: { member_id: string; revision: number }; leader: string };
  }

  async function statusRows(endpoints = cluster.endpoints): Promise<StatusRow[]> {
    const status = await cluster.etcdctl(['endpoint', 'status', '-w', 'json', `--endpoints=${endpoints.join(',')}`]);
    // Member ids are uint64: keep them as strings.
    return JSON.parse(status.stdout.replace(/"(member_id|leader|cluster_id)":(\d+)/g, '"$1":"$2"')) as StatusRow[];
  }

  /** The members ordered followers first, the leader last. */
  async function followersFirst(): Promise<EtcdProcess[]> {
    const rows = await statusRows();
    const leaderEndpoint = rows.find((r) => r.Status.header.member_id === r.Status.leader)!.Endpoint;
    return [...cluster.members].sort(
      (a, b) => Number(a.endpoint === leaderEndpoint) - Number(b.endpoint === leaderEndpoint),
    );
  }

  it('a hung single member: the call ends within the deadline', async () => {
    const [m0] = await followersFirst();
    const source = await openLiveSource({ endpoints: m0!.endpoint, callTimeoutMs: 1000 });
    m0!.pause();
    try {
      const started = Date.now();
      await assert.rejects(source.count({ prefix: '/f/' }), (e: Error) => {
        assert.equal(e.name, 'EtcdConnectionError');
        assert.match(e.message, /deadline/i);
        assert.ok(e.message.includes(m0!.endpoint));
        return true;
      });
      assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);
    } finally {
      m0!.resume();
      await source.close();
    }
  });

  it('opening with the first endpoint hung (SIGSTOP) asks the others after a short grace, not after the call deadline', async () => {
    const [m0, m1, m2] = await followersFirst();
    m0!.pause();
    let source: Awaited<ReturnType<typeof openLiveSource>> | undefined;
    try {
      // A deadline of a minute: were the members asked one after another, open would wait all of it.
      const opening = openLiveSource({ endpoints: [m0!.endpoint, m1!.endpoint, m2!.endpoint], callTimeoutMs: 60_000 });
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('open() still waits on the hung first member after 15 s')), 15_000);
      });
      try {
        source = await Promise.race([opening, bound]);
      } finally {
        clearTimeout(timer);
      }
      // Later calls go to the member that answered.
      assert.equal(await source.count({ prefix: '/f/' }), KEYS);
    } finally {
      m0!.resume();
      await source?.close();
    }
  });

  it('a member hung (SIGSTOP) under a long call deadline: keepalive pings find it and the call moves on well before the deadline', async () => {
    const [m0, m1, m2] = await followersFirst();
    const source = await openLiveSource({
      endpoints: [m0!.endpoint, m1!.endpoint, m2!.endpoint],
      callTimeoutMs: 120_000,
      dialTimeoutMs: 2000,
    });
    try {
      assert.equal(await source.count({ prefix: '/f/' }), KEYS); // answered by m0, which stays preferred
      m0!.pause();
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error('the call still waits on the hung member after 45 s (its deadline is 120 s)')),
          45_000,
        );
      });
      try {
        assert.equal(await Promise.race([source.count({ prefix: '/f/' }), bound]), KEYS);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      m0!.resume();
      await source.close();
    }
  });

  it('a member hung (SIGSTOP) mid-listing: the read moves to the next member after one deadline and completes', async () => {
    const [m0, m1, m2] = await followersFirst();
    const callTimeoutMs = 1000;
    // m0 first: the source prefers the member that answered last, which is m0 after opening.
    const source = await openLiveSource({
      endpoints: [m0!.endpoint, m1!.endpoint, m2!.endpoint],
      callTimeoutMs,
      pageSize: PAGE,
    });
    try {
      assert.equal(await source.count({ prefix: '/f/' }), KEYS);
      const listing = await listWith(source, PAGE + 1, async () => m0!.pause());
      assertComplete(listing);
      // One revision for the whole read, and it never moved.
      assert.equal(new Set(listing.progress.map((p) => p.revision)).size, 1);
      assert.ok(listing.progress.every((p) => p.restarts === undefined));
      assert.ok(listing.ms >= callTimeoutMs - 100 && listing.ms < 3 * callTimeoutMs, `took ${listing.ms} ms`);
    } finally {
      m0!.resume();
      await source.close();
    }
  });

  it('fails over from a hung member within one deadline (count)', async () => {
    const [m0, m1, m2] = await followersFirst();
    const callTimeoutMs = 1500;
    const source = await openLiveSource({
      endpoints: [m0!.endpoint, m1!.endpoint, m2!.endpoint],
      callTimeoutMs,
      pageSize: 50,
    });
    try {
      m0!.pause();
      try {
        const started = Date.now();
        assert.equal(await source.count({ prefix: '/f/' }), KEYS);
        // Which member the count tries first depends on which answered the source last; either way the
        // count is complete and ends within one deadline of the hung member.
        const took = Date.now() - started;
        assert.ok(took < 2 * callTimeoutMs, `took ${took} ms`);
      } finally {
        m0!.resume();
      }
    } finally {
      await source.close();
    }
  });

  it('the leader moved (etcdctl move-leader) mid-listing: the listing completes at its revision', async () => {
    const members = await followersFirst();
    const leader = members[2]!;
    const rows = await statusRows();
    const target = rows.find((r) => r.Endpoint === members[0]!.endpoint)!.Status.header.member_id;
    // Read through the leader: its role changes under the read.
    const source = await openLiveSource({
      endpoints: [leader.endpoint, members[0]!.endpoint, members[1]!.endpoint],
      callTimeoutMs: 3000,
      pageSize: PAGE,
    });
    try {
      const listing = await listWith(source, PAGE + 1, async () => {
        const moved = await cluster.etcdctl([
          'move-leader',
          BigInt(target).toString(16),
          `--endpoints=${leader.endpoint}`,
        ]);
        assert.equal(moved.code, 0, moved.stderr);
      });
      assertComplete(listing);
      assert.equal(new Set(listing.progress.map((p) => p.revision)).size, 1);
      const after = await statusRows();
      assert.ok(
        after.every((r) => r.Status.leader === target),
        'the leader moved',
      );
    } finally {
      await source.close();
    }
  });

  it('a compaction mid-listing with nothing returned changed: the read resumes at the new revision (and says so)', async () => {
    const source = await openLiveSource({ endpoints: cluster.endpoints, pageSize: PAGE });
    const added = '/f/ns2/zz-added-mid-listing';
    try {
      const listing = await listWith(source, PAGE + 1, async () => {
        // A key not yet returned is added, then history up to now is compacted: the pinned revision is gone.
        const revision = await writer.put(added, 'new');
        await writer.compact(revision);
      });
      // The whole listing is the state at the new revision: the added key is in it.
      assertComplete(listing, [...EXPECTED, added].sort());
      const last = listing.progress[listing.progress.length - 1]!;
      assert.ok((last.restarts ?? 0) >= 1, 'onProgress reports the restart');
      assert.ok(last.revision > listing.progress[0]!.revision, 'and the new revision');
    } finally {
      await writer.delete(added);
      await source.close();
    }
  });

  it('a compaction mid-listing after a returned key changed: a clear CompactedRevisionError, never a mixed listing', async () => {
    const source = await openLiveSource({ endpoints: cluster.endpoints, pageSize: PAGE });
    let changedKey = '';
    try {
      const listing = await listWith(source, PAGE + 1, async (seen) => {
        changedKey = Buffer.from(seen[0]!.key).toString();
        const revision = await writer.put(changedKey, 'changed after it was returned');
        await writer.compact(revision);
      });
      assert.ok(listing.error, `the listing completed with ${listing.keys.length} keys`);
      assert.equal(listing.error.name, 'CompactedRevisionError');
      assert.match(listing.error.message, /compacted mid-read/);
      assert.match(listing.error.message, /run it again/);
      assert.ok(listing.keys.length < KEYS);
      // Run again: the complete listing at the current revision.
      assertComplete(await listWith(source, -1, async () => undefined));
    } finally {
      if (changedKey) await writer.put(changedKey, 'restored');
      await source.close();
    }
  });

  it('a watch from a compacted revision ends with a CompactedRevisionError naming the oldest kept revision', async () => {
    const source = await openLiveSource({ endpoints: cluster.endpoints, callTimeoutMs: 3000 });
    try {
      assert.equal(typeof source.watch, 'function', 'the live source can watch');
      const status = await source.status();
      assert.ok(status.compactRevision > 2, `compacted at ${status.compactRevision}`);
      const started = Date.now();
      const events: unknown[] = [];
      await assert.rejects(
        (async () => {
          for await (const e of source.watch!({ prefix: '/f/' }, { fromRevision: 2 })) events.push(e);
        })(),
        (e: Error) => {
          assert.equal(e.name, 'CompactedRevisionError');
          assert.ok(e.message.includes(String(status.compactRevision)), e.message);
          return true;
        },
      );
      assert.equal(events.length, 0);
      assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    } finally {
      await source.close();
    }
  });

  it('a member killed mid-listing: the read moves on and completes', async () => {
    const [m0, m1, m2] = await followersFirst();
    const source = await openLiveSource({
      endpoints: [m0!.endpoint, m1!.endpoint, m2!.endpoint],
      callTimeoutMs: 2000,
      pageSize: PAGE,
    });
    try {
      const listing = await listWith(source, PAGE + 1, async () => m0!.kill());
      assertComplete(listing);
      assert.equal(new Set(listing.progress.map((p) => p.revision)).size, 1);
      assert.ok(listing.ms < 4000, `took ${listing.ms} ms`);
    } finally {
      await source.close();
    }
  });

  it('every member down mid-listing (one killed, the others hung): EtcdConnectionError naming the endpoints, within the deadlines', async () => {
    const callTimeoutMs = 1000;
    const source = await openLiveSource({ endpoints: cluster.endpoints, callTimeoutMs, pageSize: PAGE });
    try {
      const listing = await listWith(source, PAGE + 1, async () => {
        // One member was killed by the test before; hang the others.
        for (const m of cluster.members) if (!m.exited()) m.pause();
      });
      assert.ok(listing.error, `the listing completed with ${listing.keys.length} keys`);
      assert.equal(listing.error.name, 'EtcdConnectionError');
      for (const endpoint of cluster.endpoints)
        assert.ok(listing.error.message.includes(endpoint), listing.error.message);
      assert.match(listing.error.message, /deadline/i);
      assert.ok(listing.keys.length < KEYS);
      assert.ok(listing.ms < cluster.endpoints.length * callTimeoutMs + 2000, `took ${listing.ms} ms`);
    } finally {
      for (const m of cluster.members) m.resume();
      await source.close();
    }
  });

  it('with every endpoint down at open: EtcdConnectionError naming them, within the deadline', async () => {
    const ports = [await freePort(), await freePort()];
    const endpoints = ports.map((p) => `127.0.0.1:${p}`);
    const started = Date.now();
    await assert.rejects(openLiveSource({ endpoints, callTimeoutMs: 1000, dialTimeoutMs: 1000 }), (e: Error) => {
      assert.equal(e.name, 'EtcdConnectionError');
      for (const endpoint of endpoints) assert.ok(e.message.includes(endpoint), e.message);
      assert.match(e.message, /ECONNREFUSED|refused|Nothing listens/i);
      return true;
    });
    assert.ok(Date.now() - started < 2 * 1000 + 1000, `took ${Date.now() - started} ms`);
  });
});
