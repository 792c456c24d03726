import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { openFileSource, sniffFile } from '../../src/sources/open-file';

const REAL_DB = path.join(__dirname, '../../..', '..', 'shared/data/auger-testdata/boltdb/db');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-open-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

test('a bbolt file opens as a snapshot source, a JSON dump as a dump source', async () => {
  assert.equal(sniffFile(REAL_DB), 'bbolt');
  const s = await openFileSource(REAL_DB);
  assert.equal(s.kind, 'snapshot');
  assert.equal(await s.count({ prefix: '/registry/' }), 3);
  await s.close();
  const dumpPath = path.join(tmp, 'dump.json');
  const key = Buffer.from('/k').toString('base64');
  fs.writeFileSync(
    dumpPath,
    `\n  {"header":{"cluster_id":1,"member_id":2,"revision":9,"raft_term":3},"kvs":[{"key":"${key}","create_revision":9,"mod_revision":9,"version":1,"value":"dg=="}],"count":1}\n`,
  );
  assert.equal(sniffFile(dumpPath), 'etcdctl-json');
  const d = await openFileSource(dumpPath);
  assert.equal(d.kind, 'dump');
  assert.equal((await d.get('/k'))?.value.toString(), 'v');
});

test('a bbolt file whose meta page 0 is wiped is still recognised by its second meta page', async () => {
  const b = fs.readFileSync(REAL_DB);
  b.fill(0, 0, 4096);
  const p = path.join(tmp, 'meta0.db');
  fs.writeFileSync(p, b);
  assert.equal(sniffFile(p), 'bbolt');
  const s = await openFileSource(p);
  assert.equal(await s.count({ prefix: '' }), 4);
  await s.close();
});

test('anything else is refused with the magic found and what to pass instead', async () => {
  const p = path.join(tmp, 'x.db');
  fs.writeFileSync(p, Buffer.alloc(8192));
  await assert.rejects(openFileSource(p), {
    name: 'SnapshotFormatError',
    message:
      /^Cannot open ".*x\.db" as an etcd snapshot: magic 0x00000000 at offset 16, expected 0xed0cdaed\. .*etcdctl snapshot save/,
  });
  const short = path.join(tmp, 'short.db');
  fs.writeFileSync(short, 'abc');
  await assert.rejects(openFileSource(short), { name: 'SnapshotFormatError', message: /too short/ });
  await assert.rejects(openFileSource(tmp), { name: 'InvalidArgumentError', message: /not a regular file/ });
});
