/**
 * Builds real etcd files for the snapshot tests: starts a real etcd with {@link startEtcd} (keeping its
 * data dir), writes through `etcdctl` (puts, deletes, a lease, a compaction, values larger than a page, a
 * few thousand keys in transactions), records what `etcdctl get "" --prefix -w json --rev R` answers at
 * several revisions, saves a snapshot, stops etcd and copies the stopped member's `member/snap/db`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ETCD_BIN, startEtcd, type EtcdProcess } from './etcd';

export interface EtcdctlFixture {
  dir: string;
  /** `etcdctl snapshot save` output (with its SHA-256 trailer). */
  snapshotPath: string;
  /** The stopped member's member/snap/db (no trailer). */
  memberDbPath: string;
  /** `etcdctl get "" --prefix -w json` at the final revision, saved to a file. */
  dumpPath: string;
  /** Raw `etcdctl get "" --prefix -w json --rev R` output per revision. */
  dumps: Map<number, string>;
  /** The revision passed to `etcdctl compact`. */
  compactRevision: number;
  /** A revision below the compaction (must be refused). */
  compactedRevision: number;
  finalRevision: number;
  /** Lease id as etcdctl printed it (hex) and its TTL. */
  leaseIdHex: string;
  leaseTtlSeconds: number;
  /** Key -> every revision etcd kept for it, as [modRevision, deleted]. */
  histories: Map<string, [number, boolean][]>;
  /** Number of keys written by the bulk transactions. */
  manyKeys: number;
  /** Values larger than a page. */
  bigValues: Map<string, string>;
  etcdVersion: string;
}

/** etcdctl against `etcd`: its stdout, or a throw with its stderr on a non-zero exit. */
async function etcdctlOutput(etcd: EtcdProcess, args: string[], input?: string): Promise<string> {
  const result = await etcd.etcdctl(['--command-timeout=20s', ...args], input);
  if (result.code !== 0) {
    throw new Error(`etcdctl ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}

function headerRevision(json: string): number {
  const m = /"revision":(\d+)/.exec(json);
  if (!m) throw new Error(`no revision in ${json.slice(0, 200)}`);
  return Number(m[1]);
}

/**
 * Build the fixture in a fresh temp dir. Remove it with {@link removeEtcdctlFixture}.
 * @example
 * const fx = await buildEtcdctlFixture(); try { ... } finally { removeEtcdctlFixture(fx); }
 */
export async function buildEtcdctlFixture(options: { manyKeys?: number } = {}): Promise<EtcdctlFixture> {
  const etcd = await startEtcd({
    name: 'fx',
    extraArgs: ['--max-txn-ops', '5000', '--max-request-bytes', '10485760'],
    keepDataDir: true,
    startTimeoutMs: 30_000,
  });
  const ctl = (args: string[], input?: string): Promise<string> => etcdctlOutput(etcd, args, input);
  const histories = new Map<string, [number, boolean][]>();
  const note = (key: string, rev: number, deleted: boolean): void => {
    const h = histories.get(key) ?? [];
    h.push([rev, deleted]);
    histories.set(key, h);
  };
  let dir = '';
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-etcd-'));
    const put = async (key: string, value: string, extra: string[] = []): Promise<number> => {
      const rev = headerRevision(await ctl(['put', key, ...extra, '-w', 'json'], value));
      note(key, rev, false);
      return rev;
    };
    const del = async (key: string): Promise<number> => {
      const rev = headerRevision(await ctl(['del', key, '-w', 'json']));
      note(key, rev, true);
      return rev;
    };
    const early = await put('/fx/a', 'a1');
    await put('/fx/b', 'b1');
    await put('/fx/a', 'a2');
    await put('/fx/doomed', 'x');
    await del('/fx/doomed');
    await put('/fx/old', 'o1');
    const compactRevision = await del('/fx/b');
    await ctl(['compact', String(compactRevision)]);
    // Compaction keeps, per key, the newest revision <= the compaction unless it is a deletion.
    for (const [key, h] of histories) {
      const kept = h.filter(([rev]) => rev > compactRevision);
      const last = h.filter(([rev]) => rev <= compactRevision).pop();
      if (last && !last[1]) kept.unshift(last);
      if (kept.length) histories.set(key, kept);
      else histories.delete(key);
    }
    await put('/fx/a', 'a3');
    await put('/fx/b', 'b2');
    await del('/fx/old');
    const grant = await ctl(['lease', 'grant', '3000']);
    const m = /lease ([0-9a-f]+) granted with TTL\((\d+)s\)/.exec(grant);
    if (!m) throw new Error(`unexpected lease grant output: ${grant}`);
    const leaseIdHex = m[1] as string;
    await put('/fx/leased', 'with lease', ['--lease', leaseIdHex]);
    const bigValues = new Map<string, string>();
    for (const [key, n] of [
      ['/fx/big/1', 10_000],
      ['/fx/big/2', 70_000],
      ['/fx/big/3', 5_000],
    ] as const) {
      const value = Array.from({ length: n }, (_, i) => String.fromCharCode(97 + ((i * 7 + n) % 26))).join('');
      bigValues.set(key, value);
      await put(key, value);
    }
    const manyKeys = options.manyKeys ?? 3000;
    const batch = 1000;
    for (let i = 0; i < manyKeys; i += batch) {
      const ops: string[] = [];
      for (let j = i; j < Math.min(manyKeys, i + batch); j++) {
        ops.push(`put /fx/many/${String(j).padStart(6, '0')} value-${j}-${'v'.repeat(j % 97)}`);
      }
      const rev = headerRevision(await ctl(['txn', '-w', 'json'], `\n${ops.join('\n')}\n\n\n`));
      for (let j = i; j < Math.min(manyKeys, i + batch); j++)
        note(`/fx/many/${String(j).padStart(6, '0')}`, rev, false);
    }
    await put('/fx/many/000007', 'rewritten');
    await put('/fx/a', 'a4');
    const finalRevision = await del('/fx/big/3');
    const dumps = new Map<number, string>();
    for (const rev of new Set([
      compactRevision,
      compactRevision + 1,
      compactRevision + 4,
      finalRevision - 3,
      finalRevision - 1,
      finalRevision,
    ])) {
      dumps.set(rev, await ctl(['get', '', '--prefix', '-w', 'json', '--rev', String(rev)]));
    }
    const dumpPath = path.join(dir, 'dump.json');
    fs.writeFileSync(dumpPath, await ctl(['get', '', '--prefix', '-w', 'json']));
    const snapshotPath = path.join(dir, 'snapshot.db');
    await ctl(['snapshot', 'save', snapshotPath]);
    const etcdVersion = /etcd Version: (\S+)/.exec(execFileSync(ETCD_BIN, ['--version']).toString())?.[1] ?? '';
    await etcd.stop(10_000);
    const memberDbPath = path.join(dir, 'member.db');
    fs.copyFileSync(path.join(etcd.dataDir, 'member', 'snap', 'db'), memberDbPath);
    return {
      dir,
      snapshotPath,
      memberDbPath,
      dumpPath,
      dumps,
      compactRevision,
      compactedRevision: early,
      finalRevision,
      leaseIdHex,
      leaseTtlSeconds: Number(m[2]),
      histories,
      manyKeys,
      bigValues,
      etcdVersion,
    };
  } catch (e) {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  } finally {
    await etcd.stop(10_000);
    fs.rmSync(etcd.dataDir, { recursive: true, force: true });
  }
}

/** Delete the fixture's temp dir. */
export function removeEtcdctlFixture(fx: EtcdctlFixture): void {
  fs.rmSync(fx.dir, { recursive: true, force: true });
}
