/**
 * The index cache (opt-in): the first open of a snapshot builds its index and saves it, later opens read it
 * back and answer exactly as a freshly built index does. A cache file that is damaged, that belongs to
 * another version of the snapshot or whose columns do not fit together is ignored and rebuilt; a cache
 * that cannot be written is skipped. Over a real etcd's snapshot (several revisions, a compaction, a lease).
 */
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readIndexFile, writeIndexFile } from '../../src/sources/snapshot/index-cache';
import { openSnapshotSource, type SnapshotSource } from '../../src/sources/snapshot/snapshot-source';
import { buildEtcdctlFixture, removeEtcdctlFixture, type EtcdctlFixture } from '../helpers/etcdctl-fixture';
import { makeTempDir } from '../helpers/etcd';

/** Everything a source answers: every kept revision's keyspace, every key's history, the leases. */
async function answers(s: SnapshotSource, fx: EtcdctlFixture): Promise<unknown> {
  const out: Record<string, unknown> = {};
  for (const rev of [...fx.dumps.keys(), undefined]) {
    const kvs: unknown[] = [];
    for await (const kv of s.range({ prefix: '' }, rev === undefined ? {} : { revision: rev })) {
      kvs.push([
        Buffer.from(kv.key).toString('latin1'),
        Buffer.from(kv.value).toString('base64'),
        kv.createRevision,
        kv.modRevision,
        kv.version,
        kv.lease,
      ]);
    }
    out[`range@${rev ?? 'latest'}`] = kvs;
  }
  for (const key of fx.histories.keys()) {
    const h: unknown[] = [];
    for await (const e of s.history(key))
      h.push([e.modRevision, e.deleted, e.version, Buffer.from(e.value).toString('base64')]);
    out[`history ${key}`] = h;
  }
  out['leases'] = (await s.leases()).map((l) => ({
    ...l,
    keys: l.keys?.map((k) => Buffer.from(k).toString('latin1')),
  }));
  out['status'] = await s.status();
  return out;
}

async function openAnswer(
  file: string,
  fx: EtcdctlFixture,
  indexCache: string | false,
): Promise<{ status: string; answers: unknown }> {
  const s = await openSnapshotSource(file, { indexCache });
  try {
    const a = await answers(s, fx);
    return { status: s.indexCacheStatus, answers: a };
  } finally {
    await s.close();
  }
}

