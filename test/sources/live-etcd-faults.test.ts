// Faults with real etcd processes: a killed member (fail-over), a hung member (SIGSTOP: the deadline
// holds), and no member at all (EtcdConnectionError within the deadline).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, startCluster, type EtcdCluster, type EtcdProcess } from '../helpers/etcd';
import { openEtcdWriterForFixtures, openLiveSource } from '../../src/sources/live-etcd-source';

describe('live etcd source under faults', () => {
  let cluster: EtcdCluster;

  before(async () => {
    cluster = await startCluster(3);
    const writer = await openEtcdWriterForFixtures({ endpoints: cluster.endpoints });
    try {
      await writer.putMany(Array.from({ length: 300 }, (_, i): [string, string] => [`/f/ns${i % 3}/k${i}`, `v${i}`]));
    } finally {
      await writer.close();
    }
  });

  after(async () => {
    await cluster?.stop();
  });

  /** The members ordered followers first, the leader last. */
  async function followersFirst(): Promise<EtcdProcess[]> {
    const status = await cluster.etcdctl(['endpoint', 'status', '-w', 'json']);
    const rows = JSON.parse(status.stdout.replace(/"(member_id|leader|cluster_id)":(\d+)/g, '"$1":"$2"')) as Array<{
      Endpoint: string;
      Status: { header: { member_id: string }; leader: string };
    }>;
    const leaderEndpoint = rows.find((r) => r.Status.header.member_id === r.Status.leader)!.Endpoint;
    return [...cluster.members].sort((a, b) => Number(a.endpoint === leaderEndpoint) - Number(b.endpoint === leaderEndpoint));
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

  it('fails over from a hung member within one deadline, and from a killed one', async () => {
    const [m0, m1, m2] = await followersFirst();
    const callTimeoutMs = 1500;
    // m0 first: the source prefers the member that answered last, which is m0 after opening.
    const source = await openLiveSource({ endpoints: [m0!.endpoint, m1!.endpoint, m2!.endpoint], callTimeoutMs, pageSize: 50 });
    try {
      assert.equal(await source.count({ prefix: '/f/' }), 300);
      m0!.pause();
      try {
        const started = Date.now();
        assert.equal(await source.count({ prefix: '/f/' }), 300);
        const took = Date.now() - started;
        assert.ok(took >= callTimeoutMs - 100 && took < 2 * callTimeoutMs, `took ${took} ms`);
      } finally {
        m0!.resume();
      }
      await m1!.kill();
      let n = 0;
      for await (const _ of source.range({ prefix: '/f/' })) n++;
      assert.equal(n, 300);
    } finally {
      await source.close();
    }
  });

  it('with every endpoint down: EtcdConnectionError naming them, within the deadline', async () => {
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
