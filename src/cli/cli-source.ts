/**
 * Where a command reads: the source its options name (--snapshot FILE, else live etcd from the flags
 * and ETCDCTL_*), opened, handed to the command as a KubeClient, and closed; a failure on the default
 * endpoint said as such, a snapshot's checksum verdict awaited.
 */
import * as fs from 'node:fs';
import { EtcdConnectionError, InvalidArgumentError, KubetcdError, isKubetcdError } from '../errors';
import type { KubeClient } from '../kube/kube-client';
import type { SourceTarget } from '../sources/open-source';
import type { KvSource } from '../sources/types';
import { cliAdvice } from './advice';
import type { CliArgs } from './cli-args';
import { warn } from './cli-output';

/** Opens the source the options name: --snapshot FILE, else live etcd (flags, then ETCDCTL_*). */
export async function openCliSource(args: CliArgs): Promise<KvSource> {
  if (args.snapshot !== undefined) {
    if (!fs.existsSync(args.snapshot)) {
      throw new InvalidArgumentError(
        `Cannot read snapshot ${JSON.stringify(args.snapshot)}: no such file. Check the path.`,
      );
    }
    // Loaded on demand: a snapshot never needs the etcd client (grpc), decode and encode need neither.
    const { openFileSource } = await import('../sources/open-file');
    // The SHA-256 check of a large file runs alongside the reads: withKube waits for its verdict.
    return openFileSource(
      args.snapshot,
      args.skipHashCheck === true ? { verifyHash: false } : { hashCheck: 'alongside' },
    );
  }

  const live: Exclude<SourceTarget, string | string[] | undefined> = {
    ...(args.endpoints !== undefined ? { endpoints: args.endpoints } : {}),
    ...(args.cacert !== undefined ? { cacert: args.cacert } : {}),
    ...(args.cert !== undefined ? { cert: args.cert } : {}),
    ...(args.key !== undefined ? { key: args.key } : {}),
    ...(args.user !== undefined ? { user: args.user } : {}),
    ...(args.password !== undefined ? { password: args.password } : {}),
    ...(args.insecureSkipTlsVerify ? { insecureSkipVerify: true } : {}),
  };
  const { openSource } = await import('../sources/open-source');
  return openSource(live);
}

/** etcdctl's endpoint when none is named, which the live source falls back to. */
const DEFAULT_ENDPOINT = '127.0.0.1:2379';

/**
 * A failure to reach the default endpoint, said as such: no source was named, so 127.0.0.1:2379 was
 * tried; and how to name one. Other errors, and failures on a named source, pass unchanged.
 */
export function explainDefaultSource(args: CliArgs, e: unknown, opening: boolean): unknown {
  const defaulted =
    args.snapshot === undefined && args.endpoints === undefined && process.env['ETCDCTL_ENDPOINTS'] === undefined;
  if (!defaulted || !isKubetcdError(e) || !(e.name === 'EtcdConnectionError' || (opening && e.name === 'KubetcdError')))
    return e;
  const message =
    `No source named, so kubetcd tried live etcd at ${DEFAULT_ENDPOINT} (the default without --snapshot, --endpoints or ETCDCTL_ENDPOINTS): ` +
    `${e.message.replace(/\.?$/, '.')} Name a source: --snapshot FILE for a snapshot file, --endpoints HOST:PORT for a live etcd, or set ETCDCTL_ENDPOINTS.`;
  const details = { ...e.details, defaultEndpoint: DEFAULT_ENDPOINT };
  return e.name === 'EtcdConnectionError'
    ? new EtcdConnectionError(message, details, { cause: e })
    : new KubetcdError(message, details, { cause: e });
}

/**
 * The SHA-256 verdict of a snapshot whose check runs alongside the reads (large files): a mismatch is
 * written to stderr the moment it is known, even while output is still being written; resolves true then.
 */
export function reportHashMismatch(source: KvSource): Promise<boolean> {
  const verdict = source.hashVerdict?.();
  if (verdict === undefined) return Promise.resolve(false);
  return verdict.then((bad) => {
    if (bad === undefined) return false;
    process.stderr.write(
      `kubetcd: ${cliAdvice(bad.message)} What this command printed was read from that file while its checksum was being checked: ` +
        'do not trust it; the command fails (exit status 1).\n',
    );
    return true;
  });
}

/**
 * Opens the source, runs `run`, closes the source. A snapshot's SHA-256 trailer is checked while `run`
 * reads and writes (large files): the command waits for the verdict before it exits, and a mismatch fails
 * it with exit status 1 even when its output was already written (stdout cannot be taken back; stderr
 * says the output is not to be trusted). --skip-hash-check reads without checking.
 */
export async function withKube(args: CliArgs, run: (k: KubeClient) => Promise<number>): Promise<number> {
  let source: KvSource;
  try {
    source = await openCliSource(args);
  } catch (e) {
    throw explainDefaultSource(args, e, true);
  }
  const mismatch = reportHashMismatch(source);
  try {
    const { openKube } = await import('../kube/kube-client');
    const k = await openKube(source, args.prefix !== undefined ? { prefix: args.prefix } : {});
    for (const e of k.crdErrors) warn(`${e.key}: ${e.error} (its custom resources cannot be resolved)`);
    const code = await run(k);
    return (await mismatch) ? 1 : code;
  } catch (e) {
    await mismatch; // a damaged file is the likelier cause of a failure: say so first
    throw explainDefaultSource(args, e, false);
  } finally {
    await source.close();
  }
}