describe('index cache', () => {
  let fx: EtcdctlFixture;
  let expected: unknown;
  before(async () => {
    fx = await buildEtcdctlFixture({ manyKeys: 500 });
    expected = (await openAnswer(fx.snapshotPath, fx, false)).answers;
  });
  after(() => {
    if (fx) removeEtcdctlFixture(fx);
  });

  test('built and saved on the first open, read back on the next: the same answers', async () => {
    const dir = makeTempDir('kubetcd-index-cache-');
    const first = await openAnswer(fx.snapshotPath, fx, dir);
    assert.match(first.status, /^built, and saved to /);
    assert.deepEqual(first.answers, expected);
    const files = fs.readdirSync(dir);
    assert.equal(files.length, 1);
    const second = await openAnswer(fx.snapshotPath, fx, dir);
    assert.equal(second.status, `read from ${path.join(dir, files[0] as string)}`);
    assert.deepEqual(second.answers, expected);
    // the environment variable sets the directory too; false turns it off
    process.env['KUBETCD_INDEX_CACHE'] = dir;
    try {
      assert.match((await openAnswer(fx.snapshotPath, fx, undefined as never)).status, /^read from /);
      assert.equal((await openAnswer(fx.snapshotPath, fx, false)).status, 'off');
    } finally {
      delete process.env['KUBETCD_INDEX_CACHE'];
    }
  });

  test('a damaged cache file, another version of the snapshot, or columns that do not fit: rebuilt', async () => {
    const dir = makeTempDir('kubetcd-index-cache-');
    await openAnswer(fx.snapshotPath, fx, dir);
    const file = path.join(dir, fs.readdirSync(dir)[0] as string);
    const bytes = fs.readFileSync(file);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] as number) ^ 0xff;
    fs.writeFileSync(file, bytes);
    const damaged = await openAnswer(fx.snapshotPath, fx, dir);
    assert.match(damaged.status, /^built, and saved to /, 'rebuilt over the damaged file');
    assert.deepEqual(damaged.answers, expected);
    assert.match((await openAnswer(fx.snapshotPath, fx, dir)).status, /^read from /);
    fs.truncateSync(file, 100);
    assert.deepEqual((await openAnswer(fx.snapshotPath, fx, dir)).answers, expected);

    // a copy of the snapshot is another file: its own cache entry
    const copy = path.join(dir, 'copy.db');
    fs.copyFileSync(fx.snapshotPath, copy);
    const other = await openAnswer(copy, fx, dir);
    assert.match(other.status, /^built, and saved to /);
    // touched (a new modification time): not the same content as far as the cache knows
    fs.utimesSync(copy, new Date(), new Date(Date.now() + 60_000));
    assert.match((await openAnswer(copy, fx, dir)).status, /^built, and saved to /);

    // a well-formed file whose columns do not fit together (a record number out of range)
    const s = await openSnapshotSource(fx.snapshotPath, { indexCache: dir });
    await s.count({ prefix: '' });
    await s.close();
    const good = readIndexFile(file, JSON.parse(JSON.stringify(readHeaderIdentity(file))));
    assert.ok(good.index !== undefined, good.why);
    const recIndex = Uint32Array.from(good.index.columns['recIndex'] as Uint32Array);
    recIndex[0] = 0xffffffff;
    assert.equal(
      writeIndexFile(file, readHeaderIdentity(file), {
        columns: { ...good.index.columns, recIndex },
        leaseIds: good.index.leaseIds,
      }),
      undefined,
    );
    const inconsistent = await openSnapshotSource(fx.snapshotPath, { indexCache: dir });
    try {
      assert.ok((await inconsistent.count({ prefix: '' })) > 0);
      assert.match(inconsistent.indexCacheStatus, /^built, and saved to /);
    } finally {
      await inconsistent.close();
    }
  });

  test('a cache file with a valid checksum but a hostile header is refused, never trusted', async () => {
    const dir = makeTempDir('kubetcd-index-cache-');
    await openAnswer(fx.snapshotPath, fx, dir);
    const file = path.join(dir, fs.readdirSync(dir)[0] as string);
    const identity = readHeaderIdentity(file);
    const forge = (header: unknown): void => {
      const json = Buffer.from(JSON.stringify(header));
      const fixed = Buffer.alloc('KUBETCD-INDEX\0'.length + 8);
      fixed.write('KUBETCD-INDEX\0', 'latin1');
      fixed.writeUInt32LE(1, 14);
      fixed.writeUInt32LE(json.length, 18);
      const body = Buffer.concat([fixed, json, Buffer.alloc(64)]);
      fs.writeFileSync(file, Buffer.concat([body, crypto.createHash('sha256').update(body).digest()]));
    };
    for (const header of [
      { version: 1, identity, leaseIds: 5, columns: [] },
      { version: 1, identity, leaseIds: [], columns: [{ name: 'keyBytes', type: 'zz', length: 1, offset: 0 }] },
      { version: 1, identity, leaseIds: [], columns: [{ name: 'keyBytes', type: 'u8', length: 1e9, offset: 8 }] },
      { version: 1, identity, leaseIds: [], columns: 'none' },
      null,
    ]) {
      forge(header);
      assert.equal(readIndexFile(file, identity).index, undefined, JSON.stringify(header));
      const r = await openAnswer(fx.snapshotPath, fx, dir);
      assert.match(r.status, /^built, and saved to /, JSON.stringify(header));
      assert.deepEqual(r.answers, expected);
    }
  });

  test('a cache that cannot be written is skipped (reads work), and a bad option is refused', async () => {
    const notADir = path.join(makeTempDir('kubetcd-index-cache-'), 'a-file');
    fs.writeFileSync(notADir, 'x');
    const r = await openAnswer(fx.snapshotPath, fx, notADir);
    assert.match(r.status, /^built; cannot write /);
    assert.deepEqual(r.answers, expected);
    await assert.rejects(openSnapshotSource(fx.snapshotPath, { indexCache: '' }), {
      name: 'InvalidArgumentError',
      message: /Invalid indexCache/,
    });
  });
});

/** The identity written in a cache file's header (to write a file the source will accept). */
function readHeaderIdentity(file: string): Parameters<typeof writeIndexFile>[1] {
  const b = fs.readFileSync(file);
  const magic = 'KUBETCD-INDEX\0'.length;
  const length = b.readUInt32LE(magic + 4);
  return (
    JSON.parse(b.toString('utf8', magic + 8, magic + 8 + length)) as { identity: Parameters<typeof writeIndexFile>[1] }
  ).identity;
}
