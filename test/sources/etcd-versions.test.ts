// kubetcd against both etcd versions the tests can start: bookworm's 3.4.23 and Debian sid's 3.5.30
// (scripts/setup-etcd35.sh). For each: the live source reads what etcdctl wrote and reports the server's
// version, and the snapshot that version's own tools wrote (`etcdctl snapshot save`) opens with the same
// records, then the stopped member's db file does too.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ETCD_VERSIONS, etcdBinaries, makeTempDir, startEtcd } from '../helpers/etcd';
import { openLiveSource, openEtcdWriterForFixtures } from '../../src/sources/live-etcd-source';
import { openSnapshotSource } from '../../src/sources/snapshot/snapshot-source';
import type { KvRecord, KvSource } from '../../src/sources/types';

async function keysAndValues(source: KvSource, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const r of source.range({ prefix }) as AsyncIterable<KvRecord>) {
    out.push(`${Buffer.from(r.key).toString()}=${Buffer.from(r.value).toString()}@${r.modRevision}`);
  }
  return out;
}

for (const version of ETCD_VERSIONS) {
  describe(`etcd ${version}`, () => {
    it('the helper starts that version, and live and snapshot reads agree with it', async () => {
      const bins = etcdBinaries(version);
      const etcd = await startEtcd({ version, keepDataDir: true });
      const dir = makeTempDir('kubetcd-versions-');
      try {
        const v = await etcd.etcdctl(['version']);
        assert.match(v.stdout, new RegExp(`etcdctl version: ${version.replace('.', '\\.')}\\.`));
        const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
        const entries: Array<[string, string]> = [];
        for (let i = 0; i < 40; i++) entries.push([`/v/ns${i % 3}/k${String(i).padStart(2, '0')}`, `value-${i}`]);
        await writer.putMany(entries, { batchSize: 9 });
        await writer.put('/v/ns0/k00', 'updated');
        await writer.delete('/v/ns1/k01');
        await writer.close();

        const live = await openLiveSource({ endpoints: etcd.endpoint });
        const status = await live.status();
        assert.equal(status.serverVersion?.slice(0, 3), version, `server version ${status.serverVersion}`);
        const fromLive = await keysAndValues(live, '/v/');
        await live.close();
        assert.equal(fromLive.length, 39);
        assert.ok(fromLive.includes(`/v/ns0/k00=updated@${status.revision - 1}`), fromLive.join('\n'));

        const file = path.join(dir, 'snap.db');
        const saved = await etcd.etcdctl(['snapshot', 'save', file]);
        assert.equal(saved.code, 0, saved.stderr);
        const snap = await openSnapshotSource(file);
        assert.deepEqual(await keysAndValues(snap, '/v/'), fromLive);
        assert.equal((await snap.status()).revision, status.revision);
        await snap.close();
        if (bins.etcdutl) {
          // 3.5 moved `snapshot status` to etcdutl: its revision and key count match ours.
          const st = spawnSync(bins.etcdutl, ['snapshot', 'status', file, '-w', 'json'], { encoding: 'utf8' });
          assert.equal(st.status, 0, st.stderr);
          const parsed = JSON.parse(st.stdout) as { revision: number };
          assert.equal(parsed.revision, status.revision);
        }

        await etcd.stop();
        const member = await openSnapshotSource(path.join(etcd.dataDir, 'member', 'snap', 'db'));
        assert.deepEqual(await keysAndValues(member, '/v/'), fromLive);
        await member.close();
      } finally {
        await etcd.stop();
        fs.rmSync(dir, { recursive: true, force: true });
        fs.rmSync(etcd.dataDir, { recursive: true, force: true });
      }
    });
  });
}
