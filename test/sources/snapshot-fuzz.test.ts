/**
 * The snapshot reader under the fuzzing harness, short mode (bench/fuzz.ts runs it long): thousands of
 * seeded damaged bbolt files — made from a snapshot and a member db written by a real etcd, auger's db and
 * a deep synthetic tree — opened with openFileSource and read every way a source can be read, in a worker
 * thread under a watchdog. Each must be readable or fail with SnapshotFormatError, in bounded time and
 * memory. Then: keys and values holding HTML, control characters and invalid UTF-8 come back from a real
 * snapshot byte for byte, and decode to strings that keep every byte.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decode } from '../../src/codec';
import { encodeUtf8 } from '../../src/codec/go-utf8';
import { openFileSource } from '../../src/sources/open-file';
import { SNAPSHOT_MUTATIONS } from '../../bench/lib/fuzz-mutate';
import { runFuzz } from '../../bench/lib/fuzz-run';
import { checkFuzzRun } from '../helpers/fuzz-check';
import { makeEtcdSnapshotSeeds, oddValue, type EtcdSeedFiles } from '../../bench/lib/fuzz-etcd-seeds';
import { loadSnapshotSeeds } from '../../bench/lib/fuzz-seeds';

/** Inputs of the short mode: a few seconds on a 2-core machine. */
const SHORT_COUNT = 3000;
const SEED = 0xed0cdaed;

let dir = '';
let files: EtcdSeedFiles;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-snapshot-fuzz-'));
  files = await makeEtcdSnapshotSeeds(dir);
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('snapshot reader fuzzing (short mode)', () => {
  test('the seeds: real etcd files with branch pages, leaves, buckets and records to damage', () => {
    const seeds = loadSnapshotSeeds([files.snapshotPath, files.memberDbPath]);
    assert.equal(seeds.length, 4);
    for (const s of seeds) {
      assert.ok(s.leafPages.length > 0 && s.values.length > 0 && s.bucketValues.length > 0, s.name);
    }
    assert.ok((seeds.find((s) => s.name === 'etcd-snapshot.db') as { trailer: boolean }).trailer);
    assert.ok(
      (seeds.find((s) => s.name === 'synthetic deep tree') as { branchPages: number[] }).branchPages.length > 10,
    );
  });

  test(`${SHORT_COUNT} damaged files: readable or a SnapshotFormatError, in bounded time and memory`, async (t) => {
    const stats = await runFuzz({
      target: 'snapshot',
      count: SHORT_COUNT,
      seed: SEED,
      workers: 1,
      snapshotFiles: [files.snapshotPath, files.memberDbPath],
      hangMs: 10_000,
      slowMs: 3000,
    });
    checkFuzzRun(t, stats, { count: SHORT_COUNT, maxMs: 3000 });
    assert.ok((stats.outcomes['ok'] ?? 0) > SHORT_COUNT / 10, JSON.stringify(stats.outcomes));
    assert.ok((stats.outcomes['SnapshotFormatError'] ?? 0) > SHORT_COUNT / 10, JSON.stringify(stats.outcomes));
    // every kind of damage is met, and caught, at least sometimes
    for (const m of SNAPSHOT_MUTATIONS) {
      assert.ok(
        (stats.byMutation[`${m} SnapshotFormatError`] ?? 0) > 0,
        `no ${m} damage was detected: ${JSON.stringify(stats.byMutation)}`,
      );
    }
  });

  test('a reader stuck on one file is stopped by the watchdog, the file saved, and the run goes on', async () => {
    const findings = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-snapshot-probe-'));
    try {
      const stats = await runFuzz({
        target: 'snapshot',
        count: 30,
        seed: 3,
        hangMs: 3000,
        findingsDir: findings,
        probe: { hangAt: 10 },
      });
      assert.deepEqual(
        stats.findings.map((f) => `${f.kind}@${f.index}`),
        ['hang@10'],
      );
      assert.equal(stats.inputs, 30);
      const saved = stats.findings[0]?.file;
      assert.ok(saved !== undefined && fs.statSync(saved).size > 4096);
    } finally {
      fs.rmSync(findings, { recursive: true, force: true });
    }
  });
});

describe('keys and values a renderer must escape, through a real snapshot', () => {
  for (const which of ['snapshot', 'member db'] as const) {
    test(`${which}: HTML, control characters and invalid UTF-8 in keys and values come back byte for byte`, async () => {
      const source = await openFileSource(which === 'snapshot' ? files.snapshotPath : files.memberDbPath);
      try {
        const listed: Buffer[] = [];
        for await (const kv of source.range({ prefix: '/registry/configmaps/default/' }, { keysOnly: true }))
          listed.push(Buffer.from(kv.key));
        for (const [i, key] of files.oddKeys.entries()) {
          assert.ok(
            listed.some((k) => k.equals(key)),
            `listed: ${key.toString('hex')}`,
          );
          const kv = await source.get(key);
          assert.ok(kv !== undefined, key.toString('hex'));
          assert.deepEqual(Buffer.from(kv.key), key);
          assert.deepEqual(Buffer.from(kv.value), oddValue(key, i));
          // the value decodes to strings that keep every byte of the key's last segment
          const d = decode(kv.value);
          assert.equal(d.error, undefined, d.error?.message);
          const data = d.object?.['data'] as Record<string, string>;
          const segment = key.subarray('/registry/configmaps/default/'.length);
          const text = Object.keys(data).find((k) => k !== 'html') as string;
          assert.deepEqual(Buffer.from(encodeUtf8(text)), segment);
          assert.deepEqual(Buffer.from(encodeUtf8(data[text] as string)), segment);
          assert.equal(data['html'], '<b>&amp;</b>\u2028\u0000\u001b[1m');
        }
      } finally {
        await source.close();
      }
    });
  }
});
