/**
 * Options go where users pass them: `open(path, { verifyHash: false })`, `open('host:port', { user,
 * password })`, the CLI's `--skip-hash-check`. Misspelt or misplaced options are refused by name, and a
 * read-only user connects. All against a real etcd (auth on) and a snapshot it saved, damaged by hand.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { open } from '../../src/notebook/notebook-client';
import { openSource } from '../../src/sources/open-source';
import { checkOptionNames, closestName, FILE_OPTION_NAMES } from '../../src/sources/source-options';
import type { KvSource } from '../../src/sources/types';
import { makeTempDir, startEtcd, type EtcdProcess } from '../helpers/etcd';

const cli = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');
const rootPassword = 'r00t-Secret';
const readerPassword = 'reader-Pass';

async function keysOf(source: KvSource, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const kv of source.range({ prefix }, { keysOnly: true })) keys.push(Buffer.from(kv.key).toString('utf8'));
  return keys;
}

function runCli(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, KUBETCD_INDEX_CACHE: '' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('closestName and checkOptionNames', () => {
  assert.equal(closestName('verifyhash', FILE_OPTION_NAMES), 'verifyHash');
  assert.equal(closestName('veryfiHash', FILE_OPTION_NAMES), 'verifyHash');
  assert.equal(closestName('colour', FILE_OPTION_NAMES), undefined);
  assert.throws(() => checkOptionNames('open()', { verifyhash: false }, FILE_OPTION_NAMES), {
    name: 'InvalidArgumentError',
    message: /open\(\): unknown option "verifyhash" \(did you mean "verifyHash"\?\)\..*verifyHash, wholeFileBytes/,
  });
  // An option set to undefined is as good as absent (spread defaults are common).
  checkOptionNames('open()', { verifyHash: undefined, user: undefined }, FILE_OPTION_NAMES);
});

describe('options where users pass them, on a real etcd with auth on', () => {
  let etcd: EtcdProcess;
  let dir: string;
  let snapshot: string;
  let damaged: string;
  let hostPort: string;

  before(async () => {
    etcd = await startEtcd({ auth: { rootPassword } });
    hostPort = etcd.endpoint.replace(/^https?:\/\//, '');
    const steps: string[][] = [
      ['put', '/registry/namespaces/default', 'value-of-default'],
      ['put', '/registry/namespaces/kube-system', 'value-of-kube-system'],
      ['put', '/private/token', 'not-for-readers'],
      ['role', 'add', 'registry-reader'],
      ['role', 'grant-permission', 'registry-reader', 'read', '--prefix=true', '/registry/'],
      ['user', 'add', `reader:${readerPassword}`],
      ['user', 'grant-role', 'reader', 'registry-reader'],
    ];
    for (const step of steps) {
      const r = await etcd.etcdctl(step);
      assert.equal(r.code, 0, `etcdctl ${step.join(' ')}: ${r.stderr}`);
    }
    dir = makeTempDir('kubetcd-source-options-');
    snapshot = path.join(dir, 'snap.db');
    const saved = await etcd.etcdctl(['snapshot', 'save', snapshot]);
    assert.equal(saved.code, 0, saved.stderr);
    const bytes = fs.readFileSync(snapshot);
    // Every copy (a freed page may hold an older one): the live value must show the damage.
    let copies = 0;
    for (let at = bytes.indexOf('value-of-kube-system'); at >= 0; at = bytes.indexOf('value-of-kube-system', at + 1)) {
      bytes[at] = 'V'.charCodeAt(0);
      copies++;
    }
    assert.ok(copies > 0, 'the value is in the snapshot');
    damaged = path.join(dir, 'damaged.db');
    fs.writeFileSync(damaged, bytes);
  });

  after(async () => {
    await etcd?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('openSource(path, { verifyHash: false }) reads a snapshot whose trailer no longer matches', async () => {
    await assert.rejects(openSource(damaged), {
      name: 'SnapshotFormatError',
      message: /fails its SHA-256 check.*verifyHash: false/,
    });
    const source = await openSource(damaged, { verifyHash: false });
    try {
      const kv = await source.get('/registry/namespaces/kube-system');
      assert.equal(Buffer.from(kv?.value ?? []).toString(), 'Value-of-kube-system');
    } finally {
      await source.close();
    }
  });

  test('a misspelt option is refused with the right name; a live option on a file is refused', async () => {
    await assert.rejects(openSource(damaged, { verifyhash: false } as object), {
      name: 'InvalidArgumentError',
      message: /unknown option "verifyhash" \(did you mean "verifyHash"\?\)/,
    });
    await assert.rejects(openSource(snapshot, { user: 'reader' }), {
      name: 'InvalidArgumentError',
      message: /option "user" does not apply here\. It is an option of a live etcd/,
    });
    await assert.rejects(openSource(hostPort, { verifyHash: false }), {
      name: 'InvalidArgumentError',
      message: /option "verifyHash" does not apply here\. It is an option of a snapshot file/,
    });
  });

  test("open('host:port', { user, password }) logs in; a user who may only read /registry/ connects", async () => {
    const source = await openSource(hostPort, { user: 'reader', password: readerPassword });
    try {
      assert.deepEqual(await keysOf(source, '/registry/'), [
        '/registry/namespaces/default',
        '/registry/namespaces/kube-system',
      ]);
      await assert.rejects(keysOf(source, '/private/'), {
        name: 'EtcdConnectionError',
        message: /denied permission to user "reader" \(reading .*\/private\/.*etcdctl role grant-permission/,
      });
    } finally {
      await source.close();
    }
    // The same credentials as an endpoint list and inside a live-options object.
    for (const target of [[etcd.endpoint], { endpoints: etcd.endpoint }]) {
      const again = await openSource(target, { user: 'reader', password: readerPassword });
      try {
        assert.equal((await keysOf(again, '/registry/')).length, 2);
      } finally {
        await again.close();
      }
    }
  });

  test('wrong credentials fail at open; no user on an auth-enabled etcd says so', async () => {
    await assert.rejects(openSource(hostPort, { user: 'reader', password: 'wrong' }), {
      name: 'EtcdConnectionError',
      message: /refused the credentials of user "reader"/,
    });
    await assert.rejects(openSource(hostPort, { env: {} }), (e: Error) => {
      assert.equal(e.name, 'EtcdConnectionError');
      assert.match(e.message, /requires authentication and no user was given.*Pass \{ user, password \}/);
      assert.doesNotMatch(e.message, /user ""/);
      return true;
    });
  });

  test('notebook open() takes source options next to its own, and refuses misspelt ones', async () => {
    const k = await open(damaged, { verifyHash: false, prefix: '/registry', progress: false });
    try {
      assert.equal(k.source.kind, 'snapshot');
    } finally {
      await k.close();
    }
    const live = await open(hostPort, { user: 'reader', password: readerPassword, progress: false });
    try {
      assert.equal(live.prefix, '/registry');
    } finally {
      await live.close();
    }
    await assert.rejects(open(snapshot, { prefx: '/registry' } as object), {
      name: 'InvalidArgumentError',
      message: /open\(\): unknown option "prefx" \(did you mean "prefix"\?\)/,
    });
  });

  test('CLI: --skip-hash-check reads a damaged snapshot, and the error without it names that flag', () => {
    const refused = runCli(['keys', '/registry/', '--snapshot', damaged]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /fails its SHA-256 check.*pass --skip-hash-check to read it anyway/);
    assert.doesNotMatch(refused.stderr, /verifyHash/);
    const read = runCli(['keys', '/registry/', '--snapshot', damaged, '--skip-hash-check']);
    assert.equal(read.code, 0, read.stderr);
    assert.deepEqual(read.stdout.trim().split('\n'), [
      '/registry/namespaces/default',
      '/registry/namespaces/kube-system',
    ]);
    const live = runCli(['keys', '--endpoints', hostPort, '--skip-hash-check']);
    assert.equal(live.code, 2);
    assert.match(live.stderr, /--skip-hash-check applies to a snapshot file: add --snapshot FILE/);
  });
});
