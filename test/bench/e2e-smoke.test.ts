/**
 * Keeps the end-to-end benchmark from rotting: its smoke mode (300 generated pods in a real etcd and a
 * snapshot, every query once, one process per source, one paging strategy) must run, and every query must
 * give the same answer live and from the snapshot, through the fast paths and through full decoding.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';

test('bench/e2e --smoke runs every query and the answers agree', () => {
  const script = path.join(__dirname, '..', '..', 'bench', 'e2e.js');
  const r = spawnSync(process.execPath, [script, '--smoke'], { encoding: 'utf8', timeout: 240_000 });
  assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /answers agree: live = snapshot; fast path = full decode; list = stream/);
  for (const q of [
    'etcdctl get --prefix /registry/pods/ |',
    "live: count('pods', { by: 'spec.nodeName' })",
    'snapshot: same, every pod decoded (stream then group)',
    'live: pod table, createTableBuilder over stream(',
    'snapshot: sizes()',
  ]) {
    assert.ok(r.stdout.includes(q), `missing row ${q}\n${r.stdout}`);
  }
  // every row of the table carries an answer (items matched, and a digest)
  const rows = r.stdout.split('\n').filter((l) => /^\| (live|snapshot): /.test(l));
  assert.equal(rows.length, 14, r.stdout);
  for (const row of rows) assert.match(row, /\| \d+ \| [0-9a-f]+( groups [0-9a-f]+| [0-9a-f]+)? \|$/, row);
  assert.match(r.stdout, /\| kubetcd default: sub-prefix paging, 10 000 keys \/ 4 MiB a page \| [\d.]+ \|/);
  assert.match(r.stdout, /kubetcd's default costs .+ of it/);
});
