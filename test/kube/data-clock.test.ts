/**
 * Ages in old backups: a snapshot's tables count ages from the newest Lease renewal the data holds (not
 * from today), say so, and take { now } / --now; a live etcd uses this machine's clock.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import { openKube } from '../../src/kube/kube-client';
import { dataClock } from '../../src/kube/data-clock';
import { open } from '../../src/notebook/notebook-client';
import { openEtcdWriterForFixtures } from '../../src/sources/live-etcd-source';
import { openFileSource } from '../../src/sources/open-file';
import { makeTempDir, startEtcd, type EtcdProcess } from '../helpers/etcd';

const cli = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');
const lease = (ns: string, name: string, renewTime: string): string =>
  JSON.stringify({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: ns, creationTimestamp: '2023-01-01T00:00:00Z' },
    spec: { holderIdentity: name, renewTime },
  });
const pod = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', creationTimestamp: '2023-05-01T09:00:00Z' },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
  status: { phase: 'Running' },
});

describe('the clock of ages', () => {
  let etcd: EtcdProcess;
  let dir: string;
  let snapshot: string;

  before(async () => {
    etcd = await startEtcd();
    const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    try {
      await writer.put(
        '/registry/leases/kube-node-lease/node-1',
        lease('kube-node-lease', 'node-1', '2023-05-01T10:00:04.000000Z'),
      );
      await writer.put(
        '/registry/leases/kube-system/kube-scheduler',
        lease('kube-system', 'kube-scheduler', '2023-05-01T09:59:58.123456Z'),
      );
      await writer.put('/registry/pods/default/web', pod);
    } finally {
      await writer.close();
    }
    dir = makeTempDir('kubetcd-clock-');
    snapshot = path.join(dir, 'backup.db');
    const saved = await etcd.etcdctl(['snapshot', 'save', snapshot]);
    assert.equal(saved.code, 0, saved.stderr);
  });

  after(async () => {
    await etcd?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('dataClock is the newest Lease renewal', async () => {
    const k = await openKube(await openFileSource(snapshot));
    try {
      const clock = await dataClock(k);
      assert.equal(clock?.now.toISOString(), '2023-05-01T10:00:04.000Z');
      assert.equal(clock?.from, 'the newest Lease renewal (kube-node-lease/node-1)');
    } finally {
      await k.source.close();
    }
  });

  test('notebook: a snapshot counts ages from its data and says so; { now } and live etcd use the clock they are given', async () => {
    const k = await open(snapshot, { progress: false });
    try {
      const text = util.inspect(await k.list('pods'));
      assert.match(text, /^web\s+0\/1\s+Running\s+0\s+60m$/m);
      const table = await k.table('pods');
      assert.match(table.text, /ages as of 2023-05-01T10:00:04Z, the newest Lease renewal \(kube-node-lease\/node-1\)/);
      assert.match(table.html, /ages as of 2023-05-01T10:00:04Z/);
    } finally {
      await k.close();
    }
    const given = await open(snapshot, { progress: false, now: new Date('2023-05-01T09:30:00Z') });
    try {
      assert.match(util.inspect(await given.list('pods')), /^web\s+0\/1\s+Running\s+0\s+30m$/m);
    } finally {
      await given.close();
    }
    const wall = await open(snapshot, { progress: false, now: 'clock' });
    try {
      assert.match(util.inspect(await wall.list('pods')), /^web\s+0\/1\s+Running\s+0\s+\d+y\d*d?$/m);
    } finally {
      await wall.close();
    }
    const live = await open(etcd.endpoint, { progress: false });
    try {
      const text = util.inspect(await live.list('pods'));
      assert.match(text, /^web\s+0\/1\s+Running\s+0\s+\d+y\d*d?$/m);
      assert.doesNotMatch(text, /ages as of/);
    } finally {
      await live.close();
    }
    await assert.rejects(open(snapshot, { now: 'yesterday' as never }), {
      name: 'InvalidArgumentError',
      message: /Invalid open\(\) option now/,
    });
  });

  test('CLI: --snapshot tables use the data clock and say so on stderr; --now sets it', () => {
    const run = (...args: string[]): { code: number | null; stdout: string; stderr: string } => {
      const r = spawnSync(process.execPath, [cli, 'get', 'pods', '--snapshot', snapshot, ...args], {
        encoding: 'utf8',
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const data = run();
    assert.equal(data.code, 0, data.stderr);
    assert.match(data.stdout, /^web\s+0\/1\s+Running\s+0\s+60m$/m);
    assert.match(
      data.stderr,
      /ages as of 2023-05-01T10:00:04Z, the newest Lease renewal \(kube-node-lease\/node-1\) \(--now now: this machine's clock\)/,
    );
    assert.match(run('--now', '2023-05-01T09:30:00Z').stdout, /^web\s+0\/1\s+Running\s+0\s+30m$/m);
    assert.match(run('--now', 'now').stdout, /^web\s+0\/1\s+Running\s+0\s+\d+y\d*d?$/m);
    const bad = run('--now', 'yesterday');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Invalid --now: "yesterday"\. Pass an RFC 3339 time/);
  });
});
