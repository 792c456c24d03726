/**
 * k.leases() / kubetcd leases: every etcd lease with the keys it keeps alive, live and from a snapshot,
 * the ids as etcdctl prints them and the keys as `etcdctl lease timetolive --keys` lists them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import { openKube, type KubeClient } from '../../src/kube/kube-client';
import { open } from '../../src/notebook/notebook-client';
import { openEtcdWriterForFixtures, openLiveSource } from '../../src/sources/live-etcd-source';
import { openFileSource } from '../../src/sources/open-file';
import { makeTempDir, startEtcd, type EtcdProcess } from '../helpers/etcd';

const cli = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');

describe('etcd leases', () => {
  let etcd: EtcdProcess;
  let dir: string;
  let snapshot: string;
  const kubes: Array<[string, KubeClient]> = [];
  let eventsLease = '';
  let masterLease = '';

  before(async () => {
    etcd = await startEtcd();
    const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    try {
      const events = await writer.grantLease(3600);
      const master = await writer.grantLease(600);
      await writer.put(
        '/registry/events/default/a.1',
        '{"kind":"Event","apiVersion":"v1","metadata":{"name":"a.1","namespace":"default"}}',
        { lease: events },
      );
      await writer.put(
        '/registry/events/default/b.2',
        '{"kind":"Event","apiVersion":"v1","metadata":{"name":"b.2","namespace":"default"}}',
        { lease: events },
      );
      await writer.put(
        '/registry/masterleases/10.0.0.1',
        '{"kind":"Endpoints","apiVersion":"v1","metadata":{"name":"kubernetes"}}',
        { lease: master },
      );
      await writer.put(
        '/registry/namespaces/default',
        '{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"default"}}',
      );
      eventsLease = events;
      masterLease = master;
    } finally {
      await writer.close();
    }
    dir = makeTempDir('kubetcd-leases-');
    snapshot = path.join(dir, 'snap.db');
    const saved = await etcd.etcdctl(['snapshot', 'save', snapshot]);
    assert.equal(saved.code, 0, saved.stderr);
    kubes.push(['live', await openKube(await openLiveSource({ endpoints: etcd.endpoint }))]);
    kubes.push(['snapshot', await openKube(await openFileSource(snapshot))]);
  });

  after(async () => {
    for (const [, k] of kubes) await k.source.close();
    await etcd?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the leases, their TTLs and the keys each keeps, as etcdctl lists them', async () => {
    const listed = await etcd.etcdctl(['lease', 'list']);
    const etcdctlIds = [...listed.stdout.matchAll(/^([0-9a-f]{16})$/gm)].map((m) => m[1] as string).sort();
    assert.equal(etcdctlIds.length, 2, listed.stdout);
    for (const [label, k] of kubes) {
      const { leases, keys } = await k.leases();
      assert.deepEqual(leases.map((l) => l.id).sort(), etcdctlIds, label);
      assert.equal(keys, 3, label);
      for (const l of leases) {
        const ttl = await etcd.etcdctl(['lease', 'timetolive', l.id, '--keys']);
        const attached = /attached keys\(\[(.*)\]\)/.exec(ttl.stdout)?.[1]?.split(' ').filter(Boolean).sort() ?? [];
        assert.deepEqual(l.keys, attached, `${label} ${l.id}: ${ttl.stdout}`);
        assert.equal(l.ttlSeconds, Number(/granted with TTL\((\d+)s\)/.exec(ttl.stdout)?.[1]), label);
        assert.equal(BigInt(`0x${l.id}`), BigInt(l.idDecimal), label);
      }
      const events = leases.find((l) => l.idDecimal === eventsLease);
      assert.deepEqual(events?.byResource, { events: 2 }, label);
      assert.deepEqual(leases.find((l) => l.idDecimal === masterLease)?.byResource, { masterleases: 1 }, label);
      if (label === 'live') assert.ok((events?.remainingSeconds ?? 0) > 3000, label);
      else assert.equal(events?.remainingSeconds, undefined, 'a file has no clock');
    }
  });

  test('kubetcd leases and the notebook display show one row per lease', async () => {
    const r = spawnSync(process.execPath, [cli, 'leases', '--snapshot', snapshot], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /^ID\s+TTL\s+REMAINING\s+KEYS\s+RESOURCES$/);
    assert.ok(
      lines.some((l) => /^[0-9a-f]{16}\s+3600s\s+<unknown>\s+2\s+events=2$/.test(l)),
      r.stdout,
    );
    assert.ok(
      lines.some((l) => /^[0-9a-f]{16}\s+600s\s+<unknown>\s+1\s+masterleases=1$/.test(l)),
      r.stdout,
    );
    const json = JSON.parse(
      spawnSync(process.execPath, [cli, 'leases', '-o', 'json', '--endpoints', etcd.endpoint], { encoding: 'utf8' })
        .stdout,
    ) as { leases: unknown[]; keys: number };
    assert.deepEqual([json.leases.length, json.keys], [2, 3]);
    const refused = spawnSync(process.execPath, [cli, 'leases', '--snapshot', snapshot, '--revision', '2'], {
      encoding: 'utf8',
    });
    assert.equal(refused.status, 2, 'leases are the current ones only');
    const k = await open(etcd.endpoint, { progress: false });
    try {
      const shown = util.inspect(await k.leases());
      assert.match(shown, /^ID\s+TTL\s+REMAINING\s+KEYS\s+RESOURCES/m);
      assert.match(shown, /\s2\s+events=2$/m);
    } finally {
      await k.close();
    }
  });
});
