/**
 * k.deleted(): the objects whose tombstone real etcd still keeps, from live etcd and from its snapshot
 * alike, with the revision of the delete (as etcd answered the delete) and the last value before it (as
 * `etcdctl get --rev` reads it); deletes before a compaction are gone; Secrets redacted unless reveal.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decode, encode, type KubeObject } from '../../src/codec';
import { openEtcdWriterForFixtures, openLiveSource } from '../../src/sources/live-etcd-source';
import { openSnapshotSource } from '../../src/sources/snapshot/snapshot-source';
import type { KvSource } from '../../src/sources/types';
import { openKube, type KubeClient } from '../../src/kube/kube-client';
import type { DeletedObject } from '../../src/kube/kube-forensics';
import { present } from '../../src/notebook/present';
import { makeTempDir, startEtcd, ETCD_VERSIONS, type EtcdProcess } from '../helpers/etcd';

const cli = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');

const configMap = (namespace: string, name: string, value: string): Uint8Array =>
  encode({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, uid: `uid-${name}-${value}` },
    data: { value },
  });
const secret = (namespace: string, name: string): Uint8Array =>
  encode({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, uid: `uid-${name}` },
    type: 'Opaque',
    data: { password: Buffer.from('hunter2').toString('base64') },
  });

for (const version of ETCD_VERSIONS) {
  describe(`k.deleted() on etcd ${version} and its snapshot`, () => {
    const dir = makeTempDir('kubetcd-deleted-');
    let etcd: EtcdProcess;
    const sources: KvSource[] = [];
    let kubes: KubeClient[] = [];
    let file = '';
    /** key → revision etcd gave each kept delete, in key order then revision order. */
    const deletes: Array<{ key: string; revision: number }> = [];
    let compactRevision = 0;

    before(async () => {
      etcd = await startEtcd({ version });
      const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
      try {
        for (let i = 1; i <= 5; i++) await writer.put(`/registry/configmaps/a/c${i}`, configMap('a', `c${i}`, 'v1'));
        await writer.put('/registry/configmaps/b/c1', configMap('b', 'c1', 'v1'));
        await writer.put('/registry/secrets/a/s1', secret('a', 's1'));
        await writer.put('/registry/configmaps/a/c3', configMap('a', 'c3', 'v2'));
        await writer.delete('/registry/configmaps/a/c1'); // before the compaction: gone
        compactRevision = await writer.put('/registry/configmaps/a/c5', configMap('a', 'c5', 'v2'));
        await writer.compact(compactRevision, { physical: true });
        deletes.push({ key: '/registry/configmaps/a/c2', revision: await writer.delete('/registry/configmaps/a/c2') });
        await writer.put('/registry/configmaps/a/c2', configMap('a', 'c2', 'again')); // re-created: its delete still shows
        deletes.push({ key: '/registry/configmaps/a/c3', revision: await writer.delete('/registry/configmaps/a/c3') });
        deletes.push({ key: '/registry/configmaps/b/c1', revision: await writer.delete('/registry/configmaps/b/c1') });
        deletes.push({ key: '/registry/secrets/a/s1', revision: await writer.delete('/registry/secrets/a/s1') });
        deletes.push({ key: '/registry/configmaps/a/c2', revision: await writer.delete('/registry/configmaps/a/c2') });
        await writer.put('/registry/configmaps/a/c4', configMap('a', 'c4', 'v2'));
      } finally {
        await writer.close();
      }
      deletes.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : x.revision - y.revision));
      file = path.join(dir, 'snapshot.db');
      assert.equal((await etcd.etcdctl(['snapshot', 'save', file])).code, 0);
      sources.push(await openLiveSource({ endpoints: etcd.endpoint }), await openSnapshotSource(file));
      kubes = await Promise.all(sources.map((s) => openKube(s)));
    });

    after(async () => {
      for (const s of sources) await s.close();
      await etcd?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    /** The last value before a delete, as etcdctl reads it at the revision before. */
    async function lastBefore(key: string, revision: number): Promise<{ modRevision: number; object: KubeObject }> {
      const r = await etcd.etcdctl(['get', key, `--rev=${revision - 1}`, '-w', 'json']);
      assert.equal(r.code, 0, r.stderr);
      const kv = (JSON.parse(r.stdout) as { kvs: Array<{ mod_revision: number; value: string }> }).kvs[0]!;
      return { modRevision: kv.mod_revision, object: decode(Buffer.from(kv.value, 'base64')).object as KubeObject };
    }

    test('every kept delete, with its revision and the last value before it; live and snapshot alike', async () => {
      for (const [i, k] of kubes.entries()) {
        const label = i === 0 ? 'live' : 'snapshot';
        const result = await k.deleted(undefined, { reveal: true });
        assert.equal(result.compactRevision, compactRevision, label);
        assert.deepEqual(
          result.items.map((d) => ({ key: d.key, revision: d.revision })),
          deletes,
          label,
        );
        for (const d of result.items) {
          const before = await lastBefore(d.key, d.revision);
          assert.equal(d.lastRevision, before.modRevision, `${label} ${d.key}`);
          assert.deepEqual(d.object, before.object, `${label} ${d.key}`);
          assert.equal(d.encoding, 'protobuf');
          const [, , resource, namespace, name] = d.key.split('/');
          assert.deepEqual([d.resource, d.namespace, d.name], [resource, namespace, name]);
        }
      }
    });

    test('by resource and namespace; Secrets redacted unless reveal', async () => {
      for (const k of kubes) {
        const cms = await k.deleted('cm', { namespace: 'a' });
        assert.deepEqual(
          cms.items.map((d) => [d.name, d.revision]),
          deletes
            .filter((d) => d.key.startsWith('/registry/configmaps/a/'))
            .map((d) => [d.key.split('/')[4], d.revision]),
        );
        const secrets = await k.deleted('secrets');
        assert.equal(secrets.items.length, 1);
        assert.deepEqual((secrets.items[0] as DeletedObject).object?.data, { password: '<redacted: 7 bytes>' });
        const revealed = await k.deleted('secrets', { reveal: true });
        assert.deepEqual((revealed.items[0] as DeletedObject).object?.data, {
          password: Buffer.from('hunter2').toString('base64'),
        });
        const inB = await k.deleted(undefined, { namespace: 'b' });
        assert.deepEqual(
          inB.items.map((d) => d.key),
          ['/registry/configmaps/b/c1'],
        );
      }
    });

    test('in a notebook: the same columns as the CLI, and what the compaction took', async () => {
      const shown = present(await kubes[1]!.deleted(), { method: 'deleted' });
      assert.equal(
        shown.summary,
        `${deletes.length} kept deletes under /registry/; deletes at or before revision ${compactRevision} were compacted`,
      );
      assert.match(shown.rendered.text, /RESOURCE\s+NAMESPACE\s+NAME\s+DELETED-AT\s+LAST-REV\s+KIND/);
      assert.match(shown.rendered.text, /secrets\s+a\s+s1\s+\d+\s+\d+\s+Secret/);
      assert.match(shown.rendered.html, /<table/);
    });

    test('kubetcd deleted prints the same, table and json', () => {
      const json = spawnSync(
        process.execPath,
        [cli, 'deleted', 'configmaps', '-n', 'a', '--snapshot', file, '-o', 'json'],
        { encoding: 'utf8' },
      );
      assert.equal(json.status, 0, json.stderr);
      const printed = JSON.parse(json.stdout) as { items: DeletedObject[] };
      assert.deepEqual(
        printed.items.map((d) => d.revision),
        deletes.filter((d) => d.key.startsWith('/registry/configmaps/a/')).map((d) => d.revision),
      );
      const table = spawnSync(process.execPath, [cli, 'deleted', '--snapshot', file], { encoding: 'utf8' });
      assert.equal(table.status, 0, table.stderr);
      const lines = table.stdout.trim().split('\n');
      assert.match(lines[0] as string, /^RESOURCE\s+NAMESPACE\s+NAME\s+DELETED-AT\s+LAST-REV\s+KIND$/);
      assert.equal(lines.length, 1 + deletes.length);
      assert.match(
        table.stdout,
        new RegExp(
          `secrets\\s+a\\s+s1\\s+${deletes.find((d) => d.key.includes('secrets'))!.revision}\\s+\\d+\\s+Secret`,
        ),
      );
      assert.match(table.stderr, new RegExp(`at or before revision ${compactRevision} were compacted`));
    });
  });
}
