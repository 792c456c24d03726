/**
 * kubetcd check: snapshots and member dbs written by real etcd 3.4 and 3.5 pass; each kind of damage is
 * named (trailer, freelist, pages used twice or lost, etcd's key bucket), and the CLI exits 1 on it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkSnapshotFile } from '../../src/sources/snapshot/snapshot-check';
import { openEtcdWriterForFixtures } from '../../src/sources/live-etcd-source';
import { makeTempDir, startEtcd, ETCD_VERSIONS } from '../helpers/etcd';
import { fixMetaChecksum, writeBbolt, type WriterBucket } from '../helpers/bbolt-writer';

const cli = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');
const REAL_DB = path.join(__dirname, '..', '..', '..', '..', 'shared', 'data', 'auger-testdata', 'boltdb', 'db');

describe('kubetcd check', () => {
  const dir = makeTempDir('kubetcd-check-');
  const files: Record<string, string> = {};

  before(async () => {
    for (const version of ETCD_VERSIONS) {
      const etcd = await startEtcd({ version, keepDataDir: true });
      try {
        const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
        try {
          await writer.putMany(
            Array.from({ length: 400 }, (_, i): [string, string] => [
              `/registry/configmaps/default/c${i}`,
              `value-${i}-${'x'.repeat(i % 7 === 0 ? 5000 : 100)}`,
            ]),
          );
          await writer.deletePrefix('/registry/configmaps/default/c1');
        } finally {
          await writer.close();
        }
        files[`snapshot ${version}`] = path.join(dir, `snap-${version}.db`);
        const saved = await etcd.etcdctl(['snapshot', 'save', files[`snapshot ${version}`] as string]);
        assert.equal(saved.code, 0, saved.stderr);
      } finally {
        await etcd.stop();
      }
      files[`member db ${version}`] = path.join(dir, `member-${version}.db`);
      fs.copyFileSync(path.join(etcd.dataDir, 'member', 'snap', 'db'), files[`member db ${version}`] as string);
      fs.rmSync(etcd.dataDir, { recursive: true, force: true });
    }
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('files written by etcd 3.4 and 3.5 pass: every page in use or free, trailer matching, every record read', async () => {
    for (const [label, file] of Object.entries(files)) {
      const report = await checkSnapshotFile(file);
      assert.deepEqual(report.problems, [], label);
      assert.equal(report.ok, true, label);
      assert.equal(report.hash, label.startsWith('snapshot') ? 'match' : 'absent', label);
      assert.ok(report.reachable > 2, label);
      assert.equal(report.keys, 400 - 111, label); // c1, c10-c19, c100-c199 deleted
      const r = spawnSync(process.execPath, [cli, 'check', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^OK: .*pages of \d+ bytes/);
    }
  });

  test('a changed byte: the trailer does not match; a damaged leaf count: the key bucket names the page', async () => {
    const file = files['snapshot 3.5'] as string;
    const bytes = fs.readFileSync(file);
    const at = bytes.indexOf('value-42-');
    assert.ok(at > 0);
    bytes[at] = 'V'.charCodeAt(0);
    const changed = path.join(dir, 'changed.db');
    fs.writeFileSync(changed, bytes);
    const report = await checkSnapshotFile(changed);
    assert.equal(report.ok, false);
    assert.equal(report.hash, 'mismatch');
    assert.match(
      report.problems.map((p) => p.message).join('\n'),
      /the SHA-256 trailer is [0-9a-f]{64}, the first \d+ bytes hash to [0-9a-f]{64}/,
    );
    const r = spawnSync(process.execPath, [cli, 'check', changed], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^1 problem: .*SHA-256 trailer does NOT match/m);
    const json = JSON.parse(
      spawnSync(process.execPath, [cli, 'check', changed, '-o', 'json'], { encoding: 'utf8' }).stdout,
    ) as { ok: boolean; hash: string };
    assert.deepEqual([json.ok, json.hash], [false, 'mismatch']);

    // The real member db's key bucket: one element fewer on its leaf page.
    const real = Buffer.from(fs.readFileSync(REAL_DB));
    const leaf = 2; // the key bucket's leaf (page 2 of this 5-page file holds its revisions)
    assert.equal(real.readUInt16LE(leaf * 4096 + 8), 0x02);
    real.writeUInt16LE(real.readUInt16LE(leaf * 4096 + 10) - 1, leaf * 4096 + 10);
    const fewer = path.join(dir, 'fewer.db');
    fs.writeFileSync(fewer, real);
    const damaged = await checkSnapshotFile(fewer);
    assert.match(
      damaged.problems.map((p) => p.message).join('\n'),
      /etcd's key bucket: .*page 2 .*element count or headers are damaged/,
    );
  });

  test("a freelist that gives away a page in use, and a page neither in use nor free, are named; the auger test db's freelist pointer is wrong", async () => {
    const entries: WriterBucket['entries'] = [];
    for (let i = 0; i < 60; i++)
      entries.push([Buffer.from(`k${String(i).padStart(3, '0')}`), Buffer.from(`v${i}`.repeat(20))]);
    const ps = 1024;
    const written = writeBbolt({ entries: [[Buffer.from('key'), { entries }]] }, { pageSize: ps, maxLeafElements: 8 });
    const inUse = written.leafPages[0] as number;
    // Append a freelist page (listing a page in use) and one more page nothing points to.
    const freelistPage = written.pageCount;
    const lost = written.pageCount + 1;
    const bytes = Buffer.concat([written.bytes, Buffer.alloc(2 * ps)]);
    bytes.writeBigUInt64LE(BigInt(freelistPage), freelistPage * ps);
    bytes.writeUInt16LE(0x10, freelistPage * ps + 8);
    bytes.writeUInt16LE(1, freelistPage * ps + 10);
    bytes.writeBigUInt64LE(BigInt(inUse), freelistPage * ps + 16);
    bytes.writeBigUInt64LE(BigInt(lost), lost * ps);
    bytes.writeUInt16LE(0x02, lost * ps + 8);
    for (const meta of [0, 1]) {
      bytes.writeBigUInt64LE(BigInt(freelistPage), meta * ps + 16 + 32);
      bytes.writeBigUInt64LE(BigInt(written.pageCount + 2), meta * ps + 16 + 40);
      fixMetaChecksum(bytes, meta * ps);
    }
    const file = path.join(dir, 'freelist.db');
    fs.writeFileSync(file, bytes);
    const report = await checkSnapshotFile(file);
    const messages = report.problems.map((p) => p.message);
    assert.ok(
      messages.includes(`page ${inUse}: reachable freed (the tree uses a page the freelist gives away)`),
      messages.join('\n'),
    );
    assert.ok(
      messages.includes(`page ${lost}: unreachable unfreed (neither in the tree nor on the freelist)`),
      messages.join('\n'),
    );
    assert.equal(report.freelist, true);

    const auger = await checkSnapshotFile(REAL_DB);
    assert.deepEqual(
      auger.problems.map((p) => p.message),
      [
        'page 2: the meta names it the freelist, but its flags are 0x2, not 0x10 (bbolt loads its freelist from there when it opens the file for writing)',
      ],
    );
    assert.equal(auger.keys, 4);
  });

  test('the CLI refuses a missing file or a second one, clearly', () => {
    const missing = spawnSync(process.execPath, [cli, 'check', path.join(dir, 'nope.db')], { encoding: 'utf8' });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /Cannot check ".*nope\.db": no such file/);
    const two = spawnSync(process.execPath, [cli, 'check', REAL_DB, REAL_DB], { encoding: 'utf8' });
    assert.equal(two.status, 2);
    assert.match(two.stderr, /kubetcd check takes one file, got 2/);
  });
});
