// A paged live read whose pinned revision is compacted mid-read, with the compaction timed at every page
// boundary of a sub-prefix window, while keys are written at the end of the window being read. The
// listing must be exactly the state at the revision it reports (etcdctl's answer at that revision):
// never a key missed between the last key handed out and the next window's start. On etcd 3.4 and 3.5.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ETCD_VERSIONS, startEtcd, type EtcdProcess } from '../helpers/etcd';
import { openEtcdWriterForFixtures, openLiveSource, type EtcdWriter } from '../../src/sources/live-etcd-source';
import type { KvSource, RangeProgress } from '../../src/sources/types';

const PAGE = 10;
const PER_NS = 40;
const NAMESPACES = ['a', 'b', 'c', 'd', 'e', 'f'];

async function etcdctlKeys(etcd: EtcdProcess, prefix: string, rev: number): Promise<string[]> {
  const res = await etcd.etcdctl(['get', prefix, '--prefix', '--keys-only', `--rev=${rev}`]);
  assert.equal(res.code, 0, res.stderr);
  return res.stdout.split('\n').filter((l) => l !== '');
}

for (const version of ETCD_VERSIONS) {
  describe(`a live range compacted at window boundaries (etcd ${version})`, () => {
    let etcd: EtcdProcess;
    let writer: EtcdWriter;
    let source: KvSource;

    before(async () => {
      etcd = await startEtcd({ version });
      writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
      const entries: Array<[string, string]> = [];
      for (const ns of NAMESPACES)
        for (let i = 0; i < PER_NS; i++) entries.push([`/g/${ns}/k${String(i).padStart(3, '0')}`, `v-${ns}-${i}`]);
      await writer.putMany(entries);
      source = await openLiveSource({ endpoints: etcd.endpoint, pageSize: PAGE });
    });

    after(async () => {
      await source?.close();
      await writer?.close();
      await etcd?.stop();
    });

    for (const keysOnly of [false, true]) {
      it(`${keysOnly ? 'keys only' : 'with values'}: every listing is exactly etcd's state at the revision it reports`, async () => {
        let restarted = 0;
        // Trigger after each page's last record of the first two windows (and one mid-page): the page
        // requested ahead then starts the next page of the window, or the next window.
        const triggers = [PAGE, 2 * PAGE, 3 * PAGE, 4 * PAGE - 1, 4 * PAGE, 5 * PAGE, 6 * PAGE, 8 * PAGE];
        for (const at of triggers) {
          const keys: string[] = [];
          const progress: RangeProgress[] = [];
          let written = '';
          for await (const kv of source.range(
            { prefix: '/g/' },
            { keysOnly, onProgress: (p) => progress.push({ ...p }) },
          )) {
            const key = Buffer.from(kv.key).toString();
            keys.push(key);
            if (keys.length === at) {
              // A key at the end of the window being read (after every key handed out), then compact.
              written = `${key.slice(0, key.lastIndexOf('/') + 1)}zz-${version}-${keysOnly}-${at}`;
              const rev = await writer.put(written, 'late');
              await writer.compact(rev);
            }
          }
          const last = progress[progress.length - 1]!;
          if ((last.restarts ?? 0) > 0) restarted++;
          const expected = await etcdctlKeys(etcd, '/g/', last.revision);
          assert.ok(expected.includes(written), `${written} is in etcd at revision ${last.revision}`);
          assert.deepEqual(
            keys,
            expected,
            `trigger at record ${at}: the listing at revision ${last.revision} differs from etcd's`,
          );
        }
        // The compaction hit the read (it restarted) in most runs: the test exercises the resume.
        assert.ok(restarted >= triggers.length / 2, `restarted in ${restarted} of ${triggers.length} runs`);
      });
    }
  });
}
